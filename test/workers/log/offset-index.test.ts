// Tests of OffsetIndex (.index): floor lookups (also as a property against a sorted-array model), tail
// truncation, sanity checks on loaded entries, trim and reload. Test-only.
import * as fs from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OFFSET_INDEX_ENTRY_BYTES, OffsetIndex } from '../../../workers/log/offset-index.js';
import { files, seedFor, tempRoot } from './log-test-kit.js';

const BASE = 1_000;

function indexWith(entries: Array<[offset: number, position: number]>, maxBytes = 4_096): { index: OffsetIndex; path: string } {
  const path = join(tempRoot(), `${String(BASE).padStart(20, '0')}.index`);
  const index = OffsetIndex.create(files, path, BASE, maxBytes);
  for (const [offset, position] of entries) index.append(offset, position);
  return { index, path };
}

/** Writes raw entries (relative offset, position) as a trimmed file and loads it. */
function loadRaw(entries: Array<[number, number]>, extraBytes = 0): OffsetIndex {
  const path = join(tempRoot(), 'raw.index');
  const buf = Buffer.alloc(entries.length * OFFSET_INDEX_ENTRY_BYTES + extraBytes);
  entries.forEach(([relative, position], i) => {
    buf.writeUInt32BE(relative, i * 8);
    buf.writeUInt32BE(position, i * 8 + 4);
  });
  fs.writeFileSync(path, buf);
  return OffsetIndex.load(files, path, BASE, 4_096);
}

describe('OffsetIndex', () => {
  it('looks up the floor entry: the last entry at or below the offset, else position 0', () => {
    const { index } = indexWith([
      [1_000, 0],
      [1_005, 300],
      [1_010, 700],
    ]);
    const cases: Array<[number, number]> = [
      [0, 0],
      [999, 0],
      [1_000, 0],
      [1_004, 0],
      [1_005, 300],
      [1_009, 300],
      [1_010, 700],
      [5_000, 700],
    ];
    for (const [offset, position] of cases) expect(index.lookupPosition(offset)).toBe(position);
    expect(index.floorEntry(999)).toBe(-1);
    expect(index.floorEntry(1_007)).toBe(1);
    index.close();
  });

  it('floor lookups match a sorted-array model', () => {
    const seed = seedFor('offset index floor');
    const entriesArbitrary = fc
      .uniqueArray(fc.integer({ min: 0, max: 100_000 }), { minLength: 0, maxLength: 200 })
      .map((offsets) => offsets.sort((a, b) => a - b));
    fc.assert(
      fc.property(entriesArbitrary, fc.array(fc.integer({ min: -10, max: 100_010 }), { maxLength: 50 }), (relativeOffsets, probes) => {
        const { index } = indexWith(relativeOffsets.map((r, i) => [BASE + r, i * 64]));
        for (const probe of probes) {
          let expected = -1;
          relativeOffsets.forEach((r, i) => {
            if (BASE + r <= BASE + probe) expected = i;
          });
          expect(index.floorEntry(BASE + probe)).toBe(expected);
          expect(index.lookupPosition(BASE + probe)).toBe(expected < 0 ? 0 : expected * 64);
        }
        index.close();
      }),
      { seed, numRuns: 100 },
    );
  });

  it('truncates the entries for offsets at or above the truncation offset', () => {
    const { index } = indexWith([
      [1_000, 0],
      [1_005, 300],
      [1_010, 700],
    ]);
    index.truncateFromOffset(1_011);
    expect(index.entryCount).toBe(3);
    index.truncateFromOffset(1_010);
    expect(index.entryCount).toBe(2);
    index.truncateFromOffset(1_001);
    expect(index.entryCount).toBe(1);
    index.truncateFromOffset(1_000);
    expect(index.entryCount).toBe(0);
    expect(index.lookupPosition(1_200)).toBe(0);
    index.close();
  });

  it('trims on seal and reloads the same entries', () => {
    const { index, path } = indexWith([
      [1_000, 0],
      [1_004, 120],
      [1_030, 999],
    ]);
    expect(fs.statSync(path).size).toBe(4_096);
    index.trim();
    index.close();
    expect(fs.statSync(path).size).toBe(24);
    const loaded = OffsetIndex.load(files, path, BASE, 4_096);
    expect(Array.from({ length: loaded.entryCount }, (_, i) => [loaded.offsetAt(i), loaded.positionAt(i)])).toEqual([
      [1_000, 0],
      [1_004, 120],
      [1_030, 999],
    ]);
    expect(loaded.isSane(1_000, 1_031)).toBe(true);
    loaded.close();
  });

  it('sanity checks reject non-monotonic entries, entries beyond the log, and partial entries', () => {
    const good: Array<[number, number]> = [
      [0, 0],
      [5, 100],
      [9, 250],
    ];
    expect(loadRaw(good).isSane(300, BASE + 10)).toBe(true);
    expect(loadRaw([]).isSane(0, BASE)).toBe(true);
    const bad: Array<[string, Array<[number, number]>, number, number]> = [
      [
        'offset goes back',
        [
          [0, 0],
          [5, 100],
          [4, 250],
        ],
        300,
        BASE + 10,
      ],
      [
        'offset repeats',
        [
          [0, 0],
          [5, 100],
          [5, 250],
        ],
        300,
        BASE + 10,
      ],
      [
        'position goes back',
        [
          [0, 0],
          [5, 100],
          [9, 50],
        ],
        300,
        BASE + 10,
      ],
      [
        'position repeats',
        [
          [0, 0],
          [5, 100],
          [9, 100],
        ],
        300,
        BASE + 10,
      ],
      [
        'position past the log',
        [
          [0, 0],
          [5, 100],
          [9, 300],
        ],
        300,
        BASE + 10,
      ],
      [
        'offset past the log end',
        [
          [0, 0],
          [5, 100],
          [10, 250],
        ],
        300,
        BASE + 10,
      ],
      [
        'zero-filled',
        [
          [0, 0],
          [0, 0],
          [0, 0],
        ],
        300,
        BASE + 10,
      ],
    ];
    for (const [, entries, logBytes, nextOffset] of bad) expect(loadRaw(entries).isSane(logBytes, nextOffset)).toBe(false);
    expect(loadRaw(good, 3).isSane(300, BASE + 10)).toBe(false);
  });

  it('is full at segment.index.bytes / 8 entries', () => {
    const { index } = indexWith([], 24);
    for (let i = 0; i < 3; i++) {
      expect(index.isFull()).toBe(false);
      index.append(BASE + i, i * 100);
    }
    expect(index.isFull()).toBe(true);
    index.closeAndDelete();
  });
});
