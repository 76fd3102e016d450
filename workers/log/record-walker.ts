// Walks the records section of one produced batch (as sent, or decompressed) and checks that a consumer can
// read every record: lengths and varints within bounds, offset deltas 0..n-1 in order, the record count the
// header claims, non-negative header key lengths, no bytes left over, (compacted topics) a key on every
// record, and each record's timestamp within the topic's window (message.timestamp.before/after.max.ms). Runs in a partition worker, on the append hot path: one pass, no allocation, results in `walked`.
//
// Record layout (varints are zigzag-encoded; varlong = up to 10 bytes), as in src/shared/record-reader.ts:
//   length varint              bytes of the record after this field (at least 6: see RECORD_BODY_BYTES_MIN)
//   attributes int8            unused
//   timestampDelta varlong     record timestamp minus the batch's baseTimestamp
//   offsetDelta varint         record index in the batch (0, 1, ...)
//   keyLength varint · key     -1 = null key
//   valueLength varint · value -1 = null value
//   headerCount varint · per header: keyLength varint (>= 0) · key · valueLength varint (-1 = null) · value
// One-byte varints (and two-byte record and value lengths) are decoded inline; the rest by src/shared/varint.ts,
// which leaves where they end in `varintEnd`.
import { fromZigzag, readVarint, readVarlong, varintEnd } from '../../src/shared/varint.js';

/** attributes + timestampDelta + offsetDelta + keyLength + valueLength + headerCount, one byte each at least. */
const RECORD_BODY_BYTES_MIN = 6;

/** What the last walkRecords() found. */
export const walked = {
  /** Index of the record at fault (its position in the batch), or -1 when the fault is not one record's. */
  failedIndex: -1,
  /** Why the walk failed; '' when it passed. */
  problem: '',
  /** The largest record timestampDelta seen. */
  maxTimestampDelta: 0,
  /** The failed record's timestamp when it failed for being outside the window (INVALID_TIMESTAMP), else -1. */
  outOfRangeTimestamp: -1,
};

function fail(index: number, problem: string): false {
  walked.failedIndex = index;
  walked.problem = problem;
  return false;
}

/**
 * Checks the `recordCount` records in bytes[from, end). True when every one is readable and they fill the
 * section exactly; otherwise false with `walked` saying which record and why. A record timestamp
 * (baseTimestamp + its delta) outside [lowestTimestamp, highestTimestamp] fails it too, unless it is -1
 * (no timestamp), as Kafka's LogValidator does; ±Infinity leave that side open.
 *
 * The hot loop of the produce path (every record of every batch): short varints, which most fields are, are
 * decoded inline and longer ones by the shared readVarint() / readVarlong(). An inline read may look past the
 * record's end; the record is then refused by the final position check, so bounds are checked once per record.
 */
export function walkRecords(
  bytes: Uint8Array,
  from: number,
  end: number,
  recordCount: number,
  requireKeys: boolean,
  baseTimestamp = 0,
  lowestTimestamp = Number.NEGATIVE_INFINITY,
  highestTimestamp = Number.POSITIVE_INFINITY,
): boolean {
  walked.failedIndex = -1;
  walked.problem = '';
  walked.maxTimestampDelta = 0;
  walked.outOfRangeTimestamp = -1;
  const lowestDelta = lowestTimestamp - baseTimestamp;
  const highestDelta = highestTimestamp - baseTimestamp;
  let maxTimestampDelta = Number.NEGATIVE_INFINITY;
  let index = 0;
  let p = from;
  for (; p < end; index++) {
    if (index >= recordCount) return fail(index, `more records than the ${recordCount} the batch header claims`);
    // Record lengths of records over 63 bytes take two bytes, so the two-byte case is inline too.
    let b = bytes[p]!;
    const c = bytes[p + 1]!;
    const bodyBytes = b < 0x80 ? fromZigzag(b) : c < 0x80 ? fromZigzag((b & 0x7f) | (c << 7)) : readVarint(bytes, p, end);
    p = b < 0x80 ? p + 1 : c < 0x80 ? p + 2 : varintEnd;
    const recordEnd = p + bodyBytes;
    if (p < 0 || bodyBytes < RECORD_BODY_BYTES_MIN || recordEnd > end) return fail(index, 'record length is malformed or overruns the batch');
    p++; // attributes
    b = bytes[p]!;
    const timestampDelta = b < 0x80 ? fromZigzag(b) : readVarlong(bytes, p, recordEnd);
    p = b < 0x80 ? p + 1 : varintEnd;
    if (timestampDelta > maxTimestampDelta) maxTimestampDelta = timestampDelta;
    if (p >= 0 && (timestampDelta < lowestDelta || timestampDelta > highestDelta) && baseTimestamp + timestampDelta !== -1) {
      return failTimestamp(index, baseTimestamp + timestampDelta, lowestTimestamp, highestTimestamp);
    }
    b = p < 0 ? 0x80 : bytes[p]!;
    const offsetDelta = b < 0x80 ? fromZigzag(b) : readVarint(bytes, p, recordEnd);
    p = b < 0x80 ? p + 1 : varintEnd;
    if (p >= 0 && offsetDelta !== index) return fail(index, `record offset delta ${offsetDelta} should be ${index}`);
    b = p < 0 ? 0x80 : bytes[p]!;
    const keyBytes = b < 0x80 ? fromZigzag(b) : readVarint(bytes, p, recordEnd);
    p = b < 0x80 ? p + 1 : varintEnd;
    if (keyBytes === -1 && requireKeys) {
      return fail(index, 'a compacted topic does not accept records without a key');
    }
    if (p < 0 || keyBytes < -1) return fail(index, 'record key is malformed');
    if (keyBytes > 0) p += keyBytes;
    b = p < recordEnd ? bytes[p]! : 0x80;
    const d = p + 1 < recordEnd ? bytes[p + 1]! : 0x80;
    const valueBytes = b < 0x80 ? fromZigzag(b) : d < 0x80 ? fromZigzag((b & 0x7f) | (d << 7)) : readVarint(bytes, p, recordEnd);
    p = b < 0x80 ? p + 1 : d < 0x80 ? p + 2 : varintEnd;
    if (p < 0 || valueBytes < -1) return fail(index, 'record value is malformed or overruns the record');
    if (valueBytes > 0) p += valueBytes;
    p = p < recordEnd && bytes[p] === 0 ? p + 1 : skipHeaders(bytes, p, recordEnd);
    if (p !== recordEnd)
      return fail(index, p < 0 ? 'record headers are malformed or overrun the record' : `record has ${recordEnd - p} bytes after its last header`);
  }
  if (index !== recordCount) return fail(-1, `batch header claims ${recordCount} records but holds ${index}`);
  walked.maxTimestampDelta = index === 0 ? 0 : maxTimestampDelta;
  return true;
}

function failTimestamp(index: number, timestamp: number, lowest: number, highest: number): false {
  walked.outOfRangeTimestamp = timestamp;
  const bound = (ms: number): string => (Number.isFinite(ms) ? String(ms) : ms < 0 ? '-inf' : 'inf');
  return fail(
    index,
    `Timestamp ${timestamp} of message with offset ${index} is out of range. The timestamp should be within [${bound(lowest)}, ${bound(highest)}]`,
  );
}

/** Moves past the headers at `at` (count, then key and value per header); returns where they end, or -1. */
function skipHeaders(bytes: Uint8Array, at: number, recordEnd: number): number {
  const headerCount = readVarint(bytes, at, recordEnd);
  let p = varintEnd;
  if (p < 0 || headerCount < 0) return -1;
  for (let h = 0; h < headerCount && p >= 0; h++) {
    const keyBytes = readVarint(bytes, p, recordEnd);
    if (varintEnd < 0 || keyBytes < 0) return -1;
    const valueBytes = readVarint(bytes, varintEnd + keyBytes, recordEnd);
    if (varintEnd < 0 || valueBytes < -1) return -1;
    p = varintEnd + Math.max(valueBytes, 0);
    if (p > recordEnd) return -1;
  }
  return p;
}
