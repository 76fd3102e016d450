// Test helper: uncompressed message sets of magic 0 and 1, the format Produce v0–2 carry and Fetch v0–3
// return, built and read here independently of the broker's converters. Runs in the test process.
//
// Message set = repeated entries:
//   offset int64 | message_size int32 | crc int32 (CRC-32 of everything after it) | magic int8 |
//   attributes int8 (low 3 bits: codec) | timestamp int64 (magic 1 only) | key bytes(int32 len) | value bytes(int32 len)
import { crc32 } from 'node:zlib';

export interface LegacyMessage {
  offset: bigint;
  magic: number;
  timestamp: bigint;
  key: Buffer | null;
  value: Buffer | null;
}

export function buildMessageSet(magic: 0 | 1, messages: Array<{ key: Buffer | null; value: Buffer | null; timestamp?: number }>): Buffer {
  const entries = messages.map((message, index) => {
    const keyBytes = message.key === null ? 0 : message.key.length;
    const valueBytes = message.value === null ? 0 : message.value.length;
    const bodyBytes = 1 + 1 + (magic === 1 ? 8 : 0) + 4 + keyBytes + 4 + valueBytes;
    const entry = Buffer.alloc(8 + 4 + 4 + bodyBytes);
    entry.writeBigInt64BE(BigInt(index), 0);
    entry.writeInt32BE(4 + bodyBytes, 8);
    let at = 16;
    at = entry.writeInt8(magic, at);
    at = entry.writeInt8(0, at);
    if (magic === 1) at = entry.writeBigInt64BE(BigInt(message.timestamp ?? Date.now()), at);
    at = writeLegacyBytes(entry, at, message.key);
    writeLegacyBytes(entry, at, message.value);
    entry.writeUInt32BE(crc32(entry.subarray(16)), 12);
    return entry;
  });
  return Buffer.concat(entries);
}

function writeLegacyBytes(buf: Buffer, at: number, bytes: Buffer | null): number {
  if (bytes === null) return buf.writeInt32BE(-1, at);
  at = buf.writeInt32BE(bytes.length, at);
  return at + bytes.copy(buf, at);
}

/** Reads the whole messages of an uncompressed message set; a partial message at the end is skipped, as clients do. */
export function readMessageSet(bytes: Buffer): LegacyMessage[] {
  const messages: LegacyMessage[] = [];
  for (let at = 0; at + 12 <= bytes.length; ) {
    const size = bytes.readInt32BE(at + 8);
    const end = at + 12 + size;
    if (end > bytes.length) break;
    const crc = bytes.readUInt32BE(at + 12);
    if (crc32(bytes.subarray(at + 16, end)) !== crc) throw new Error(`message at ${at}: CRC mismatch`);
    const magic = bytes.readInt8(at + 16);
    if ((bytes.readInt8(at + 17) & 0x07) !== 0) throw new Error(`message at ${at}: compressed (this reader takes uncompressed sets)`);
    let field = at + 18;
    let timestamp = -1n;
    if (magic === 1) {
      timestamp = bytes.readBigInt64BE(field);
      field += 8;
    }
    const key = readLegacyBytes(bytes, field);
    const value = readLegacyBytes(bytes, key.next);
    if (value.next !== end) throw new Error(`message at ${at}: size ${size} does not match its fields`);
    messages.push({ offset: bytes.readBigInt64BE(at), magic, timestamp, key: key.bytes, value: value.bytes });
    at = end;
  }
  return messages;
}

function readLegacyBytes(buf: Buffer, at: number): { bytes: Buffer | null; next: number } {
  const length = buf.readInt32BE(at);
  if (length < 0) return { bytes: null, next: at + 4 };
  return { bytes: buf.subarray(at + 4, at + 4 + length), next: at + 4 + length };
}
