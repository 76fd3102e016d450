// Finds, inside one stored batch, the record whose timestamp is the batch's max timestamp (Kafka's
// RecordBatch.offsetOfMaxTimestamp: the first such record; with LogAppendTime every record has it, so the
// base offset). Compressed records are decompressed first. Runs in a partition worker, for ListOffsets
// MAX_TIMESTAMP only (never on the append or fetch path).
//
// Batch header fields used (offsets in BatchField, src/shared/record-batch.ts): baseOffset int64 · attributes
// int16 (codec in bits 0–2, LogAppendTime bit 3) · baseTimestamp int64 · maxTimestamp int64 · partitionLeaderEpoch
// int32; records follow the 61-byte header (layout in src/shared/record-reader.ts).
import { Attribute, BATCH_HEADER_BYTES, BatchField, baseOffsetAt, maxTimestampAt, readInt64 } from '../../src/shared/record-batch.js';
import { Codec, decompressRecordsWithin } from '../../src/shared/compression/record-compression.js';
import { ErrorCode, KafkaError } from '../../src/shared/kafka-error-codes.js';
import type { MaxTimestampRecord } from '../../src/shared/offset-lookup.js';
import { RecordCursor } from '../../src/shared/record-reader.js';
import { DECOMPRESSED_RECORDS_BYTES_MAX } from './decompressed-batches.js';

/** The record of `batch` (one whole stored batch) holding its max timestamp, or null if no record has it. */
export async function maxTimestampRecordOf(batch: Buffer): Promise<MaxTimestampRecord | null> {
  const attributes = batch.readInt16BE(BatchField.ATTRIBUTES);
  const timestamp = maxTimestampAt(batch, 0);
  const baseOffset = baseOffsetAt(batch, 0);
  const leaderEpoch = Math.max(-1, batch.readInt32BE(BatchField.PARTITION_LEADER_EPOCH));
  if ((attributes & Attribute.LOG_APPEND_TIME) !== 0) return { timestamp, offset: baseOffset, leaderEpoch };
  const records = await recordsOf(batch, attributes & Attribute.COMPRESSION_MASK);
  const deltaWanted = timestamp - readInt64(batch, BatchField.BASE_TIMESTAMP);
  const cursor = new RecordCursor().reset(records, 0, records.length);
  while (cursor.next()) {
    if (cursor.timestampDelta === deltaWanted) return { timestamp, offset: baseOffset + cursor.offsetDelta, leaderEpoch };
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
