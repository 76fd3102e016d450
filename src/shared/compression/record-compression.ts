// Compresses and decompresses a record batch's records section by Kafka codec id (attributes bits 0-2):
// the one dispatch point over the per-codec files beside it. Runs on any thread (today: the log cleaner's
// piscina job; the broker's hot path never decompresses).
import { Attribute } from '../record-batch.js';
import { compressGzip, decompressGzip } from './gzip.js';
import { compressLz4, decompressLz4 } from './lz4.js';
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
