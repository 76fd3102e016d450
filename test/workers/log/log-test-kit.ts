// Shared helpers for the log engine tests: temp partition folders, producer-style batches, reading a whole
// log back, and a look at the segment files on disk. Test-only; runs in the vitest process.
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { buildRecordBatch, type ConsumedRecord, decodeRecordBatches } from '../../../src/shared/record-batch-codec.js';
import { BatchField, computeBatchCrc, writeInt64 } from '../../../src/shared/record-batch.js';
import { DEFAULT_LOG_CONFIG, type LogConfig } from '../../../src/shared/topic-config.js';
import { NodeFileAccess } from '../../../workers/io/file-access.js';
import type { PartitionLog } from '../../../workers/log/partition-log.js';

export const files = new NodeFileAccess();

const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) fs.rmSync(root, { recursive: true, force: true });
});

/** A fresh temp folder, removed after the test. */
export function tempRoot(): string {
  const root = fs.mkdtempSync(join(tmpdir(), 'fjord-log-test-'));
  roots.push(root);
  return root;
}

/** A partition folder path (not created) in a fresh temp root. */
export function tempPartitionDir(name = 'orders-0'): string {
  return join(tempRoot(), name);
}

export function logConfig(overrides: Partial<LogConfig> = {}): LogConfig {
  return { ...DEFAULT_LOG_CONFIG, ...overrides };
}

/** What a test remembers about one produced batch. */
export interface BatchSpec {
  keys: string[];
  values: string[];
  timestamps: number[];
}

/** A deterministic batch spec: `count` records tagged with `tag`, values of `valueBytes` bytes, timestamps from `baseTimestamp`. */
export function batchSpec(tag: string, count: number, valueBytes: number, baseTimestamp: number, timestampStep = 0): BatchSpec {
  const keys: string[] = [];
  const values: string[] = [];
  const timestamps: number[] = [];
  for (let i = 0; i < count; i++) {
    keys.push(`${tag}-k${i}`);
    values.push(`${tag}-v${i}-`.padEnd(valueBytes, String.fromCharCode(97 + (i % 26))).slice(0, Math.max(valueBytes, 1)));
    timestamps.push(baseTimestamp + i * timestampStep);
  }
  return { keys, values, timestamps };
}

/** Encodes a spec the way a producer sends it (baseOffset 0, epoch -1, CreateTime). */
export function encodeSpec(spec: BatchSpec, options: Parameters<typeof buildRecordBatch>[1] = {}): Buffer {
  return buildRecordBatch(
    spec.keys.map((key, i) => ({ key: Buffer.from(key), value: Buffer.from(spec.values[i]!), timestamp: spec.timestamps[i]! })),
    { baseTimestamp: spec.timestamps[0]!, ...options },
  );
}

/** A small valid producer batch of `count` records. */
export function simpleBatch(count = 3, baseTimestamp = 1_000, valueBytes = 8): Buffer {
  return encodeSpec(batchSpec('b', count, valueBytes, baseTimestamp, 1));
}

/** Re-signs a batch after a test edited bytes inside the CRC's range. */
export function resign(batch: Buffer, at = 0): Buffer {
  const batchBytes = batch.readInt32BE(at + BatchField.BATCH_LENGTH) + 12;
  batch.writeUInt32BE(computeBatchCrc(batch, at, batchBytes), at + BatchField.CRC);
  return batch;
}

/** Sets the (CRC-free) baseOffset, the way a leader's batch arrives at a follower. */
export function withBaseOffset(batch: Buffer, baseOffset: number): Buffer {
  writeInt64(batch, BatchField.BASE_OFFSET, baseOffset);
  return batch;
}

/** Appends and asserts success; returns the first offset assigned. */
export function appendOk(log: PartitionLog, batch: Buffer, nowMs = 10_000, origin: 'client' | 'replica' = 'client'): number {
  const code = log.append(batch, 0, batch.length, origin, nowMs);
  if (code !== 0) throw new Error(`append failed with ${code}: ${log.lastAppend.errorMessage}`);
  return log.lastAppend.firstOffset;
}

const readScratch = Buffer.alloc(4 << 20);

/** Raw bytes of one read(); throws if the first batch did not fit the scratch buffer. */
export function readBytes(log: PartitionLog, offset: number, maxBytes: number, limit: 'high-watermark' | 'log-end' = 'high-watermark'): Buffer {
  const n = log.read(offset, maxBytes, limit, readScratch, 0, readScratch.length);
  if (n < 0) throw new Error(`first batch needs ${-n} bytes`);
  return Buffer.from(readScratch.subarray(0, n));
}

/** Every record readable from `from` up to the limit, read in chunks of `maxBytes`. */
export function readAll(
  log: PartitionLog,
  from = log.logStartOffset,
  maxBytes = 64 * 1024,
  limit: 'high-watermark' | 'log-end' = 'high-watermark',
): ConsumedRecord[] {
  const records: ConsumedRecord[] = [];
  let offset = from;
  for (;;) {
    const bytes = readBytes(log, offset, maxBytes, limit);
    if (bytes.length === 0) return records;
    const got = decodeRecordBatches(bytes);
    records.push(...got);
    offset = got[got.length - 1]!.offset + 1;
  }
}

/** The segments on disk: base offset and .log size, ascending. */
export function segmentsOnDisk(dir: string): Array<{ baseOffset: number; bytes: number; path: string }> {
  return fs
    .readdirSync(dir)
    .filter((name) => /^\d{20}\.log$/.test(name))
    .sort()
    .map((name) => ({ baseOffset: Number(name.slice(0, 20)), bytes: fs.statSync(join(dir, name)).size, path: join(dir, name) }));
}

export { seedFor } from '../../helpers/test-seed.js';
