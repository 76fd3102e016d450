// A fixed-width-entry index file (the common part of .index and .timeindex): an in-memory copy of the
// entries plus the file, written through entry by entry at its position. Runs in a partition worker.
//
// The file is preallocated (sparse) to the index's maximum size while its segment is active and trimmed
// to exactly `entryCount * entryBytes` when the segment rolls or closes, so a cleanly closed index's
// length says how many entries it holds. An untrimmed (crashed) index is rebuilt, never trusted.
import type { FileAccess } from '../io/file-access.js';

const INITIAL_CAPACITY_ENTRIES = 64;

export class SparseIndexFile {
  entryCount = 0;
  /** Bytes after the last whole entry when loaded: a trimmed file has none, so any means damage. */
  trailingBytes = 0;
  buf: Buffer;
  private fd: number;

  private constructor(
    private readonly files: FileAccess,
    readonly path: string,
    readonly entryBytes: number,
    readonly maxEntries: number,
    fd: number,
    buf: Buffer,
  ) {
    this.fd = fd;
    this.buf = buf;
  }

  /** A new, empty index file, preallocated to maxBytes. */
  static create(files: FileAccess, path: string, entryBytes: number, maxBytes: number): SparseIndexFile {
    const maxEntries = Math.max(1, Math.floor(maxBytes / entryBytes));
    const fd = files.openReadWrite(path, true);
    // Only a leftover file is emptied first: truncating a fresh file to 0 makes ext4 write it back on close.
    if (files.sizeOf(fd) > 0) files.truncate(fd, 0);
    files.truncate(fd, maxEntries * entryBytes);
    return new SparseIndexFile(files, path, entryBytes, maxEntries, fd, Buffer.alloc(INITIAL_CAPACITY_ENTRIES * entryBytes));
  }

  /** An existing index file; every whole entry in the file is loaded. The caller checks them for sanity. */
  static load(files: FileAccess, path: string, entryBytes: number, maxBytes: number): SparseIndexFile {
    const maxEntries = Math.max(1, Math.floor(maxBytes / entryBytes));
    const fd = files.openReadWrite(path, false);
    const fileBytes = files.sizeOf(fd);
    const entryCount = Math.floor(fileBytes / entryBytes);
    const buf = Buffer.alloc(Math.max(INITIAL_CAPACITY_ENTRIES, entryCount) * entryBytes);
    const wanted = entryCount * entryBytes;
    let got = 0;
    while (got < wanted) {
      const n = files.read(fd, buf, got, wanted - got, got);
      if (n === 0) break;
      got += n;
    }
    const index = new SparseIndexFile(files, path, entryBytes, Math.max(maxEntries, entryCount), fd, buf);
    index.entryCount = Math.floor(got / entryBytes);
    index.trailingBytes = fileBytes - index.entryCount * entryBytes;
    return index;
  }

  isFull(): boolean {
    return this.entryCount >= this.maxEntries;
  }

  /**
   * Byte position in `buf` for the next entry, growing the buffer when needed. Call commitEntry() after
   * filling it. maxEntries is where isFull() asks for a roll, not a hard cap: the final time index entry of
   * a seal and a recovery under a smaller segment.index.bytes may go past it.
   */
  nextEntryAt(): number {
    const at = this.entryCount * this.entryBytes;
    if (at + this.entryBytes > this.buf.length) {
      const capped = Math.min(this.buf.length * 2, this.maxEntries * this.entryBytes);
      const grown = Buffer.alloc(capped > at ? capped : this.buf.length * 2);
      this.buf.copy(grown, 0, 0, at);
      this.buf = grown;
    }
    return at;
  }

  /** Writes the entry filled at nextEntryAt() through to the file. */
  commitEntry(): void {
    const at = this.entryCount * this.entryBytes;
    this.files.write(this.fd, this.buf, at, this.entryBytes, at);
    this.entryCount++;
  }

  /** Forgets entries from `count` on (tail truncation). */
  truncateEntries(count: number): void {
    if (count < this.entryCount) this.entryCount = count;
  }

  /** Cuts the file to its entries (segment rolled or closed). */
  trim(): void {
    this.files.truncate(this.fd, this.entryCount * this.entryBytes);
  }

  flush(): void {
    this.files.datasync(this.fd);
  }

  close(): void {
    this.files.close(this.fd);
    this.fd = -1;
  }

  closeAndDelete(): void {
    if (this.fd >= 0) this.close();
    this.files.remove(this.path);
  }
}
