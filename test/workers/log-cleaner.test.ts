// The worker's log cleaner scheduler with the job run in this thread (no piscina): which partitions it
// cleans, one run at a time, failed jobs logged and retried, results for closed partitions dropped.
import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PartitionLog } from '../../workers/log/partition-log.js';
import { cleanSegments, type CleanerJob } from '../../workers/log/segment-cleaner.js';
import { LogCleaner } from '../../workers/log-cleaner.js';
import { PartitionTable } from '../../workers/partition-table.js';
import { files, logConfig, tempPartitionDir } from './log/log-test-kit.js';
import { appendBatch, keyedBatch } from './log/cleaner-test-kit.js';

const NOW = 1_000_000;

async function partitionWithHistory(table: PartitionTable, slot: number, cleanupPolicy: 'compact' | 'delete'): Promise<PartitionLog> {
  const log = PartitionLog.open(files, tempPartitionDir(`t-${slot}`), logConfig({ segmentBytes: 300, cleanupPolicy, minCleanableDirtyRatio: 0 }), {
    nowMs: NOW,
    trustedOnDisk: true,
  });
  for (let round = 0; round < 8; round++)
    await appendBatch(
      log,
      await keyedBatch([
        { key: 'a', value: `a${round}`, timestamp: NOW },
        { key: 'b', value: `b${round}`.padEnd(60, '.'), timestamp: NOW },
      ]),
      NOW,
    );
  table.add({ slot, topic: 't', partition: slot, logDir: '/unused', log });
  return log;
}

function collect(): { lines: string[]; log: (level: string, message: string) => void } {
  const lines: string[] = [];
  return { lines, log: (level, message) => lines.push(`${level} ${message}`) };
}

describe('LogCleaner', () => {
  it('cleans compacted partitions only, and reports what it did', async () => {
    const table = new PartitionTable();
    const compacted = await partitionWithHistory(table, 0, 'compact');
    const plain = await partitionWithHistory(table, 1, 'delete');
    const plainSize = plain.sizeBytes;
    const { lines, log } = collect();
    const cleaner = new LogCleaner((job) => cleanSegments(files, job));
    const replaced = await cleaner.cleanDue(table.online(), NOW, log, (_, error) => {
      throw error;
    });
    expect(replaced).toBeGreaterThan(0);
    expect(plain.sizeBytes).toBe(plainSize);
    expect(lines).toEqual([expect.stringMatching(/^info log cleaner: t-0 cleaned \d+ segment\(s\) below offset \d+: \d+ records removed/)]);
    expect(await cleaner.cleanDue(table.online(), NOW, log, () => {})).toBe(0);
    compacted.close(NOW);
    plain.close(NOW);
  });

  it('runs one pass at a time; a failed job is logged, leaves nothing behind and is retried later', async () => {
    const table = new PartitionTable();
    const partition = await partitionWithHistory(table, 0, 'compact');
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    let fail = true;
    const cleaner = new LogCleaner(async (job: CleanerJob) => {
      await gate;
      if (fail) throw new Error('disk hiccup');
      return cleanSegments(files, job);
    });
    const { lines, log } = collect();
    const first = cleaner.cleanDue(table.online(), NOW, log, () => {});
    expect(await cleaner.cleanDue(table.online(), NOW, log, () => {})).toBe(0);
    release();
    expect(await first).toBe(0);
    expect(lines).toEqual(['warn log cleaner: cleaning t-0 failed, will retry: disk hiccup']);
    fail = false;
    expect(await cleaner.cleanDue(table.online(), NOW, log, () => {})).toBeGreaterThan(0);
    expect(fs.readdirSync(partition.dir).filter((n) => n.endsWith('.cleaned') || n.endsWith('.swap'))).toEqual([]);
    partition.close(NOW);
  });

  it('drops the result for a partition closed while its job ran', async () => {
    const table = new PartitionTable();
    const partition = await partitionWithHistory(table, 0, 'compact');
    const cleaner = new LogCleaner(async (job) => {
      const outcome = await cleanSegments(files, job);
      partition.close(NOW);
      return outcome;
    });
    const { lines, log } = collect();
    expect(await cleaner.cleanDue(table.online(), NOW, log, () => {})).toBe(0);
    expect(lines).toEqual([]);
    expect(fs.readdirSync(partition.dir).filter((n) => n.endsWith('.cleaned'))).toEqual([]);
  });
});
