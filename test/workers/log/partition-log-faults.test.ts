// Fault tests through the FileAccess seam: a failing log dir (EIO, ENOSPC, EROFS) makes appends, reads
// and opens of its partitions throw errno errors the worker maps to KAFKA_STORAGE_ERROR, while a
// partition in another log dir keeps working. Test-only.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FaultInjectingFileAccess, type InjectedFaultCode } from '../../../workers/io/fault-injecting-file-access.js';
import { isStorageFailure, NodeFileAccess } from '../../../workers/io/file-access.js';
import { PartitionLog } from '../../../workers/log/partition-log.js';
import { appendOk, logConfig, readAll, simpleBatch, tempRoot } from './log-test-kit.js';

function expectStorageFailure(action: () => unknown, code: InjectedFaultCode): void {
  let thrown: unknown;
  try {
    action();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(Error);
  expect((thrown as NodeJS.ErrnoException).code).toBe(code);
  expect(isStorageFailure(thrown)).toBe(true);
}

describe('a failing log dir', () => {
  for (const code of ['EIO', 'ENOSPC', 'EROFS'] as const) {
    it(`${code}: append, read, flush and open throw; a log in another dir keeps working`, () => {
      const files = new FaultInjectingFileAccess(new NodeFileAccess());
      const dirA = tempRoot();
      const dirB = tempRoot();
      const config = logConfig({ segmentBytes: 500 });
      const failing = PartitionLog.open(files, join(dirA, 'orders-0'), config, { nowMs: 1, trustedOnDisk: true });
      const healthy = PartitionLog.open(files, join(dirB, 'orders-1'), config, { nowMs: 1, trustedOnDisk: true });
      for (let i = 0; i < 5; i++) appendOk(failing, simpleBatch(2), i);
      failing.writeCheckpointIfDirty();
      files.failUnder(dirA, code);

      const before = [failing.logEndOffset, failing.highWatermark, failing.sizeBytes];
      const batch = simpleBatch(2);
      expectStorageFailure(() => failing.append(batch, 0, batch.length, 'client', 10), code);
      expect([failing.logEndOffset, failing.highWatermark, failing.sizeBytes]).toEqual(before);
      expectStorageFailure(() => readAll(failing, 0), code);
      expectStorageFailure(() => failing.flush(11), code);
      // A batch that needs a new segment: the roll fails the same way.
      const big = simpleBatch(4, 1_000, 120);
      expectStorageFailure(() => failing.append(big, 0, big.length, 'client', 12), code);
      expect([failing.logEndOffset, failing.highWatermark, failing.sizeBytes]).toEqual(before);
      expectStorageFailure(() => PartitionLog.open(files, join(dirA, 'orders-2'), config, { nowMs: 1, trustedOnDisk: true }), code);
      failing.abandon();

      for (let i = 0; i < 10; i++) appendOk(healthy, simpleBatch(2), i);
      expect(readAll(healthy).length).toBe(20);
      healthy.flush(20);
      healthy.close(21);

      // Once the disk is back, the partition reopens with everything it acknowledged before the fault.
      files.heal();
      const reopened = PartitionLog.open(files, join(dirA, 'orders-0'), config, { nowMs: 30, trustedOnDisk: false });
      expect(reopened.logEndOffset).toBe(10);
      expect(readAll(reopened).map((r) => r.offset)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      reopened.close(31);
    });
  }
});
