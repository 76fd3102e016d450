// Checks produced or replicated record batches and stamps them in place (offsets, leader epoch, max
// timestamp, LogAppendTime) before they are written. Client batches get Kafka's producer checks: the header,
// the CRC, and a walk over every record (record-walker.ts; compressed batches are walked in their
// decompressed form, made beforehand by decompressed-batches.ts), so nothing is stored that a consumer cannot
// read past, and on CreateTime topics no record timestamp outside message.timestamp.before/after.max.ms. Replicated batches get integrity checks only (the leader walked them). Runs in a partition
// worker, on the append hot path: no allocation per batch.
import {
  Attribute,
  BATCH_HEADER_BYTES,
  BatchField,
  CURRENT_MAGIC,
  LOG_OVERHEAD_BYTES,
  computeBatchCrc,
  readInt64,
  storedBatchCrc,
  writeInt64,
} from '../../src/shared/record-batch.js';
import { ErrorCode } from '../../src/shared/kafka-error-codes.js';
import { isCompacted, type LogConfig, NEVER } from '../../src/shared/topic-config.js';
import { Codec } from '../../src/shared/compression/record-compression.js';
import type { DecompressedBatches } from './decompressed-batches.js';
import { walked, walkRecords } from './record-walker.js';

/** Who sent the batches: clients get Kafka's producer checks, replicas and internal writers only integrity checks. */
export type AppendOrigin = 'client' | 'replica';

/** What an append of one run of batches produced. One instance per partition log, reused for every append. */
export class AppendInfo {
  errorCode: number = ErrorCode.NONE;
  errorMessage = '';
  batchCount = 0;
  recordCount = 0;
  firstOffset = -1;
  lastOffset = -1;
  maxTimestamp = -1;
  offsetOfMaxTimestamp = -1;
  /** The broker time written into LogAppendTime batches, or -1 for CreateTime. */
  logAppendTimeMs = -1;
  /** The batch was a producer's retry of one already in the log: nothing was written, firstOffset is the original's. */
  duplicate = false;
  /** The index in its batch of the record that failed validation, or -1 (Produce v8+ answers it). */
  recordIndex = -1;
  /** Per batch: the largest record timestamp found by the records walk (client batches), for stampBatches. */
  readonly recordsMaxTimestamps: number[] = [];

  reset(): void {
    this.duplicate = false;
    this.recordIndex = -1;
    this.recordsMaxTimestamps.length = 0;
    this.errorCode = ErrorCode.NONE;
    this.errorMessage = '';
    this.batchCount = 0;
    this.recordCount = 0;
    this.firstOffset = -1;
    this.lastOffset = -1;
    this.maxTimestamp = -1;
    this.offsetOfMaxTimestamp = -1;
    this.logAppendTimeMs = -1;
  }

  fail(code: number, message: string): number {
    this.errorCode = code;
    this.errorMessage = message;
    return code;
  }
}

/**
 * Validates every batch in buf[at, at+length) without changing a byte. Returns an error code (NONE when
 * all are valid); on error `info.errorMessage` says why. Nothing may be written unless this returns NONE.
 * Client batches that are compressed need their records in `decompressed` (DecompressedBatches.load).
 */
export function validateBatches(
  buf: Buffer,
  at: number,
  length: number,
  config: Readonly<LogConfig>,
  origin: AppendOrigin,
  info: AppendInfo,
  decompressed: DecompressedBatches | null = null,
  nowMs: number = Date.now(),
): number {
  info.reset();
  const end = at + length;
  if (length <= 0) return info.fail(ErrorCode.CORRUPT_MESSAGE, 'empty record set');
  setTimestampWindow(config, nowMs);
  let position = at;
  while (position < end) {
    const code = validateOneBatch(buf, position, end - position, config, origin, info, decompressed);
    if (code !== ErrorCode.NONE) return code;
    position += buf.readInt32BE(position + BatchField.BATCH_LENGTH) + LOG_OVERHEAD_BYTES;
    info.batchCount++;
  }
  return ErrorCode.NONE;
}

function validateOneBatch(
  buf: Buffer,
  at: number,
  remaining: number,
  config: Readonly<LogConfig>,
  origin: AppendOrigin,
  info: AppendInfo,
  decompressed: DecompressedBatches | null,
): number {
  if (remaining < BATCH_HEADER_BYTES) return info.fail(ErrorCode.CORRUPT_MESSAGE, `${remaining} trailing bytes are not a batch`);
  const batchLength = buf.readInt32BE(at + BatchField.BATCH_LENGTH);
  const batchBytes = batchLength + LOG_OVERHEAD_BYTES;
  if (batchLength < BATCH_HEADER_BYTES - LOG_OVERHEAD_BYTES || batchBytes > remaining) {
    return info.fail(ErrorCode.CORRUPT_MESSAGE, `batch length ${batchLength} does not fit the ${remaining} bytes sent`);
  }
  const magic = buf.readInt8(at + BatchField.MAGIC);
  if (magic !== CURRENT_MAGIC) {
    const code = magic === 0 || magic === 1 ? ErrorCode.INVALID_RECORD : ErrorCode.CORRUPT_MESSAGE;
    return info.fail(code, `record batch magic ${magic} is not supported (only 2)`);
  }
  // Followers take what the leader accepted, whatever max.message.bytes says now (Kafka's ignoreRecordSize).
  if (origin === 'client' && batchBytes > config.maxMessageBytes) {
    return info.fail(ErrorCode.MESSAGE_TOO_LARGE, `batch of ${batchBytes} bytes exceeds max.message.bytes ${config.maxMessageBytes}`);
  }
  if (computeBatchCrc(buf, at, batchBytes) !== storedBatchCrc(buf, at)) {
    return info.fail(ErrorCode.CORRUPT_MESSAGE, 'record batch CRC-32C mismatch');
  }
  const recordCount = buf.readInt32BE(at + BatchField.RECORDS_COUNT);
  const lastOffsetDelta = buf.readInt32BE(at + BatchField.LAST_OFFSET_DELTA);
  info.recordCount += recordCount;
  if (origin === 'replica') {
    if (lastOffsetDelta < 0 || recordCount < 0) return info.fail(ErrorCode.CORRUPT_MESSAGE, 'negative record count or offset delta');
    return ErrorCode.NONE;
  }
  const code = validateClientBatch(buf, at, recordCount, lastOffsetDelta, info);
  if (code !== ErrorCode.NONE) return code;
  return validateRecords(buf, at, batchBytes, recordCount, isCompacted(config), info, decompressed);
}

/**
 * Walks the records of a client batch (its decompressed form when compressed) and notes its largest record
 * timestamp. Kafka answers a record that cannot be read INVALID_RECORD, naming the record (Produce v8+).
 */
function validateRecords(
  buf: Buffer,
  at: number,
  batchBytes: number,
  recordCount: number,
  requireKeys: boolean,
  info: AppendInfo,
  decompressed: DecompressedBatches | null,
): number {
  const codec = buf.readInt16BE(at + BatchField.ATTRIBUTES) & Attribute.COMPRESSION_MASK;
  let walkedOk: boolean;
  const baseTimestamp = readInt64(buf, at + BatchField.BASE_TIMESTAMP);
  const { lowest, highest } = timestampWindow;
  if (codec === Codec.NONE) {
    walkedOk = walkRecords(buf, at + BATCH_HEADER_BYTES, at + batchBytes, recordCount, requireKeys, baseTimestamp, lowest, highest);
  } else {
    if (codec > Codec.ZSTD) return info.fail(ErrorCode.CORRUPT_MESSAGE, `unknown compression codec ${codec}`);
    const section = decompressed?.sections[info.batchCount];
    if (section === undefined) throw new Error('batch validator: a compressed client batch arrived without its decompressed records');
    if (!(section instanceof Uint8Array)) return info.fail(section.tooLarge ? ErrorCode.MESSAGE_TOO_LARGE : ErrorCode.INVALID_RECORD, section.message);
    walkedOk = walkRecords(section, 0, section.length, recordCount, requireKeys, baseTimestamp, lowest, highest);
  }
  if (!walkedOk) {
    info.recordIndex = walked.failedIndex;
    if (walked.outOfRangeTimestamp !== -1) return info.fail(ErrorCode.INVALID_TIMESTAMP, walked.problem);
    const where = walked.failedIndex >= 0 ? `record ${walked.failedIndex}: ` : '';
    return info.fail(ErrorCode.INVALID_RECORD, where + walked.problem);
  }
  info.recordsMaxTimestamps[info.batchCount] = baseTimestamp + walked.maxTimestampDelta;
  return ErrorCode.NONE;
}

/** The record timestamps a client append accepts, set once per append (no allocation): ±Infinity = open. */
const timestampWindow = { lowest: Number.NEGATIVE_INFINITY, highest: Number.POSITIVE_INFINITY };

/**
 * Kafka's window for CreateTime topics: [now - before.max.ms, now + after.max.ms], each key falling back to
 * message.timestamp.difference.max.ms when unset; LogAppendTime topics check no record timestamp.
 */
function setTimestampWindow(config: Readonly<LogConfig>, nowMs: number): void {
  const fallback = config.messageTimestampDifferenceMaxMs;
  const before = config.messageTimestampBeforeMaxMs !== NEVER ? config.messageTimestampBeforeMaxMs : fallback;
  const after = config.messageTimestampAfterMaxMs !== NEVER ? config.messageTimestampAfterMaxMs : fallback;
  const createTime = config.messageTimestampType === 'CreateTime';
  timestampWindow.lowest = createTime && before !== NEVER ? nowMs - before : Number.NEGATIVE_INFINITY;
  timestampWindow.highest = createTime && after !== NEVER ? nowMs + after : Number.POSITIVE_INFINITY;
}

function validateClientBatch(buf: Buffer, at: number, recordCount: number, lastOffsetDelta: number, info: AppendInfo): number {
  if (recordCount <= 0 || lastOffsetDelta + 1 !== recordCount) {
    return info.fail(ErrorCode.INVALID_RECORD, `record count ${recordCount} does not match last offset delta ${lastOffsetDelta}`);
  }
  if (readInt64(buf, at + BatchField.BASE_OFFSET) !== 0) return info.fail(ErrorCode.INVALID_RECORD, 'a produced batch must have base offset 0');
  const attributes = buf.readInt16BE(at + BatchField.ATTRIBUTES);
  if ((attributes & Attribute.CONTROL) !== 0) return info.fail(ErrorCode.INVALID_RECORD, 'clients may not produce control batches');
  if ((attributes & Attribute.LOG_APPEND_TIME) !== 0) {
    return info.fail(ErrorCode.INVALID_TIMESTAMP, 'producers must send CreateTime batches (attribute bit 3 clear)');
  }
  if (readInt64(buf, at + BatchField.PRODUCER_ID) >= 0 && buf.readInt32BE(at + BatchField.BASE_SEQUENCE) < 0) {
    return info.fail(ErrorCode.INVALID_RECORD, 'idempotent batch without a base sequence');
  }
  return ErrorCode.NONE;
}

/**
 * Rewrites each validated client batch's baseOffset (from `firstOffset` on) and partitionLeaderEpoch; for
 * LogAppendTime topics its timestamp type, maxTimestamp and CRC; for CreateTime, a maxTimestamp that is not
 * its records' largest is corrected (and the CRC with it), as Kafka does. Fills the offsets and timestamps of `info`.
 */
export function stampBatches(
  buf: Buffer,
  at: number,
  length: number,
  firstOffset: number,
  leaderEpoch: number,
  logAppendTimeMs: number,
  info: AppendInfo,
): void {
  const end = at + length;
  let nextOffset = firstOffset;
  info.firstOffset = firstOffset;
  info.logAppendTimeMs = logAppendTimeMs;
  for (let position = at, index = 0; position < end; index++) {
    const batchBytes = buf.readInt32BE(position + BatchField.BATCH_LENGTH) + LOG_OVERHEAD_BYTES;
    writeInt64(buf, position + BatchField.BASE_OFFSET, nextOffset);
    buf.writeInt32BE(leaderEpoch, position + BatchField.PARTITION_LEADER_EPOCH);
    if (logAppendTimeMs >= 0) stampLogAppendTime(buf, position, batchBytes, logAppendTimeMs);
    else correctMaxTimestamp(buf, position, batchBytes, info.recordsMaxTimestamps[index]);
    const maxTimestamp = readInt64(buf, position + BatchField.MAX_TIMESTAMP);
    if (maxTimestamp > info.maxTimestamp) {
      info.maxTimestamp = maxTimestamp;
      info.offsetOfMaxTimestamp = nextOffset;
    }
    nextOffset += buf.readInt32BE(position + BatchField.LAST_OFFSET_DELTA) + 1;
    position += batchBytes;
  }
  info.lastOffset = nextOffset - 1;
}

/**
 * Reads the offsets of validated replicated batches, which keep the leader's offsets. Returns an error
 * code: each batch must start after the previous one ends (gaps are allowed, overlaps are not).
 */
export function readReplicatedOffsets(buf: Buffer, at: number, length: number, info: AppendInfo): number {
  const end = at + length;
  info.firstOffset = readInt64(buf, at + BatchField.BASE_OFFSET);
  for (let position = at; position < end; ) {
    const batchBytes = buf.readInt32BE(position + BatchField.BATCH_LENGTH) + LOG_OVERHEAD_BYTES;
    const baseOffset = readInt64(buf, position + BatchField.BASE_OFFSET);
    if (position > at && baseOffset <= info.lastOffset) {
      return info.fail(ErrorCode.CORRUPT_MESSAGE, `replicated batch at offset ${baseOffset} overlaps the previous one ending at ${info.lastOffset}`);
    }
    const maxTimestamp = readInt64(buf, position + BatchField.MAX_TIMESTAMP);
    if (maxTimestamp > info.maxTimestamp) {
      info.maxTimestamp = maxTimestamp;
      info.offsetOfMaxTimestamp = baseOffset;
    }
    info.lastOffset = baseOffset + buf.readInt32BE(position + BatchField.LAST_OFFSET_DELTA);
    position += batchBytes;
  }
  return ErrorCode.NONE;
}

function correctMaxTimestamp(buf: Buffer, at: number, batchBytes: number, recordsMaxTimestamp: number | undefined): void {
  if (recordsMaxTimestamp === undefined || readInt64(buf, at + BatchField.MAX_TIMESTAMP) === recordsMaxTimestamp) return;
  writeInt64(buf, at + BatchField.MAX_TIMESTAMP, recordsMaxTimestamp);
  buf.writeUInt32BE(computeBatchCrc(buf, at, batchBytes), at + BatchField.CRC);
}

function stampLogAppendTime(buf: Buffer, at: number, batchBytes: number, nowMs: number): void {
  const attributes = buf.readInt16BE(at + BatchField.ATTRIBUTES);
  buf.writeInt16BE(attributes | Attribute.LOG_APPEND_TIME, at + BatchField.ATTRIBUTES);
  writeInt64(buf, at + BatchField.MAX_TIMESTAMP, nowMs);
  buf.writeUInt32BE(computeBatchCrc(buf, at, batchBytes), at + BatchField.CRC);
}
