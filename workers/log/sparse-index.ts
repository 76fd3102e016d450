// What a segment's offset index and time index share: a SparseIndexFile of fixed-size entries, the segment's
// base offset, the file's life cycle, and the binary search for the last entry whose key is at most a target
// (keys increase strictly from entry to entry). Runs in a partition worker.
import type { SparseIndexFile } from './sparse-index-file.js';

export abstract class SparseIndex {
  protected constructor(
    protected readonly file: SparseIndexFile,
    readonly baseOffset: number,
  ) {}

  /** The key entries are sorted by: the offset (offset index) or the timestamp (time index). */
  protected abstract keyAt(entry: number): number;

  get entryCount(): number {
    return this.file.entryCount;
  }

  isFull(): boolean {
    return this.file.isFull();
  }

  /** Index of the last entry with key <= `key`, or -1. */
  protected lastEntryAtMost(key: number): number {
    let low = 0;
    let high = this.file.entryCount - 1;
    let found = -1;
    while (low <= high) {
      const mid = (low + high) >>> 1;
      if (this.keyAt(mid) <= key) {
        found = mid;
        low = mid + 1;
      } else {
        high = mid - 1;
      }
    }
    return found;
  }

  trim(): void {
    this.file.trim();
  }

  flush(): void {
    this.file.flush();
  }

  close(): void {
    this.file.close();
  }

  closeAndDelete(): void {
    this.file.closeAndDelete();
  }
}
