// Builds and decodes Kafka RecordBatch v2 bytes the way a producer and a consumer do (uncompressed
// records). Used by tests, benchmarks and the group coordinator (its own records).
// Runs on whatever thread calls it; not on the broker's hot path.
//
// Record layout inside a batch: see record-reader.ts, which decodes it.
import { Attribute, BATCH_HEADER_BYTES, BatchField, CURRENT_MAGIC, LOG_OVERHEAD_BYTES, computeBatchCrc, readInt64, writeInt64 } from './record-batch.js';
import { type ReadPosition, RecordCursor, readVarint } from './record-reader.js';
import { sizeOfVarint, sizeOfVarlong, writeVarint, writeVarlong } from './varint.js';

export interface RecordHeader {
  key: string;
  value: Buffer | null;
}

export interface ProducedRecord {
  key: Buffer | null;
  value: Buffer | null;
  headers?: RecordHeader[];
  /** Absolute timestamp in ms; defaults to the batch's base timestamp. */
  timestamp?: number;
}

export interface BatchOptions {
  baseTimestamp?: number;
  producerId?: number;
  producerEpoch?: number;
  baseSequence?: number;
  transactional?: boolean;
}

export interface ConsumedRecord {
  offset: number;
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: RecordHeader[];
}

/** Encodes records into one uncompressed RecordBatch v2 with baseOffset 0, as a producer sends it. */
export function buildRecordBatch(records: readonly ProducedRecord[], options: BatchOptions = {}): Buffer {
  if (records.length === 0) throw new RangeError('a record batch needs at least one record');
  const baseTimestamp = options.baseTimestamp ?? records[0]!.timestamp ?? Date.now();
  // The largest record timestamp, which is not the base timestamp when the caller sets that lower or higher.
  let maxTimestamp = Number.NEGATIVE_INFINITY;
  let recordsBytes = 0;
  for (let i = 0; i < records.length; i++) {
    const timestamp = records[i]!.timestamp ?? baseTimestamp;
    if (timestamp > maxTimestamp) maxTimestamp = timestamp;
    const bodyBytes = recordBodyBytes(records[i]!, i, timestamp - baseTimestamp);
    recordsBytes += sizeOfVarint(bodyBytes) + bodyBytes;
  }
  const batch = Buffer.alloc(BATCH_HEADER_BYTES + recordsBytes);
  writeInt64(batch, BatchField.BASE_OFFSET, 0);
  batch.writeInt32BE(batch.length - LOG_OVERHEAD_BYTES, BatchField.BATCH_LENGTH);
  batch.writeInt32BE(-1, BatchField.PARTITION_LEADER_EPOCH);
  batch.writeInt8(CURRENT_MAGIC, BatchField.MAGIC);
  batch.writeInt16BE(options.transactional ? Attribute.TRANSACTIONAL : 0, BatchField.ATTRIBUTES);
  batch.writeInt32BE(records.length - 1, BatchField.LAST_OFFSET_DELTA);
  writeInt64(batch, BatchField.BASE_TIMESTAMP, baseTimestamp);
  writeInt64(batch, BatchField.MAX_TIMESTAMP, maxTimestamp);
  writeInt64(batch, BatchField.PRODUCER_ID, options.producerId ?? -1);
  batch.writeInt16BE(options.producerEpoch ?? -1, BatchField.PRODUCER_EPOCH);
  batch.writeInt32BE(options.baseSequence ?? -1, BatchField.BASE_SEQUENCE);
  batch.writeInt32BE(records.length, BatchField.RECORDS_COUNT);
  let at = BATCH_HEADER_BYTES;
  for (let i = 0; i < records.length; i++) at = writeRecord(batch, at, records[i]!, i, (records[i]!.timestamp ?? baseTimestamp) - baseTimestamp);
  batch.writeUInt32BE(computeBatchCrc(batch, 0, batch.length), BatchField.CRC);
  return batch;
}

/** Bytes of a record after its length field. */
export function recordBodyBytes(record: ProducedRecord, offsetDelta: number, timestampDelta: number): number {
  let bytes = 1 + sizeOfVarlong(timestampDelta) + sizeOfVarint(offsetDelta) + nullableBytesSize(record.key) + nullableBytesSize(record.value);
  const headers = record.headers ?? [];
  bytes += sizeOfVarint(headers.length);
  for (const header of headers) {
    const keyBytes = Buffer.byteLength(header.key, 'utf8');
    bytes += sizeOfVarint(keyBytes) + keyBytes + nullableBytesSize(header.value);
  }
  return bytes;
}

function nullableBytesSize(bytes: Buffer | null): number {
  return bytes === null ? 1 : sizeOfVarint(bytes.length) + bytes.length;
}

/** Writes one record (length, attributes 0, deltas, key, value, headers) at buf[at]; returns where it ends. */
export function writeRecord(buf: Buffer, at: number, record: ProducedRecord, offsetDelta: number, timestampDelta: number): number {
  at = writeVarint(buf, at, recordBodyBytes(record, offsetDelta, timestampDelta));
  buf[at++] = 0;
  at = writeVarlong(buf, at, timestampDelta);
  at = writeVarint(buf, at, offsetDelta);
  at = writeNullableBytes(buf, at, record.key);
  at = writeNullableBytes(buf, at, record.value);
  const headers = record.headers ?? [];
  at = writeVarint(buf, at, headers.length);
  for (const header of headers) {
    const keyBytes = Buffer.byteLength(header.key, 'utf8');
    at = writeVarint(buf, at, keyBytes);
    at += buf.write(header.key, at, keyBytes, 'utf8');
    at = writeNullableBytes(buf, at, header.value);
  }
  return at;
}

function writeNullableBytes(buf: Buffer, at: number, bytes: Buffer | null): number {
  if (bytes === null) return writeVarint(buf, at, -1);
  at = writeVarint(buf, at, bytes.length);
  return at + bytes.copy(buf, at);
}

/** Decodes every record of every uncompressed batch in `bytes` (what a fetch returns). */
export function decodeRecordBatches(bytes: Buffer): ConsumedRecord[] {
  const records: ConsumedRecord[] = [];
  for (let at = 0; at + LOG_OVERHEAD_BYTES <= bytes.length; ) {
    const batchBytes = bytes.readInt32BE(at + BatchField.BATCH_LENGTH) + LOG_OVERHEAD_BYTES;
    if (at + batchBytes > bytes.length) break;
    if ((bytes.readInt16BE(at + BatchField.ATTRIBUTES) & Attribute.COMPRESSION_MASK) !== 0) {
      throw new Error('decodeRecordBatches reads uncompressed batches only');
    }
    decodeBatchInto(bytes.subarray(at, at + batchBytes), records);
    at += batchBytes;
  }
  return records;
}

function decodeBatchInto(batch: Buffer, records: ConsumedRecord[]): void {
  const baseOffset = readInt64(batch, BatchField.BASE_OFFSET);
  const baseTimestamp = readInt64(batch, BatchField.BASE_TIMESTAMP);
  const logAppendTime = (batch.readInt16BE(BatchField.ATTRIBUTES) & Attribute.LOG_APPEND_TIME) !== 0;
  const count = batch.readInt32BE(BatchField.RECORDS_COUNT);
  const cursor = new RecordCursor().reset(batch, BATCH_HEADER_BYTES, batch.length);
  for (let i = 0; i < count && cursor.next(); i++) {
    const key = cursor.keyLength < 0 ? null : batch.subarray(cursor.keyAt, cursor.keyAt + cursor.keyLength);
    const value = cursor.valueLength < 0 ? null : batch.subarray(cursor.valueAt, cursor.valueAt + cursor.valueLength);
    const timestamp = logAppendTime ? readInt64(batch, BatchField.MAX_TIMESTAMP) : baseTimestamp + cursor.timestampDelta;
    records.push({ offset: baseOffset + cursor.offsetDelta, timestamp, key, value, headers: readHeaders(batch, cursor.headersAt, cursor.recordEnd) });
  }
  if (cursor.malformed) throw new Error(`malformed record in the batch at offset ${baseOffset}`);
}

function readHeaders(buf: Buffer, from: number, end: number): RecordHeader[] {
  const headers: RecordHeader[] = [];
  const position = { at: from };
  for (let h = readVarint(buf, position, end); h > 0 && position.at >= 0; h--) {
    headers.push({ key: readNullable(buf, position, end)!.toString('utf8'), value: readNullable(buf, position, end) });
  }
  return headers;
}

function readNullable(buf: Buffer, position: ReadPosition, end: number): Buffer | null {
  const length = readVarint(buf, position, end);
  if (length < 0 || position.at < 0) return null;
  const bytes = buf.subarray(position.at, position.at + length);
  position.at += length;
  return bytes;
}
