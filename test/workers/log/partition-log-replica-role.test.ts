// A partition log's replica role: a sole replica's high watermark follows its log end; otherwise only
// setHighWatermark moves it (a leader with followers, a follower), consumers read below it, and turning
// sole again moves it to the log end at once. A follower far behind its leader's log start restarts empty there.
import { expect, it } from 'vitest';
import { PartitionLog } from '../../../workers/log/partition-log.js';
import { appendOk, files, logConfig, readBytes, simpleBatch, tempPartitionDir } from './log-test-kit.js';

it('moves the high watermark with appends only as a sole replica', () => {
  const log = PartitionLog.open(files, tempPartitionDir(), logConfig(), { nowMs: 1, trustedOnDisk: true });
  expect(log.soleReplica).toBe(true);
  appendOk(log, simpleBatch(3));
  expect(log.highWatermark).toBe(3);

  log.setSoleReplica(false);
  appendOk(log, simpleBatch(2));
  expect([log.logEndOffset, log.highWatermark]).toEqual([5, 3]);
  expect(readBytes(log, 3, 1 << 20).length).toBe(0);
  expect(readBytes(log, 3, 1 << 20, 'log-end').length).toBeGreaterThan(0);
  log.setHighWatermark(4);
  expect(log.highWatermark).toBe(4);

  log.setSoleReplica(true);
  expect(log.highWatermark).toBe(5);
  log.close(2);
});

it('restarts empty at an offset, without producer state or epochs, and reopens there', () => {
  const dir = tempPartitionDir();
  const log = PartitionLog.open(files, dir, logConfig(), { nowMs: 1, trustedOnDisk: true, soleReplica: false });
  appendOk(log, simpleBatch(3));
  log.truncateFullyAndStartAt(50, 2);
  expect([log.logStartOffset, log.highWatermark, log.logEndOffset, log.leaderEpoch, log.segmentCount]).toEqual([50, 50, 50, -1, 1]);
  expect(readBytes(log, 50, 1 << 20, 'log-end').length).toBe(0);
  log.close(3);
  const reopened = PartitionLog.open(files, dir, logConfig(), { nowMs: 4, trustedOnDisk: false, soleReplica: false });
  expect([reopened.logStartOffset, reopened.logEndOffset]).toEqual([50, 50]);
  reopened.close(5);
});
