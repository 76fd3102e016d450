// The old message format ("MessageSet", magic 0 and 1) that Produce v0-2 carry and Fetch v0-3 answer in:
// the layout of one message, reading one safely from hostile bytes, and writing one. Shared by the partition
// workers (converting up on append, down on fetch) and tests and benchmarks (building what an old client
// sends: buildMessageSet, wrapMessageSet). Runs on whatever thread calls it; reading allocates nothing.
//
// A message set is messages back to back. One message (big-endian):
//   0  int64  offset        producers send anything (the broker assigns offsets); in a magic-1 compressed
//                           wrapper's inner set, offsets are relative (0, 1, ...) and the wrapper carries the
//                           absolute offset of the last inner message
//   8  int32  messageSize   bytes after this field
//  12  uint32 crc           CRC-32 (IEEE, not C) of bytes 16 .. end of the message
//  16  int8   magic         0 or 1
//  17  int8   attributes    bits 0-2 compression (1 gzip, 2 snappy, 3 lz4); bit 3 timestamp type (magic 1:
//                           1 = LogAppendTime)
//  18  int64  timestamp     magic 1 only
//  ..  int32  keyLength · key       -1 = null
//  ..  int32  valueLength · value   -1 = null; a compressed message's value is the inner message set,
//                                   compressed (its inner messages are uncompressed, of the same magic)
import { crc32 } from '@node-rs/crc32';
import { breakHeaderChecksum } from './compression/lz4-legacy-checksum.js';
import { Codec, compressRecords } from './compression/record-compression.js';
import { readInt64, writeInt64 } from './record-batch.js';

export const LegacyField = {
  OFFSET: 0,
  MESSAGE_SIZE: 8,
  CRC: 12,
  MAGIC: 16,
  ATTRIBUTES: 17,
  TIMESTAMP: 18,
} as const;

/** offset + messageSize: the bytes before messageSize's count starts. */
export const LEGACY_LOG_OVERHEAD_BYTES = 12;
/** crc + magic + attributes + keyLength + valueLength (+ timestamp for magic 1): the smallest messageSize. */
export const LEGACY_RECORD_OVERHEAD_BYTES = [14, 22] as const;
export const LEGACY_TIMESTAMP_TYPE_BIT = 0x08;
export const LEGACY_CODEC_MASK = 0x07;

/** One message read by readLegacyMessage(): where its parts sit in the buffer. */
export interface LegacyMessage {
  offset: number;
  /** Whole bytes of the entry (offset and size fields included). */
  entryBytes: number;
  magic: number;
  attributes: number;
  /** -1 for magic 0 (no timestamp). */
  timestamp: number;
  keyAt: number;
  /** -1 = null. */
  keyLength: number;
  valueAt: number;
  /** -1 = null. */
  valueLength: number;
}

export function newLegacyMessage(): LegacyMessage {
  return { offset: 0, entryBytes: 0, magic: 0, attributes: 0, timestamp: -1, keyAt: 0, keyLength: -1, valueAt: 0, valueLength: -1 };
}

/** Why the last readLegacyMessage() refused a message ('' when it read one). */
export const legacyFault = { problem: '' };

function refuse(problem: string): false {
  legacyFault.problem = problem;
  return false;
}

/**
 * Reads the message at buf[at, end) into `into`, checking everything a consumer relies on: the entry fits,
 * magic 0 or 1, the CRC, key and value lengths that fill the message exactly. False (legacyFault.problem
 * says why) for bytes that are not a whole valid message: the caller answers CORRUPT_MESSAGE.
 */
export function readLegacyMessage(buf: Buffer, at: number, end: number, into: LegacyMessage): boolean {
  legacyFault.problem = '';
  if (at + LegacyField.ATTRIBUTES + 1 > end) return refuse(`a message is cut short (${end - at} bytes left)`);
  const messageSize = buf.readInt32BE(at + LegacyField.MESSAGE_SIZE);
  const magic = buf.readInt8(at + LegacyField.MAGIC);
  if (magic !== 0 && magic !== 1) return refuse(`message magic ${magic} is not 0 or 1`);
  if (messageSize < LEGACY_RECORD_OVERHEAD_BYTES[magic] || at + LEGACY_LOG_OVERHEAD_BYTES + messageSize > end) {
    return refuse(`message size ${messageSize} is below the minimum or overruns the message set`);
  }
  const messageEnd = at + LEGACY_LOG_OVERHEAD_BYTES + messageSize;
  const computed = crc32Of(buf, at + LegacyField.MAGIC, messageEnd);
  const stored = buf.readUInt32BE(at + LegacyField.CRC);
  if (computed !== stored) return refuse(`message is corrupt (stored crc ${stored}, computed crc ${computed})`);
  let p = at + LegacyField.TIMESTAMP;
  into.timestamp = magic === 1 ? readInt64(buf, p) : -1;
  if (magic === 1) p += 8;
  const keyLength = buf.readInt32BE(p);
  if (keyLength < -1 || p + 4 + Math.max(keyLength, 0) + 4 > messageEnd) return refuse(`message key length ${keyLength} is malformed`);
  into.keyAt = p + 4;
  p = into.keyAt + Math.max(keyLength, 0);
  const valueLength = buf.readInt32BE(p);
  if (valueLength < -1 || p + 4 + Math.max(valueLength, 0) !== messageEnd) return refuse(`message value length ${valueLength} does not fill the message`);
  into.valueAt = p + 4;
  into.offset = readInt64(buf, at + LegacyField.OFFSET);
  into.entryBytes = messageEnd - at;
  into.magic = magic;
  into.attributes = buf.readInt8(at + LegacyField.ATTRIBUTES) & 0xff;
  into.keyLength = keyLength;
  into.valueLength = valueLength;
  return true;
}

/**
 * Below this many bytes a message's CRC-32 is computed here in JS: a call into the native library costs about
 * 0.75 µs, more than the table loop over a small message (old producers send many messages of a few bytes).
 */
const NATIVE_CRC_FROM_BYTES = 128;
/** The CRC-32 (IEEE, reflected polynomial 0xEDB88320) of every byte value: the table of the small-message loop. */
const CRC32_TABLE = new Int32Array(256).map((_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c;
});

/** CRC-32 of buf[from, end), unsigned: the same value as @node-rs/crc32's crc32(), which large messages go to. */
export function crc32Of(buf: Buffer, from: number, end: number): number {
  if (end - from >= NATIVE_CRC_FROM_BYTES) return crc32(buf.subarray(from, end)) >>> 0;
  let c = -1;
  for (let i = from; i < end; i++) c = CRC32_TABLE[(c ^ buf[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}

/** Bytes of a whole entry (offset and size included) holding this key and value. */
export function legacyEntryBytes(magic: number, keyLength: number, valueLength: number): number {
  return LEGACY_LOG_OVERHEAD_BYTES + LEGACY_RECORD_OVERHEAD_BYTES[magic === 1 ? 1 : 0] + Math.max(keyLength, 0) + Math.max(valueLength, 0);
}

/**
 * Writes one message at buf[at] (room for legacyEntryBytes() checked by the caller) with key and value
 * copied from their sources (null = -1 length), and its CRC. Returns where it ends.
 */
export function writeLegacyMessage(
  buf: Buffer,
  at: number,
  offset: number,
  magic: number,
  attributes: number,
  timestamp: number,
  key: Uint8Array | null,
  value: Uint8Array | null,
): number {
  const end = at + legacyEntryBytes(magic, key?.length ?? -1, value?.length ?? -1);
  writeInt64(buf, at + LegacyField.OFFSET, offset);
  buf.writeInt32BE(end - at - LEGACY_LOG_OVERHEAD_BYTES, at + LegacyField.MESSAGE_SIZE);
  buf.writeInt8(magic, at + LegacyField.MAGIC);
  buf.writeUInt8(attributes & 0xff, at + LegacyField.ATTRIBUTES);
  let p = at + LegacyField.TIMESTAMP;
  if (magic === 1) {
    writeInt64(buf, p, timestamp);
    p += 8;
  }
  p = writeLegacyBytes(buf, p, key);
  writeLegacyBytes(buf, p, value);
  buf.writeUInt32BE(crc32Of(buf, at + LegacyField.MAGIC, end), at + LegacyField.CRC);
  return end;
}

function writeLegacyBytes(buf: Buffer, at: number, bytes: Uint8Array | null): number {
  if (bytes === null) {
    buf.writeInt32BE(-1, at);
    return at + 4;
  }
  buf.writeInt32BE(bytes.length, at);
  buf.set(bytes, at + 4);
  return at + 4 + bytes.length;
}

/** Messages at the top level of a message set (a compressed wrapper counts as one), for traffic counters. */
export function countLegacyMessages(messageSet: Buffer): number {
  let count = 0;
  for (let at = 0; at + LEGACY_LOG_OVERHEAD_BYTES <= messageSet.length; count++) {
    const messageSize = messageSet.readInt32BE(at + LegacyField.MESSAGE_SIZE);
    if (messageSize <= 0) break;
    at += LEGACY_LOG_OVERHEAD_BYTES + messageSize;
  }
  return count;
}

/** A message to build: key and value bytes (null = -1 length), timestamp (magic 1; -1 = none). */
export interface OldFormatMessage {
  key: Uint8Array | null;
  value: Uint8Array | null;
  timestamp?: number;
}

/** Uncompressed messages of `magic` with offsets 0, 1, ... (what an old producer sends; the broker assigns its own). */
export function buildMessageSet(magic: number, messages: readonly OldFormatMessage[]): Buffer {
  let bytes = 0;
  for (const m of messages) bytes += legacyEntryBytes(magic, m.key?.length ?? -1, m.value?.length ?? -1);
  const out = Buffer.alloc(bytes);
  let at = 0;
  messages.forEach((m, i) => {
    at = writeLegacyMessage(out, at, i, magic, 0, m.timestamp ?? -1, m.key, m.value);
  });
  return out;
}

/**
 * One wrapper message holding the message set `inner` (of `innerCount` messages) compressed with `codec`, as an
 * old producer writes it: magic 1 carries the last inner offset (inner offsets relative), magic-0 lz4 Kafka's
 * header checksum (lz4-legacy-checksum.ts).
 */
export async function wrapMessageSet(magic: number, codec: number, inner: Buffer, innerCount: number, timestamp = -1): Promise<Buffer> {
  const value = await compressRecords(codec, inner);
  if (codec === Codec.LZ4 && magic === 0) breakHeaderChecksum(value);
  const entry = Buffer.alloc(legacyEntryBytes(magic, -1, value.length));
  writeLegacyMessage(entry, 0, magic === 1 ? innerCount - 1 : 0, magic, codec, timestamp, null, value);
  return entry;
}
