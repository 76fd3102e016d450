// Kafka RecordBatch v2 (magic 2) header layout and the few field accessors the hot path needs.
// Shared by partition workers (validate, stamp, recover) and the main thread (inspect fetched batches).
//
// Byte layout of one batch (big-endian; offsets from the batch start):
//   0  int64  baseOffset            offset of the first record; producers send 0, the broker rewrites it
//   8  int32  batchLength           bytes after this field (whole batch = batchLength + 12)
//  12  int32  partitionLeaderEpoch  stamped by the broker; -1 = none
//  16  int8   magic                 2
//  17  uint32 crc                   CRC-32C of bytes 21 .. end of batch
//  21  int16  attributes            bits 0-2 compression, 3 timestamp type (1 = LogAppendTime),
//                                   4 transactional, 5 control, 6 delete horizon
//  23  int32  lastOffsetDelta       last record's offset minus baseOffset
//  27  int64  baseTimestamp
//  35  int64  maxTimestamp
//  43  int64  producerId            -1 = not idempotent
//  51  int16  producerEpoch
//  53  int32  baseSequence
//  57  int32  recordsCount
//  61  ...    records (one compressed stream when compression != 0)
import { crc32c } from '@node-rs/crc32';

export const BatchField = {
  BASE_OFFSET: 0,
  BATCH_LENGTH: 8,
  PARTITION_LEADER_EPOCH: 12,
  MAGIC: 16,
  CRC: 17,
  ATTRIBUTES: 21,
  LAST_OFFSET_DELTA: 23,
  BASE_TIMESTAMP: 27,
  MAX_TIMESTAMP: 35,
  PRODUCER_ID: 43,
  PRODUCER_EPOCH: 51,
  BASE_SEQUENCE: 53,
  RECORDS_COUNT: 57,
} as const;

/** Bytes before batchLength's count starts: baseOffset (8) + batchLength (4). */
export const LOG_OVERHEAD_BYTES = 12;
/** Size of a batch with no records: the fixed header. */
export const BATCH_HEADER_BYTES = 61;
export const CURRENT_MAGIC = 2;

export const Attribute = {
  COMPRESSION_MASK: 0x07,
  LOG_APPEND_TIME: 0x08,
  TRANSACTIONAL: 0x10,
  CONTROL: 0x20,
  DELETE_HORIZON: 0x40,
} as const;

const TWO_POW_32 = 0x1_0000_0000;

/** Reads an int64 as a JS number without allocating a BigInt (exact up to 2^53). */
export function readInt64(buf: Buffer, at: number): number {
  return buf.readInt32BE(at) * TWO_POW_32 + buf.readUInt32BE(at + 4);
}

/** Writes a JS integer (|value| < 2^53) as an int64 without allocating a BigInt. */
export function writeInt64(buf: Buffer, at: number, value: number): void {
  const high = Math.floor(value / TWO_POW_32);
  buf.writeInt32BE(high, at);
  buf.writeUInt32BE(value - high * TWO_POW_32, at + 4);
}

/** Whole size of the batch starting at `at`, from its batchLength field. */
export function batchSizeAt(buf: Buffer, at: number): number {
  return buf.readInt32BE(at + BatchField.BATCH_LENGTH) + LOG_OVERHEAD_BYTES;
}

export function baseOffsetAt(buf: Buffer, at: number): number {
  return readInt64(buf, at + BatchField.BASE_OFFSET);
}

export function lastOffsetAt(buf: Buffer, at: number): number {
  return readInt64(buf, at + BatchField.BASE_OFFSET) + buf.readInt32BE(at + BatchField.LAST_OFFSET_DELTA);
}

export function maxTimestampAt(buf: Buffer, at: number): number {
  return readInt64(buf, at + BatchField.MAX_TIMESTAMP);
}

/** CRC-32C over attributes .. end of the batch, as stored in the crc field. */
export function computeBatchCrc(buf: Buffer, at: number, batchBytes: number): number {
  return crc32c(buf.subarray(at + BatchField.ATTRIBUTES, at + batchBytes)) >>> 0;
}

export function storedBatchCrc(buf: Buffer, at: number): number {
  return buf.readUInt32BE(at + BatchField.CRC);
}

/**
 * A copy of the batch starting at buf[0] with `section` as its records section and `codec` in its attributes
 * (length and CRC recomputed); with `records`, also its record count and (unless LogAppendTime) max timestamp.
 */
export function rebuildBatch(batch: Buffer, section: Buffer, codec: number, records?: { count: number; maxTimestamp: number }): Buffer {
  const out = Buffer.allocUnsafe(BATCH_HEADER_BYTES + section.length);
  batch.copy(out, 0, 0, BATCH_HEADER_BYTES);
  section.copy(out, BATCH_HEADER_BYTES);
  const attributes = (batch.readInt16BE(BatchField.ATTRIBUTES) & ~Attribute.COMPRESSION_MASK) | codec;
  out.writeInt32BE(out.length - LOG_OVERHEAD_BYTES, BatchField.BATCH_LENGTH);
  out.writeInt16BE(attributes, BatchField.ATTRIBUTES);
  if (records !== undefined) {
    out.writeInt32BE(records.count, BatchField.RECORDS_COUNT);
    if ((attributes & Attribute.LOG_APPEND_TIME) === 0 && records.count > 0) writeInt64(out, BatchField.MAX_TIMESTAMP, records.maxTimestamp);
  }
  out.writeUInt32BE(computeBatchCrc(out, 0, out.length), BatchField.CRC);
  return out;
}
