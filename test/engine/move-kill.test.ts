// kill -9 of a broker process in the middle of moving a partition between log dirs, at each step of the move:
// after a restart there is one copy of the partition, in the old dir until the move was recorded and in the new
// one after, no leftover copies, and every acknowledged record at its acknowledged offset.
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { launchBroker } from '../../src/broker.js';
import type { MoveStep } from '../../src/engine/partition-engine.js';
import { decodeRecordBatches } from '../../src/shared/record-batch-codec.js';
import { tempDir } from '../helpers/temp-dir.js';

const fixture = fileURLToPath(new URL('../fixtures/move-until-killed.mjs', import.meta.url));

interface KilledRun {
  from: string;
  killedAt: string;
  acked: Map<number, number>;
}

async function runUntilKilled(dirs: [string, string], step: MoveStep): Promise<KilledRun> {
  const child = spawn(process.execPath, [fixture, ...dirs, step], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const run: KilledRun = { from: '', killedAt: '', acked: new Map() };
  for await (const line of createInterface({ input: child.stdout })) {
    const [word, a, b] = line.split(' ');
    if (word === 'ready') run.from = a!;
    else if (word === 'acked') run.acked.set(Number(b), Number(a));
    else if (word === 'killed') run.killedAt = b!;
  }
  await exited;
  return run;
}

/** Every record of t-0 as [offset, number]. */
async function readAll(broker: Awaited<ReturnType<typeof launchBroker>>): Promise<Array<[number, number]>> {
  const records: Array<[number, number]> = [];
  let offset = 0;
  for (;;) {
    const fetched = await broker.engine.fetch('t', 0, offset, 1 << 20);
    expect(fetched.errorCode, fetched.errorMessage).toBe(0);
    if (fetched.records.length === 0) return records;
    for (const record of decodeRecordBatches(fetched.records)) {
      records.push([record.offset, Number.parseInt(record.value!.toString(), 10)]);
      offset = record.offset + 1;
    }
  }
}

const steps: Array<[MoveStep, 'old' | 'new']> = [
  ['copying', 'old'],
  ['caught-up', 'old'],
  ['committed', 'new'],
  ['switched', 'new'],
];

describe('kill -9 during a move between log dirs', () => {
  it.each(steps)('killed at %s: one consistent copy, in the %s dir', async (step, expected) => {
    const dirs: [string, string] = [tempDir(), tempDir()];
    const run = await runUntilKilled(dirs, step);
    expect(run.killedAt).toBe(step);
    const to = dirs.find((d) => d !== run.from)!;
    const broker = await launchBroker({
      config: { 'log.dirs': dirs.join(','), 'fjord.workers': '2', listeners: 'PLAINTEXT://127.0.0.1:0', 'fjord.http.listener': '' },
      logger: pino({ level: 'silent' }),
    });
    try {
      const at = broker.engine.partitions().filter((p) => p.topic === 't');
      expect(at.map((p) => p.logDir)).toEqual([expected === 'old' ? run.from : to]);
      for (const dir of dirs) {
        const left = readdirSync(dir).filter((name) => name.startsWith('t-'));
        expect(left).toEqual(dir === at[0]!.logDir ? ['t-0'] : []);
      }
      const records = await readAll(broker);
      expect(records.map(([offset]) => offset)).toEqual(records.map((_, i) => i));
      const byNumber = new Map(records.map(([offset, n]) => [n, offset]));
      expect(byNumber.size).toBe(records.length);
      expect(run.acked.size).toBeGreaterThanOrEqual(3000);
      for (const [n, offset] of run.acked) expect(byNumber.get(n), `record ${n}`).toBe(offset);
    } finally {
      await broker.stop();
    }
  });
});
