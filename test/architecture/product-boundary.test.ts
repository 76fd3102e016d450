// The product does not lean on its test bench: src/ and workers/ (what ships) never import bench/ or test/,
// at load time or at run time (bench/ drives src/perf, not the other way round); and the `fjord perf` commands
// import one another in one direction only (registration → work → shared flags), with no cycle in src/cli.
import { describe, expect, it } from 'vitest';
import { importCycles, importsOf, sourceFiles } from './source-imports.js';

describe('product boundary', () => {
  it('src/ and workers/ never import bench/ or test/', () => {
    const offending = [...sourceFiles('src'), ...sourceFiles('workers')].flatMap((file) =>
      importsOf(file)
        .filter((i) => i.target.startsWith('bench/') || i.target.startsWith('test/'))
        .map((i) => `${file} → ${i.target}`),
    );
    expect(offending).toEqual([]);
  });

  it('the cli/commands/perf* files import each other without a cycle (dynamic imports count)', () => {
    const perf = sourceFiles('src/cli/commands').filter((file) => /\/perf[^/]*\.ts$/.test(file));
    expect(perf.length).toBeGreaterThanOrEqual(3);
    expect(importCycles(perf)).toEqual([]);
  });

  it('src/cli has no import cycle at all', () => {
    expect(importCycles(sourceFiles('src/cli'))).toEqual([]);
  });
});
