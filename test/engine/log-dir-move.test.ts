// Moving a partition between log dirs inside a broker (two log dirs, real workers and files): under appends and
// fetches nothing is lost or duplicated and offsets continue; the old dir is emptied; a restart opens the new
// copy; DescribeLogDirs shows the copy while it is built; Kafka's errors; a second request, a cancel, a topic
// deleted and records deleted in the middle of a move.
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type BrokerHandle, launchBroker } from '../../src/broker.js';
import { type FreeSpaceProbe, LOG_DIR_FULL_BELOW_BYTES } from '../../src/engine/log-dirs.js';
import type { MoveStep } from '../../src/engine/partition-engine.js';
import { ErrorCode } from '../../src/shared/kafka-error-codes.js';
import { buildRecordBatch, decodeRecordBatches } from '../../src/shared/record-batch-codec.js';
import { RawClient } from '../broker/raw-client.js';
import { captureLogger } from '../helpers/capture-logger.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitUntil } from '../helpers/wait-until.js';

const running: BrokerHandle[] = [];
const gates: MoveGate[] = [];
afterEach(async () => {
  // A test that failed with a move paused must not keep the broker's stop waiting for it.
  for (const gate of gates.splice(0)) gate.releaseAll();
  for (const broker of running.splice(0)) await broker.stop().catch(() => {});
});

/** Pauses moves at a chosen step until released; records every step reached. */
class MoveGate {
  readonly reached: MoveStep[] = [];
  private pauseAt: MoveStep | null = null;
  private release: (() => void) | null = null;
  private arrived: (() => void) | null = null;

  hook = async (step: MoveStep): Promise<void> => {
    this.reached.push(step);
    if (step !== this.pauseAt) return;
    this.pauseAt = null;
    await new Promise<void>((resolve) => {
      this.release = resolve;
      this.arrived?.();
    });
  };

  /** Resolves once a move reaches `step` (and waits there until `resume()`). */
  pause(step: MoveStep): Promise<void> {
    this.pauseAt = step;
    return new Promise((resolve) => (this.arrived = resolve));
  }

  resume(): void {
    this.release?.();
    this.release = null;
  }

  releaseAll(): void {
    this.pauseAt = null;
    this.resume();
  }

  /** Resolves at the next time a move reaches `step` (without pausing it). */
  async until(step: MoveStep): Promise<void> {
    await this.pause(step);
    this.resume();
  }
}

async function start(dirs: string[], gate = new MoveGate(), extra: Record<string, string> = {}, faultInjection = false, freeBytesOf?: FreeSpaceProbe) {
  const { logger, lines } = captureLogger();
  const broker = await launchBroker({
    config: {
      'log.dirs': dirs.join(','),
      listeners: 'PLAINTEXT://127.0.0.1:0',
      'fjord.http.listener': '',
      'fjord.workers': '2',
      'log.segment.bytes': '65536',
      ...extra,
    },
    logger,
    onMoveStep: gate.hook,
    faultInjection,
    freeBytesOf,
  });
  running.push(broker);
  gates.push(gate);
  return { broker, gate, lines };
}

function dirOf(broker: BrokerHandle, topic: string, partition: number): string {
  return broker.engine.partitions().find((p) => p.topic === topic && p.partition === partition)!.logDir;
}

async function appendNumbered(broker: BrokerHandle, from: number, count: number, acked: Map<number, number>): Promise<void> {
  for (let n = from; n < from + count; n++) {
    const batch = buildRecordBatch([{ key: Buffer.from(`k${n}`), value: Buffer.from(`${n}`.padEnd(200, '.')) }]);
    const outcome = await broker.engine.append('t', 0, batch);
    expect(outcome.errorCode, outcome.errorMessage).toBe(0);
    acked.set(n, outcome.baseOffset);
  }
}

/** Every record of t-0 from `from` on, as [offset, number]. */
async function readAll(broker: BrokerHandle, from = 0): Promise<Array<[number, number]>> {
  const records: Array<[number, number]> = [];
  let offset = from;
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

function expectEveryAckedOnce(records: Array<[number, number]>, acked: Map<number, number>): void {
  const offsets = records.map(([offset]) => offset);
  expect(offsets).toEqual(offsets.map((_, i) => offsets[0]! + i));
  const byNumber = new Map(records.map(([offset, n]) => [n, offset]));
  expect(byNumber.size).toBe(records.length);
  for (const [n, offset] of acked) expect(byNumber.get(n), `record ${n}`).toBe(offset);
}

function otherDir(dirs: string[], dir: string): string {
  return dirs.find((d) => d !== dir)!;
}

describe('moving a partition between log dirs', () => {
  it('loses and duplicates nothing under appends and fetches, empties the old dir, and a restart opens the new copy', async () => {
    const dirs = [tempDir(), tempDir()];
    const { broker, gate } = await start(dirs);
    await broker.topics.createTopic('t', 1);
    const from = dirOf(broker, 't', 0);
    const to = otherDir(dirs, from);
    const acked = new Map<number, number>();
    await appendNumbered(broker, 0, 3000, acked);
    const switched = gate.until('switched');
    await broker.topics.moveToLogDir('t', 0, to);
    // Appends and reads go on while the copy is built and the partition switches over.
    let reading = true;
    const reader = (async () => {
      let reads = 0;
      while (reading) reads += (await readAll(broker)).length > 0 ? 1 : 0;
      return reads;
    })();
    let n = 3000;
    let done = false;
    void switched.then(() => (done = true));
    while (!done) {
      await appendNumbered(broker, n, 50, acked);
      n += 50;
    }
    await appendNumbered(broker, n, 500, acked);
    reading = false;
    expect(await reader).toBeGreaterThan(0);
    await waitForMoveEnd(broker);
    expect(dirOf(broker, 't', 0)).toBe(to);
    expectEveryAckedOnce(await readAll(broker), acked);
    expect(readdirSync(from).filter((name) => name.startsWith('t-'))).toEqual([]);
    expect(readdirSync(to).filter((name) => name.startsWith('t-'))).toEqual(['t-0']);
    await broker.stop();
    running.length = 0;
    const again = await start(dirs);
    expect(dirOf(again.broker, 't', 0)).toBe(to);
    expectEveryAckedOnce(await readAll(again.broker), acked);
  });

  it('shows the copy in DescribeLogDirs (isFutureKey, its lag) while it is built, and only the moved partition after', async () => {
    const dirs = [tempDir(), tempDir()];
    const { broker, gate } = await start(dirs);
    await broker.topics.createTopic('t', 1);
    const from = dirOf(broker, 't', 0);
    const to = otherDir(dirs, from);
    await appendNumbered(broker, 0, 1000, new Map());
    const raw = await RawClient.connect(broker.address.host, broker.address.port);
    try {
      const caughtUp = gate.pause('caught-up');
      const moved = await raw.call(34, 2, { dirs: [{ path: to, topics: [{ name: 't', partitions: [0] }] }] });
      expect(moved.results).toEqual([{ topicName: 't', partitions: [{ partitionIndex: 0, errorCode: 0 }] }]);
      await caughtUp;
      await appendNumbered(broker, 1000, 100, new Map());
      const during = await raw.call(35, 4, { topics: [{ topic: 't', partitions: [0] }] });
      expect(during.errorCode).toBe(0);
      const inFrom = during.results.find((r) => r.logDir === from)!;
      const inTo = during.results.find((r) => r.logDir === to)!;
      expect(inFrom.topics[0]!.partitions[0]).toMatchObject({ partitionIndex: 0, offsetLag: 0, isFutureKey: false });
      expect(inTo.topics[0]!.partitions[0]).toMatchObject({ partitionIndex: 0, offsetLag: 100, isFutureKey: true });
      expect(inTo.topics[0]!.partitions[0]!.partitionSize).toBeGreaterThan(0);
      for (const dir of during.results) {
        expect(dir.totalBytes).toBeGreaterThan(0);
        expect(dir.usableBytes).toBeGreaterThan(0);
        expect(dir.usableBytes).toBeLessThanOrEqual(dir.totalBytes);
      }
      gate.resume();
      await waitForMoveEnd(broker);
      const after = await raw.call(35, 4, { topics: null });
      expect(after.results.find((r) => r.logDir === from)!.topics).toEqual([]);
      const [moved0] = after.results.find((r) => r.logDir === to)!.topics[0]!.partitions;
      expect(moved0).toMatchObject({ partitionIndex: 0, offsetLag: 0, isFutureKey: false });
      expect(moved0!.partitionSize).toBe(inFrom.topics[0]!.partitions[0]!.partitionSize);
      // v0 has neither the top-level error code nor the volume sizes.
      const v0 = await raw.call(35, 0, { topics: null });
      expect(v0.results.map((r) => r.logDir).sort()).toEqual([...dirs].sort());
    } finally {
      raw.close();
    }
  });

  it("answers Kafka's errors: an unknown dir, an unknown partition, an offline dir; a move into the dir it is in does nothing", async () => {
    const notADir = join(tempDir(), 'plain-file');
    writeFileSync(notADir, 'x');
    const offline = join(notADir, 'logs');
    const dirs = [tempDir(), tempDir()];
    const { broker, gate } = await start([...dirs, offline]);
    await broker.topics.createTopic('t', 1);
    const from = dirOf(broker, 't', 0);
    const raw = await RawClient.connect(broker.address.host, broker.address.port);
    try {
      const answer = await raw.call(34, 1, {
        dirs: [
          { path: '/no/such/dir', topics: [{ name: 't', partitions: [0] }] },
          { path: 'relative/dir', topics: [{ name: 'x', partitions: [0] }] },
          { path: offline, topics: [{ name: 'y', partitions: [0] }] },
          { path: from, topics: [{ name: 'nope', partitions: [0] }] },
        ],
      });
      const codes = Object.fromEntries(answer.results.map((r) => [r.topicName, r.partitions.map((p) => p.errorCode)]));
      expect(codes).toEqual({
        t: [ErrorCode.LOG_DIR_NOT_FOUND],
        x: [ErrorCode.LOG_DIR_NOT_FOUND],
        y: [ErrorCode.KAFKA_STORAGE_ERROR],
        nope: [ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
      });
      const same = await raw.call(34, 0, { dirs: [{ path: `${from}/`, topics: [{ name: 't', partitions: [0] }] }] });
      expect(same.results[0]!.partitions[0]!.errorCode).toBe(0);
      expect(gate.reached).toEqual([]);
      expect(dirOf(broker, 't', 0)).toBe(from);
      const describe = await raw.call(35, 3, { topics: null });
      expect(describe.results.find((r) => r.logDir === offline)!.errorCode).toBe(ErrorCode.KAFKA_STORAGE_ERROR);
    } finally {
      raw.close();
    }
  });

  it('moves many partitions at once (copy steps take turns), each with all its records', async () => {
    const dirs = [tempDir(), tempDir()];
    const { broker } = await start(dirs);
    await broker.topics.createTopic('many', 8);
    const sent = new Map<number, number>();
    for (let p = 0; p < 8; p++) {
      for (let i = 0; i < 40; i++) {
        const batch = buildRecordBatch(Array.from({ length: 50 }, (_, j) => ({ key: null, value: Buffer.from(`${p}:${i * 50 + j}`.padEnd(100, '.')) })));
        expect((await broker.engine.append('many', p, batch)).errorCode).toBe(0);
      }
      sent.set(p, 2000);
    }
    const raw = await RawClient.connect(broker.address.host, broker.address.port);
    try {
      const answer = await raw.call(34, 2, { dirs: [{ path: dirs[1]!, topics: [{ name: 'many', partitions: [0, 1, 2, 3, 4, 5, 6, 7] }] }] });
      expect(answer.results[0]!.partitions.map((p) => p.errorCode)).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    } finally {
      raw.close();
    }
    for (let p = 0; p < 8; p++) await broker.engine.whenMoveEnds('many', p);
    for (let p = 0; p < 8; p++) {
      expect(dirOf(broker, 'many', p)).toBe(dirs[1]);
      const values: string[] = [];
      for (let offset = 0; ; ) {
        const fetched = await broker.engine.fetch('many', p, offset, 1 << 20);
        if (fetched.records.length === 0) break;
        for (const record of decodeRecordBatches(fetched.records)) {
          expect(record.offset).toBe(offset++);
          values.push(record.value!.toString().replace(/\.+$/, ''));
        }
      }
      expect(values).toEqual(Array.from({ length: sent.get(p)! }, (_, i) => `${p}:${i}`));
    }
    expect(readdirSync(dirs[0]!).filter((name) => name.startsWith('many-'))).toEqual([]);
  });

  it('refuses a move into a dir without room for the partition (KAFKA_STORAGE_ERROR), leaving nothing there', async () => {
    const dirs = [tempDir(), tempDir()];
    const tight = dirs[1]!;
    const freeBytesOf: FreeSpaceProbe = (path) => (path === tight ? LOG_DIR_FULL_BELOW_BYTES + 10_000 : 2 ** 40);
    const { broker, gate } = await start(dirs, new MoveGate(), {}, false, freeBytesOf);
    await broker.topics.createTopic('t', 1);
    expect(dirOf(broker, 't', 0)).toBe(dirs[0]);
    await appendNumbered(broker, 0, 200, new Map());
    await expect(broker.topics.moveToLogDir('t', 0, tight)).rejects.toMatchObject({ code: ErrorCode.KAFKA_STORAGE_ERROR });
    expect(gate.reached).toEqual([]);
    expect(readdirSync(tight).filter((name) => name.startsWith('t-'))).toEqual([]);
    expect(broker.engine.offlineLogDirs()).toEqual([]);
  });

  it('a clean stop in the middle of a move leaves one copy (the move dropped or finished) and no leftovers', async () => {
    const dirs = [tempDir(), tempDir()];
    const { broker, gate } = await start(dirs);
    await broker.topics.createTopic('t', 1);
    const from = dirOf(broker, 't', 0);
    const acked = new Map<number, number>();
    await appendNumbered(broker, 0, 300, acked);
    const paused = gate.pause('copying');
    await broker.topics.moveToLogDir('t', 0, otherDir(dirs, from));
    await paused;
    const stopped = broker.stop();
    gate.resume();
    await stopped;
    running.length = 0;
    // The stop may reach the mover before or after the move's next step: dropped, or finished first.
    const left = dirs.flatMap((dir) =>
      readdirSync(dir)
        .filter((name) => name.startsWith('t-'))
        .map((name) => join(dir, name)),
    );
    expect(left).toHaveLength(1);
    expect(left[0]).toMatch(/\/t-0$/);
    const again = await start(dirs);
    expect(join(dirOf(again.broker, 't', 0), 't-0')).toBe(left[0]);
    expectEveryAckedOnce(await readAll(again.broker), acked);
  });

  it('a second request elsewhere replaces the move under way, and a request for the current dir cancels it', async () => {
    const dirs = [tempDir(), tempDir(), tempDir()];
    const { broker, gate } = await start(dirs);
    await broker.topics.createTopic('t', 1);
    const from = dirOf(broker, 't', 0);
    const [second, third] = dirs.filter((d) => d !== from) as [string, string];
    const acked = new Map<number, number>();
    await appendNumbered(broker, 0, 500, acked);
    let paused = gate.pause('copying');
    await broker.topics.moveToLogDir('t', 0, second);
    await paused;
    expect(broker.engine.moveTargetOf('t', 0)).toBe(second);
    // The same target again: the move goes on.
    await broker.topics.moveToLogDir('t', 0, second);
    expect(broker.engine.moveTargetOf('t', 0)).toBe(second);
    const cancelled = broker.topics.moveToLogDir('t', 0, from);
    gate.resume();
    await cancelled;
    expect(broker.engine.moveTargetOf('t', 0)).toBeUndefined();
    expect(readdirSync(second)).not.toContainEqual(expect.stringMatching(/^t-0/));
    paused = gate.pause('copying');
    await broker.topics.moveToLogDir('t', 0, second);
    await paused;
    const replaced = broker.topics.moveToLogDir('t', 0, third);
    gate.resume();
    await replaced;
    expect(broker.engine.moveTargetOf('t', 0)).toBe(third);
    await waitForMoveEnd(broker);
    expect(dirOf(broker, 't', 0)).toBe(third);
    for (const dir of [from, second]) expect(readdirSync(dir)).not.toContainEqual(expect.stringMatching(/^t-0/));
    expectEveryAckedOnce(await readAll(broker), acked);
  });

  it('a topic deleted in the middle of a move leaves nothing behind', async () => {
    const dirs = [tempDir(), tempDir()];
    const { broker, gate } = await start(dirs);
    await broker.topics.createTopic('t', 1);
    const to = otherDir(dirs, dirOf(broker, 't', 0));
    await appendNumbered(broker, 0, 500, new Map());
    const paused = gate.pause('copying');
    await broker.topics.moveToLogDir('t', 0, to);
    await paused;
    const deleted = broker.topics.deleteTopic('t');
    gate.resume();
    await deleted;
    await waitForMoveEnd(broker);
    for (const dir of dirs) expect(readdirSync(dir)).not.toContainEqual(expect.stringMatching(/^t-0/));
  });

  it('records deleted (DeleteRecords) in the middle of a move stay deleted in the new copy', async () => {
    const dirs = [tempDir(), tempDir()];
    const { broker, gate } = await start(dirs);
    await broker.topics.createTopic('t', 1);
    const to = otherDir(dirs, dirOf(broker, 't', 0));
    const acked = new Map<number, number>();
    await appendNumbered(broker, 0, 2000, acked);
    const paused = gate.pause('copying');
    await broker.topics.moveToLogDir('t', 0, to);
    await paused;
    expect(await broker.engine.deleteRecordsBefore('t', 0, 1500)).toBe(1500);
    gate.resume();
    await waitForMoveEnd(broker);
    expect(dirOf(broker, 't', 0)).toBe(to);
    expect((await broker.engine.offsets('t', 0)).logStartOffset).toBe(1500);
    for (const n of [...acked.keys()]) if (acked.get(n)! < 1500) acked.delete(n);
    expectEveryAckedOnce(await readAll(broker, 1500), acked);
    expect(existsSync(join(to, 't-0'))).toBe(true);
  });
});

describe('moves racing with the log cleaner, a failing target disk and a worker crash', () => {
  it('a partition compacted in the middle of its move keeps every offset and the last value of every key', async () => {
    const dirs = [tempDir(), tempDir()];
    const { broker, gate } = await start(dirs, new MoveGate(), { 'log.cleaner.backoff.ms': '50' });
    await broker.topics.createTopic('t', 1, {
      'cleanup.policy': 'compact',
      'segment.bytes': '16384',
      'min.cleanable.dirty.ratio': '0.01',
    });
    const to = otherDir(dirs, dirOf(broker, 't', 0));
    // The move starts first and waits with an empty copy while records go in and the cleaner compacts them.
    const paused = gate.pause('started');
    await broker.topics.moveToLogDir('t', 0, to);
    await paused;
    const produced = new Map<number, [string, number]>();
    let appendedBytes = 0;
    for (let n = 0; n < 3000; n++) {
      const key = `k${n % 50}`;
      const batch = buildRecordBatch([{ key: Buffer.from(key), value: Buffer.from(`${n}`.padEnd(100, '.')) }]);
      const outcome = await broker.engine.append('t', 0, batch);
      expect(outcome.errorCode).toBe(0);
      produced.set(outcome.baseOffset, [key, n]);
      appendedBytes += batch.length;
    }
    await waitUntil(async () => {
      const stats = await broker.engine.stats();
      return stats.workers.flatMap((w) => w.partitions).find((p) => p.topic === 't')!.sizeBytes < appendedBytes / 2;
    }, 'the log cleaner to compact t-0');
    gate.resume();
    await waitForMoveEnd(broker);
    expect(dirOf(broker, 't', 0)).toBe(to);
    const lastOfKey = new Map<string, number>();
    for (const [offset, [key]] of produced) lastOfKey.set(key, offset);
    const fetched = await readKeyed(broker);
    for (const [offset, key, n] of fetched) expect(produced.get(offset)).toEqual([key, n]);
    const offsets = fetched.map(([offset]) => offset);
    expect(offsets).toEqual([...offsets].sort((a, b) => a - b));
    for (const offset of lastOfKey.values()) expect(offsets).toContain(offset);
  });

  it('a target dir that fails during the copy goes offline alone; the partition keeps serving from its dir', async () => {
    const dirs = [tempDir(), tempDir()];
    const { broker, gate, lines } = await start(dirs, new MoveGate(), {}, true);
    await broker.topics.createTopic('t', 1);
    const from = dirOf(broker, 't', 0);
    const to = otherDir(dirs, from);
    const acked = new Map<number, number>();
    await appendNumbered(broker, 0, 500, acked);
    const paused = gate.pause('started');
    await broker.topics.moveToLogDir('t', 0, to);
    await paused;
    await broker.engine.injectFault(to, 'EIO');
    gate.resume();
    await waitForMoveEnd(broker);
    expect(broker.engine.offlineLogDirs()).toEqual([to]);
    expect(dirOf(broker, 't', 0)).toBe(from);
    await appendNumbered(broker, 500, 100, acked);
    expectEveryAckedOnce(await readAll(broker), acked);
    expect(lines.some((l) => l.msg === 'moving partition to another log dir failed')).toBe(true);
    await expect(broker.topics.moveToLogDir('t', 0, to)).rejects.toMatchObject({ code: ErrorCode.KAFKA_STORAGE_ERROR });
  });

  it('a worker that crashes in the middle of a move: the move ends, its copy is removed, the partition serves', async () => {
    const dirs = [tempDir(), tempDir()];
    const { broker, gate } = await start(dirs, new MoveGate(), {}, true);
    await broker.topics.createTopic('t', 1);
    const from = dirOf(broker, 't', 0);
    const to = otherDir(dirs, from);
    const acked = new Map<number, number>();
    await appendNumbered(broker, 0, 500, acked);
    const paused = gate.pause('started');
    await broker.topics.moveToLogDir('t', 0, to);
    await paused;
    expect(readdirSync(to).filter((name) => name.startsWith('t-0.'))).toHaveLength(1);
    await broker.engine.injectCrash(broker.engine.workerIdOf('t', 0));
    await waitUntil(async () => (await broker.engine.stats()).workerRestarts === 1 && broker.engine.has('t', 0), 'the worker to restart');
    await waitUntil(async () => (await broker.engine.offsets('t', 0).catch(() => null)) !== null, 't-0 to be reopened');
    gate.resume();
    await waitForMoveEnd(broker);
    expect(dirOf(broker, 't', 0)).toBe(from);
    expect(readdirSync(to).filter((name) => name.startsWith('t-'))).toEqual([]);
    await appendNumbered(broker, 500, 100, acked);
    expectEveryAckedOnce(await readAll(broker), acked);
  });

  it('a worker that crashes after the move was recorded: the partition is not reopened from its old dir; a restart finishes the move', async () => {
    const dirs = [tempDir(), tempDir()];
    const { broker, gate, lines } = await start(dirs, new MoveGate(), {}, true);
    await broker.topics.createTopic('t', 1);
    const to = otherDir(dirs, dirOf(broker, 't', 0));
    const acked = new Map<number, number>();
    await appendNumbered(broker, 0, 500, acked);
    const paused = gate.pause('committed');
    await broker.topics.moveToLogDir('t', 0, to);
    await paused;
    await broker.engine.injectCrash(broker.engine.workerIdOf('t', 0));
    await waitUntil(() => lines.some((l) => l.msg === 'partition worker restarted'), 'the worker to restart');
    gate.resume();
    await waitForMoveEnd(broker);
    expect(broker.engine.has('t', 0)).toBe(false);
    expect(lines.some((l) => String(l.msg).startsWith('switching a moved partition over failed after its new placement was recorded'))).toBe(true);
    await broker.stop();
    running.length = 0;
    const again = await start(dirs);
    expect(dirOf(again.broker, 't', 0)).toBe(to);
    for (const dir of dirs) expect(readdirSync(dir).filter((name) => name.startsWith('t-'))).toEqual(dir === to ? ['t-0'] : []);
    expectEveryAckedOnce(await readAll(again.broker), acked);
  });
});

/** Every record of t-0 as [offset, key, number]. */
async function readKeyed(broker: BrokerHandle): Promise<Array<[number, string, number]>> {
  const records: Array<[number, string, number]> = [];
  let offset = (await broker.engine.offsets('t', 0)).logStartOffset;
  for (;;) {
    const fetched = await broker.engine.fetch('t', 0, offset, 1 << 20);
    expect(fetched.errorCode, fetched.errorMessage).toBe(0);
    if (fetched.records.length === 0) return records;
    for (const record of decodeRecordBatches(fetched.records)) {
      records.push([record.offset, record.key!.toString(), Number.parseInt(record.value!.toString(), 10)]);
      offset = record.offset + 1;
    }
  }
}

function waitForMoveEnd(broker: BrokerHandle): Promise<void> {
  return broker.engine.whenMoveEnds('t', 0);
}
