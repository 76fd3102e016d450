// One segment of a partition log: the .log file of record batches exactly as consumers receive them,
// its sparse .index and .timeindex, and the few facts derived from them (size, next offset, max
// timestamp). Runs in a partition worker (and a piscina job during crash recovery).
//
// File names: <baseOffset as 20 digits>.log / .index / .timeindex, in the partition folder. The log
// cleaner writes a segment under the same names plus a temporary suffix (".cleaned"), see segment-swap.ts.
// The .log holds whole batches back to back from position 0; its length is the segment size, except
// while preallocated (log `preallocate`), where zeros follow the data until the segment rolls or closes.
import { join } from 'node:path';
import type { FileAccess } from '../io/file-access.js';
import {
  BATCH_HEADER_BYTES,
  BatchField,
  batchSizeAt,
  baseOffsetAt,
  computeBatchCrc,
  CURRENT_MAGIC,
  LOG_OVERHEAD_BYTES,
  lastOffsetAt,
  maxTimestampAt,
  storedBatchCrc,
} from '../../src/shared/record-batch.js';
import type { LogConfig } from '../../src/shared/topic-config.js';
import type { AppendInfo } from './batch-validator.js';
import { type BatchWalker, Visit } from '../../src/shared/batch-walker.js';
import { OffsetIndex } from './offset-index.js';
import { TimeIndex } from './time-index.js';

export const LOG_SUFFIX = '.log';
export const INDEX_SUFFIX = '.index';
export const TIME_INDEX_SUFFIX = '.timeindex';
/** Largest offset - baseOffset a segment may hold (relative offsets are 32-bit in the .index). */
export const MAX_RELATIVE_OFFSET = 0x7fff_ffff;
/** From a scan that started at an index entry: the entry does not name the batch there. */
const INDEX_MISMATCH = -2;

export function segmentFileName(baseOffset: number, suffix: string): string {
  return String(baseOffset).padStart(20, '0') + suffix;
}

/** Base offset of a segment file name like 00000000000000000042.log, or -1. */
export function parseSegmentBaseOffset(fileName: string): number {
  const match = /^(\d{20})\.log$/.exec(fileName);
  return match ? Number(match[1]) : -1;
}

/** Paths of a segment's three files: .log, .index, .timeindex. */
export function segmentPaths(dir: string, baseOffset: number): string[] {
  return [LOG_SUFFIX, INDEX_SUFFIX, TIME_INDEX_SUFFIX].map((suffix) => join(dir, segmentFileName(baseOffset, suffix)));
}

/** Removes a segment's three files by name (whichever exist), without opening them. */
export function deleteSegmentFiles(files: FileAccess, dir: string, baseOffset: number): void {
  for (const path of segmentPaths(dir, baseOffset)) files.remove(path);
}

/** What a validating scan of a segment found. */
export interface SegmentScan {
  validBytes: number;
  truncatedBytes: number;
}

/** The first batch's header when a read has room for less (readInto); this worker's own. */
const firstHeader = Buffer.alloc(BATCH_HEADER_BYTES);

export class LogSegment {
  sizeBytes = 0;
  nextOffset: number;
  maxTimestamp = -1;
  offsetOfMaxTimestamp = -1;
  /** Time the segment's age is counted from for segment.ms: its first batch's max timestamp, else its creation. */
  rollBaseMs: number;
  private bytesSinceIndexEntry = 0;
  private backgroundSyncs = 0;
  private closeDeferred = false;
  private preallocatedBytes = 0;

  private constructor(
    private readonly files: FileAccess,
    readonly dir: string,
    readonly baseOffset: number,
    private fd: number,
    private offsetIndex: OffsetIndex,
    private timeIndex: TimeIndex,
    nowMs: number,
    private readonly fileSuffix = '',
  ) {
    this.nextOffset = baseOffset;
    this.rollBaseMs = nowMs;
  }

  /** A new, empty segment. `fileSuffix` (the cleaner's ".cleaned") is appended to all three file names. */
  static create(files: FileAccess, dir: string, baseOffset: number, config: Readonly<LogConfig>, nowMs: number, fileSuffix = ''): LogSegment {
    const path = (suffix: string): string => join(dir, segmentFileName(baseOffset, suffix) + fileSuffix);
    const fd = files.openReadWrite(path(LOG_SUFFIX), true);
    // Only a leftover file is emptied: truncating a fresh file to 0 makes ext4 write it back on close.
    if (files.sizeOf(fd) > 0) files.truncate(fd, 0);
    const offsetIndex = OffsetIndex.create(files, path(INDEX_SUFFIX), baseOffset, config.segmentIndexBytes);
    const timeIndex = TimeIndex.create(files, path(TIME_INDEX_SUFFIX), baseOffset, config.segmentIndexBytes);
    const segment = new LogSegment(files, dir, baseOffset, fd, offsetIndex, timeIndex, nowMs, fileSuffix);
    if (config.preallocate) {
      files.truncate(fd, config.segmentBytes);
      segment.preallocatedBytes = config.segmentBytes;
    }
    return segment;
  }

  /**
   * Opens an existing segment. With `validate` (crash recovery) every batch is checked and the indexes
   * rebuilt; otherwise the indexes are loaded and checked, and missing or insane ones are rebuilt the
   * same way. The validating scan truncates a torn tail (see `scanned`).
   */
  static open(
    files: FileAccess,
    dir: string,
    baseOffset: number,
    config: Readonly<LogConfig>,
    walker: BatchWalker,
    nowMs: number,
    validate: boolean,
  ): { segment: LogSegment; scanned: SegmentScan | null } {
    const fd = files.openReadWrite(join(dir, segmentFileName(baseOffset, LOG_SUFFIX)), false);
    const indexPath = join(dir, segmentFileName(baseOffset, INDEX_SUFFIX));
    const timeIndexPath = join(dir, segmentFileName(baseOffset, TIME_INDEX_SUFFIX));
    const haveIndexes = files.exists(indexPath) && files.exists(timeIndexPath);
    const offsetIndex = haveIndexes
      ? OffsetIndex.load(files, indexPath, baseOffset, config.segmentIndexBytes)
      : OffsetIndex.create(files, indexPath, baseOffset, config.segmentIndexBytes);
    const timeIndex = haveIndexes
      ? TimeIndex.load(files, timeIndexPath, baseOffset, config.segmentIndexBytes)
      : TimeIndex.create(files, timeIndexPath, baseOffset, config.segmentIndexBytes);
    const segment = new LogSegment(files, dir, baseOffset, fd, offsetIndex, timeIndex, nowMs);
    segment.sizeBytes = files.sizeOf(fd);
    if (!validate && haveIndexes && segment.loadTail(walker)) return { segment, scanned: null };
    return { segment, scanned: segment.recover(walker, config) };
  }

  /**
   * Trusts the loaded indexes only if they agree with the log: finds the last batch from the last offset
   * index entry on (that entry must name the batch at its position), and checks the time index. False if
   * anything is off; the caller then rebuilds both.
   */
  private loadTail(walker: BatchWalker): boolean {
    const count = this.offsetIndex.entryCount;
    if (!this.offsetIndex.isSane(this.sizeBytes, Number.MAX_SAFE_INTEGER)) return false;
    // The first batch of a segment always gets an entry, so data without entries means a damaged index.
    if (count === 0 && this.sizeBytes > 0) return false;
    this.maxTimestamp = this.timeIndex.lastTimestamp();
    this.offsetOfMaxTimestamp = this.timeIndex.entryCount === 0 ? -1 : this.timeIndex.offsetAt(this.timeIndex.entryCount - 1);
    if (count > 0 && !this.walkTail(this.offsetIndex.positionAt(count - 1), this.offsetIndex.offsetAt(count - 1), walker)) return false;
    const firstMaxTimestamp = this.sizeBytes === 0 ? -1 : this.readRollBase(walker);
    return this.timeIndex.isSane(this.nextOffset) && this.timeIndexAgrees(firstMaxTimestamp, walker);
  }

  /** Notes every batch from `from` (where a batch starting at `expectedBase` must sit) to the end; false on a mismatch or torn data. */
  private walkTail(from: number, expectedBase: number, walker: BatchWalker): boolean {
    let expected = expectedBase;
    walker.walk(this.fd, from, this.sizeBytes, false, (buf, at) => {
      if (expected >= 0 && baseOffsetAt(buf, at) !== expected) return Visit.STOP;
      expected = -1;
      this.noteBatch(buf, at);
      return Visit.CONTINUE;
    });
    return walker.lastEnd === 'end' && expected < 0;
  }

  /** Sets rollBaseMs from the first batch; returns that batch's max timestamp. */
  private readRollBase(walker: BatchWalker): number {
    let firstMaxTimestamp = -1;
    walker.walk(this.fd, 0, this.sizeBytes, false, (buf, at) => {
      firstMaxTimestamp = maxTimestampAt(buf, at);
      return Visit.STOP;
    });
    if (firstMaxTimestamp >= 0) this.rollBaseMs = firstMaxTimestamp;
    return firstMaxTimestamp;
  }

  /**
   * The time index has an entry once the first batch has a timestamp, and its last entry (which gave
   * maxTimestamp) names a batch with exactly that max timestamp.
   */
  private timeIndexAgrees(firstMaxTimestamp: number, walker: BatchWalker): boolean {
    const count = this.timeIndex.entryCount;
    if (count === 0) return firstMaxTimestamp < 0;
    const timestamp = this.timeIndex.timestampAt(count - 1);
    const offset = this.timeIndex.offsetAt(count - 1);
    return this.scanForTimestamp(timestamp, 0, offset, timestamp, walker) === offset;
  }

  private noteBatch(buf: Buffer, at: number): void {
    this.nextOffset = lastOffsetAt(buf, at) + 1;
    const timestamp = maxTimestampAt(buf, at);
    if (timestamp > this.maxTimestamp) {
      this.maxTimestamp = timestamp;
      this.offsetOfMaxTimestamp = baseOffsetAt(buf, at);
    }
  }

  /**
   * Validates every batch from position 0 (length, magic, CRC, increasing offsets), rebuilds both indexes
   * and truncates the file at the first bad byte. Crash recovery and index rebuilds both come here.
   */
  recover(walker: BatchWalker, config: Readonly<LogConfig>): SegmentScan {
    this.offsetIndex.closeAndDelete();
    this.timeIndex.closeAndDelete();
    this.offsetIndex = OffsetIndex.create(this.files, this.pathOf(INDEX_SUFFIX), this.baseOffset, config.segmentIndexBytes);
    this.timeIndex = TimeIndex.create(this.files, this.pathOf(TIME_INDEX_SUFFIX), this.baseOffset, config.segmentIndexBytes);
    this.nextOffset = this.baseOffset;
    this.maxTimestamp = -1;
    this.offsetOfMaxTimestamp = -1;
    this.bytesSinceIndexEntry = 0;
    const fileBytes = this.files.sizeOf(this.fd);
    const validBytes = walker.walk(this.fd, 0, fileBytes, true, (buf, at, position, batchBytes) => {
      if (!this.isIntactBatch(buf, at, batchBytes)) return Visit.STOP;
      this.indexBatch(buf, at, position, batchBytes, config.indexIntervalBytes);
      return Visit.CONTINUE;
    });
    if (validBytes < fileBytes) this.files.truncate(this.fd, validBytes);
    this.sizeBytes = validBytes;
    this.preallocatedBytes = 0;
    return { validBytes, truncatedBytes: fileBytes - validBytes };
  }

  private isIntactBatch(buf: Buffer, at: number, batchBytes: number): boolean {
    if (buf.readInt8(at + BatchField.MAGIC) !== CURRENT_MAGIC) return false;
    if (buf.readInt32BE(at + BatchField.LAST_OFFSET_DELTA) < 0) return false;
    const baseOffset = baseOffsetAt(buf, at);
    if (baseOffset < this.nextOffset || lastOffsetAt(buf, at) - this.baseOffset > MAX_RELATIVE_OFFSET) return false;
    return computeBatchCrc(buf, at, batchBytes) === storedBatchCrc(buf, at);
  }

  /** Indexes one recovered batch the way append indexes a new one. */
  private indexBatch(buf: Buffer, at: number, position: number, batchBytes: number, indexIntervalBytes: number): void {
    if (position === 0 && maxTimestampAt(buf, at) >= 0) this.rollBaseMs = maxTimestampAt(buf, at);
    this.noteBatch(buf, at);
    this.addIndexEntriesIfDue(baseOffsetAt(buf, at), position, batchBytes, indexIntervalBytes);
  }

  /** True when `batchBytes` more bytes or `lastOffset` would not fit this segment, or it is too old. */
  shouldRoll(batchBytes: number, lastOffset: number, config: Readonly<LogConfig>, nowMs: number): boolean {
    if (this.sizeBytes === 0) return false;
    return !this.canHold(batchBytes, lastOffset, config.segmentBytes) || nowMs - this.rollBaseMs > config.segmentMs;
  }

  /** True when `batchBytes` more bytes ending at `lastOffset` fit: size, relative offset, index room. */
  canHold(batchBytes: number, lastOffset: number, segmentBytes: number): boolean {
    return (
      this.sizeBytes + batchBytes <= segmentBytes &&
      !this.offsetIndex.isFull() &&
      !this.timeIndex.isFull() &&
      lastOffset - this.baseOffset <= MAX_RELATIVE_OFFSET
    );
  }

  /** Entries in the offset index (the log cleaner sizes merged segments by them). */
  get indexEntryCount(): number {
    return this.offsetIndex.entryCount;
  }

  /** Writes stamped batches buf[at, at+length) at the end of the segment and indexes them. */
  append(buf: Buffer, at: number, length: number, info: Readonly<AppendInfo>, indexIntervalBytes: number): void {
    const position = this.sizeBytes;
    this.files.write(this.fd, buf, at, length, position);
    if (position === 0 && info.maxTimestamp >= 0) this.rollBaseMs = info.maxTimestamp;
    if (info.maxTimestamp > this.maxTimestamp) {
      this.maxTimestamp = info.maxTimestamp;
      this.offsetOfMaxTimestamp = info.offsetOfMaxTimestamp;
    }
    this.addIndexEntriesIfDue(info.firstOffset, position, length, indexIntervalBytes);
    this.sizeBytes = position + length;
    this.nextOffset = info.lastOffset + 1;
  }

  /** One offset and time index entry per index.interval.bytes of log (and one for the first batch). */
  private addIndexEntriesIfDue(offset: number, position: number, length: number, indexIntervalBytes: number): void {
    if (position === 0 || this.bytesSinceIndexEntry >= indexIntervalBytes) {
      this.offsetIndex.append(offset, position);
      this.timeIndex.maybeAppend(this.maxTimestamp, this.offsetOfMaxTimestamp);
      this.bytesSinceIndexEntry = 0;
    }
    this.bytesSinceIndexEntry += length;
  }

  /** Hands every batch header of the segment, in order, to `visit` (rebuilding derived state). */
  forEachBatch(walker: BatchWalker, visit: (buf: Buffer, at: number) => void): void {
    walker.walk(this.fd, 0, this.sizeBytes, false, (buf, at) => {
      visit(buf, at);
      return Visit.CONTINUE;
    });
  }

  /**
   * Position of the first batch whose last offset is >= `offset`, or -1 if there is none in this segment.
   * The scan starts at the offset index's floor entry; an entry that does not name the batch at its
   * position (a damaged index) costs a scan from the start, never a wrong answer.
   */
  positionOf(offset: number, walker: BatchWalker): number {
    if (offset >= this.nextOffset) return -1;
    const entry = this.offsetIndex.floorEntry(offset);
    if (entry < 0) return this.scanToOffset(offset, 0, -1, walker);
    const position = this.scanToOffset(offset, this.offsetIndex.positionAt(entry), this.offsetIndex.offsetAt(entry), walker);
    return position >= 0 ? position : this.scanToOffset(offset, 0, -1, walker);
  }

  /** Walks from `from` (where a batch starting at `expectedBase` must sit, unless -1) to the first batch whose last offset is >= offset. */
  private scanToOffset(offset: number, from: number, expectedBase: number, walker: BatchWalker): number {
    let expected = expectedBase;
    const position = walker.walk(this.fd, from, this.sizeBytes, false, (buf, at) => {
      if (expected >= 0 && baseOffsetAt(buf, at) !== expected) return Visit.STOP;
      expected = -1;
      return lastOffsetAt(buf, at) >= offset ? Visit.STOP : Visit.CONTINUE;
    });
    return walker.lastEnd === 'stopped' && expected < 0 ? position : -1;
  }

  /**
   * Base offset of the first batch whose max timestamp is >= target and whose last offset is >= minOffset
   * (the log start), or -1. Starts from the time index; a damaged entry costs a scan from the start.
   */
  offsetForTimestamp(targetTimestamp: number, minOffset: number, walker: BatchWalker): number {
    if (this.maxTimestamp < targetTimestamp) return -1;
    const entry = this.timeIndex.lastEntryBefore(targetTimestamp);
    if (entry >= 0) {
      const entryOffset = this.timeIndex.offsetAt(entry);
      const found = this.scanForTimestamp(targetTimestamp, minOffset, entryOffset, this.timeIndex.timestampAt(entry), walker);
      if (found !== INDEX_MISMATCH) return found;
    }
    return this.scanForTimestamp(targetTimestamp, minOffset, this.baseOffset, null, walker);
  }

  /**
   * A copy of the first batch whose max timestamp is this segment's largest (Kafka's MAX_TIMESTAMP lookup:
   * from the batch the segment noted for it), or null when the segment has none.
   */
  copyBatchWithMaxTimestamp(walker: BatchWalker): Buffer | null {
    const from = this.offsetOfMaxTimestamp < 0 ? -1 : this.positionOf(this.offsetOfMaxTimestamp, walker);
    return this.copyFirstBatchFrom(from, walker, (buf, at) => maxTimestampAt(buf, at) === this.maxTimestamp);
  }

  /** A copy of the batch holding `offset`, or null when the segment has none. */
  copyBatchHolding(offset: number, walker: BatchWalker): Buffer | null {
    return this.copyFirstBatchFrom(this.positionOf(offset, walker), walker, () => true);
  }

  /** A copy of the first whole batch at or after file position `from` (-1: none) that `wanted` accepts. */
  private copyFirstBatchFrom(from: number, walker: BatchWalker, wanted: (buf: Buffer, at: number) => boolean): Buffer | null {
    if (from < 0) return null;
    let found: Buffer | null = null;
    walker.walk(this.fd, from, this.sizeBytes, true, (buf, at, _position, batchBytes) => {
      if (!wanted(buf, at)) return Visit.CONTINUE;
      found = Buffer.from(buf.subarray(at, at + batchBytes));
      return Visit.STOP;
    });
    return found;
  }

  /** When the segment's file was last written: ListOffsets v0 answers by it, as Kafka does. */
  lastModifiedMs(): number {
    return this.files.modifiedMs(this.fd);
  }

  /**
   * Walks from the batch holding `fromOffset` to the first batch with maxTimestamp >= target and last
   * offset >= minOffset; returns its base offset or -1. With `entryTimestamp` (a time index entry's) the
   * batch at `fromOffset` must be that entry's batch, else INDEX_MISMATCH.
   */
  private scanForTimestamp(target: number, minOffset: number, fromOffset: number, entryTimestamp: number | null, walker: BatchWalker): number {
    const from = this.positionOf(fromOffset, walker);
    if (from < 0) return entryTimestamp === null ? -1 : INDEX_MISMATCH;
    let checkFirst = entryTimestamp !== null;
    let found = -1;
    walker.walk(this.fd, from, this.sizeBytes, false, (buf, at) => {
      if (checkFirst) {
        if (baseOffsetAt(buf, at) !== fromOffset || maxTimestampAt(buf, at) !== entryTimestamp) return Visit.STOP;
        checkFirst = false;
      }
      if (maxTimestampAt(buf, at) < target || lastOffsetAt(buf, at) < minOffset) return Visit.CONTINUE;
      found = baseOffsetAt(buf, at);
      return Visit.STOP;
    });
    return checkFirst ? INDEX_MISMATCH : found;
  }

  /**
   * Copies whole batches starting at file `position` into dest[destAt ..], at most `maxBytes` (but the first
   * batch whole when `wholeFirstBatch`, KIP-74, if it fits `destCapacity`), stopping before any batch whose last
   * offset is at or beyond `endOffset` (a batch is readable only once all of it is below the high watermark).
   * Returns the bytes copied, or minus the size of a first batch that does not fit `destCapacity`.
   */
  readInto(position: number, maxBytes: number, endOffset: number, dest: Buffer, destAt: number, destCapacity: number, wholeFirstBatch = true): number {
    const available = this.sizeBytes - position;
    if (destCapacity < BATCH_HEADER_BYTES && available >= BATCH_HEADER_BYTES) {
      // Room for less than a batch header: the first batch's header, read alone, says what to do.
      if (this.readFully(firstHeader, 0, BATCH_HEADER_BYTES, position) < BATCH_HEADER_BYTES) return 0;
      return this.readFirstBatchAlone(firstHeader, 0, position, maxBytes, endOffset, dest, destAt, destCapacity, wholeFirstBatch);
    }
    const got = this.readFully(dest, destAt, Math.min(available, Math.max(maxBytes, BATCH_HEADER_BYTES), destCapacity), position);
    let used = 0;
    while (used + LOG_OVERHEAD_BYTES <= got) {
      const batchBytes = batchSizeAt(dest, destAt + used);
      if (used + batchBytes > got || lastOffsetAt(dest, destAt + used) >= endOffset) break;
      used += batchBytes;
    }
    if (used > 0 || got < LOG_OVERHEAD_BYTES) return used;
    return this.readFirstBatchAlone(dest, destAt, position, maxBytes, endOffset, dest, destAt, destCapacity, wholeFirstBatch);
  }

  /**
   * The first batch (its header at header[at]) is larger than maxBytes or than dest: it goes out whole anyway
   * (KIP-74) unless the read must stay within maxBytes; nothing if it reaches endOffset; minus its size if it does
   * not fit `destCapacity`.
   */
  private readFirstBatchAlone(
    header: Buffer,
    at: number,
    position: number,
    maxBytes: number,
    endOffset: number,
    dest: Buffer,
    destAt: number,
    destCapacity: number,
    wholeFirstBatch: boolean,
  ): number {
    const firstBatchBytes = batchSizeAt(header, at);
    if ((!wholeFirstBatch && firstBatchBytes > maxBytes) || lastOffsetAt(header, at) >= endOffset) return 0;
    if (firstBatchBytes > destCapacity) return -firstBatchBytes;
    return this.readFully(dest, destAt, firstBatchBytes, position);
  }

  private readFully(dest: Buffer, destAt: number, length: number, position: number): number {
    let got = 0;
    while (got < length) {
      const n = this.files.read(this.fd, dest, destAt + got, length - got, position + got);
      if (n === 0) break;
      got += n;
    }
    return got;
  }

  /** Removes every batch from the one holding `offset` on. Returns the bytes removed. */
  truncateFrom(offset: number, walker: BatchWalker, config: Readonly<LogConfig>): number {
    const position = this.positionOf(offset, walker);
    if (position < 0) return 0;
    // Index entries go from the first removed batch on, which may start below `offset`.
    let cutOffset = offset;
    walker.walk(this.fd, position, this.sizeBytes, false, (buf, at) => {
      cutOffset = baseOffsetAt(buf, at);
      return Visit.STOP;
    });
    const removed = this.sizeBytes - position;
    this.files.truncate(this.fd, position);
    this.preallocatedBytes = 0;
    this.sizeBytes = position;
    this.offsetIndex.truncateFromOffset(cutOffset);
    this.timeIndex.truncateFromOffset(cutOffset);
    this.nextOffset = this.baseOffset;
    this.maxTimestamp = -1;
    this.offsetOfMaxTimestamp = -1;
    if (!this.loadTail(walker)) this.recover(walker, config);
    this.bytesSinceIndexEntry = config.indexIntervalBytes;
    return removed;
  }

  /** The segment stops taking appends: final time index entry, files cut to their data, all flushed. */
  seal(): void {
    this.sealIndexes();
    this.flush();
  }

  /**
   * As seal(), but the .log's fsync runs in the background (a rolled segment of up to a GiB must not
   * stall the worker): the returned promise settles when the data is on disk.
   */
  sealInBackground(): Promise<void> {
    this.sealIndexes();
    this.offsetIndex.flush();
    this.timeIndex.flush();
    this.backgroundSyncs++;
    return this.files.datasyncInBackground(this.fd).finally(() => {
      if (--this.backgroundSyncs === 0 && this.closeDeferred) this.files.close(this.fd);
    });
  }

  hasBackgroundSync(): boolean {
    return this.backgroundSyncs > 0;
  }

  private sealIndexes(): void {
    this.timeIndex.maybeAppend(this.maxTimestamp, this.offsetOfMaxTimestamp);
    this.offsetIndex.trim();
    this.timeIndex.trim();
    if (this.preallocatedBytes > 0) {
      this.files.truncate(this.fd, this.sizeBytes);
      this.preallocatedBytes = 0;
    }
  }

  flush(): void {
    this.files.datasync(this.fd);
    this.offsetIndex.flush();
    this.timeIndex.flush();
  }

  close(): void {
    this.closeLogFd();
    this.offsetIndex.close();
    this.timeIndex.close();
  }

  closeAndDelete(): void {
    this.closeLogFd();
    this.files.remove(this.pathOf(LOG_SUFFIX));
    this.offsetIndex.closeAndDelete();
    this.timeIndex.closeAndDelete();
  }

  /** Path of one of this segment's files (LOG_SUFFIX, INDEX_SUFFIX or TIME_INDEX_SUFFIX). */
  pathOf(suffix: string): string {
    return join(this.dir, segmentFileName(this.baseOffset, suffix) + this.fileSuffix);
  }

  /** While a background fsync still uses the descriptor, closing it waits for that fsync to finish. */
  private closeLogFd(): void {
    if (this.backgroundSyncs > 0) this.closeDeferred = true;
    else this.files.close(this.fd);
  }
}
