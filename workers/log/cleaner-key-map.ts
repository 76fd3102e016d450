// The log cleaner's map of key → offset of its last record, built over the dirty part of the cleanable
// segments (Kafka's OffsetMap), within a memory budget. Runs in the log cleaner's piscina job.
//
// Keys are kept exactly (as latin1 strings, one char per byte), never as hashes, so two keys never collide.
import { Attribute, BATCH_HEADER_BYTES, BatchField, baseOffsetAt } from '../../src/shared/record-batch.js';
import { RecordCursor } from '../../src/shared/record-reader.js';
import { decompressRecords } from '../../src/shared/compression/record-compression.js';
import type { FileAccess } from '../io/file-access.js';
import type { BatchWalker } from '../../src/shared/batch-walker.js';
import { forEachBatchIn } from './segment-batch-reader.js';

/** Default budget of the key map (Kafka's log.cleaner.dedupe.buffer.size plays this part). */
export const KEY_MAP_BYTES_MAX = 64 * 1024 * 1024;
/** Estimated bytes of one map entry besides its key (Map slot, string header, number). */
const ENTRY_OVERHEAD_BYTES = 64;

export class KeyOffsetMap {
  private readonly offsets = new Map<string, number>();
  /** Estimated memory held, for the budget. */
  bytes = 0;

  put(key: string, offset: number): void {
    if (!this.offsets.has(key)) this.bytes += key.length + ENTRY_OVERHEAD_BYTES;
    this.offsets.set(key, offset);
  }

  /** Offset of the key's last record, or -1 when the key was not seen. */
  latest(key: string): number {
    return this.offsets.get(key) ?? -1;
  }

  get size(): number {
    return this.offsets.size;
  }
}

/** One input segment as the map builder sees it. */
export interface MappedSegment {
  baseOffset: number;
  /** Offset after the segment (the next segment's base). */
  endOffset: number;
  path: string;
  sizeBytes: number;
}

/**
 * Maps the keys of every record at or after `firstDirtyOffset` in `segments` (ascending). Stops before a
 * segment once the map holds more than `budgetBytes` (the first dirty segment is always mapped whole, so one
 * segment's keys may go past the budget). Returns the map and the offset up to which it covers the log.
 */
export async function mapDirtyKeys(
  files: FileAccess,
  walker: BatchWalker,
  segments: readonly MappedSegment[],
  firstDirtyOffset: number,
  budgetBytes: number,
): Promise<{ map: KeyOffsetMap; mappedEndOffset: number }> {
  const map = new KeyOffsetMap();
  const cursor = new RecordCursor();
  let mappedEndOffset = firstDirtyOffset;
  for (const segment of segments) {
    if (segment.endOffset <= firstDirtyOffset) continue;
    if (map.bytes > budgetBytes && mappedEndOffset > firstDirtyOffset) break;
    await forEachBatchIn(files, walker, segment.path, segment.sizeBytes, (batch) => mapBatch(batch, firstDirtyOffset, map, cursor));
    mappedEndOffset = segment.endOffset;
  }
  return { map, mappedEndOffset };
}

async function mapBatch(batch: Buffer, firstDirtyOffset: number, map: KeyOffsetMap, cursor: RecordCursor): Promise<void> {
  const attributes = batch.readInt16BE(BatchField.ATTRIBUTES);
  if ((attributes & Attribute.CONTROL) !== 0) return;
  const records = await recordsOf(batch, attributes);
  if (records === null) return;
  const baseOffset = baseOffsetAt(batch, 0);
  cursor.reset(records, records === batch ? BATCH_HEADER_BYTES : 0, records.length);
  while (cursor.next()) {
    const offset = baseOffset + cursor.offsetDelta;
    if (cursor.keyLength >= 0 && offset >= firstDirtyOffset) map.put(keyOf(records, cursor), offset);
  }
}

/**
 * The records section of a batch: the batch itself (records from BATCH_HEADER_BYTES) when uncompressed,
 * else the decompressed bytes; null when it cannot be decompressed (such a batch is left as it is).
 */
export async function recordsOf(batch: Buffer, attributes: number): Promise<Buffer | null> {
  const codec = attributes & Attribute.COMPRESSION_MASK;
  if (codec === 0) return batch;
  try {
    return await decompressRecords(codec, batch.subarray(BATCH_HEADER_BYTES));
  } catch {
    return null;
  }
}

/** The map's key for the cursor's record (which must have a key). */
export function keyOf(records: Buffer, cursor: RecordCursor): string {
  return records.toString('latin1', cursor.keyAt, cursor.keyAt + cursor.keyLength);
}
