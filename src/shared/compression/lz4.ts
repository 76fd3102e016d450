// lz4 record compression (Kafka codec 3): the standard LZ4 frame format (magic 04 22 4D 18), as Kafka's
// KafkaLZ4BlockOutputStream and librdkafka write it, via lz4-napi. Runs on any thread (today: the log
// cleaner's piscina job).
import { loadedOnFirstUse } from './native-codec.js';

const lz4 = loadedOnFirstUse<typeof import('lz4-napi')>('lz4-napi');

/** Independent 64 KiB blocks, no checksums: lz4-napi's defaults, which every Kafka client reads. */
export function compressLz4(data: Buffer): Promise<Buffer> {
  return lz4().compressFrame(data);
}

export function decompressLz4(data: Buffer): Promise<Buffer> {
  return lz4().decompressFrame(data);
}

/** On the calling thread: cheaper than a trip to the thread pool for the ~1 MiB a batch holds. */
export function decompressLz4Sync(data: Buffer): Buffer {
  return lz4().decompressFrameSync(data);
}
