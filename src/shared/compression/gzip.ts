// gzip record compression (Kafka codec 1) with Node's zlib, on libuv's thread pool. Runs on any thread
// (today: the log cleaner's piscina job).
import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

export function compressGzip(data: Buffer): Promise<Buffer> {
  return gzipAsync(data);
}

export function decompressGzip(data: Buffer): Promise<Buffer> {
  return gunzipAsync(data);
}
