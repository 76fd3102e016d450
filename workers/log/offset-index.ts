// The sparse offset index of one segment (.index): offset → byte position of the batch that starts
// there, one entry per index.interval.bytes of log. Runs in a partition worker.
//
// Entry layout (8 bytes, big-endian, Kafka's .index format):
//   0 uint32 relativeOffset   batch baseOffset - segment baseOffset
//   4 uint32 position         byte position of that batch in the .log file
// Entries are strictly increasing in both fields.
import type { FileAccess } from '../io/file-access.js';
import { SparseIndex } from './sparse-index.js';
import { SparseIndexFile } from './sparse-index-file.js';

export const OFFSET_INDEX_ENTRY_BYTES = 8;

export class OffsetIndex extends SparseIndex {
  static create(files: FileAccess, path: string, baseOffset: number, maxBytes: number): OffsetIndex {
    return new OffsetIndex(SparseIndexFile.create(files, path, OFFSET_INDEX_ENTRY_BYTES, maxBytes), baseOffset);
  }

  static load(files: FileAccess, path: string, baseOffset: number, maxBytes: number): OffsetIndex {
    return new OffsetIndex(SparseIndexFile.load(files, path, OFFSET_INDEX_ENTRY_BYTES, maxBytes), baseOffset);
  }

  append(offset: number, position: number): void {
    const at = this.file.nextEntryAt();
    this.file.buf.writeUInt32BE(offset - this.baseOffset, at);
    this.file.buf.writeUInt32BE(position, at + 4);
    this.file.commitEntry();
  }

  offsetAt(entry: number): number {
    return this.baseOffset + this.file.buf.readUInt32BE(entry * OFFSET_INDEX_ENTRY_BYTES);
  }

  positionAt(entry: number): number {
    return this.file.buf.readUInt32BE(entry * OFFSET_INDEX_ENTRY_BYTES + 4);
  }

  protected keyAt(entry: number): number {
    return this.offsetAt(entry);
  }

  /** Index of the last entry with offset <= target, or -1. */
  floorEntry(offset: number): number {
    return this.lastEntryAtMost(offset);
  }

  /** Byte position from which a scan for `offset` can start: the floor entry's position, or 0. */
  lookupPosition(offset: number): number {
    const entry = this.floorEntry(offset);
    return entry < 0 ? 0 : this.positionAt(entry);
  }

  /** Drops entries for offsets >= `offset` (tail truncation). */
  truncateFromOffset(offset: number): void {
    this.file.truncateEntries(this.floorEntry(offset - 1) + 1);
  }

  /**
   * True when the entries can be trusted for a log of `logSizeBytes` whose offsets end before `nextOffset`:
   * whole entries only, strictly increasing, inside the log. Whether each entry names the batch really at
   * its position is checked when it is used (LogSegment.positionOf).
   */
  isSane(logSizeBytes: number, nextOffset: number): boolean {
    if (this.file.trailingBytes !== 0) return false;
    let lastOffset = -1;
    let lastPosition = -1;
    for (let entry = 0; entry < this.file.entryCount; entry++) {
      const offset = this.offsetAt(entry);
      const position = this.positionAt(entry);
      if (offset <= lastOffset || position <= lastPosition) return false;
      if (position >= logSizeBytes || offset >= nextOffset) return false;
      lastOffset = offset;
      lastPosition = position;
    }
    return true;
  }
}
