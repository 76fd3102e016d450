// Reads the records inside an uncompressed RecordBatch v2 records section (or a decompressed one) without
// allocating: a cursor steps from record to record and exposes where each field sits. Shared by the codec
// (tests, tools), the produce validator (null keys on compacted topics) and the log cleaner (keys).
// Runs on whatever thread calls it.
//
// Record layout (varints are zigzag-encoded; varlong = up to 10 bytes):
//   length varint              bytes of the record after this field
//   attributes int8            unused (0)
//   timestampDelta varlong     record timestamp minus the batch's baseTimestamp
//   offsetDelta varint         record offset minus the batch's baseOffset
//   keyLength varint · key     -1 = null key
//   valueLength varint · value -1 = null value (a tombstone)
//   headerCount varint · per header: keyLength varint · key · valueLength varint (-1 = null) · value

/** A varint longer than this many bytes is malformed (10 for a 64-bit varlong). */
const VARINT_BYTES_MAX = 10;

/** Position holder for the varint readers: `at` moves past what was read; -1 after a malformed read. */
export interface ReadPosition {
  at: number;
}

/**
 * Reads a zigzag varint or varlong at `position.at` (bounded by `end`) as a JS number (exact for |value| < 2^53).
 * On a truncated or over-long varint sets position.at to -1 and returns 0.
 */
export function readVarint(buf: Buffer, position: ReadPosition, end: number): number {
  // Zigzag: raw even → raw / 2, odd → -(raw + 1) / 2. Halving as we go (the first byte gives the parity)
  // keeps every intermediate value below 2^53.
  let half = 0;
  let negative = false;
  let scale = 0.5;
  for (let i = 0; i < VARINT_BYTES_MAX; i++) {
    const at = position.at + i;
    if (at >= end) break;
    const byte = buf[at]!;
    if (i === 0) {
      negative = (byte & 1) === 1;
      half = (byte & 0x7f) >> 1;
    } else {
      half += (byte & 0x7f) * scale;
    }
    if ((byte & 0x80) === 0) {
      position.at = at + 1;
      return negative ? -half - 1 : half;
    }
    scale *= 128;
  }
  position.at = -1;
  return 0;
}

/** Steps through the records of buf[from, end). One instance can be reused for any number of sections. */
export class RecordCursor implements ReadPosition {
  /** Read position (the varint readers move it). */
  at = 0;
  /** Where the current record starts (its length field) and ends. */
  recordStart = 0;
  recordEnd = 0;
  timestampDelta = 0;
  offsetDelta = 0;
  keyAt = 0;
  /** -1 = null key. */
  keyLength = -1;
  valueAt = 0;
  /** -1 = null value (a tombstone). */
  valueLength = -1;
  /** Where the header count varint starts; headers run to recordEnd. */
  headersAt = 0;
  /** The last next() stopped at bytes that are not a record. */
  malformed = false;
  private buf: Buffer = Buffer.alloc(0);
  private end = 0;

  reset(buf: Buffer, from: number, end: number): this {
    this.buf = buf;
    this.at = from;
    this.end = end;
    this.malformed = false;
    return this;
  }

  /** Moves to the next record. False at the end of the section, or (with `malformed` set) at bad bytes. */
  next(): boolean {
    if (this.at >= this.end) return false;
    const { buf } = this;
    this.recordStart = this.at;
    const length = readVarint(buf, this, this.end);
    if (this.at < 0 || length < 0 || this.at + length > this.end) return this.fail();
    this.recordEnd = this.at + length;
    this.at += 1; // attributes
    this.timestampDelta = readVarint(buf, this, this.recordEnd);
    if (this.at >= 0) this.offsetDelta = readVarint(buf, this, this.recordEnd);
    if (this.at >= 0) this.keyLength = readVarint(buf, this, this.recordEnd);
    if (this.at < 0 || this.at + Math.max(this.keyLength, 0) > this.recordEnd) return this.fail();
    this.keyAt = this.at;
    this.at += Math.max(this.keyLength, 0);
    this.valueLength = readVarint(buf, this, this.recordEnd);
    if (this.at < 0 || this.at + Math.max(this.valueLength, 0) > this.recordEnd) return this.fail();
    this.valueAt = this.at;
    this.headersAt = this.at + Math.max(this.valueLength, 0);
    this.at = this.recordEnd;
    return true;
  }

  private fail(): false {
    this.malformed = true;
    this.at = this.end;
    return false;
  }
}

