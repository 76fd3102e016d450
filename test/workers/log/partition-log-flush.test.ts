// Tests of the flush policy (flush.messages, flush.ms), the recovery point, and what the checkpoint file
// says after flushes, rolls, offset changes and a clean close. Test-only.
import * as fs from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NEVER } from '../../../src/shared/topic-config.js';
import { CHECKPOINT_FILE, parseCheckpoint, readCheckpoint } from '../../../workers/log/partition-checkpoint.js';
import { PartitionLog } from '../../../workers/log/partition-log.js';
import { LEADER_EPOCH_FILE } from '../../../workers/log/leader-epoch-cache.js';
import { appendOk, files, logConfig, simpleBatch, tempPartitionDir } from './log-test-kit.js';

function openLog(overrides: Parameters<typeof logConfig>[0] = {}, nowMs = 0): { log: PartitionLog; dir: string } {
  const dir = tempPartitionDir();
  return { log: PartitionLog.open(files, dir, logConfig(overrides), { nowMs, trustedOnDisk: true }), dir };
}

describe('flush policy', () => {
  it('flush.messages: asks for a flush once that many records are unflushed', () => {
    const { log } = openLog({ flushMessages: 5 });
    expect(log.needsFlush(0)).toBe(false);
    appendOk(log, simpleBatch(2), 1);
    appendOk(log, simpleBatch(2), 2);
    expect(log.needsFlush(3)).toBe(false);
    appendOk(log, simpleBatch(1), 3);
    expect(log.needsFlush(3)).toBe(true);
    expect(log.recoveryPoint).toBe(0);
    log.flush(4);
    expect(log.needsFlush(4)).toBe(false);
    expect(log.recoveryPoint).toBe(5);
    appendOk(log, simpleBatch(7), 5);
    expect(log.needsFlush(5)).toBe(true);
    log.close(6);
  });

  it('flush.messages = 1 asks for a flush after every append', () => {
    const { log } = openLog({ flushMessages: 1 });
    for (let i = 0; i < 3; i++) {
      appendOk(log, simpleBatch(1), i);
      expect(log.needsFlush(i)).toBe(true);
      log.flush(i);
      expect(log.recoveryPoint).toBe(i + 1);
    }
    log.close(9);
  });

  it('flush.ms: asks for a flush when unflushed data is that old, never with nothing to flush', () => {
    const { log } = openLog({ flushMs: 1_000 }, 10_000);
    expect(log.needsFlush(50_000)).toBe(false);
    appendOk(log, simpleBatch(1), 10_500);
    expect(log.needsFlush(10_999)).toBe(false);
    expect(log.needsFlush(11_000)).toBe(true);
    log.flush(11_000);
    expect(log.needsFlush(30_000)).toBe(false);
    appendOk(log, simpleBatch(1), 30_000);
    expect(log.needsFlush(11_999)).toBe(false);
    expect(log.needsFlush(12_000)).toBe(true);
    log.close(40_000);
  });

  it('defaults never ask for a flush', () => {
    const { log } = openLog({ flushMessages: NEVER, flushMs: NEVER });
    for (let i = 0; i < 20; i++) appendOk(log, simpleBatch(3), i);
    expect(log.needsFlush(1e12)).toBe(false);
    log.close(1);
  });

  it('a roll flushes the sealed segment in the background: then the recovery point moves to the new segment', async () => {
    const { log } = openLog({ segmentBytes: 300, flushMessages: 4 });
    const batchBytes = simpleBatch(1).length;
    const perSegment = Math.floor(300 / batchBytes);
    for (let i = 0; i < perSegment; i++) appendOk(log, simpleBatch(1), i);
    expect(log.segmentCount).toBe(1);
    appendOk(log, simpleBatch(1), 100);
    expect(log.segmentCount).toBe(2);
    await log.rolledSegmentsFlushed();
    expect(log.recoveryPoint).toBe(perSegment);
    expect(log.needsFlush(100)).toBe(false);
    log.close(101);
  });
});

describe('checkpoint file', () => {
  it('holds the offsets after a clean close, in the documented text format; the epoch is in the leader-epoch file', () => {
    const { log, dir } = openLog({ segmentBytes: 400 });
    log.assignLeaderEpoch(7);
    for (let i = 0; i < 10; i++) appendOk(log, simpleBatch(2), i);
    expect(log.deleteRecordsBefore(3)).toBe(3);
    log.close(50);
    const text = fs.readFileSync(join(dir, CHECKPOINT_FILE), 'utf8');
    expect(text).toBe('version 2\nrecovery.point 20\nlog.start.offset 3\nhigh.watermark 20\n');
    expect(parseCheckpoint(text)).toEqual({ recoveryPoint: 20, logStartOffset: 3, highWatermark: 20 });
    // Epoch 7 led from offset 0; DeleteRecords moved its start up to the log start.
    expect(fs.readFileSync(join(dir, LEADER_EPOCH_FILE), 'utf8')).toBe('0\n1\n7 3\n');
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    const reopened = PartitionLog.open(files, dir, logConfig({ segmentBytes: 400 }), { nowMs: 60, trustedOnDisk: true });
    expect([reopened.logStartOffset, reopened.highWatermark, reopened.logEndOffset, reopened.recoveryPoint, reopened.leaderEpoch]).toEqual([3, 20, 20, 20, 7]);
    reopened.close(70);
  });

  it('writeCheckpointIfDirty writes only when an offset moved', () => {
    const { log, dir } = openLog();
    const path = join(dir, CHECKPOINT_FILE);
    const stamp = (): string => fs.readFileSync(path, 'utf8');
    expect(readCheckpoint(files, dir)).toEqual({ recoveryPoint: 0, logStartOffset: 0, highWatermark: 0 });
    fs.writeFileSync(path, `${stamp()}# untouched\n`);
    log.writeCheckpointIfDirty();
    expect(stamp()).toContain('# untouched');
    appendOk(log, simpleBatch(3), 1);
    log.writeCheckpointIfDirty();
    expect(readCheckpoint(files, dir)).toEqual({ recoveryPoint: 0, logStartOffset: 0, highWatermark: 3 });
    log.flush(2);
    log.writeCheckpointIfDirty();
    expect(readCheckpoint(files, dir)!.recoveryPoint).toBe(3);
    fs.writeFileSync(path, `${stamp()}# untouched\n`);
    log.writeCheckpointIfDirty();
    expect(stamp()).toContain('# untouched');
    log.close(3);
  });

  it('writeCheckpointInBackground writes the moved offsets, and once a newer checkpoint was written meanwhile leaves that one', async () => {
    const { log, dir } = openLog();
    appendOk(log, simpleBatch(3), 1);
    await log.writeCheckpointInBackground();
    expect(readCheckpoint(files, dir)).toEqual({ recoveryPoint: 0, logStartOffset: 0, highWatermark: 3 });
    expect(fs.readdirSync(dir).filter((name) => name.endsWith('.tmp'))).toEqual([]);

    // A background write starts with the high watermark at 5; DeleteRecords writes log start 2 while it runs.
    appendOk(log, simpleBatch(2), 2);
    const background = log.writeCheckpointInBackground();
    log.deleteRecordsBefore(2);
    await background;
    expect(readCheckpoint(files, dir)).toEqual({ recoveryPoint: 0, logStartOffset: 2, highWatermark: 5 });
    expect(fs.readdirSync(dir).filter((name) => name.endsWith('.tmp'))).toEqual([]);
    log.close(3);
  });

  it('parseCheckpoint reads version 2 and the version-1 files of older builds (their leader.epoch line ignored), nothing else', () => {
    const offsets = { recoveryPoint: 1, logStartOffset: 0, highWatermark: 1 };
    expect(parseCheckpoint('version 2\nrecovery.point 1\nlog.start.offset 0\nhigh.watermark 1\n')).toEqual(offsets);
    expect(parseCheckpoint('version 1\nrecovery.point 1\nlog.start.offset 0\nhigh.watermark 1\nleader.epoch -1\n')).toEqual(offsets);
    expect(parseCheckpoint('version 2\nrecovery.point 1\nlog.start.offset 0\n')).toBeNull();
    expect(parseCheckpoint('version 3\nrecovery.point 1\nlog.start.offset 0\nhigh.watermark 1\n')).toBeNull();
    expect(parseCheckpoint('recovery.point 1\nlog.start.offset 0\nhigh.watermark 1\nleader.epoch 0\n')).toBeNull();
    expect(parseCheckpoint('version 1\nrecovery.point 99999999999999999999\nlog.start.offset 0\nhigh.watermark 1\nleader.epoch 0\n')).toBeNull();
  });
});
