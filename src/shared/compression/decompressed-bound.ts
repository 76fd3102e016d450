// The most bytes a compressed records section can decompress to, read from the framing of its codec without
// decompressing: a client's 1 MiB batch must not make the broker allocate gigabytes before it can refuse
// it. Runs on any thread (today: a partition worker, before it decompresses a produced batch to check it).
// gzip has no such framing; its decompression takes the limit itself (zlib's maxOutputLength).
import { readUnsignedVarint, varintEnd } from '../varint.js';
import { Codec } from './record-compression.js';
import { isXerialFramed, XERIAL_HEADER_BYTES } from './snappy.js';

/** The result when the framing itself is broken: the section cannot be decompressed at all. */
export const MALFORMED_FRAMING = -1;

/**
 * An upper bound on the decompressed size of `data` compressed with `codec`, MALFORMED_FRAMING when the
 * framing is broken, or Infinity when the codec's framing gives no bound (gzip).
 */
export function decompressedBytesBound(codec: number, data: Buffer): number {
  switch (codec) {
    case Codec.SNAPPY:
      return snappyBound(data);
    case Codec.LZ4:
      return lz4FramesBound(data);
    case Codec.ZSTD:
      return zstdFramesBound(data);
    case Codec.NONE:
      return data.length;
    default:
      return Number.POSITIVE_INFINITY;
  }
}

// snappy, raw: the section starts with the uncompressed length as an unsigned varint (at most 5 bytes).
// snappy, xerial-framed (see snappy.ts): a 16-byte header, then blocks of int32 length · one raw snappy block.
function snappyBound(data: Buffer): number {
  if (!isXerialFramed(data)) return rawSnappyLength(data, 0, data.length);
  let bound = 0;
  for (let at = XERIAL_HEADER_BYTES; at < data.length; ) {
    if (at + 4 > data.length) return MALFORMED_FRAMING;
    const blockBytes = data.readInt32BE(at);
    if (blockBytes < 0 || at + 4 + blockBytes > data.length) return MALFORMED_FRAMING;
    const length = rawSnappyLength(data, at + 4, at + 4 + blockBytes);
    if (length < 0) return MALFORMED_FRAMING;
    bound += length;
    at += 4 + blockBytes;
  }
  return bound;
}

/** The unsigned varint length preamble of a raw snappy block in data[from, end), or MALFORMED_FRAMING. */
function rawSnappyLength(data: Buffer, from: number, end: number): number {
  const length = readUnsignedVarint(data, from, end);
  return varintEnd < 0 ? MALFORMED_FRAMING : length;
}

// LZ4 frame format (little-endian):
//   0  uint32 magic 0x184D2204        (skippable frames: 0x184D2A50..5F · uint32 size · that many bytes)
//   4  uint8  FLG   bits 7-6 version (01) · 5 block independence · 4 block checksum · 3 content size ·
//                   2 content checksum · 0 dictionary id
//   5  uint8  BD    bits 6-4 block maximum size: 4 = 64 KiB, 5 = 256 KiB, 6 = 1 MiB, 7 = 4 MiB
//   6  [uint64 content size] [uint32 dictionary id] · uint8 header checksum
//      blocks: uint32 size (bit 31 set = stored uncompressed; 0 = end mark) · data · [uint32 block checksum]
//      [uint32 content checksum]
const LZ4_MAGIC = 0x184d2204;
const SKIPPABLE_MAGIC_MASK = 0xfffffff0;
/** Skippable frames, the same in the lz4 and zstd frame formats. */
const SKIPPABLE_MAGIC = 0x184d2a50;

/** What one frame reader found: where the frame ends and the most bytes it decompresses to. */
const frame = { end: 0, bound: 0 };

/**
 * Adds up the bounds of consecutive frames of `magic` (skippable frames passed over); `readFrame` reads the
 * frame whose header starts at `at` into `frame`, or returns false when its framing is broken.
 */
function framesBound(data: Buffer, magic: number, readFrame: (data: Buffer, at: number) => boolean): number {
  let bound = 0;
  let at = 0;
  do {
    if (at + 8 > data.length) return MALFORMED_FRAMING;
    const found = data.readUInt32LE(at);
    if ((found & SKIPPABLE_MAGIC_MASK) >>> 0 === SKIPPABLE_MAGIC) {
      at += 8 + data.readUInt32LE(at + 4);
      continue;
    }
    if (found !== magic || !readFrame(data, at)) return MALFORMED_FRAMING;
    bound += frame.bound;
    at = frame.end;
  } while (at < data.length);
  return at === data.length ? bound : MALFORMED_FRAMING;
}

function lz4FramesBound(data: Buffer): number {
  return framesBound(data, LZ4_MAGIC, readLz4Frame);
}

function readLz4Frame(data: Buffer, at: number): boolean {
  const flags = data[at + 4]!;
  const blockMaxCode = (data[at + 5]! >> 4) & 0x7;
  if (flags >> 6 !== 1 || blockMaxCode < 4) return false;
  const blockMaxBytes = 1 << (8 + 2 * blockMaxCode);
  const blockChecksumBytes = flags & 0x10 ? 4 : 0;
  frame.bound = 0;
  at += 6 + (flags & 0x08 ? 8 : 0) + (flags & 0x01 ? 4 : 0) + 1;
  for (;;) {
    if (at + 4 > data.length) return false;
    const word = data.readUInt32LE(at);
    at += 4;
    if (word === 0) break;
    const stored = word >= 0x8000_0000;
    const blockBytes = stored ? word - 0x8000_0000 : word;
    if (blockBytes > blockMaxBytes) return false;
    frame.bound += stored ? blockBytes : blockMaxBytes;
    at += blockBytes + blockChecksumBytes;
  }
  frame.end = at + (flags & 0x04 ? 4 : 0);
  return true;
}

// zstd frame format (little-endian):
//   0  uint32 magic 0xFD2FB528          (skippable frames: 0x184D2A50..5F · uint32 size · that many bytes)
//   4  uint8  descriptor  bits 7-6 content-size field size · 5 single segment · 2 content checksum ·
//                         1-0 dictionary id size (0, 1, 2 or 4 bytes)
//      [uint8 window descriptor, unless single segment] [dictionary id] [content size: 0/1, 2, 4 or 8 bytes]
//      blocks: 3-byte header (bit 0 last block · bits 2-1 type: 0 raw, 1 RLE, 2 compressed · bits 23-3 size)
//              raw: size bytes · RLE: 1 byte repeated size times · compressed: size bytes, at most 128 KiB out
//      [uint32 content checksum]
const ZSTD_MAGIC = 0xfd2fb528;
const ZSTD_BLOCK_MAX_BYTES = 128 * 1024;
const ZSTD_DICTIONARY_ID_BYTES = [0, 1, 2, 4];
const ZSTD_CONTENT_SIZE_BYTES = [0, 2, 4, 8];

function zstdFramesBound(data: Buffer): number {
  return framesBound(data, ZSTD_MAGIC, readZstdFrame);
}

function readZstdFrame(data: Buffer, at: number): boolean {
  const descriptor = data[at + 4]!;
  const singleSegment = (descriptor & 0x20) !== 0;
  const contentSizeCode = descriptor >> 6;
  const contentSizeBytes = contentSizeCode === 0 && singleSegment ? 1 : ZSTD_CONTENT_SIZE_BYTES[contentSizeCode]!;
  frame.bound = 0;
  at += 5 + (singleSegment ? 0 : 1) + ZSTD_DICTIONARY_ID_BYTES[descriptor & 0x3]! + contentSizeBytes;
  for (let last = false; !last; ) {
    if (at + 3 > data.length) return false;
    const header = data.readUIntLE(at, 3);
    at += 3;
    last = (header & 1) === 1;
    const type = (header >> 1) & 0x3;
    const size = header >>> 3;
    if (type === 3 || (type === 2 && size > ZSTD_BLOCK_MAX_BYTES)) return false;
    frame.bound += type === 2 ? ZSTD_BLOCK_MAX_BYTES : size;
    at += type === 1 ? 1 : size;
  }
  frame.end = at + (descriptor & 0x04 ? 4 : 0);
  return true;
}
