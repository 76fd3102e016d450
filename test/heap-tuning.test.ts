// keepYoungGenerationSmall(): in a child process (V8 flags are per process), a load that keeps many young
// objects alive grows the young generation to tens of MiB by default and not past a few MiB once tuned.
import { execFileSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compiledPath } from '../src/shared/compiled-path.js';

const MIB = 1024 * 1024;

function youngGenerationPeak(tuned: boolean): { initial: number; largest: number } {
  const script = `
    import { getHeapSpaceStatistics } from 'node:v8';
    if (${tuned}) (await import(${JSON.stringify(pathToFileURL(compiledPath('src/heap-tuning')).href)})).keepYoungGenerationSmall();
    const newSpace = () => getHeapSpaceStatistics().find((space) => space.space_name === 'new_space').space_size;
    const initial = newSpace();
    let largest = initial;
    const alive = new Array(50_000);
    for (let i = 0; i < 3_000_000; i++) {
      alive[i % alive.length] = { i, text: 'request ' + i };
      if (i % 10_000 === 0) largest = Math.max(largest, newSpace());
    }
    console.log(JSON.stringify({ initial, largest }));`;
  return JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' })) as { initial: number; largest: number };
}

describe('keepYoungGenerationSmall', () => {
  it('stops the young generation from growing under a load that grows it by default', () => {
    const untuned = youngGenerationPeak(false);
    const tuned = youngGenerationPeak(true);
    expect(untuned.largest).toBeGreaterThanOrEqual(8 * MIB);
    expect(tuned.largest).toBeLessThanOrEqual(Math.max(2 * tuned.initial, 2 * MIB));
  });
});
