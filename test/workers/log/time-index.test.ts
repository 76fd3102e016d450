// Tests of TimeIndex (.timeindex): appends only when the max timestamp rises, lookups of the last entry
// below a target (also as a property), truncation, sanity checks, the slot kept for seal, reload.
import * as fs from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { writeInt64 } from '../../../src/shared/record-batch.js';
import { TIME_INDEX_ENTRY_BYTES, TimeIndex } from '../../../workers/log/time-index.js';
import { files, seedFor, tempRoot } from './log-test-kit.js';

const BASE = 500;

function indexWith(entries: Array<[timestamp: number, offset: number]>, maxBytes = 12 * 100): { index: TimeIndex; path: string } {
  const path = join(tempRoot(), 'x.timeindex');
  const index = TimeIndex.create(files, path, BASE, maxBytes);
  for (const [timestamp, offset] of entries) index.maybeAppend(timestamp, offset);
  return { index, path };
}

function loadRaw(entries: Array<[number, number]>, extraBytes = 0): TimeIndex {
  const path = join(tempRoot(), 'raw.timeindex');
  const buf = Buffer.alloc(entries.length * TIME_INDEX_ENTRY_BYTES + extraBytes);
  entries.forEach(([timestamp, relative], i) => {
    writeInt64(buf, i * 12, timestamp);
    buf.writeUInt32BE(relative, i * 12 + 8);
  });
  fs.writeFileSync(path, buf);
  return TimeIndex.load(files, path, BASE, 12 * 100);
}

function all(index: TimeIndex): Array<[number, number]> {
  return Array.from({ length: index.entryCount }, (_, i) => [index.timestampAt(i), index.offsetAt(i)]);
}

describe('TimeIndex', () => {
  it('appends only when the max timestamp rises', () => {
    const { index } = indexWith([
      [100, 500],
      [100, 503],
      [90, 504],
      [250, 506],
      [250, 510],
      [251, 510],
    ]);
    expect(all(index)).toEqual([
      [100, 500],
      [250, 506],
      [251, 510],
    ]);
    expect(index.lastTimestamp()).toBe(251);
    index.close();
  });

  it('finds the last entry below a target timestamp', () => {
    const { index } = indexWith([
      [100, 500],
      [250, 506],
      [400, 520],
    ]);
    const cases: Array<[number, number]> = [
      [50, -1],
      [100, -1],
      [101, 0],
      [250, 0],
      [251, 1],
      [400, 1],
      [401, 2],
      [1e15, 2],
    ];
    for (const [target, entry] of cases) expect(index.lastEntryBefore(target)).toBe(entry);
    index.close();
  });

  it('lookups match a model', () => {
    const seed = seedFor('time index lookups');
    const entriesArbitrary = fc.uniqueArray(fc.integer({ min: 0, max: 1e9 }), { maxLength: 150 }).map((ts) => ts.sort((a, b) => a - b));
    fc.assert(
      fc.property(entriesArbitrary, fc.array(fc.integer({ min: -5, max: 1e9 + 5 }), { maxLength: 40 }), (timestamps, probes) => {
        const { index } = indexWith(timestamps.map((t, i) => [t, BASE + i * 3]));
        for (const probe of probes) expect(index.lastEntryBefore(probe)).toBe(timestamps.filter((t) => t < probe).length - 1);
        index.close();
      }),
      { seed, numRuns: 100 },
    );
  });

  it('truncates entries whose offset is at or above the truncation offset', () => {
    const { index } = indexWith([
      [100, 500],
      [250, 506],
      [400, 520],
    ]);
    index.truncateFromOffset(520);
    expect(all(index)).toEqual([
      [100, 500],
      [250, 506],
    ]);
    index.truncateFromOffset(501);
    expect(all(index)).toEqual([[100, 500]]);
    index.maybeAppend(150, 502);
    expect(all(index)).toEqual([
      [100, 500],
      [150, 502],
    ]);
    index.close();
  });

  it('is full at segment.index.bytes / 12 entries, still takes a seal entry past that, trims and reloads', () => {
    const { index, path } = indexWith([], 12 * 3);
    index.maybeAppend(10, 500);
    index.maybeAppend(20, 501);
    expect(index.isFull()).toBe(false);
    index.maybeAppend(30, 502);
    expect(index.isFull()).toBe(true);
    index.maybeAppend(40, 503);
    index.trim();
    index.close();
    expect(fs.statSync(path).size).toBe(48);
    const loaded = TimeIndex.load(files, path, BASE, 12 * 3);
    expect(all(loaded)).toEqual([
      [10, 500],
      [20, 501],
      [30, 502],
      [40, 503],
    ]);
    expect(loaded.isSane(504)).toBe(true);
    loaded.close();
  });

  it('sanity checks reject non-increasing timestamps, offsets going back or past the end, partial entries', () => {
    expect(
      loadRaw([
        [10, 0],
        [20, 3],
        [30, 3],
      ]).isSane(BASE + 4),
    ).toBe(true);
    expect(loadRaw([]).isSane(BASE)).toBe(true);
    const bad: Array<Array<[number, number]>> = [
      [
        [10, 0],
        [10, 3],
      ],
      [
        [10, 0],
        [5, 3],
      ],
      [
        [10, 5],
        [20, 3],
      ],
      [
        [10, 0],
        [20, 4],
      ],
      [
        [0, 0],
        [0, 0],
      ],
    ];
    for (const entries of bad) expect(loadRaw(entries).isSane(BASE + 4)).toBe(false);
    expect(loadRaw([[10, 0]], 7).isSane(BASE + 4)).toBe(false);
  });
});
