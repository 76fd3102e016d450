// zstd record compression (Kafka codec 4): standard zstd frames via @mongodb-js/zstd, at level 3 (Kafka's
// default). Runs on any thread (today: the log cleaner's piscina job).
import { loadedOnFirstUse } from './native-codec.js';

const zstd = loadedOnFirstUse<typeof import('@mongodb-js/zstd')>('@mongodb-js/zstd');

const ZSTD_LEVEL = 3;

export function compressZstd(data: Buffer): Promise<Buffer> {
  return zstd().compress(data, ZSTD_LEVEL);
}

export function decompressZstd(data: Buffer): Promise<Buffer> {
  return zstd().decompress(data);
}
