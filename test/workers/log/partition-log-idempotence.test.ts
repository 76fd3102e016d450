// Idempotent producers on a partition log: retries are dropped with their original offsets, gaps and
// stale epochs refused, and the producer state survives a clean reopen (snapshot) and a crash (rebuilt
// from batch headers).
import { describe, expect, it } from 'vitest';
import { buildRecordBatch } from '../../../src/shared/record-batch-codec.js';
import { ErrorCode } from '../../../src/shared/kafka-error-codes.js';
import { PartitionLog } from '../../../workers/log/partition-log.js';
import { files, logConfig, tempPartitionDir } from './log-test-kit.js';

function idempotentBatch(producerId: number, epoch: number, baseSequence: number, count: number): Buffer {
  const records = Array.from({ length: count }, (_, i) => ({ key: null, value: Buffer.from(`s${baseSequence + i}`) }));
  return buildRecordBatch(records, { producerId, producerEpoch: epoch, baseSequence, baseTimestamp: 1_000 });
}

function append(log: PartitionLog, batch: Buffer): { code: number; firstOffset: number; duplicate: boolean } {
  const code = log.append(batch, 0, batch.length, 'client', 2_000);
  return { code, firstOffset: log.lastAppend.firstOffset, duplicate: log.lastAppend.duplicate };
}

describe('idempotent producers', () => {
  it('drops retries with their original offsets and refuses gaps and stale epochs', () => {
    const log = PartitionLog.open(files, tempPartitionDir(), logConfig(), { nowMs: 0, trustedOnDisk: true });
    expect(append(log, idempotentBatch(5, 0, 0, 3))).toEqual({ code: 0, firstOffset: 0, duplicate: false });
    expect(append(log, idempotentBatch(5, 0, 3, 2))).toEqual({ code: 0, firstOffset: 3, duplicate: false });
    const sizeBefore = log.sizeBytes;
    expect(append(log, idempotentBatch(5, 0, 0, 3))).toEqual({ code: 0, firstOffset: 0, duplicate: true });
    expect(log.sizeBytes).toBe(sizeBefore);
    expect(log.logEndOffset).toBe(5);
    expect(append(log, idempotentBatch(5, 0, 7, 1)).code).toBe(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
    expect(append(log, idempotentBatch(-1, -1, -1, 1)).code).toBe(ErrorCode.NONE);
    expect(append(log, idempotentBatch(5, 1, 0, 1))).toMatchObject({ code: 0, firstOffset: 6 });
    expect(append(log, idempotentBatch(5, 0, 5, 1)).code).toBe(ErrorCode.INVALID_PRODUCER_EPOCH);
    log.close(0);
  });

  it('keeps the state across a clean reopen and rebuilds it after a crash', () => {
    const dir = tempPartitionDir();
    const first = PartitionLog.open(files, dir, logConfig({ segmentBytes: 200 }), { nowMs: 0, trustedOnDisk: true });
    for (let s = 0; s < 10; s++) append(first, idempotentBatch(9, 2, s, 1));
    first.close(0);
    const second = PartitionLog.open(files, dir, logConfig({ segmentBytes: 200 }), { nowMs: 0, trustedOnDisk: true });
    expect(append(second, idempotentBatch(9, 2, 8, 1))).toEqual({ code: 0, firstOffset: 8, duplicate: true });
    expect(append(second, idempotentBatch(9, 2, 10, 1))).toMatchObject({ code: 0, firstOffset: 10, duplicate: false });
    second.abandon();
    const third = PartitionLog.open(files, dir, logConfig({ segmentBytes: 200 }), { nowMs: 0, trustedOnDisk: false });
    expect(append(third, idempotentBatch(9, 2, 10, 1))).toEqual({ code: 0, firstOffset: 10, duplicate: true });
    expect(append(third, idempotentBatch(9, 2, 12, 1)).code).toBe(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
    third.close(0);
  });
});
