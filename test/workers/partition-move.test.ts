// The future copy of a partition being moved between log dirs, against real files: copied in steps while appends go
// on, it reopens as the same log (offsets, records, log start, leader epochs); retention past what was copied and a
// truncation of the source start the copy again; a log end past the last batch is kept; abandon removes the copy.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PartitionLog } from '../../workers/log/partition-log.js';
import { PartitionMove } from '../../workers/partition-move.js';
import { appendOk, files, logConfig, readAll, simpleBatch, tempPartitionDir, tempRoot } from './log/log-test-kit.js';

const NOW = 10_000;
const config = logConfig({ segmentBytes: 4096 });

function sourceWith(batches: number): PartitionLog {
  const log = PartitionLog.open(files, tempPartitionDir('t-0'), config, { nowMs: NOW, trustedOnDisk: true });
  for (let i = 0; i < batches; i++) appendOk(log, simpleBatch(3, NOW + i));
  return log;
}

function moveOf(source: PartitionLog): { move: PartitionMove; futureDir: string } {
  const target = tempRoot();
  const futureDir = join(target, `t-0.${'0f'.repeat(16)}-future`);
  return { move: new PartitionMove(files, source, target, futureDir, () => NOW), futureDir };
}

/** The finished copy opened as a partition log, as it opens once renamed into place. */
function reopened(futureDir: string): PartitionLog {
  return PartitionLog.open(files, futureDir, config, { nowMs: NOW, trustedOnDisk: true });
}

function expectSameLog(copy: PartitionLog, source: PartitionLog): void {
  expect([copy.logStartOffset, copy.logEndOffset, copy.leaderEpoch]).toEqual([source.logStartOffset, source.logEndOffset, source.leaderEpoch]);
  expect(copy.leaderEpochEntries).toEqual(source.leaderEpochEntries);
  const records = (log: PartitionLog) => readAll(log).map((r) => [r.offset, r.key?.toString(), r.value?.toString()]);
  expect(records(copy)).toEqual(records(source));
}

describe('PartitionMove', () => {
  it('copies in steps while appends go on, and the finished copy reopens as the same log', () => {
    const source = sourceWith(200);
    const { move, futureDir } = moveOf(source);
    let steps = 0;
    for (let progress = move.copyStep(2048); !progress.caughtUp; progress = move.copyStep(2048)) {
      appendOk(source, simpleBatch(3, NOW));
      steps++;
    }
    expect(steps).toBeGreaterThan(3);
    for (let i = 0; i < 20; i++) appendOk(source, simpleBatch(2, NOW));
    expect(move.offsetLag).toBe(40);
    move.finish();
    expectSameLog(reopened(futureDir), source);
  });

  it('starts again from the log start when retention or DeleteRecords passed what was copied', () => {
    const source = sourceWith(200);
    const { move, futureDir } = moveOf(source);
    move.copyStep(2048);
    source.deleteRecordsBefore(450);
    expect(move.copyStep(1 << 20).caughtUp).toBe(true);
    move.finish();
    const copy = reopened(futureDir);
    expect(copy.logStartOffset).toBe(450);
    expectSameLog(copy, source);
  });

  it('starts again when the source was truncated, so no record of the cut tail survives in the copy', () => {
    const source = sourceWith(100);
    const { move, futureDir } = moveOf(source);
    move.copyStep(1 << 20);
    source.truncateTo(150, NOW);
    for (let i = 0; i < 50; i++) appendOk(source, simpleBatch(3, NOW + 1_000));
    move.finish();
    expectSameLog(reopened(futureDir), source);
  });

  it("takes the source's leader epochs (one assigned with nothing written yet too) and a log end past its last batch", () => {
    const source = sourceWith(20);
    const { move, futureDir } = moveOf(source);
    move.copyStep(1 << 20);
    source.assignLeaderEpoch(3);
    for (let i = 0; i < 5; i++) appendOk(source, simpleBatch(2, NOW));
    source.assignLeaderEpoch(5);
    source.roll(NOW, source.logEndOffset + 10);
    move.finish();
    expect(source.leaderEpochEntries).toEqual([
      { epoch: 0, startOffset: 0 },
      { epoch: 3, startOffset: 60 },
      { epoch: 5, startOffset: 70 },
    ]);
    expectSameLog(reopened(futureDir), source);
  });

  it('abandon removes the copy, before and after it was finished', () => {
    const source = sourceWith(20);
    const first = moveOf(source);
    first.move.copyStep(1024);
    first.move.abandon();
    expect(existsSync(first.futureDir)).toBe(false);
    const second = moveOf(source);
    second.move.finish();
    second.move.abandon();
    expect(existsSync(second.futureDir)).toBe(false);
  });
});
