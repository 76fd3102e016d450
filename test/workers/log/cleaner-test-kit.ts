// Helpers for the log cleaner tests: keyed batches (tombstones, null keys, any codec), running a cleaning
// directly (no piscina) and reading a log back with compressed batches decoded. Test-only.
import { DecompressedBatches } from '../../../workers/log/decompressed-batches.js';
import { buildRecordBatch, type ConsumedRecord, decodeRecordBatches } from '../../../src/shared/record-batch-codec.js';
import { Attribute, BATCH_HEADER_BYTES, BatchField, batchSizeAt, maxTimestampAt, rebuildBatch } from '../../../src/shared/record-batch.js';
import { compressRecords, decompressRecords } from '../../../src/shared/compression/record-compression.js';
import { compressSnappy } from '../../../src/shared/compression/snappy.js';
import type { PartitionLog } from '../../../workers/log/partition-log.js';
import { cleanSegments } from '../../../workers/log/segment-cleaner.js';
import { files, readBytes } from './log-test-kit.js';

/** One record to produce: value null is a tombstone, key null a keyless record. */
export interface KeyedRecord {
  key: string | null;
  value: string | null;
  timestamp?: number;
}

/** Codecs by name; 'snappy-raw' is snappy without the xerial framing (as librdkafka may send it). */
export type CodecName = 'none' | 'gzip' | 'snappy' | 'snappy-raw' | 'lz4' | 'zstd';
export const CODEC_IDS: Readonly<Record<CodecName, number>> = { none: 0, gzip: 1, snappy: 2, 'snappy-raw': 2, lz4: 3, zstd: 4 };

/** A producer-style batch of the records, compressed with `codec`. */
export async function keyedBatch(
  records: readonly KeyedRecord[],
  codec: CodecName = 'none',
  options: Parameters<typeof buildRecordBatch>[1] = {},
): Promise<Buffer> {
  const plain = buildRecordBatch(
    records.map((r) => ({ key: r.key === null ? null : Buffer.from(r.key), value: r.value === null ? null : Buffer.from(r.value), timestamp: r.timestamp })),
    { baseTimestamp: records[0]?.timestamp ?? 1_000, ...options },
  );
  if (codec === 'none') return plain;
  const section = plain.subarray(BATCH_HEADER_BYTES);
  const body = codec === 'snappy-raw' ? await compressSnappy(section, false) : await compressRecords(CODEC_IDS[codec], section);
  return rebuildBatch(plain, body, CODEC_IDS[codec], { count: records.length, maxTimestamp: maxTimestampAt(plain, 0) });
}

const decompressed = new DecompressedBatches();

/** Appends as a producer would (compressed records decompressed first, as the data path does) and asserts success; returns the first offset. */
export async function appendBatch(log: PartitionLog, batch: Buffer, nowMs: number): Promise<number> {
  await decompressed.load(batch, 0, batch.length);
  const code = log.append(batch, 0, batch.length, 'client', nowMs, decompressed);
  if (code !== 0) throw new Error(`append failed with ${code}: ${log.lastAppend.errorMessage}`);
  return log.lastAppend.firstOffset;
}

/** Plans, runs (in this thread) and applies one cleaning. Returns segments replaced, or null when nothing was due. */
export async function compactNow(log: PartitionLog, nowMs: number, keyMapBytesMax?: number): Promise<number | null> {
  const plan = log.planCleaning(nowMs, keyMapBytesMax);
  if (plan === null) return null;
  const outcome = await cleanSegments(files, plan.job);
  return log.applyCleaning(plan, outcome, nowMs);
}

/** Every stored batch readable from the log start, as raw bytes (compressed ones as stored). */
export function storedBatches(log: PartitionLog, limit: 'high-watermark' | 'log-end' = 'log-end'): Buffer[] {
  const batches: Buffer[] = [];
  let offset = log.logStartOffset;
  for (;;) {
    const bytes = readBytes(log, offset, 1 << 20, limit);
    if (bytes.length === 0) return batches;
    for (let at = 0; at < bytes.length; at += batchSizeAt(bytes, at)) batches.push(bytes.subarray(at, at + batchSizeAt(bytes, at)));
    const last = batches[batches.length - 1]!;
    offset = last.readInt32BE(BatchField.LAST_OFFSET_DELTA) + Number(last.readBigInt64BE(0)) + 1;
  }
}

/** Decodes one stored batch, decompressing it first. */
export async function decodeBatch(batch: Buffer): Promise<ConsumedRecord[]> {
  const codec = batch.readInt16BE(BatchField.ATTRIBUTES) & Attribute.COMPRESSION_MASK;
  if (codec === 0) return decodeRecordBatches(batch);
  const section = await decompressRecords(codec, batch.subarray(BATCH_HEADER_BYTES));
  return decodeRecordBatches(rebuildBatch(batch, section, 0, { count: batch.readInt32BE(BatchField.RECORDS_COUNT), maxTimestamp: maxTimestampAt(batch, 0) }));
}

/** Every record readable from the log start, compressed batches included. */
export async function readRecords(log: PartitionLog, limit: 'high-watermark' | 'log-end' = 'log-end'): Promise<ConsumedRecord[]> {
  const records: ConsumedRecord[] = [];
  for (const batch of storedBatches(log, limit)) records.push(...(await decodeBatch(batch)));
  return records.filter((r) => r.offset >= log.logStartOffset);
}

/** [offset, key, value] triples, for comparisons. */
export function triples(records: readonly ConsumedRecord[]): Array<[number, string | null, string | null]> {
  return records.map((r) => [r.offset, r.key?.toString() ?? null, r.value?.toString() ?? null]);
}
