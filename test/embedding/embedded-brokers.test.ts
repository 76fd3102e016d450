// Embedded brokers as a test fixture: eight started at once in one process and four processes with one each,
// every one used by KafkaJS (producer and consumer group), all stopped, and every process ending on its own
// (no port, thread, file or timer left); startBroker()'s defaults (no admin port, silent, temp log dir
// removed, test timings) and how explicit config overrides them.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { startBroker } from '../../src/index.js';
import { tempDir } from '../helpers/temp-dir.js';

const FIXTURE = new URL('../fixtures/embedded-brokers.mjs', import.meta.url).pathname;

/** Runs the fixture with `count` brokers; resolves with its exit code and its stdout lines as JSON. */
function runFixture(count: number): Promise<{ code: number | null; lines: Array<Record<string, unknown>>; stderr: string }> {
  const child = spawn(process.execPath, [FIXTURE, String(count)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => {
    child.once('exit', (code) =>
      resolve({
        code,
        stderr,
        lines: stdout
          .trim()
          .split('\n')
          .map((line) => JSON.parse(line) as Record<string, unknown>),
      }),
    );
  });
}

/** KafkaJS 2.2.4 sets a negative timeout on Node 24, which prints a process warning; it is not the broker's. */
const KAFKAJS_TIMEOUT_WARNING = /^\(node:\d+\) TimeoutNegativeWarning: .*\nTimeout duration was set to 1\.\n(\(Use `node --trace-warnings \.\.\.` .*\n)?/gm;

function expectCleanRun(run: Awaited<ReturnType<typeof runFixture>>, count: number): void {
  expect(run.stderr.replace(KAFKAJS_TIMEOUT_WARNING, '')).toBe('');
  expect(run.code).toBe(0);
  // Exactly the fixture's three lines: the brokers themselves printed nothing.
  expect(run.lines).toHaveLength(3);
  const started = run.lines[0]!.started as Array<{ bootstrap: string; adminUrl: string | null; logDirs: string[] }>;
  expect(new Set(started.map((b) => b.bootstrap)).size).toBe(count);
  expect(started.every((b) => b.adminUrl === null && b.logDirs.length === 1)).toBe(true);
  expect(run.lines[1]!.received).toEqual(Array.from({ length: count }, (_, i) => `order ${i}`));
  expect(run.lines[2]).toEqual({ stopped: true, logDirsLeft: [] });
}

describe('embedded brokers', () => {
  it('eight at once in one process: each serves KafkaJS, all stop, the process ends by itself', async () => {
    expectCleanRun(await runFixture(8), 8);
  }, 120_000);

  it('four processes at once, one broker each, collide on nothing', async () => {
    const runs = await Promise.all([1, 2, 3, 4].map(() => runFixture(1)));
    for (const run of runs) expectCleanRun(run, 1);
    const ports = runs.map((r) => (r.lines[0]!.started as Array<{ bootstrap: string }>)[0]!.bootstrap);
    expect(new Set(ports).size).toBe(4);
  }, 120_000);

  it('defaults to test timings and a temp log dir, which explicit config overrides', async () => {
    const broker = await startBroker();
    expect(broker.config.workers).toBe(1);
    expect(broker.config.effective['group.initial.rebalance.delay.ms']).toBe('0');
    expect(existsSync(broker.logDirs[0]!)).toBe(true);
    await broker.stop();
    expect(existsSync(broker.logDirs[0]!)).toBe(false);

    const dir = tempDir('fjord-embedded-own-');
    const configured = await startBroker({ config: { 'log.dirs': dir, 'group.initial.rebalance.delay.ms': '3000' }, adminHttp: true });
    expect(configured.logDirs).toEqual([dir]);
    expect(configured.config.effective['group.initial.rebalance.delay.ms']).toBe('3000');
    expect((await fetch(`${configured.adminUrl}/health`)).status).toBe(200);
    await configured.stop();
    await configured.stop();
    expect(existsSync(dir)).toBe(true);
  }, 60_000);

  it('removes its temp log dir when it cannot start', async () => {
    const before = new Set(await listEmbeddedDirs());
    await expect(startBroker({ config: { 'num.partitions': 'many' } })).rejects.toThrow(/num\.partitions/);
    expect((await listEmbeddedDirs()).filter((d) => !before.has(d))).toEqual([]);
  });
});

async function listEmbeddedDirs(): Promise<string[]> {
  const { readdir } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  return (await readdir(tmpdir())).filter((name) => name.startsWith('fjord-embedded-'));
}
