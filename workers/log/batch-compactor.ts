// Rewrites one stored record batch for the log cleaner: keeps the records a retention rule keeps, with
// the batch's baseOffset, lastOffsetDelta, baseTimestamp, producer id / epoch / base sequence unchanged
// (so offsets and producer state survive), recompressed with the batch's own codec, CRC recomputed.
// Control batches pass as they are. Runs in the log cleaner's piscina job.
//
// What changes in the header (layout in src/shared/record-batch.ts): batchLength, recordsCount, crc, and
// for CreateTime batches maxTimestamp (the largest kept record's). A batch left with no record is dropped,
// unless it is a producer's latest batch: that one stays as a bare 61-byte header (recordsCount 0, no
// compression) as Kafka keeps it, so a rebuild of the producer table from the log still sees its sequence.
import { Attribute, BATCH_HEADER_BYTES, BatchField, baseOffsetAt, readInt64, rebuildBatch } from '../../src/shared/record-batch.js';
import { RecordCursor } from '../../src/shared/record-reader.js';
import { compressRecords } from '../../src/shared/compression/record-compression.js';
import { type KeyOffsetMap, keyOf, recordsOf } from './cleaner-key-map.js';

/** Which records stay: the last record of each key (and every record without a key), tombstones until they expire. */
export class RetentionRule {
  constructor(
    private readonly map: KeyOffsetMap,
    /** Tombstones with a timestamp below this (now - delete.retention.ms) are dropped. */
    private readonly tombstoneHorizonMs: number,
  ) {}

  keeps(records: Buffer, cursor: RecordCursor, offset: number, timestamp: number): boolean {
    if (cursor.keyLength < 0) return true;
    if (offset < this.map.latest(keyOf(records, cursor))) return false;
    return cursor.valueLength >= 0 || timestamp >= this.tombstoneHorizonMs;
  }
}

export interface CompactedBatch {
  /** The batch to write (the original when nothing changed), or null to drop it. */
  bytes: Buffer | null;
  recordsRemoved: number;
}

const cursor = new RecordCursor();

/**
 * Applies `rule` to the records of `batch`. `keepIfEmpty` keeps an emptied batch as a bare header. A batch
 * whose records cannot be read (undecodable compression, malformed records) is kept as it is.
 */
export async function compactBatch(batch: Buffer, rule: RetentionRule, keepIfEmpty: boolean): Promise<CompactedBatch> {
  const attributes = batch.readInt16BE(BatchField.ATTRIBUTES);
  if ((attributes & Attribute.CONTROL) !== 0) return { bytes: batch, recordsRemoved: 0 };
  const records = await recordsOf(batch, attributes);
  if (records === null) return { bytes: batch, recordsRemoved: 0 };
  const kept = keptRecords(batch, records, attributes, rule);
  if (kept === null || kept.removed === 0) return { bytes: batch, recordsRemoved: 0 };
  if (kept.count === 0) return { bytes: keepIfEmpty ? emptyBatchLike(batch) : null, recordsRemoved: kept.removed };
  const section = Buffer.concat(kept.slices);
  const codec = attributes & Attribute.COMPRESSION_MASK;
  const body = await compressRecords(codec, section, codec === 0 ? undefined : batch.subarray(BATCH_HEADER_BYTES));
  return { bytes: rebuildBatch(batch, body, codec, { count: kept.count, maxTimestamp: kept.maxTimestamp }), recordsRemoved: kept.removed };
}

interface KeptRecords {
  slices: Buffer[];
  count: number;
  removed: number;
  maxTimestamp: number;
}

/** The kept records' bytes, in order; null when the records section does not parse as recordsCount records. */
function keptRecords(batch: Buffer, records: Buffer, attributes: number, rule: RetentionRule): KeptRecords | null {
  const baseOffset = baseOffsetAt(batch, 0);
  const baseTimestamp = readInt64(batch, BatchField.BASE_TIMESTAMP);
  const logAppendTime = (attributes & Attribute.LOG_APPEND_TIME) !== 0;
  const expected = batch.readInt32BE(BatchField.RECORDS_COUNT);
  const kept: KeptRecords = { slices: [], count: 0, removed: 0, maxTimestamp: -1 };
  cursor.reset(records, records === batch ? BATCH_HEADER_BYTES : 0, records.length);
  let seen = 0;
  while (cursor.next()) {
    seen++;
    const timestamp = logAppendTime ? readInt64(batch, BatchField.MAX_TIMESTAMP) : baseTimestamp + cursor.timestampDelta;
    if (!rule.keeps(records, cursor, baseOffset + cursor.offsetDelta, timestamp)) {
      kept.removed++;
      continue;
    }
    kept.slices.push(records.subarray(cursor.recordStart, cursor.recordEnd));
    kept.count++;
    kept.maxTimestamp = Math.max(kept.maxTimestamp, timestamp);
  }
  return cursor.malformed || seen !== expected ? null : kept;
}

function emptyBatchLike(batch: Buffer): Buffer {
  return rebuildBatch(batch, Buffer.alloc(0), 0, { count: 0, maxTimestamp: -1 });
}
