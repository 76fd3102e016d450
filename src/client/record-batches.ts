// Record batches as a client sends and receives them: build one (compressed with any Kafka codec) from
// records, and turn the batches of a Fetch answer back into records (decompressing, skipping control
// batches and a cut-off last batch). Layout: src/shared/record-batch.ts. Runs on the caller's main thread.
import { Attribute, BATCH_HEADER_BYTES, BatchField, CURRENT_MAGIC, batchSizeAt, lastOffsetAt, rebuildBatch } from '../shared/record-batch.js';
import { buildRecordBatch, decodeRecordBatches, type ConsumedRecord, type ProducedRecord } from '../shared/record-batch-codec.js';

export type CompressionName = 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd';
/** Indexed by Kafka's codec id (attributes bits 0-2). */
export const COMPRESSION_NAMES: readonly CompressionName[] = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];
const NONE = 0;

/** The codecs' native modules take a while to load: only when a batch is compressed. */
const codecs = () => import('../shared/compression/record-compression.js');

export function codecName(codec: number): string {
  return COMPRESSION_NAMES[codec] ?? `codec-${codec}`;
}

/** One RecordBatch v2 holding `records`, its records section compressed with `compression`. */
export async function encodeBatch(records: readonly ProducedRecord[], compression: CompressionName): Promise<Buffer> {
  const plain = buildRecordBatch(records);
  const codec = COMPRESSION_NAMES.indexOf(compression);
  if (codec === NONE) return plain;
  return rebuildBatch(plain, await (await codecs()).compressRecords(codec, plain.subarray(BATCH_HEADER_BYTES)), codec);
}

/** The same batch with its records section decompressed (codec bits cleared), for the record decoder. */
export async function uncompressedBatch(batch: Buffer): Promise<Buffer> {
  const codec = batch.readInt16BE(BatchField.ATTRIBUTES) & Attribute.COMPRESSION_MASK;
  if (codec === NONE) return batch;
  return rebuildBatch(batch, await (await codecs()).decompressRecords(codec, batch.subarray(BATCH_HEADER_BYTES)), NONE);
}

export interface FetchedRecords {
  /** Records at or after the fetch offset, in offset order. */
  records: ConsumedRecord[];
  /** Where the next fetch starts: after the last whole batch (control batches and compacted gaps included). */
  nextOffset: number;
}

/** The records of every whole batch in a Fetch answer's records bytes. */
export async function decodeFetchedRecords(bytes: Buffer | null, fetchOffset: number): Promise<FetchedRecords> {
  const result: FetchedRecords = { records: [], nextOffset: fetchOffset };
  if (bytes === null) return result;
  for (let at = 0; at + BATCH_HEADER_BYTES <= bytes.length; ) {
    const size = batchSizeAt(bytes, at);
    if (size < BATCH_HEADER_BYTES || at + size > bytes.length) break;
    const batch = bytes.subarray(at, at + size);
    at += size;
    const magic = batch.readInt8(BatchField.MAGIC);
    if (magic !== CURRENT_MAGIC) throw new Error(`a batch at offset ${lastOffsetAt(batch, 0)} has message format v${magic}; fjord reads v2 (Kafka 0.11+) only`);
    result.nextOffset = Math.max(result.nextOffset, lastOffsetAt(batch, 0) + 1);
    if ((batch.readInt16BE(BatchField.ATTRIBUTES) & Attribute.CONTROL) !== 0) continue;
    for (const record of decodeRecordBatches(await uncompressedBatch(batch))) {
      if (record.offset >= fetchOffset) result.records.push(record);
    }
  }
  return result;
}
