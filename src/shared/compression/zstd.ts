// zstd record compression (Kafka codec 4): standard zstd frames via @mongodb-js/zstd, at level 3 (Kafka's
// default). Runs on any thread (today: the log cleaner's piscina job).
import { compress, decompress } from '@mongodb-js/zstd';

const ZSTD_LEVEL = 3;

export function compressZstd(data: Buffer): Promise<Buffer> {
  return compress(data, ZSTD_LEVEL);
}

export function decompressZstd(data: Buffer): Promise<Buffer> {
  return decompress(data);
}
