// Tests of the produce-path batch checks and stamping: every rejection carries Kafka's code and leaves the
// bytes untouched; stamping rewrites only the header fields Kafka rewrites; a failed append writes nothing.
import * as fs from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildRecordBatch, decodeRecordBatches } from '../../../src/shared/record-batch-codec.js';
import { ErrorCode } from '../../../src/shared/kafka-error-codes.js';
import { Attribute, BatchField, computeBatchCrc, readInt64, storedBatchCrc, writeInt64 } from '../../../src/shared/record-batch.js';
import { AppendInfo, readReplicatedOffsets, stampBatches, validateBatches } from '../../../workers/log/batch-validator.js';
import { PartitionLog } from '../../../workers/log/partition-log.js';
import {
  appendOk,
  batchSpec,
  encodeSpec,
  files,
  logConfig,
  readAll,
  resign,
  segmentsOnDisk,
  seedFor,
  simpleBatch,
  tempPartitionDir,
  withBaseOffset,
} from './log-test-kit.js';

const config = logConfig();

/** Validates a copy-checked buffer: returns the code and asserts not one byte changed. */
function validate(buf: Buffer, origin: 'client' | 'replica' = 'client', cfg = config, at = 0, length = buf.length - at): number {
  const before = Buffer.from(buf);
  const code = validateBatches(buf, at, length, cfg, origin, new AppendInfo());
  expect(buf.equals(before)).toBe(true);
  return code;
}

/** Appends through a real log and asserts a rejection with `code` wrote nothing. */
function expectAppendRejected(buf: Buffer, code: number, cfg = config, origin: 'client' | 'replica' = 'client'): void {
  const dir = tempPartitionDir();
  const log = PartitionLog.open(files, dir, cfg, { nowMs: 1_000, trustedOnDisk: true });
  appendOk(log, simpleBatch(2));
  const sizeBefore = segmentsOnDisk(dir).map((s) => s.bytes);
  const before = Buffer.from(buf);
  expect(log.append(buf, 0, buf.length, origin, 5_000)).toBe(code);
  expect(log.lastAppend.errorCode).toBe(code);
  expect(log.lastAppend.errorMessage).not.toBe('');
  expect(buf.equals(before)).toBe(true);
  expect(log.logEndOffset).toBe(2);
  expect(log.highWatermark).toBe(2);
  expect(segmentsOnDisk(dir).map((s) => s.bytes)).toEqual(sizeBefore);
  expect(readAll(log).map((r) => r.offset)).toEqual([0, 1]);
  log.close(6_000);
}

describe('validateBatches rejections', () => {
  it('rejects an empty record set and short buffers as CORRUPT_MESSAGE', () => {
    const batch = simpleBatch();
    expect(validate(batch, 'client', config, 0, 0)).toBe(ErrorCode.CORRUPT_MESSAGE);
    for (const cut of [1, 11, 12, 60]) expect(validate(batch.subarray(0, cut))).toBe(ErrorCode.CORRUPT_MESSAGE);
    expect(validate(batch.subarray(0, batch.length - 1))).toBe(ErrorCode.CORRUPT_MESSAGE);
    // A whole batch followed by a few stray bytes.
    expect(validate(Buffer.concat([batch, Buffer.alloc(5)]))).toBe(ErrorCode.CORRUPT_MESSAGE);
    expectAppendRejected(batch.subarray(0, 40), ErrorCode.CORRUPT_MESSAGE);
  });

  it('rejects a batchLength that is too small, too large or negative', () => {
    for (const batchLength of [-1, 0, 48, 1 << 30, 0x7fffffff]) {
      const batch = simpleBatch();
      batch.writeInt32BE(batchLength, BatchField.BATCH_LENGTH);
      expect(validate(batch)).toBe(ErrorCode.CORRUPT_MESSAGE);
    }
    const longer = simpleBatch();
    longer.writeInt32BE(longer.readInt32BE(BatchField.BATCH_LENGTH) + 1, BatchField.BATCH_LENGTH);
    expectAppendRejected(longer, ErrorCode.CORRUPT_MESSAGE);
  });

  it('rejects magic 0 and 1 as INVALID_RECORD and unknown magic as CORRUPT_MESSAGE', () => {
    const withMagic = (magic: number): Buffer => {
      const batch = simpleBatch();
      batch.writeInt8(magic, BatchField.MAGIC);
      return batch;
    };
    expect(validate(withMagic(0))).toBe(ErrorCode.INVALID_RECORD);
    expect(validate(withMagic(1))).toBe(ErrorCode.INVALID_RECORD);
    expect(validate(withMagic(3))).toBe(ErrorCode.CORRUPT_MESSAGE);
    expect(validate(withMagic(-1))).toBe(ErrorCode.CORRUPT_MESSAGE);
    expect(validate(withMagic(1), 'replica')).toBe(ErrorCode.INVALID_RECORD);
    expectAppendRejected(withMagic(1), ErrorCode.INVALID_RECORD);
    expectAppendRejected(withMagic(3), ErrorCode.CORRUPT_MESSAGE);
  });

  it('rejects a batch with any byte after the attributes offset flipped (CRC mismatch)', () => {
    const seed = seedFor('crc flip');
    const original = encodeSpec(batchSpec('crc', 4, 20, 1_000, 3));
    fc.assert(
      fc.property(fc.integer({ min: BatchField.CRC, max: original.length - 1 }), fc.integer({ min: 1, max: 255 }), (at, xor) => {
        const batch = Buffer.from(original);
        batch[at]! ^= xor;
        // recordsCount / lastOffsetDelta edits are caught by the CRC first: the CRC covers them.
        expect(validate(batch)).toBe(ErrorCode.CORRUPT_MESSAGE);
        expect(validate(batch, 'replica')).toBe(ErrorCode.CORRUPT_MESSAGE);
      }),
      { seed, numRuns: 300 },
    );
    const flipped = Buffer.from(original);
    flipped[original.length - 1]! ^= 1;
    expectAppendRejected(flipped, ErrorCode.CORRUPT_MESSAGE);
  });

  it('rejects recordsCount that does not match lastOffsetDelta as INVALID_RECORD', () => {
    const cases: Array<[count: number, lastOffsetDelta: number]> = [
      [4, 2],
      [2, 2],
      [0, -1],
      [-1, -2],
    ];
    for (const [count, lastOffsetDelta] of cases) {
      const batch = simpleBatch(3);
      batch.writeInt32BE(count, BatchField.RECORDS_COUNT);
      batch.writeInt32BE(lastOffsetDelta, BatchField.LAST_OFFSET_DELTA);
      expect(validate(resign(batch))).toBe(ErrorCode.INVALID_RECORD);
    }
    const bad = simpleBatch(3);
    bad.writeInt32BE(5, BatchField.RECORDS_COUNT);
    expectAppendRejected(resign(bad), ErrorCode.INVALID_RECORD);
  });

  it('rejects a batch above max.message.bytes with MESSAGE_TOO_LARGE, accepts one exactly at it', () => {
    const batch = simpleBatch(3);
    expect(validate(batch, 'client', logConfig({ maxMessageBytes: batch.length - 1 }))).toBe(ErrorCode.MESSAGE_TOO_LARGE);
    expect(validate(batch, 'client', logConfig({ maxMessageBytes: batch.length }))).toBe(ErrorCode.NONE);
    expectAppendRejected(simpleBatch(3), ErrorCode.MESSAGE_TOO_LARGE, logConfig({ maxMessageBytes: batch.length - 1 }));
  });

  it('does not apply max.message.bytes to replicated batches (the leader already accepted them)', () => {
    const batch = simpleBatch(3);
    expect(validate(batch, 'replica', logConfig({ maxMessageBytes: batch.length - 1 }))).toBe(ErrorCode.NONE);
  });

  it('rejects control batches from clients but not from replicas', () => {
    const batch = simpleBatch(1);
    batch.writeInt16BE(Attribute.CONTROL | Attribute.TRANSACTIONAL, BatchField.ATTRIBUTES);
    resign(batch);
    expect(validate(batch)).toBe(ErrorCode.INVALID_RECORD);
    expect(validate(batch, 'replica')).toBe(ErrorCode.NONE);
    expectAppendRejected(batch, ErrorCode.INVALID_RECORD);
  });

  it('rejects a producer-set LogAppendTime bit with INVALID_TIMESTAMP', () => {
    const batch = simpleBatch(2);
    batch.writeInt16BE(Attribute.LOG_APPEND_TIME, BatchField.ATTRIBUTES);
    resign(batch);
    expect(validate(batch)).toBe(ErrorCode.INVALID_TIMESTAMP);
    expect(validate(batch, 'client', logConfig({ messageTimestampType: 'LogAppendTime' }))).toBe(ErrorCode.INVALID_TIMESTAMP);
    expectAppendRejected(batch, ErrorCode.INVALID_TIMESTAMP);
  });

  it('rejects a produced batch whose base offset is not 0 (replicas keep theirs)', () => {
    const batch = withBaseOffset(simpleBatch(2), 5);
    expect(validate(batch)).toBe(ErrorCode.INVALID_RECORD);
    expect(validate(batch, 'replica')).toBe(ErrorCode.NONE);
    expectAppendRejected(batch, ErrorCode.INVALID_RECORD);
  });

  it('rejects an idempotent batch without a base sequence, accepts one with', () => {
    const spec = batchSpec('idem', 2, 4, 1_000);
    expect(validate(encodeSpec(spec, { producerId: 7, producerEpoch: 0, baseSequence: -1 }))).toBe(ErrorCode.INVALID_RECORD);
    expect(validate(encodeSpec(spec, { producerId: 7, producerEpoch: 0, baseSequence: 0 }))).toBe(ErrorCode.NONE);
    expect(validate(encodeSpec(spec, { producerId: -1, baseSequence: -1 }))).toBe(ErrorCode.NONE);
    expectAppendRejected(encodeSpec(spec, { producerId: 7, producerEpoch: 0, baseSequence: -1 }), ErrorCode.INVALID_RECORD);
  });

  it('rejects the whole append when any batch in it is bad, leaving the good ones unstamped', () => {
    const bad = simpleBatch(2);
    bad[bad.length - 1]! ^= 0x40;
    const run = Buffer.concat([simpleBatch(2), simpleBatch(1), bad]);
    expect(validate(run)).toBe(ErrorCode.CORRUPT_MESSAGE);
    expectAppendRejected(run, ErrorCode.CORRUPT_MESSAGE);
  });

  it('validates a run that starts inside a larger buffer', () => {
    const batch = simpleBatch(2);
    const framed = Buffer.concat([Buffer.alloc(17, 0xee), batch, Buffer.alloc(9, 0xee)]);
    expect(validate(framed, 'client', config, 17, batch.length)).toBe(ErrorCode.NONE);
  });
});

describe('stampBatches', () => {
  it('CreateTime: rewrites baseOffset and leader epoch only; the CRC stays valid and unchanged', () => {
    const batch = encodeSpec(batchSpec('ct', 3, 10, 5_000, 7));
    const original = Buffer.from(batch);
    const info = new AppendInfo();
    expect(validateBatches(batch, 0, batch.length, config, 'client', info)).toBe(ErrorCode.NONE);
    stampBatches(batch, 0, batch.length, 42, 9, -1, info);
    expect(readInt64(batch, BatchField.BASE_OFFSET)).toBe(42);
    expect(batch.readInt32BE(BatchField.PARTITION_LEADER_EPOCH)).toBe(9);
    expect(storedBatchCrc(batch, 0)).toBe(storedBatchCrc(original, 0));
    expect(computeBatchCrc(batch, 0, batch.length)).toBe(storedBatchCrc(batch, 0));
    expect(batch.subarray(BatchField.MAGIC).equals(original.subarray(BatchField.MAGIC))).toBe(true);
    expect(batch.subarray(BatchField.BATCH_LENGTH, BatchField.PARTITION_LEADER_EPOCH).equals(original.subarray(8, 12))).toBe(true);
    expect(info).toMatchObject({
      firstOffset: 42,
      lastOffset: 44,
      recordCount: 3,
      batchCount: 1,
      maxTimestamp: 5_014,
      offsetOfMaxTimestamp: 42,
      logAppendTimeMs: -1,
    });
    expect(decodeRecordBatches(batch).map((r) => [r.offset, r.timestamp])).toEqual([
      [42, 5_000],
      [43, 5_007],
      [44, 5_014],
    ]);
  });

  it('LogAppendTime: sets the attribute bit and maxTimestamp and re-signs the CRC; records are untouched', () => {
    const batch = encodeSpec(batchSpec('lat', 2, 10, 5_000, 1));
    const original = Buffer.from(batch);
    const info = new AppendInfo();
    expect(validateBatches(batch, 0, batch.length, config, 'client', info)).toBe(ErrorCode.NONE);
    stampBatches(batch, 0, batch.length, 0, 3, 99_000, info);
    const attributes = batch.readInt16BE(BatchField.ATTRIBUTES);
    expect(attributes & Attribute.LOG_APPEND_TIME).toBe(Attribute.LOG_APPEND_TIME);
    expect(attributes & ~Attribute.LOG_APPEND_TIME).toBe(original.readInt16BE(BatchField.ATTRIBUTES));
    expect(readInt64(batch, BatchField.MAX_TIMESTAMP)).toBe(99_000);
    expect(readInt64(batch, BatchField.BASE_TIMESTAMP)).toBe(5_000);
    expect(storedBatchCrc(batch, 0)).not.toBe(storedBatchCrc(original, 0));
    expect(computeBatchCrc(batch, 0, batch.length)).toBe(storedBatchCrc(batch, 0));
    expect(batch.subarray(BatchField.LAST_OFFSET_DELTA, BatchField.MAX_TIMESTAMP).equals(original.subarray(23, 35))).toBe(true);
    expect(batch.subarray(BatchField.PRODUCER_ID).equals(original.subarray(BatchField.PRODUCER_ID))).toBe(true);
    expect(info).toMatchObject({ maxTimestamp: 99_000, logAppendTimeMs: 99_000 });
    expect(decodeRecordBatches(batch).map((r) => r.timestamp)).toEqual([99_000, 99_000]);
    // The stamped batch passes validation again (as a replica would see it).
    expect(validateBatches(batch, 0, batch.length, config, 'replica', new AppendInfo())).toBe(ErrorCode.NONE);
  });

  it('reads the max timestamp the producer wrote: the largest record timestamp, whatever the base timestamp', () => {
    const records = [700, 900, 800].map((timestamp) => ({ key: null, value: Buffer.from('v'), timestamp }));
    for (const baseTimestamp of [100, 700, 5_000]) {
      const batch = buildRecordBatch(records, { baseTimestamp });
      const info = new AppendInfo();
      expect(validateBatches(batch, 0, batch.length, config, 'client', info)).toBe(ErrorCode.NONE);
      stampBatches(batch, 0, batch.length, 0, 0, -1, info);
      expect(info.maxTimestamp).toBe(900);
      expect(decodeRecordBatches(batch).map((r) => r.timestamp)).toEqual([700, 900, 800]);
    }
  });

  it('gives several batches in one run consecutive offsets and tracks the max timestamp', () => {
    const batches = [encodeSpec(batchSpec('a', 2, 3, 100, 1)), encodeSpec(batchSpec('b', 3, 3, 900, 1)), encodeSpec(batchSpec('c', 1, 3, 200))];
    const run = Buffer.concat(batches);
    const info = new AppendInfo();
    expect(validateBatches(run, 0, run.length, config, 'client', info)).toBe(ErrorCode.NONE);
    expect(info.batchCount).toBe(3);
    expect(info.recordCount).toBe(6);
    stampBatches(run, 0, run.length, 10, 1, -1, info);
    expect(decodeRecordBatches(run).map((r) => r.offset)).toEqual([10, 11, 12, 13, 14, 15]);
    expect(info).toMatchObject({ firstOffset: 10, lastOffset: 15, maxTimestamp: 902, offsetOfMaxTimestamp: 12 });
  });

  it('appends of several batches through the log get consecutive offsets and are read back whole', () => {
    const dir = tempPartitionDir();
    const log = PartitionLog.open(files, dir, logConfig({ messageTimestampType: 'LogAppendTime' }), { nowMs: 1, trustedOnDisk: true });
    log.assignLeaderEpoch(4);
    appendOk(log, simpleBatch(2), 50);
    const run = Buffer.concat([simpleBatch(1), simpleBatch(3), simpleBatch(2)]);
    expect(log.append(run, 0, run.length, 'client', 77)).toBe(ErrorCode.NONE);
    expect(log.lastAppend).toMatchObject({ firstOffset: 2, lastOffset: 7, batchCount: 3, recordCount: 6, logAppendTimeMs: 77 });
    expect(log.logEndOffset).toBe(8);
    const records = readAll(log);
    expect(records.map((r) => r.offset)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(records.map((r) => r.timestamp)).toEqual([50, 50, 77, 77, 77, 77, 77, 77]);
    const onDisk = fs.readFileSync(segmentsOnDisk(dir)[0]!.path);
    expect(onDisk.readInt32BE(BatchField.PARTITION_LEADER_EPOCH)).toBe(4);
    log.close(100);
  });
});

describe('replicated batches', () => {
  it('keep the leader offsets and must not overlap the log or each other', () => {
    const dir = tempPartitionDir();
    const log = PartitionLog.open(files, dir, config, { nowMs: 1, trustedOnDisk: true, soleReplica: false });
    const first = withBaseOffset(simpleBatch(3), 0);
    expect(appendOk(log, first, 10, 'replica')).toBe(0);
    expect(log.logEndOffset).toBe(3);
    // Out of order inside one run: 3..4 then 4..5.
    const run = Buffer.concat([withBaseOffset(simpleBatch(2), 3), withBaseOffset(simpleBatch(2), 4)]);
    expect(log.append(run, 0, run.length, 'replica', 10)).toBe(ErrorCode.CORRUPT_MESSAGE);
    expect(log.logEndOffset).toBe(3);
    // Below the log end.
    const stale = withBaseOffset(simpleBatch(1), 2);
    expect(log.append(stale, 0, stale.length, 'replica', 10)).toBe(ErrorCode.CORRUPT_MESSAGE);
    const next = Buffer.concat([withBaseOffset(simpleBatch(2), 3), withBaseOffset(simpleBatch(2), 5)]);
    expect(log.append(next, 0, next.length, 'replica', 10)).toBe(ErrorCode.NONE);
    expect(log.lastAppend).toMatchObject({ firstOffset: 3, lastOffset: 6 });
    expect(log.logEndOffset).toBe(7);
    // In a replicated partition the high watermark moves with follower progress, not with appends.
    expect(log.highWatermark).toBe(0);
    expect(readAll(log, 0, 1 << 16, 'log-end').map((r) => r.offset)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    log.close(20);
  });

  it('readReplicatedOffsets reports the run offsets and the max timestamp', () => {
    const run = Buffer.concat([withBaseOffset(encodeSpec(batchSpec('r', 2, 3, 700)), 10), withBaseOffset(encodeSpec(batchSpec('s', 2, 3, 800)), 12)]);
    const info = new AppendInfo();
    expect(validateBatches(run, 0, run.length, config, 'replica', info)).toBe(ErrorCode.NONE);
    expect(readReplicatedOffsets(run, 0, run.length, info)).toBe(ErrorCode.NONE);
    expect(info).toMatchObject({ firstOffset: 10, lastOffset: 13, maxTimestamp: 800, offsetOfMaxTimestamp: 12 });
    writeInt64(run, run.readInt32BE(BatchField.BATCH_LENGTH) + 12, 11);
    expect(readReplicatedOffsets(run, 0, run.length, new AppendInfo())).toBe(ErrorCode.CORRUPT_MESSAGE);
  });
});
