// Tests of SparseIndexFile, the fixed-width entry file under both indexes: preallocation, write-through,
// growth past the initial capacity and past maxEntries, tail truncation, trim, reload, damage detection.
import * as fs from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SparseIndexFile } from '../../../workers/log/sparse-index-file.js';
import { files, tempRoot } from './log-test-kit.js';

const ENTRY_BYTES = 8;

function put(index: SparseIndexFile, a: number, b: number): void {
  const at = index.nextEntryAt();
  index.buf.writeUInt32BE(a, at);
  index.buf.writeUInt32BE(b, at + 4);
  index.commitEntry();
}

function entries(index: SparseIndexFile): Array<[number, number]> {
  return Array.from({ length: index.entryCount }, (_, i) => [index.buf.readUInt32BE(i * ENTRY_BYTES), index.buf.readUInt32BE(i * ENTRY_BYTES + 4)]);
}

describe('SparseIndexFile', () => {
  it('is preallocated to its maximum size, writes entries through, and trims to its entries', () => {
    const path = join(tempRoot(), 'x.index');
    const index = SparseIndexFile.create(files, path, ENTRY_BYTES, 800);
    expect(index.maxEntries).toBe(100);
    expect(fs.statSync(path).size).toBe(800);
    for (let i = 0; i < 3; i++) put(index, i * 10, i * 100);
    expect(fs.readFileSync(path).subarray(0, 24)).toEqual(Buffer.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 10, 0, 0, 0, 100, 0, 0, 0, 20, 0, 0, 0, 200]));
    index.trim();
    expect(fs.statSync(path).size).toBe(24);
    index.flush();
    index.close();
    const loaded = SparseIndexFile.load(files, path, ENTRY_BYTES, 800);
    expect(entries(loaded)).toEqual([
      [0, 0],
      [10, 100],
      [20, 200],
    ]);
    expect(loaded.trailingBytes).toBe(0);
    loaded.close();
  });

  it('grows its buffer past the initial capacity up to maxEntries, and past it when asked (seal, recovery)', () => {
    const path = join(tempRoot(), 'x.index');
    const index = SparseIndexFile.create(files, path, ENTRY_BYTES, 100 * ENTRY_BYTES);
    for (let i = 0; i < 100; i++) {
      expect(index.isFull()).toBe(false);
      put(index, i, i * 2);
    }
    expect(index.isFull()).toBe(true);
    put(index, 100, 200);
    put(index, 101, 202);
    expect(index.entryCount).toBe(102);
    expect(entries(index)[101]).toEqual([101, 202]);
    index.trim();
    index.close();
    const loaded = SparseIndexFile.load(files, path, ENTRY_BYTES, 100 * ENTRY_BYTES);
    expect(loaded.entryCount).toBe(102);
    expect(loaded.maxEntries).toBe(102);
    expect(entries(loaded)[60]).toEqual([60, 120]);
    loaded.close();
  });

  it('keeps at least one entry of room for a tiny maximum', () => {
    const index = SparseIndexFile.create(files, join(tempRoot(), 'x.index'), ENTRY_BYTES, 3);
    expect(index.maxEntries).toBe(1);
    put(index, 1, 2);
    expect(index.isFull()).toBe(true);
    index.closeAndDelete();
  });

  it('forgets truncated entries and overwrites them', () => {
    const path = join(tempRoot(), 'x.index');
    const index = SparseIndexFile.create(files, path, ENTRY_BYTES, 800);
    for (let i = 0; i < 5; i++) put(index, i, i);
    index.truncateEntries(2);
    index.truncateEntries(9);
    expect(index.entryCount).toBe(2);
    put(index, 7, 7);
    index.trim();
    index.close();
    expect(entries(SparseIndexFile.load(files, path, ENTRY_BYTES, 800))).toEqual([
      [0, 0],
      [1, 1],
      [7, 7],
    ]);
  });

  it('reports bytes after the last whole entry, which a trimmed file never has', () => {
    const path = join(tempRoot(), 'x.index');
    fs.writeFileSync(path, Buffer.alloc(8 * 3 + 5, 1));
    const loaded = SparseIndexFile.load(files, path, ENTRY_BYTES, 800);
    expect([loaded.entryCount, loaded.trailingBytes]).toEqual([3, 5]);
    loaded.closeAndDelete();
    expect(fs.existsSync(path)).toBe(false);
  });
});
