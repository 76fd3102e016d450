// Converts a produced message set of the old format (magic 0 or 1, Produce v0-2) into one record batch v2,
// as Kafka's LogValidator does when a log holds magic 2: every message is checked (size, CRC, magic,
// attributes, compressed wrappers and their inner messages), and all records go into one batch with the
// codec of the compressed wrapper (which must then be the only message, as Kafka requires) or none; offsets
// are assigned afterwards by the normal append, which also validates the new batch. Magic-1 timestamps are
// kept, magic-0 messages get no timestamp (-1); a message claiming LogAppendTime, or a timestamp below -1 or
// beyond 2^53, is refused (INVALID_TIMESTAMP). Runs in a partition worker, only for appends flagged as the old
// format: a magic-2 append never reaches this file.
//
// The batch it builds (layout in src/shared/record-batch.ts): baseOffset 0, partitionLeaderEpoch -1, magic 2,
// attributes = codec (CreateTime), no producer id (-1, epoch -1, sequence -1), baseTimestamp = the first
// record's timestamp, maxTimestamp = the largest. Record layout: src/shared/record-reader.ts.
import { Codec, compressRecords, DecompressedSizeError, decompressRecordsWithin } from '../../src/shared/compression/record-compression.js';
import { withStandardHeaderChecksum } from '../../src/shared/compression/lz4-legacy-checksum.js';
import { ErrorCode } from '../../src/shared/kafka-error-codes.js';
import {
  LEGACY_CODEC_MASK,
  LEGACY_TIMESTAMP_TYPE_BIT,
  type LegacyMessage,
  LegacyField,
  legacyFault,
  newLegacyMessage,
  readLegacyMessage,
} from '../../src/shared/legacy-message.js';
import { BatchField, CURRENT_MAGIC, rebuildBatch } from '../../src/shared/record-batch.js';
import { buildRecordBatch, type ProducedRecord, recordBodyBytes, writeRecord } from '../../src/shared/record-batch-codec.js';
import { sizeOfVarint } from '../../src/shared/varint.js';
import { DECOMPRESSED_RECORDS_BYTES_MAX } from './decompressed-batches.js';

export class MessageSetConverter {
  /** After a successful convert(): the batch. */
  batch: Buffer = EMPTY;
  /** The converted batch's records section uncompressed, when the batch is compressed (the validator walks it); else null. */
  uncompressedRecords: Buffer | null = null;
  errorMessage = '';
  /** The records section being built: records written one by one (records[0, recordsEnd)), no object kept per record. */
  private records: Buffer = Buffer.alloc(INITIAL_RECORDS_BYTES);
  private recordsEnd = 0;
  private count = 0;
  private baseTimestamp = -1;
  private maxTimestamp = -1;
  /** The one record holder handed to writeRecord() (src/shared/record-batch-codec.ts), refilled per record. */
  private readonly record: ProducedRecord = { key: null, value: null, timestamp: -1 };
  private codec: number = Codec.NONE;
  /** The last compressed wrapper's value as the producer compressed it (snappy keeps its form). */
  private like: Buffer | undefined;
  private firstMagic = -1;
  private decompressedBytes = 0;
  private readonly outer = newLegacyMessage();
  private readonly inner = newLegacyMessage();

  /**
   * Converts the message set buf[at, at+length). Returns an error code (errorMessage says why). A top-level
   * message over `maxMessageBytes` (the topic's max.message.bytes) is refused before anything is decompressed,
   * as Kafka checks each message (a wrapper: the whole) against it.
   */
  async convert(buf: Buffer, at: number, length: number, maxMessageBytes = Number.POSITIVE_INFINITY): Promise<number> {
    this.reset();
    const end = at + length;
    if (length === 0) return this.fail(ErrorCode.CORRUPT_MESSAGE, 'empty message set');
    for (let p = at; p < end; p += this.outer.entryBytes) {
      const code = this.readChecked(buf, p, end, this.outer);
      if (code !== ErrorCode.NONE) return code;
      if (this.outer.entryBytes > maxMessageBytes) {
        return this.fail(ErrorCode.MESSAGE_TOO_LARGE, `a message of ${this.outer.entryBytes} bytes exceeds max.message.bytes ${maxMessageBytes}`);
      }
      const codec = this.outer.attributes & LEGACY_CODEC_MASK;
      // As Kafka's LogValidator: a compressed wrapper is the whole message set ("more than one batch" otherwise).
      if ((codec !== Codec.NONE || this.codec !== Codec.NONE) && p !== at) {
        return this.fail(ErrorCode.INVALID_RECORD, 'a compressed message must be the only message of the message set');
      }
      if (codec === Codec.NONE) this.addRecord(buf, this.outer);
      else {
        const added = await this.addWrapper(buf, this.outer, codec);
        if (added !== ErrorCode.NONE) return added;
      }
    }
    return this.finish();
  }

  private reset(): void {
    // A large message set's section is not kept between appends (the validator is done with the last one).
    if (this.records.length > RETAINED_RECORDS_BYTES_MAX) this.records = Buffer.alloc(INITIAL_RECORDS_BYTES);
    this.recordsEnd = 0;
    this.count = 0;
    this.baseTimestamp = -1;
    this.maxTimestamp = -1;
    this.codec = Codec.NONE;
    this.like = undefined;
    this.firstMagic = -1;
    this.decompressedBytes = 0;
    this.batch = EMPTY;
    this.uncompressedRecords = null;
    this.errorMessage = '';
  }

  private fail(code: number, message: string): number {
    this.errorMessage = message;
    return code;
  }

  /** Reads one message; every message of the request must have the first one's magic (as Kafka checks). */
  private readChecked(buf: Buffer, at: number, end: number, into: LegacyMessage): number {
    if (at + LegacyField.MAGIC < end && buf[at + LegacyField.MAGIC] === CURRENT_MAGIC) {
      return this.fail(ErrorCode.INVALID_RECORD, 'a record batch (magic 2) among messages of magic 0/1');
    }
    if (!readLegacyMessage(buf, at, end, into)) return this.fail(ErrorCode.CORRUPT_MESSAGE, legacyFault.problem);
    if (this.firstMagic < 0) this.firstMagic = into.magic;
    if (into.magic !== this.firstMagic) return this.fail(ErrorCode.INVALID_RECORD, `message magic ${into.magic} is not the first message's ${this.firstMagic}`);
    // The broker sets LogAppendTime, never a producer (refused for record batches alike, batch-validator.ts).
    if ((into.attributes & LEGACY_TIMESTAMP_TYPE_BIT) !== 0 && into.magic === 1) {
      return this.fail(ErrorCode.INVALID_TIMESTAMP, 'producers must send CreateTime messages (attribute bit 3 clear)');
    }
    // Timestamps are ms since the epoch or -1 (none); the deltas of the new batch must stay exact numbers.
    if (into.timestamp < -1 || into.timestamp > Number.MAX_SAFE_INTEGER) return this.fail(ErrorCode.INVALID_TIMESTAMP, `invalid timestamp ${into.timestamp}`);
    return ErrorCode.NONE;
  }

  /** A compressed wrapper: its value decompressed (bounded) and each inner message added. */
  private async addWrapper(buf: Buffer, wrapper: LegacyMessage, codec: number): Promise<number> {
    if (codec > Codec.LZ4) return this.fail(ErrorCode.INVALID_RECORD, `compression codec ${codec} is not allowed in message format v${wrapper.magic}`);
    if (wrapper.valueLength <= 0) return this.fail(ErrorCode.INVALID_RECORD, 'a compressed message has no inner messages');
    let value = buf.subarray(wrapper.valueAt, wrapper.valueAt + wrapper.valueLength);
    if (codec === Codec.LZ4 && wrapper.magic === 0) value = withStandardHeaderChecksum(value);
    let inner: Buffer;
    try {
      inner = await decompressRecordsWithin(codec, value, DECOMPRESSED_RECORDS_BYTES_MAX - this.decompressedBytes);
    } catch (error) {
      const code = error instanceof DecompressedSizeError ? ErrorCode.MESSAGE_TOO_LARGE : ErrorCode.CORRUPT_MESSAGE;
      return this.fail(code, `compressed message does not decompress (codec ${codec}): ${(error as Error).message}`);
    }
    this.decompressedBytes += inner.length;
    this.codec = codec;
    this.like = value;
    let innerCount = 0;
    for (let p = 0; p < inner.length; p += this.inner.entryBytes, innerCount++) {
      const code = this.readChecked(inner, p, inner.length, this.inner);
      if (code !== ErrorCode.NONE) return code;
      if ((this.inner.attributes & LEGACY_CODEC_MASK) !== Codec.NONE) {
        return this.fail(ErrorCode.INVALID_RECORD, 'a compressed message holds a compressed inner message');
      }
      this.addRecord(inner, this.inner);
    }
    return innerCount > 0 ? ErrorCode.NONE : this.fail(ErrorCode.INVALID_RECORD, 'a compressed message has no inner messages');
  }

  /** Writes one record (the key and value of `message` in `buf`) at the end of the records section. */
  private addRecord(buf: Buffer, message: LegacyMessage): void {
    const { record } = this;
    const { timestamp } = message;
    record.key = message.keyLength < 0 ? null : buf.subarray(message.keyAt, message.keyAt + message.keyLength);
    record.value = message.valueLength < 0 ? null : buf.subarray(message.valueAt, message.valueAt + message.valueLength);
    if (this.count === 0) this.baseTimestamp = timestamp;
    if (timestamp > this.maxTimestamp) this.maxTimestamp = timestamp;
    const timestampDelta = timestamp - this.baseTimestamp;
    const bodyBytes = recordBodyBytes(record, this.count, timestampDelta);
    this.ensureRoom(sizeOfVarint(bodyBytes) + bodyBytes);
    this.recordsEnd = writeRecord(this.records, this.recordsEnd, record, this.count, timestampDelta);
    this.count++;
  }

  private ensureRoom(moreBytes: number): void {
    if (this.recordsEnd + moreBytes <= this.records.length) return;
    const grown = Buffer.alloc(Math.max(this.records.length * 2, this.recordsEnd + moreBytes));
    this.records.copy(grown, 0, 0, this.recordsEnd);
    this.records = grown;
  }

  /**
   * Puts a batch header before the records (compressed first when a wrapper was): the header fields come from
   * buildRecordBatch (the one v2 encoder) of a one-record batch at the base timestamp, then rebuildBatch sets
   * the length, codec, record count, max timestamp and CRC.
   */
  private async finish(): Promise<number> {
    const header = buildRecordBatch([{ key: null, value: null, timestamp: this.baseTimestamp }]);
    header.writeInt32BE(this.count - 1, BatchField.LAST_OFFSET_DELTA);
    const records = this.records.subarray(0, this.recordsEnd);
    const facts = { count: this.count, maxTimestamp: this.maxTimestamp };
    if (this.codec === Codec.NONE) {
      this.batch = rebuildBatch(header, records, Codec.NONE, facts);
      return ErrorCode.NONE;
    }
    this.uncompressedRecords = records;
    this.batch = rebuildBatch(header, await compressRecords(this.codec, records, this.like), this.codec, facts);
    return ErrorCode.NONE;
  }
}

const EMPTY = Buffer.alloc(0);
const INITIAL_RECORDS_BYTES = 64 * 1024;
/** Above this the records section is let go after use: a hostile wrapper may decompress to 128 MiB. */
const RETAINED_RECORDS_BYTES_MAX = 4 * 1024 * 1024;
