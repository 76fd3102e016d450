// Crash safety of the cleaner's swap protocol (segment-swap.ts): the protocol's file steps are replayed on
// disk up to every possible crash point, then the partition is reopened as after a crash. At every point
// nothing is lost or resurrected: each key's latest value is what it was before cleaning, every record read
// is an original record at its original offset, and no .cleaned / .swap file is left behind.
import * as fs from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { LogConfig } from '../../../src/shared/topic-config.js';
import { PartitionLog } from '../../../workers/log/partition-log.js';
import { segmentFileName } from '../../../workers/log/log-segment.js';
import { type CleanerOutcome, cleanSegments } from '../../../workers/log/segment-cleaner.js';
import { CLEANED_SUFFIX, SWAP_SUFFIX } from '../../../workers/log/segment-swap.js';
import { files, logConfig, tempPartitionDir } from './log-test-kit.js';
import { appendBatch, keyedBatch, type KeyedRecord, readRecords, triples } from './cleaner-test-kit.js';

const NOW = 1_000_000;
const config: LogConfig = logConfig({ segmentBytes: 260, cleanupPolicy: 'compact', minCleanableDirtyRatio: 0, deleteRetentionMs: 0 });

type Step = { what: string; run: (dir: string) => void };

/** The file steps of swapping `outcome` in, as segment-swap.ts performs them, one by one. */
function swapSteps(outcome: CleanerOutcome): Step[] {
  const steps: Step[] = [];
  const name = (base: number, suffix: string): string => segmentFileName(base, suffix);
  const remove = (file: string): Step => ({ what: `remove ${file}`, run: (dir) => fs.rmSync(join(dir, file), { force: true }) });
  const rename = (from: string, to: string): Step => ({ what: `rename ${from} → ${to}`, run: (dir) => fs.renameSync(join(dir, from), join(dir, to)) });
  const dropOld = (base: number): Step[] => ['.log', '.index', '.timeindex'].map((suffix) => remove(name(base, suffix)));
  for (const group of outcome.groups) {
    if (group.replacedBy === 'nothing') {
      for (const old of group.inputBaseOffsets) steps.push(...dropOld(old));
      continue;
    }
    const base = group.baseOffset;
    steps.push(rename(name(base, '.log') + CLEANED_SUFFIX, name(base, '.log') + SWAP_SUFFIX));
    for (const old of group.inputBaseOffsets) steps.push(...dropOld(old));
    steps.push(rename(name(base, '.index') + CLEANED_SUFFIX, name(base, '.index')));
    steps.push(rename(name(base, '.timeindex') + CLEANED_SUFFIX, name(base, '.timeindex')));
    steps.push(rename(name(base, '.log') + SWAP_SUFFIX, name(base, '.log')));
  }
  return steps;
}

/** A log whose keys are overwritten many times, with tombstones (deleteRetentionMs 0: they expire at once). */
async function writeLog(dir: string, batches: KeyedRecord[][]): Promise<PartitionLog> {
  const log = PartitionLog.open(files, dir, config, { nowMs: NOW, trustedOnDisk: true });
  for (const records of batches) await appendBatch(log, await keyedBatch(records), NOW);
  return log;
}

function workload(): KeyedRecord[][] {
  const batches: KeyedRecord[][] = [];
  for (let round = 0; round < 14; round++) {
    const key = `k${round % 5}`;
    const value = round % 6 === 5 ? null : `v${round}`.padEnd(40, '.');
    batches.push([
      { key, value, timestamp: NOW - 100 },
      { key: `s${round % 3}`, value: `w${round}`.padEnd(30, '.'), timestamp: NOW - 100 },
    ]);
  }
  batches.push([{ key: 'tail', value: 'x', timestamp: NOW }]);
  return batches;
}

/** Each key's latest value (null: tombstone or absent). */
function latestByKey(records: ReadonlyArray<[number, string | null, string | null]>): Map<string, string | null> {
  const latest = new Map<string, string | null>();
  for (const [, key, value] of records) if (key !== null) latest.set(key, value);
  for (const [key, value] of latest) if (value === null) latest.delete(key);
  return latest;
}

describe('cleaner swap protocol under crashes', () => {
  it('loses and resurrects nothing whichever step the crash interrupts', async () => {
    const probe = tempPartitionDir();
    const log = await writeLog(probe, workload());
    const original = triples(await readRecords(log));
    // A larger segment.bytes now than when the segments rolled: the cleaner merges neighbours into one group.
    log.updateConfig({ ...config, segmentBytes: 700 });
    const plan = log.planCleaning(NOW)!;
    const outcome = await cleanSegments(files, plan.job);
    log.abandon();
    const steps = swapSteps(outcome);
    expect(outcome.groups.length).toBeGreaterThan(1);
    expect(outcome.groups.some((g) => g.replacedBy === 'segment' && g.inputBaseOffsets.length > 1)).toBe(true);
    expect(outcome.groups.some((g) => g.replacedBy === 'nothing')).toBe(true);
    for (let crashAfter = 0; crashAfter <= steps.length; crashAfter++) {
      const dir = tempPartitionDir(`crash-${crashAfter}`);
      fs.cpSync(probe, dir, { recursive: true });
      for (const step of steps.slice(0, crashAfter)) step.run(dir);
      const reopened = PartitionLog.open(files, dir, config, { nowMs: NOW, trustedOnDisk: false });
      const after = triples(await readRecords(reopened));
      const where = `crash after ${crashAfter} step(s)${crashAfter > 0 ? ` (last: ${steps[crashAfter - 1]!.what})` : ''}`;
      expect(latestByKey(after), where).toEqual(latestByKey(original));
      const originalAt = new Map(original.map((r) => [r[0], r]));
      for (const record of after) expect(originalAt.get(record[0]), where).toEqual(record);
      expect(
        fs.readdirSync(dir).filter((n) => n.endsWith(CLEANED_SUFFIX) || n.endsWith(SWAP_SUFFIX)),
        where,
      ).toEqual([]);
      expect([reopened.logStartOffset, reopened.logEndOffset], where).toEqual([0, log.logEndOffset]);
      if (crashAfter === steps.length) expect(after.length, where).toBeLessThan(original.length);
      reopened.close(NOW);
    }
  });

  it('deletes leftover .cleaned files at open and keeps the old segments', async () => {
    const dir = tempPartitionDir();
    const log = await writeLog(dir, workload());
    const before = triples(await readRecords(log));
    const plan = log.planCleaning(NOW)!;
    await cleanSegments(files, plan.job);
    log.abandon();
    expect(fs.readdirSync(dir).filter((n) => n.endsWith(CLEANED_SUFFIX)).length).toBeGreaterThan(0);
    const reopened = PartitionLog.open(files, dir, config, { nowMs: NOW, trustedOnDisk: true });
    expect(fs.readdirSync(dir).filter((n) => n.endsWith(CLEANED_SUFFIX))).toEqual([]);
    expect(triples(await readRecords(reopened))).toEqual(before);
    reopened.close(NOW);
  });

  it('completes a committed swap at open and reports it', async () => {
    const dir = tempPartitionDir();
    const log = await writeLog(dir, workload());
    const plan = log.planCleaning(NOW)!;
    const outcome = await cleanSegments(files, plan.job);
    log.abandon();
    const steps = swapSteps(outcome);
    steps[0]!.run(dir); // the commit rename of the first group only
    const repairs: string[] = [];
    const reopened = PartitionLog.open(files, dir, config, { nowMs: NOW, trustedOnDisk: false, onRepair: (what) => repairs.push(what) });
    expect(repairs.some((r) => r.includes('completed an interrupted compaction'))).toBe(true);
    expect(fs.readdirSync(dir).filter((n) => n.endsWith(SWAP_SUFFIX) || n.endsWith(CLEANED_SUFFIX))).toEqual([]);
    // The first group is cleaned, the others are as they were.
    const records = triples(await readRecords(reopened));
    const firstEnd = outcome.groups[1]!.baseOffset;
    const inFirst = records.filter(([offset, key]) => offset < firstEnd && key !== null).map(([, key]) => key);
    expect(new Set(inFirst).size).toBe(inFirst.length);
    reopened.close(NOW);
  });
});
