// The thread boundary is a folder boundary: workers/ imports only workers/ and src/shared/; src/ (the
// main thread) never imports worker code at run time (type-only imports describe the control plane).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importsOf, root, sourceFiles } from './source-imports.js';

/** The top-level imports (this test's rules are about what a module loads when it loads). */
const staticImportsOf = (file: string) => importsOf(file).filter((i) => !i.dynamic);

describe('thread boundary', () => {
  it('workers/ imports nothing from src/ but src/shared/', () => {
    const offending = sourceFiles('workers').flatMap((file) =>
      staticImportsOf(file)
        .filter((i) => i.target.startsWith('src/') && !i.target.startsWith('src/shared/'))
        .map((i) => `${file} → ${i.target}`),
    );
    expect(offending).toEqual([]);
  });

  it('src/ imports worker code only as types', () => {
    const offending = sourceFiles('src').flatMap((file) =>
      staticImportsOf(file)
        .filter((i) => i.target.startsWith('workers/') && !i.typeOnly)
        .map((i) => `${file} → ${i.target}`),
    );
    expect(offending).toEqual([]);
  });

  it('every source file opens with a comment saying what it owns', () => {
    const bare = [...sourceFiles('src'), ...sourceFiles('workers'), ...sourceFiles('bench')].filter(
      (file) => !readFileSync(join(root, file), 'utf8').startsWith('//'),
    );
    expect(bare).toEqual([]);
  });
});
