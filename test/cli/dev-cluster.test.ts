// `fjord dev-cluster` as a person runs it: etcd and three brokers on consecutive ports, all listed by each
// broker; a broker killed is reported with the command that starts it again, and the others keep answering;
// Ctrl-C stops every process. Bad flags and a port in use answer one line. Real processes on 127.0.0.1.
import { createServer, type Server } from 'node:net';
import { isFree } from '../../src/cli/dev-cluster.js';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/temp-dir.js';
import { fjord, fjordInBackground } from './run-fjord.js';

const BROKERS = 3;
const UP_TIMEOUT_MS = 90_000;

/** A base port whose broker, replication and metrics ports (and etcd's two after base+300) are all free now. */
async function freeBase(): Promise<number> {
  for (;;) {
    const base = 20_000 + Math.floor(Math.random() * 30_000);
    const ports = [base + 300, base + 301, ...Array.from({ length: BROKERS }, (_, i) => [base + i, base + 100 + i, base + 200 + i]).flat()];
    if ((await Promise.all(ports.map(isFree))).every(Boolean)) return base;
  }
}

async function waitForLine(lines: string[], pattern: RegExp, what: string, timeoutMs = UP_TIMEOUT_MS): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const line = lines.find((l) => pattern.test(l));
    if (line !== undefined) return line;
    if (Date.now() > deadline) throw new Error(`no line for ${what} in:\n${lines.join('\n')}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const blockers: Server[] = [];
afterAll(() => {
  for (const server of blockers) server.close();
});

describe('fjord dev-cluster', () => {
  it('starts etcd and three brokers that list each other, reports a killed broker, and stops everything on Ctrl-C', async () => {
    const base = await freeBase();
    const dir = tempDir('fjord-dev-cluster-');
    const run = fjordInBackground(['dev-cluster', '--brokers', String(BROKERS), '--dir', dir, '--port', String(base), '--etcd-port', String(base + 300)]);
    await waitForLine(run.lines, /Ctrl-C stops everything/, 'the cluster up');
    const pids = run.lines.flatMap((l) => [...l.matchAll(/\(pid (\d+)\)/g)].map((m) => Number(m[1])));
    expect(pids).toHaveLength(BROKERS + 1);
    const bootstrap = (await waitForLine(run.lines, /bootstrap servers: /, 'bootstrap')).split('bootstrap servers: ')[1]!.split(',');
    expect(bootstrap).toEqual([`127.0.0.1:${base}`, `127.0.0.1:${base + 1}`, `127.0.0.1:${base + 2}`]);

    const kafka = new Kafka({ clientId: 'dev-cluster-test', brokers: bootstrap, logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    try {
      const cluster = await admin.describeCluster();
      expect(cluster.brokers.map((b) => b.nodeId).sort()).toEqual([1, 2, 3]);

      process.kill(pids[2]!, 'SIGKILL'); // broker 2
      const report = await waitForLine(run.lines, /broker 2 exited on SIGKILL/, 'the killed broker reported', 20_000);
      expect(report).toMatch(/start it again with: .*broker start .*node\.id=2/);
    } finally {
      await admin.disconnect();
    }

    expect(await run.stop()).toBe(0);
    for (const pid of pids) expect(alive(pid)).toBe(false);
  }, 180_000);

  it('refuses a port in use and bad flags with one line', async () => {
    const base = await freeBase();
    const blocker = createServer();
    blockers.push(blocker);
    await new Promise<void>((resolve) => blocker.listen(base, '127.0.0.1', resolve));
    const taken = await fjord(['dev-cluster', '--dir', tempDir(), '--port', String(base), '--etcd-port', String(base + 300)]);
    expect(taken.status).toBe(1);
    expect(taken.stderr).toBe(`fjord: port ${base} on 127.0.0.1 is in use; pick other ports with --port and --etcd-port\n`);

    const tooMany = await fjord(['dev-cluster', '--brokers', '12']);
    expect(tooMany.status).toBe(2);
    expect(tooMany.stderr).toMatch(/^fjord: --brokers 12: at most 9; run "fjord dev-cluster --help" for usage\n$/);
  });
});
