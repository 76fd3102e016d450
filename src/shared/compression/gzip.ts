// gzip record compression (Kafka codec 1) with Node's zlib, on libuv's thread pool. Runs on any thread
// (today: the log cleaner's piscina job).
import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

export function compressGzip(data: Buffer): Promise<Buffer> {
  return gzipAsync(data);
}

/** `maxBytes` bounds the output: zlib stops with a RangeError past it instead of allocating more. */
export function decompressGzip(data: Buffer, maxBytes?: number): Promise<Buffer> {
  return maxBytes === undefined ? gunzipAsync(data) : gunzipAsync(data, { maxOutputLength: Math.max(1, maxBytes) });
}
