// Compresses and decompresses a record batch's records section by Kafka codec id (attributes bits 0-2):
// the one dispatch point over the per-codec files beside it. Runs on any thread (today: the log cleaner's
// piscina job, and a partition worker checking the records of a produced compressed batch).
import { Attribute } from '../record-batch.js';
import { decompressedBytesBound, MALFORMED_FRAMING } from './decompressed-bound.js';
import { compressGzip, decompressGzip, decompressGzipSync } from './gzip.js';
import { compressLz4, decompressLz4, decompressLz4Sync } from './lz4.js';
import { compressSnappy, decompressSnappy, isXerialFramed } from './snappy.js';
import { compressZstd, decompressZstd } from './zstd.js';

/** Kafka's compression codec ids, as stored in a batch's attributes. */
export const Codec = { NONE: 0, GZIP: 1, SNAPPY: 2, LZ4: 3, ZSTD: 4 } as const;
export type CodecId = (typeof Codec)[keyof typeof Codec];

export function codecOfAttributes(attributes: number): number {
  return attributes & Attribute.COMPRESSION_MASK;
}

/** The uncompressed records section of a batch compressed with `codec`. */
export function decompressRecords(codec: number, data: Buffer): Promise<Buffer> {
  switch (codec) {
    case Codec.NONE:
      return Promise.resolve(data);
    case Codec.GZIP:
      return decompressGzip(data);
    case Codec.SNAPPY:
      return decompressSnappy(data);
    case Codec.LZ4:
      return decompressLz4(data);
    case Codec.ZSTD:
      return decompressZstd(data);
    default:
      return Promise.reject(new Error(`unknown compression codec ${codec}`));
  }
}

/** A records section that may decompress to more than the caller allows; nothing beyond the bound was allocated. */
export class DecompressedSizeError extends Error {
  override name = 'DecompressedSizeError';
}

/**
 * decompressRecords() for untrusted input: refuses (DecompressedSizeError) a section whose codec framing
 * allows more than `maxBytes` of output before decompressing it, and a section whose framing is broken.
 * gzip, snappy and lz4 run on the calling thread (a partition worker, which waits for the result anyway);
 * zstd's library has only an asynchronous call.
 */
export async function decompressRecordsWithin(codec: number, data: Buffer, maxBytes: number): Promise<Buffer> {
  const bound = decompressedBytesBound(codec, data);
  if (bound === MALFORMED_FRAMING) throw new Error(`the compressed records' framing (codec ${codec}) is malformed`);
  if (bound > maxBytes && codec !== Codec.GZIP)
    throw new DecompressedSizeError(`compressed records may decompress to ${bound} bytes, over the limit of ${maxBytes}`);
  let records: Buffer;
  try {
    records = codec === Codec.GZIP ? decompressGzipSync(data, maxBytes) : codec === Codec.LZ4 ? decompressLz4Sync(data) : await decompressRecords(codec, data);
  } catch (error) {
    if (error instanceof RangeError) throw new DecompressedSizeError(`compressed records decompress to more than the limit of ${maxBytes} bytes`);
    throw error;
  }
  if (records.length > maxBytes) throw new DecompressedSizeError(`compressed records decompress to ${records.length} bytes, over the limit of ${maxBytes}`);
  return records;
}

/**
 * Compresses a records section with `codec`. `like` is the section as the producer compressed it, when there
 * is one: snappy then keeps the producer's form (xerial-framed or raw).
 */
export function compressRecords(codec: number, data: Buffer, like?: Buffer): Promise<Buffer> {
  switch (codec) {
    case Codec.NONE:
      return Promise.resolve(data);
    case Codec.GZIP:
      return compressGzip(data);
    case Codec.SNAPPY:
      return compressSnappy(data, like === undefined || isXerialFramed(like));
    case Codec.LZ4:
      return compressLz4(data);
    case Codec.ZSTD:
      return compressZstd(data);
    default:
      return Promise.reject(new Error(`unknown compression codec ${codec}`));
  }
}
