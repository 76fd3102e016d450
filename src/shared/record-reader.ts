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
// Varint layouts: src/shared/varint.ts.
import { readVarint as readVarint32, readVarlong, varintEnd } from './varint.js';

/** Position holder for readVarint(): `at` moves past what was read; -1 after a malformed read. */
export interface ReadPosition {
  at: number;
}

/**
 * Reads a zigzag varint or varlong at `position.at` (bounded by `end`) as a JS number (exact for |value| < 2^53)
 * and moves past it. On a truncated or over-long varint sets position.at to -1 and returns 0.
 */
export function readVarint(buf: Buffer, position: ReadPosition, end: number): number {
  const value = readVarlong(buf, position.at, end);
  position.at = varintEnd < 0 ? -1 : varintEnd;
  return value;
}

/** Steps through the records of buf[from, end). One instance can be reused for any number of sections. */
export class RecordCursor {
  /** Read position: where the next record starts. */
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
    const length = readVarint32(buf, this.at, this.end);
    let at = varintEnd;
    if (at < 0 || length < 0 || at + length > this.end) return this.fail();
    const recordEnd = at + length;
    this.recordEnd = recordEnd;
    this.timestampDelta = readVarlong(buf, at + 1, recordEnd); // after the attributes byte
    this.offsetDelta = readVarint32(buf, varintEnd, recordEnd);
    this.keyLength = readVarint32(buf, varintEnd, recordEnd);
    at = varintEnd;
    if (at < 0 || at + Math.max(this.keyLength, 0) > recordEnd) return this.fail();
    this.keyAt = at;
    this.valueLength = readVarint32(buf, at + Math.max(this.keyLength, 0), recordEnd);
    at = varintEnd;
    if (at < 0 || at + Math.max(this.valueLength, 0) > recordEnd) return this.fail();
    this.valueAt = at;
    this.headersAt = at + Math.max(this.valueLength, 0);
    this.at = recordEnd;
    return true;
  }

  private fail(): false {
    this.malformed = true;
    this.at = this.end;
    return false;
  }
}
