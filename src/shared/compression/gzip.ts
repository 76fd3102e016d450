// gzip record compression (Kafka codec 1) with Node's zlib, on libuv's thread pool. Runs on any thread
// (today: the log cleaner's piscina job).
import { promisify } from 'node:util';
import { gunzip, gunzipSync, gzip } from 'node:zlib';

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

export function compressGzip(data: Buffer): Promise<Buffer> {
  return gzipAsync(data);
}

export function decompressGzip(data: Buffer): Promise<Buffer> {
  return gunzipAsync(data);
}

/** On the calling thread; `maxBytes` bounds the output: zlib stops with a RangeError past it instead of allocating more. */
export function decompressGzipSync(data: Buffer, maxBytes: number): Buffer {
  return gunzipSync(data, { maxOutputLength: Math.max(1, maxBytes) });
}
