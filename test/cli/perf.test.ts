// `fjord perf produce|consume|end-to-end` against a real broker process: a short run each, the summary line
// with throughput and latency percentiles, and every produced record read back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBrokerProcess, type BrokerProcess } from '../helpers/broker-process.js';
import { fjord } from './run-fjord.js';

let broker: BrokerProcess;

beforeAll(async () => {
  broker = await startBrokerProcess();
});
afterAll(() => broker?.stop());

describe('fjord perf', () => {
  it('produces a bounded load, then consumes it all, printing throughput and latency percentiles', async () => {
    const b = ['--bootstrap-server', broker.bootstrap];
    const produced = await fjord([
      'perf',
      'produce',
      'load',
      '--num-records',
      '5000',
      '--record-size',
      '100',
      '--partitions',
      '2',
      '--batch-bytes',
      '16384',
      '--connections',
      '1',
      ...b,
    ]);
    expect(produced.status).toBe(0);
    const [summary, latency] = produced.stdout.trimEnd().split('\n');
    const records = Number(/^produced (\d+) records of 100 bytes to load \(2 partitions\) in [\d.]+ s: \d+ records\/s, [\d.]+ MB\/s$/.exec(summary!)?.[1]);
    expect(records).toBeGreaterThanOrEqual(5000);
    expect(latency).toMatch(/^latency ms: p50 [\d.]+ {2}p99 [\d.]+ {2}p99\.9 [\d.]+ {2}max [\d.]+ {2}\(\d+ requests\)$/);
    const consumed = await fjord(['perf', 'consume', 'load', ...b]);
    expect(consumed.status).toBe(0);
    expect(consumed.stdout).toMatch(
      new RegExp(`^consumed ${records} records \\([\\d.]+ MB\\) from load \\(2 partitions\\) in [\\d.]+ s: .* fetches\\nlatency ms: p50 `),
    );
  });

  it('names a topic that is not there', async () => {
    const missing = await fjord(['perf', 'consume', 'ghost', '--bootstrap-server', broker.bootstrap]);
    expect(missing).toMatchObject({
      status: 1,
      stderr: 'fjord: topic "ghost": UNKNOWN_TOPIC_OR_PARTITION (3); list topics with "fjord topics list", or create it with "fjord topics create NAME"\n',
    });
  });

  it('measures produce → consume latency end to end, one at a time and paced, creating the topic', async () => {
    const b = ['--bootstrap-server', broker.bootstrap];
    const summaryLine = /^end-to-end: (\d+) of (\d+) records of 64 bytes consumed from e2e \(1 partitions, acks=(\w+), [^)]+\) in [\d.]+ s$/;
    const latencyLine = /^latency ms: p50 ([\d.]+) {2}p99 ([\d.]+) {2}p99\.9 ([\d.]+) {2}max ([\d.]+) {2}\((\d+) records\)$/;
    for (const extra of [[], ['--rate', '500', '--acks', 'all']]) {
      const run = await fjord(['perf', 'end-to-end', 'e2e', '--messages', '100', '--record-size', '64', ...extra, ...b]);
      expect(run.status).toBe(0);
      const [summary, latency] = run.stdout.trimEnd().split('\n');
      expect(summary).toMatch(summaryLine);
      expect(summaryLine.exec(summary!)!.slice(1, 3)).toEqual(['100', '100']);
      const figures = latencyLine.exec(latency!);
      expect(figures).not.toBeNull();
      expect(Number(figures![5])).toBe(100);
      for (const figure of figures!.slice(1, 5).map(Number)) expect(figure).toBeGreaterThanOrEqual(0);
    }
  });

  it('refuses an end-to-end record too small for the send-time stamp, and an unreachable broker', async () => {
    const small = await fjord(['perf', 'end-to-end', 'e2e', '--record-size', '8', '--bootstrap-server', broker.bootstrap]);
    expect(small).toMatchObject({ status: 2, stdout: '' });
    expect(small.stderr).toMatch(/^fjord: .*--record-size.*expected 16 or more.*; run "fjord perf end-to-end --help" for usage\n$/);
    const unreachable = await fjord(['perf', 'end-to-end', 'e2e', '--messages', '1', '--bootstrap-server', '127.0.0.1:1']);
    expect(unreachable.status).toBe(1);
    expect(unreachable.stderr).toMatch(/^fjord: .*; check that a broker is running there .*\n$/);
  });
});
