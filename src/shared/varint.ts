// Kafka's variable-length integers, read and written in place without allocating: the unsigned varint of the
// protocol's compact types and tagged fields, and the zigzag varint (int32) and varlong (int64) of records.
// The one codec for them: the protocol reader and writer (main thread), the record reader, the produce-path
// record walker (partition workers) and the batch codec all call these. Runs on whatever thread calls it.
//
// Encoding: 7 bits a byte, least significant group first; the high bit (0x80) says another byte follows.
//   unsigned varint  1-5 bytes, 0 .. 2^32-1; the 5th byte holds bits 28-31 only     0 → 00, 300 → ac 02,
//                                                                                   2^32-1 → ff ff ff ff 0f
//   varint           zigzag int32, (n << 1) ^ (n >> 31), then as above            0 → 00, -1 → 01, 1 → 02,
//                                                                                   300 → d8 04
//   varlong          zigzag int64, 1-10 bytes; the 10th byte holds bit 63 only
// Varlongs are JS numbers, not BigInts: exact within ±(2^53 - 1). A varlong beyond that reads as some number
// outside it (never as a wrong safe integer), so a reader that needs exactness checks Number.isSafeInteger.
//
// Reads return the value and leave in `varintEnd` where the varint ended (one past its last byte), or a
// negative VarintFault when it is malformed (the value is then 0). A read at a negative position fails with
// that same fault, so a chain of reads can be checked once, at its end.

export const VarintFault = {
  /** The varint runs into the limit before its last byte. */
  TRUNCATED: -1,
  /** A 5th byte (unsigned varint, varint) or 10th byte (varlong) with bits beyond 32 / 64, or more bytes. */
  OVERFLOW: -2,
} as const;

export const UNSIGNED_VARINT_BYTES_MAX = 5;
export const VARINT_BYTES_MAX = 5;
export const VARLONG_BYTES_MAX = 10;

/** Where the last read ended (one past the varint), or a negative VarintFault. */
export let varintEnd = 0;

/** An unsigned varint (0 .. 2^32-1) at buf[at], reading no byte at or past `limit`. */
export function readUnsignedVarint(buf: Uint8Array, at: number, limit: number): number {
  if (at < 0) return fault(at);
  let value = 0;
  for (let i = 0, shift = 0; i < UNSIGNED_VARINT_BYTES_MAX; i++, shift += 7) {
    if (at + i >= limit) return fault(VarintFault.TRUNCATED);
    const b = buf[at + i]!;
    if (i === UNSIGNED_VARINT_BYTES_MAX - 1 && b > 0x0f) return fault(VarintFault.OVERFLOW);
    value |= (b & 0x7f) << shift;
    if (b < 0x80) {
      varintEnd = at + i + 1;
      return value >>> 0;
    }
  }
  return fault(VarintFault.OVERFLOW);
}

/**
 * A zigzag varint (int32) at buf[at]. One- and two-byte varints (most record lengths, offset deltas, key and
 * value lengths) take a short way written out here, not behind a call: the produce-path record walk calls this
 * for every record.
 */
export function readVarint(buf: Uint8Array, at: number, limit: number): number {
  if (at >= 0 && at + 1 < limit) {
    const b0 = buf[at]!;
    const b1 = buf[at + 1]!;
    if (b0 < 0x80 || b1 < 0x80) {
      varintEnd = b0 < 0x80 ? at + 1 : at + 2;
      return fromZigzag(b0 < 0x80 ? b0 : (b0 & 0x7f) | (b1 << 7));
    }
  }
  return fromZigzag(readUnsignedVarint(buf, at, limit));
}

/** The int32 a zigzag-encoded raw varint stands for: 0 → 0, 1 → -1, 2 → 1, 3 → -2, ... */
export function fromZigzag(raw: number): number {
  return (raw >>> 1) ^ -(raw & 1);
}

/** A zigzag varlong (int64) at buf[at]: exact within ±(2^53 - 1), outside that range beyond it. */
export function readVarlong(buf: Uint8Array, at: number, limit: number): number {
  if (at < 0) return fault(at);
  // Zigzag: raw even → raw / 2, odd → -(raw + 1) / 2. Bit 0 (the sign) comes first, so the magnitude `half`
  // is summed directly: 6 bits from the first byte, then 7 a byte. The sum is exact below 2^53, and rounding
  // never brings a larger sum back below it.
  let half = 0;
  let negative = false;
  for (let i = 0, weight = 0.5; i < VARLONG_BYTES_MAX; i++, weight *= 128) {
    if (at + i >= limit) return fault(VarintFault.TRUNCATED);
    const b = buf[at + i]!;
    if (i === 0) {
      negative = (b & 1) === 1;
      half = (b & 0x7f) >>> 1;
    } else {
      if (i === VARLONG_BYTES_MAX - 1 && b > 0x01) return fault(VarintFault.OVERFLOW);
      half += (b & 0x7f) * weight;
    }
    if (b < 0x80) {
      varintEnd = at + i + 1;
      return negative ? -half - 1 : half;
    }
  }
  return fault(VarintFault.OVERFLOW);
}

function fault(code: number): number {
  varintEnd = code;
  return 0;
}

export function sizeOfUnsignedVarint(value: number): number {
  if (value < 0x80) return 1;
  if (value < 0x4000) return 2;
  if (value < 0x20_0000) return 3;
  if (value < 0x1000_0000) return 4;
  return 5;
}

export function sizeOfVarint(value: number): number {
  return sizeOfUnsignedVarint(((value << 1) ^ (value >> 31)) >>> 0);
}

export function sizeOfVarlong(value: number): number {
  let rest = Math.floor((value >= 0 ? value : -value - 1) / 64);
  let size = 1;
  for (; rest > 0; size++) rest = Math.floor(rest / 128);
  return size;
}

/** Writes `value` (an integer 0 .. 2^32-1, not checked) at buf[at]; returns the position after it. */
export function writeUnsignedVarint(buf: Uint8Array, at: number, value: number): number {
  let rest = value;
  while (rest >= 0x80) {
    buf[at++] = (rest & 0x7f) | 0x80;
    rest >>>= 7;
  }
  buf[at++] = rest;
  return at;
}

/** Writes `value` (an int32, not checked) zigzag-encoded; returns the position after it. */
export function writeVarint(buf: Uint8Array, at: number, value: number): number {
  return writeUnsignedVarint(buf, at, ((value << 1) ^ (value >> 31)) >>> 0);
}

/** Writes `value` (a safe integer, not checked) as a zigzag varlong; returns the position after it. */
export function writeVarlong(buf: Uint8Array, at: number, value: number): number {
  // Without BigInt: bit 0 is the sign, the magnitude follows in 6 then 7-bit groups.
  const half = value >= 0 ? value : -value - 1;
  let rest = Math.floor(half / 64);
  let byte = ((half % 64) << 1) | (value < 0 ? 1 : 0);
  while (rest > 0) {
    buf[at++] = byte | 0x80;
    byte = rest % 128;
    rest = Math.floor(rest / 128);
  }
  buf[at++] = byte;
  return at;
}
