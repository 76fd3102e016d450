// The LZ4 frame header checksum of magic-0 messages (KAFKA-3160): Kafka before 0.10 computed the header
// checksum byte over the frame's magic number too, and kept doing so for magic-0 messages so old clients
// still read them; librdkafka writes the same for magic 0. Here the byte is recomputed to the standard
// value before a magic-0 lz4 value is decompressed, and set back to the broken value when the broker
// writes one. Runs on any thread (today: a partition worker converting the old message format).
//
// LZ4 frame header (little-endian; see decompressed-bound.ts for the whole frame):
//   0  uint32 magic 0x184D2204
//   4  uint8  FLG (bit 3: an 8-byte content size follows BD; bit 0: a 4-byte dictionary id follows)
//   5  uint8  BD
//   6  [uint64 content size] [uint32 dictionary id]
//   .  uint8  HC = (xxh32(descriptor, seed 0) >> 8) & 0xff, descriptor = FLG .. the byte before HC
//      Kafka's broken form hashes from byte 0 (magic number included) instead of byte 4.

const FLG_AT = 4;
const PRIME1 = 0x9e3779b1;
const PRIME2 = 0x85ebca77;
const PRIME3 = 0xc2b2ae3d;
const PRIME4 = 0x27d4eb2f;
const PRIME5 = 0x165667b1;

/** Where the header checksum byte of the lz4 frame in `data` sits, or -1 when the header is cut short. */
function headerChecksumAt(data: Buffer): number {
  if (data.length < FLG_AT + 3) return -1;
  const flags = data[FLG_AT]!;
  const at = FLG_AT + 2 + (flags & 0x08 ? 8 : 0) + (flags & 0x01 ? 4 : 0);
  return at < data.length ? at : -1;
}

/** A copy of a magic-0 lz4 value with the standard header checksum (what lz4 libraries check). */
export function withStandardHeaderChecksum(data: Buffer): Buffer {
  const at = headerChecksumAt(data);
  if (at < 0) return data;
  const fixed = Buffer.from(data);
  fixed[at] = (xxh32(fixed, FLG_AT, at) >>> 8) & 0xff;
  return fixed;
}

/** Rewrites, in place, the header checksum of an lz4 frame to Kafka's magic-0 form. */
export function breakHeaderChecksum(data: Buffer): void {
  const at = headerChecksumAt(data);
  if (at >= 0) data[at] = (xxh32(data, 0, at) >>> 8) & 0xff;
}

/** xxHash32 with seed 0 of bytes[from, end): only for headers (at most 18 bytes), so the 16-byte stripes are never taken. */
function xxh32(bytes: Buffer, from: number, end: number): number {
  let hash = (PRIME5 + (end - from)) >>> 0;
  let p = from;
  for (; p + 4 <= end; p += 4) {
    hash = (hash + Math.imul(bytes.readUInt32LE(p), PRIME3)) >>> 0;
    hash = Math.imul(rotl(hash, 17), PRIME4) >>> 0;
  }
  for (; p < end; p++) {
    hash = (hash + Math.imul(bytes[p]!, PRIME5)) >>> 0;
    hash = Math.imul(rotl(hash, 11), PRIME1) >>> 0;
  }
  hash ^= hash >>> 15;
  hash = Math.imul(hash, PRIME2) >>> 0;
  hash ^= hash >>> 13;
  hash = Math.imul(hash, PRIME3) >>> 0;
  hash ^= hash >>> 16;
  return hash >>> 0;
}

function rotl(value: number, bits: number): number {
  return ((value << bits) | (value >>> (32 - bits))) >>> 0;
}
