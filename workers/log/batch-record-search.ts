// Finds a record inside one stored batch, for ListOffsets: the first record holding the batch's max timestamp
// (Kafka's RecordBatch.offsetOfMaxTimestamp, for MAX_TIMESTAMP), or the first record at or after a time and an
// offset (Kafka's FileRecords.searchForTimestamp, for lookups by time). With LogAppendTime every record has the
// batch's max timestamp. Compressed records are decompressed first. Runs in a partition worker, for ListOffsets
// only (never on the append or fetch path).
//
// Batch header fields used (offsets in BatchField, src/shared/record-batch.ts): baseOffset int64 · attributes
// int16 (codec in bits 0–2, LogAppendTime bit 3) · baseTimestamp int64 · maxTimestamp int64 · partitionLeaderEpoch
// int32; records follow the 61-byte header (layout in src/shared/record-reader.ts).
import { Attribute, BATCH_HEADER_BYTES, BatchField, baseOffsetAt, maxTimestampAt, readInt64 } from '../../src/shared/record-batch.js';
import { Codec, decompressRecordsWithin } from '../../src/shared/compression/record-compression.js';
import { ErrorCode, KafkaError } from '../../src/shared/kafka-error-codes.js';
import type { TimestampAndOffset } from '../../src/shared/offset-lookup.js';
import { RecordCursor } from '../../src/shared/record-reader.js';
import { DECOMPRESSED_RECORDS_BYTES_MAX } from './decompressed-batches.js';

/** The first record of `batch` (one whole stored batch) holding its max timestamp, or null if none does. */
export function maxTimestampRecordOf(batch: Buffer): Promise<TimestampAndOffset | null> {
  const maxTimestamp = maxTimestampAt(batch, 0);
  return findRecord(batch, (timestamp) => timestamp === maxTimestamp);
}

/** The first record of `batch` with a timestamp >= `targetTimestamp` and an offset >= `minOffset`, or null. */
export function firstRecordAtOrAfter(batch: Buffer, targetTimestamp: number, minOffset: number): Promise<TimestampAndOffset | null> {
  return findRecord(batch, (timestamp, offset) => timestamp >= targetTimestamp && offset >= minOffset);
}

async function findRecord(batch: Buffer, accept: (timestamp: number, offset: number) => boolean): Promise<TimestampAndOffset | null> {
  const attributes = batch.readInt16BE(BatchField.ATTRIBUTES);
  const logAppendTime = (attributes & Attribute.LOG_APPEND_TIME) !== 0;
  const maxTimestamp = maxTimestampAt(batch, 0);
  const baseTimestamp = readInt64(batch, BatchField.BASE_TIMESTAMP);
  const baseOffset = baseOffsetAt(batch, 0);
  const leaderEpoch = Math.max(-1, batch.readInt32BE(BatchField.PARTITION_LEADER_EPOCH));
  const records = await recordsOf(batch, attributes & Attribute.COMPRESSION_MASK);
  const cursor = new RecordCursor().reset(records, 0, records.length);
  while (cursor.next()) {
    const timestamp = logAppendTime ? maxTimestamp : baseTimestamp + cursor.timestampDelta;
    const offset = baseOffset + cursor.offsetDelta;
    if (accept(timestamp, offset)) return { timestamp, offset, leaderEpoch };
  }
  return null;
}

async function recordsOf(batch: Buffer, codec: number): Promise<Buffer> {
  const section = batch.subarray(BATCH_HEADER_BYTES);
  if (codec === Codec.NONE) return section;
  try {
    return await decompressRecordsWithin(codec, section, DECOMPRESSED_RECORDS_BYTES_MAX);
  } catch (error) {
    // Stored batches were validated on append: bytes that no longer decompress are a damaged log.
    throw new KafkaError(ErrorCode.KAFKA_STORAGE_ERROR, `stored batch at offset ${baseOffsetAt(batch, 0)} does not decompress: ${(error as Error).message}`);
  }
}
