// The sparse time index of one segment (.timeindex): the largest timestamp seen so far → the offset of
// the batch that raised it, appended at most once per index.interval.bytes. Runs in a partition worker.
//
// Entry layout (12 bytes, big-endian, Kafka's .timeindex format):
//   0 int64  timestamp        max timestamp of the segment up to and including that batch
//   8 uint32 relativeOffset   that batch's baseOffset - segment baseOffset
// Timestamps are strictly increasing, offsets non-decreasing. The batch at an entry's offset has exactly the
// entry's timestamp as its maxTimestamp (it is the batch that raised the max), so an entry can be checked
// against the log before it is trusted (LogSegment.timeIndexAgrees, LogSegment.scanForTimestamp).
import type { FileAccess } from '../io/file-access.js';
import { readInt64, writeInt64 } from '../../src/shared/record-batch.js';
import { SparseIndex } from './sparse-index.js';
import { SparseIndexFile } from './sparse-index-file.js';

export const TIME_INDEX_ENTRY_BYTES = 12;

export class TimeIndex extends SparseIndex {
  static create(files: FileAccess, path: string, baseOffset: number, maxBytes: number): TimeIndex {
    return new TimeIndex(SparseIndexFile.create(files, path, TIME_INDEX_ENTRY_BYTES, maxBytes), baseOffset);
  }

  static load(files: FileAccess, path: string, baseOffset: number, maxBytes: number): TimeIndex {
    return new TimeIndex(SparseIndexFile.load(files, path, TIME_INDEX_ENTRY_BYTES, maxBytes), baseOffset);
  }

  timestampAt(entry: number): number {
    return readInt64(this.file.buf, entry * TIME_INDEX_ENTRY_BYTES);
  }

  offsetAt(entry: number): number {
    return this.baseOffset + this.file.buf.readUInt32BE(entry * TIME_INDEX_ENTRY_BYTES + 8);
  }

  lastTimestamp(): number {
    return this.file.entryCount === 0 ? -1 : this.timestampAt(this.file.entryCount - 1);
  }

  /** Records that the batch at `offset` raised the max timestamp to `timestamp`; ignored if it did not. */
  maybeAppend(timestamp: number, offset: number): void {
    if (timestamp <= this.lastTimestamp()) return;
    const at = this.file.nextEntryAt();
    writeInt64(this.file.buf, at, timestamp);
    this.file.buf.writeUInt32BE(offset - this.baseOffset, at + 8);
    this.file.commitEntry();
  }

  /**
   * The last entry whose timestamp is below target, or -1. Every batch up to that entry's offset is older
   * than target, so a scan for the first batch with maxTimestamp >= target can start at its offset.
   */
  lastEntryBefore(targetTimestamp: number): number {
    // Timestamps are whole milliseconds: below the target is at most target - 1.
    return this.lastEntryAtMost(targetTimestamp - 1);
  }

  protected keyAt(entry: number): number {
    return this.timestampAt(entry);
  }

  /** Drops entries for offsets >= `offset` (tail truncation). */
  truncateFromOffset(offset: number): void {
    let keep = this.file.entryCount;
    while (keep > 0 && this.offsetAt(keep - 1) >= offset) keep--;
    this.file.truncateEntries(keep);
  }

  /** Whole entries only, timestamps strictly increasing, offsets non-decreasing and below `nextOffset`. */
  isSane(nextOffset: number): boolean {
    if (this.file.trailingBytes !== 0) return false;
    let lastTimestamp = -Infinity;
    let lastOffset = -1;
    for (let entry = 0; entry < this.file.entryCount; entry++) {
      const timestamp = this.timestampAt(entry);
      const offset = this.offsetAt(entry);
      if (timestamp <= lastTimestamp || offset < lastOffset || offset >= nextOffset) return false;
      lastTimestamp = timestamp;
      lastOffset = offset;
    }
    return true;
  }
}
