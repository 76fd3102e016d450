// Walks the records section of one produced batch (as sent, or decompressed) and checks that a consumer can
// read every record: lengths and varints within bounds, offset deltas 0..n-1 in order, the record count the
// header claims, non-negative header key lengths, no bytes left over, and (compacted topics) a key on every
// record. Runs in a partition worker, on the append hot path: one pass, no allocation, results in `walked`.
//
// Record layout (varints are zigzag-encoded; varlong = up to 10 bytes), as in src/shared/record-reader.ts:
//   length varint              bytes of the record after this field (at least 6: see RECORD_BODY_BYTES_MIN)
//   attributes int8            unused
//   timestampDelta varlong     record timestamp minus the batch's baseTimestamp
//   offsetDelta varint         record index in the batch (0, 1, ...)
//   keyLength varint · key     -1 = null key
//   valueLength varint · value -1 = null value
//   headerCount varint · per header: keyLength varint (>= 0) · key · valueLength varint (-1 = null) · value

/** attributes + timestampDelta + offsetDelta + keyLength + valueLength + headerCount, one byte each at least. */
const RECORD_BODY_BYTES_MIN = 6;
const VARINT32_BYTES_MAX = 5;
const VARLONG_BYTES_MAX = 10;

/** What the last walkRecords() found. */
export const walked = {
  /** Index of the record at fault (its position in the batch), or -1 when the fault is not one record's. */
  failedIndex: -1,
  /** Why the walk failed; '' when it passed. */
  problem: '',
  /** The key check failed (as opposed to a malformed record): Kafka answers this one INVALID_RECORD too, with its own text. */
  missingKey: false,
  /** The largest record timestampDelta seen. */
  maxTimestampDelta: 0,
};

// Read position and fault flag of the varint readers below, kept in module state so the hot loop passes
// primitives only.
let cursor = 0;
let malformed = false;

/** A zigzag int32 varint at `cursor`, not reading at or past `limit`. Sets `malformed` on a bad one. */
function varint(bytes: Uint8Array, limit: number): number {
  let raw = 0;
  for (let shift = 0; shift < 7 * VARINT32_BYTES_MAX; shift += 7) {
    if (cursor >= limit) break;
    const b = bytes[cursor++]!;
    raw |= (b & 0x7f) << shift;
    if (b < 0x80) return (raw >>> 1) ^ -(raw & 1);
  }
  malformed = true;
  return 0;
}

/** A zigzag varlong at `cursor` as a number (exact below 2^53). Sets `malformed` on a bad one. */
function varlong(bytes: Uint8Array, limit: number): number {
  if (cursor < limit && bytes[cursor]! < 0x80) {
    const b = bytes[cursor++]!;
    return (b >>> 1) ^ -(b & 1);
  }
  // Zigzag: raw even -> raw / 2, odd -> -(raw + 1) / 2; halving as we go keeps every step below 2^53.
  let half = 0;
  let negative = false;
  let scale = 0.5;
  for (let i = 0; i < VARLONG_BYTES_MAX && cursor < limit; i++) {
    const b = bytes[cursor++]!;
    if (i === 0) {
      negative = (b & 1) === 1;
      half = (b & 0x7f) >> 1;
    } else {
      half += (b & 0x7f) * scale;
    }
    if (b < 0x80) return negative ? -half - 1 : half;
    scale *= 128;
  }
  malformed = true;
  return 0;
}

function fail(index: number, problem: string): false {
  walked.failedIndex = index;
  walked.problem = problem;
  return false;
}

/**
 * Checks the `recordCount` records in bytes[from, end). True when every one is readable and they fill the
 * section exactly; otherwise false with `walked` saying which record and why.
 */
export function walkRecords(bytes: Uint8Array, from: number, end: number, recordCount: number, requireKeys: boolean): boolean {
  walked.failedIndex = -1;
  walked.problem = '';
  walked.missingKey = false;
  walked.maxTimestampDelta = 0;
  malformed = false;
  cursor = from;
  let maxTimestampDelta = Number.NEGATIVE_INFINITY;
  let index = 0;
  for (; cursor < end; index++) {
    if (index >= recordCount) return fail(index, `more records than the ${recordCount} the batch header claims`);
    const bodyBytes = varint(bytes, end);
    const recordEnd = cursor + bodyBytes;
    if (malformed || bodyBytes < RECORD_BODY_BYTES_MIN || recordEnd > end) return fail(index, 'record length is malformed or overruns the batch');
    cursor++; // attributes
    const timestampDelta = varlong(bytes, recordEnd);
    if (timestampDelta > maxTimestampDelta) maxTimestampDelta = timestampDelta;
    const offsetDelta = varint(bytes, recordEnd);
    if (!malformed && offsetDelta !== index) return fail(index, `record offset delta ${offsetDelta} should be ${index}`);
    const keyBytes = varint(bytes, recordEnd);
    if (keyBytes === -1 && requireKeys) {
      walked.missingKey = true;
      return fail(index, 'a compacted topic does not accept records without a key');
    }
    if (!skipBytes(keyBytes, recordEnd) || !skipBytes(varint(bytes, recordEnd), recordEnd) || !skipHeaders(bytes, recordEnd)) {
      return fail(index, 'record key, value or headers are malformed or overrun the record');
    }
    if (cursor !== recordEnd) return fail(index, `record has ${recordEnd - cursor} bytes after its last header`);
  }
  if (index !== recordCount) return fail(-1, `batch header claims ${recordCount} records but holds ${index}`);
  walked.maxTimestampDelta = index === 0 ? 0 : maxTimestampDelta;
  return true;
}

/** Moves past a length-prefixed field of `length` bytes (-1 = null). False when malformed or past `limit`. */
function skipBytes(length: number, limit: number): boolean {
  if (malformed || length < -1) return false;
  if (length > 0) cursor += length;
  return cursor <= limit;
}

function skipHeaders(bytes: Uint8Array, recordEnd: number): boolean {
  const headerCount = varint(bytes, recordEnd);
  if (malformed || headerCount < 0) return false;
  for (let h = 0; h < headerCount; h++) {
    const keyBytes = varint(bytes, recordEnd);
    if (keyBytes < 0 || !skipBytes(keyBytes, recordEnd) || !skipBytes(varint(bytes, recordEnd), recordEnd)) return false;
  }
  return true;
}
