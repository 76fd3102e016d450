// Converts stored record batches (magic 2) down to the old message format a Fetch v0-3 client reads (v0/v1:
// magic 0, v2/v3: magic 1), as Kafka's RecordsUtil.downConvert does: control batches are skipped, record
// headers dropped; an uncompressed batch becomes one message per record (records below the fetch offset
// left out); a compressed batch becomes one wrapper message in the batch's codec around its records (magic 1:
// inner offsets relative to the first record's, the wrapper carrying the last record's offset and the
// largest timestamp, or the LogAppendTime; magic 0 lz4 with Kafka's header checksum, see
// lz4-legacy-checksum.ts). zstd cannot be converted (UNSUPPORTED_COMPRESSION_TYPE). Whole messages are kept
// up to maxBytes, the first always. Message layout: src/shared/legacy-message.ts.
// Runs in a partition worker, only for fetches flagged for conversion: a v4+ fetch never reaches this file.
import { Codec, compressRecords, decompressRecords } from '../../src/shared/compression/record-compression.js';
import { breakHeaderChecksum } from '../../src/shared/compression/lz4-legacy-checksum.js';
import { ErrorCode } from '../../src/shared/kafka-error-codes.js';
import { LEGACY_TIMESTAMP_TYPE_BIT, legacyEntryBytes, writeLegacyMessage } from '../../src/shared/legacy-message.js';
import { Attribute, BATCH_HEADER_BYTES, BatchField, batchSizeAt, readInt64 } from '../../src/shared/record-batch.js';
import { RecordCursor } from '../../src/shared/record-reader.js';

const INITIAL_SCRATCH_BYTES = 64 * 1024;
const RETAINED_SCRATCH_BYTES_MAX = 4 * 1024 * 1024;

/** One stored batch's facts, read once per batch. */
interface BatchFacts {
  baseOffset: number;
  baseTimestamp: number;
  /** The LogAppendTime of a LogAppendTime batch, else -1. */
  logAppendTime: number;
  codec: number;
}

export class MessageSetDownConverter {
  /** After convert(): the message set is out[0, outBytes). */
  out: Buffer = Buffer.alloc(0);
  outBytes = 0;
  errorMessage = '';
  /** The inner message set of a compressed batch, before it is compressed. */
  private inner: Buffer = Buffer.alloc(0);
  private readonly cursor = new RecordCursor();
  private readonly facts: BatchFacts = { baseOffset: 0, baseTimestamp: 0, logAppendTime: -1, codec: 0 };

  /**
   * Converts the whole batches in stored[0, storedBytes) to messages of `toMagic` (0 or 1). Returns an error
   * code; out[0, outBytes) holds the messages (none when the first batch cannot be converted).
   */
  async convert(stored: Buffer, storedBytes: number, toMagic: number, fetchOffset: number, maxBytes: number): Promise<number> {
    this.outBytes = 0;
    this.errorMessage = '';
    // Scratch grown for one large batch is not kept for the next fetch (the last answer was copied out already).
    if (this.inner.length > RETAINED_SCRATCH_BYTES_MAX) this.inner = Buffer.alloc(0);
    if (this.out.length > RETAINED_SCRATCH_BYTES_MAX) this.out = Buffer.alloc(0);
    for (let at = 0; at + BATCH_HEADER_BYTES <= storedBytes; at += batchSizeAt(stored, at)) {
      const attributes = stored.readInt16BE(at + BatchField.ATTRIBUTES);
      if ((attributes & Attribute.CONTROL) !== 0) continue;
      const facts = this.readFacts(stored, at, attributes);
      if (facts.codec === Codec.ZSTD) {
        if (this.outBytes > 0) return ErrorCode.NONE;
        this.errorMessage = 'zstd-compressed batches cannot be converted to message format v0/v1';
        return ErrorCode.UNSUPPORTED_COMPRESSION_TYPE;
      }
      const batch = stored.subarray(at + BATCH_HEADER_BYTES, at + batchSizeAt(stored, at));
      let section: Buffer;
      try {
        section = facts.codec === Codec.NONE ? batch : await decompressRecords(facts.codec, batch);
      } catch (error) {
        if (this.outBytes > 0) return ErrorCode.NONE;
        this.errorMessage = `stored batch at offset ${facts.baseOffset} does not decompress: ${(error as Error).message}`;
        return ErrorCode.CORRUPT_MESSAGE;
      }
      const full = facts.codec === Codec.NONE ? this.addMessages(section, toMagic, fetchOffset, maxBytes) : await this.addWrapper(section, toMagic, maxBytes);
      if (full) break;
    }
    return ErrorCode.NONE;
  }

  private readFacts(stored: Buffer, at: number, attributes: number): BatchFacts {
    const facts = this.facts;
    facts.baseOffset = readInt64(stored, at + BatchField.BASE_OFFSET);
    facts.baseTimestamp = readInt64(stored, at + BatchField.BASE_TIMESTAMP);
    facts.logAppendTime = (attributes & Attribute.LOG_APPEND_TIME) !== 0 ? readInt64(stored, at + BatchField.MAX_TIMESTAMP) : -1;
    facts.codec = attributes & Attribute.COMPRESSION_MASK;
    return facts;
  }

  /** One message per record at or after the fetch offset. True when maxBytes is reached. */
  private addMessages(section: Buffer, toMagic: number, fetchOffset: number, maxBytes: number): boolean {
    const { facts, cursor } = this;
    const attributes = toMagic === 1 && facts.logAppendTime >= 0 ? LEGACY_TIMESTAMP_TYPE_BIT : 0;
    cursor.reset(section, 0, section.length);
    while (cursor.next()) {
      const offset = facts.baseOffset + cursor.offsetDelta;
      if (offset < fetchOffset) continue;
      const entryBytes = legacyEntryBytes(toMagic, cursor.keyLength, cursor.valueLength);
      if (this.outBytes > 0 && this.outBytes + entryBytes > maxBytes) return true;
      this.out = ensureRoom(this.out, this.outBytes, entryBytes);
      const timestamp = facts.logAppendTime >= 0 ? facts.logAppendTime : facts.baseTimestamp + cursor.timestampDelta;
      this.outBytes = writeLegacyMessage(
        this.out,
        this.outBytes,
        offset,
        toMagic,
        attributes,
        timestamp,
        recordKeyOf(section, cursor),
        recordValueOf(section, cursor),
      );
    }
    return false;
  }

  /** One wrapper message around all records of a compressed batch. True when it did not fit in maxBytes. */
  private async addWrapper(section: Buffer, toMagic: number, maxBytes: number): Promise<boolean> {
    const { facts, cursor } = this;
    const timestampBit = toMagic === 1 && facts.logAppendTime >= 0 ? LEGACY_TIMESTAMP_TYPE_BIT : 0;
    let innerBytes = 0;
    let firstOffset = -1;
    let lastOffset = -1;
    let maxTimestamp = -1;
    cursor.reset(section, 0, section.length);
    while (cursor.next()) {
      const offset = facts.baseOffset + cursor.offsetDelta;
      if (firstOffset < 0) firstOffset = offset;
      lastOffset = offset;
      const innerOffset = toMagic === 1 ? offset - firstOffset : offset;
      const timestamp = facts.logAppendTime >= 0 ? facts.logAppendTime : facts.baseTimestamp + cursor.timestampDelta;
      if (timestamp > maxTimestamp) maxTimestamp = timestamp;
      this.inner = ensureRoom(this.inner, innerBytes, legacyEntryBytes(toMagic, cursor.keyLength, cursor.valueLength));
      innerBytes = writeLegacyMessage(
        this.inner,
        innerBytes,
        innerOffset,
        toMagic,
        timestampBit,
        timestamp,
        recordKeyOf(section, cursor),
        recordValueOf(section, cursor),
      );
    }
    if (firstOffset < 0) return false;
    const value = await compressRecords(facts.codec, this.inner.subarray(0, innerBytes));
    if (facts.codec === Codec.LZ4 && toMagic === 0) breakHeaderChecksum(value);
    const entryBytes = legacyEntryBytes(toMagic, -1, value.length);
    if (this.outBytes > 0 && this.outBytes + entryBytes > maxBytes) return true;
    this.out = ensureRoom(this.out, this.outBytes, entryBytes);
    this.outBytes = writeLegacyMessage(this.out, this.outBytes, lastOffset, toMagic, facts.codec | timestampBit, maxTimestamp, null, value);
    return false;
  }
}

function recordKeyOf(section: Buffer, cursor: RecordCursor): Buffer | null {
  return cursor.keyLength < 0 ? null : section.subarray(cursor.keyAt, cursor.keyAt + cursor.keyLength);
}

function recordValueOf(section: Buffer, cursor: RecordCursor): Buffer | null {
  return cursor.valueLength < 0 ? null : section.subarray(cursor.valueAt, cursor.valueAt + cursor.valueLength);
}

/** `buf`, or a larger copy of its first `used` bytes, with room for `more` bytes after them. */
function ensureRoom(buf: Buffer, used: number, more: number): Buffer {
  if (used + more <= buf.length) return buf;
  const grown = Buffer.alloc(Math.max(INITIAL_SCRATCH_BYTES, buf.length * 2, used + more));
  buf.copy(grown, 0, 0, used);
  return grown;
}
