// The engine with real worker threads, rings and files: routing, JBOD placement, restart and recovery,
// dir failure, worker crash and backpressure.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildRecordBatch, decodeRecordBatches } from '../../src/shared/record-batch-codec.js';
import { PartitionEngine, type EngineConfig } from '../../src/engine/partition-engine.js';
import { CLEAN_SHUTDOWN_MARKER, type FreeSpaceProbe } from '../../src/engine/log-dirs.js';
import { ErrorCode } from '../../src/shared/kafka-error-codes.js';
import { DEFAULT_LOG_CONFIG, type LogConfig } from '../../src/shared/topic-config.js';
import { captureLogger } from '../helpers/capture-logger.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitUntil } from '../helpers/wait-until.js';

const running: PartitionEngine[] = [];
afterEach(async () => {
  for (const engine of running.splice(0)) await engine.stop().catch(() => {});
});

function engineConfig(logDirs: string[], overrides: Partial<EngineConfig> = {}): EngineConfig {
  return {
    logDirs,
    workerCount: 2,
    ringBytes: 4 * 1024 * 1024,
    maxBacklogRequests: 10_000,
    retentionCheckIntervalMs: 3_600_000,
    flushCheckIntervalMs: 3_600_000,
    checkpointIntervalMs: 3_600_000,
    cleanerBackoffMs: 3_600_000,
    faultInjection: true,
    ...overrides,
  };
}

async function startEngine(logDirs: string[], overrides: Partial<EngineConfig> = {}, logConfig: LogConfig = DEFAULT_LOG_CONFIG, freeBytesOf?: FreeSpaceProbe) {
  const { logger, lines } = captureLogger();
  const engine = await PartitionEngine.start(engineConfig(logDirs, overrides), logger, () => logConfig, freeBytesOf);
  running.push(engine);
  return { engine, lines };
}

function batchOf(count: number, tag: string, valueBytes = 20): Buffer {
  return buildRecordBatch(
    Array.from({ length: count }, (_, i) => ({ key: Buffer.from(`${tag}-${i}`), value: Buffer.alloc(valueBytes, i % 256) })),
    { baseTimestamp: Date.now() },
  );
}

async function readAll(engine: PartitionEngine, topic: string, partition: number) {
  const records = [];
  let offset = (await engine.offsets(topic, partition)).logStartOffset;
  for (;;) {
    const fetched = await engine.fetch(topic, partition, offset, 1 << 20);
    expect(fetched.errorCode).toBe(ErrorCode.NONE);
    if (fetched.records.length === 0) return records;
    const decoded = decodeRecordBatches(fetched.records);
    records.push(...decoded.filter((r) => r.offset >= offset));
    offset = decoded[decoded.length - 1]!.offset + 1;
  }
}

describe('PartitionEngine', () => {
  it('routes appends and fetches for partitions spread over two dirs and two workers', async () => {
    const dirs = [tempDir(), tempDir()];
    const { engine } = await startEngine(dirs);
    for (let p = 0; p < 4; p++) await engine.createPartition('orders', p, DEFAULT_LOG_CONFIG);
    const layout = engine.partitions();
    expect(layout.filter((p) => p.logDir === dirs[0]).length).toBe(2);
    expect(layout.filter((p) => p.logDir === dirs[1]).length).toBe(2);
    expect(new Set(layout.map((p) => engine.workerIdOf(p.topic, p.partition))).size).toBe(2);
    const appends = [];
    for (let i = 0; i < 200; i++) appends.push(engine.append('orders', i % 4, batchOf(5, `m${i}`)));
    const outcomes = await Promise.all(appends);
    for (const [i, outcome] of outcomes.entries()) {
      expect(outcome.errorCode).toBe(ErrorCode.NONE);
      expect(outcome.baseOffset).toBe(Math.floor(i / 4) * 5);
    }
    for (let p = 0; p < 4; p++) {
      const records = await readAll(engine, 'orders', p);
      expect(records.map((r) => r.offset)).toEqual(Array.from({ length: 250 }, (_, i) => i));
      expect(records[5]!.key!.toString()).toBe(`m${4 + p}-0`);
    }
    expect(existsSync(join(layout[0]!.logDir, `${layout[0]!.topic}-${layout[0]!.partition}`, '00000000000000000000.log'))).toBe(true);
  });

  it('appends batches that sit at any alignment in their source buffer', async () => {
    const { engine } = await startEngine([tempDir()], { workerCount: 1 });
    await engine.createPartition('t', 0, DEFAULT_LOG_CONFIG);
    for (let shift = 0; shift < 8; shift++) {
      const batch = batchOf(2, `s${shift}`);
      const carrier = Buffer.alloc(batch.length + 8);
      batch.copy(carrier, shift);
      expect((await engine.append('t', 0, carrier.subarray(shift, shift + batch.length))).errorCode).toBe(ErrorCode.NONE);
    }
    const records = await readAll(engine, 't', 0);
    expect(records.map((r) => r.key!.toString())).toEqual(Array.from({ length: 16 }, (_, i) => `s${Math.floor(i / 2)}-${i % 2}`));
  });

  it('answers unknown partitions, bad batches and out-of-range offsets with Kafka codes', async () => {
    const { engine } = await startEngine([tempDir()]);
    await engine.createPartition('t', 0, DEFAULT_LOG_CONFIG);
    expect((await engine.append('nope', 0, batchOf(1, 'x'))).errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    const corrupt = batchOf(3, 'x');
    corrupt[corrupt.length - 1]! ^= 0xff;
    const rejected = await engine.append('t', 0, corrupt);
    expect(rejected.errorCode).toBe(ErrorCode.CORRUPT_MESSAGE);
    expect(rejected.errorMessage).toMatch(/CRC/);
    expect((await engine.fetch('t', 0, 5, 1000)).errorCode).toBe(ErrorCode.OFFSET_OUT_OF_RANGE);
    expect((await engine.offsets('t', 0)).logEndOffset).toBe(0);
    expect((await engine.append('t', 0, batchOf(2, 'ok'))).baseOffset).toBe(0);
  });

  it('reopens after a clean stop without a scan, and recovers on piscina after an unclean one', async () => {
    const dir = tempDir();
    const first = await startEngine([dir]);
    await first.engine.createPartition('t', 0, DEFAULT_LOG_CONFIG);
    for (let i = 0; i < 10; i++) await first.engine.append('t', 0, batchOf(3, `a${i}`));
    await first.engine.stop();
    running.splice(running.indexOf(first.engine), 1);
    expect(existsSync(join(dir, CLEAN_SHUTDOWN_MARKER))).toBe(true);

    const second = await startEngine([dir]);
    expect(second.lines.some((l) => l.msg === 'recovered partitions after an unclean shutdown')).toBe(false);
    expect(existsSync(join(dir, CLEAN_SHUTDOWN_MARKER))).toBe(false);
    expect((await second.engine.offsets('t', 0)).logEndOffset).toBe(30);
    for (let i = 0; i < 5; i++) await second.engine.append('t', 0, batchOf(2, `b${i}`));
    // An unclean stop: the threads end without closing their partitions, no marker is written.
    const supervisor = (second.engine as unknown as { supervisor: { worker(id: number): { terminate(): Promise<void> } } }).supervisor;
    await supervisor.worker(0).terminate();
    await supervisor.worker(1).terminate();
    running.splice(running.indexOf(second.engine), 1);

    const third = await startEngine([dir]);
    expect(third.lines.some((l) => l.msg === 'recovered partitions after an unclean shutdown')).toBe(true);
    const records = await readAll(third.engine, 't', 0);
    expect(records.length).toBe(40);
    expect(records[39]!.key!.toString()).toBe('b4-1');
  });

  it('refuses to start when one partition sits in two log dirs', async () => {
    const [a, b] = [tempDir(), tempDir()];
    mkdirSync(join(a, 'dup-0'));
    mkdirSync(join(b, 'dup-0'));
    await expect(startEngine([a, b])).rejects.toThrow(/dup-0 exists in two log dirs/);
  });

  it('takes only the failing dir offline; partitions elsewhere keep serving', async () => {
    const dirs = [tempDir(), tempDir()];
    const { engine, lines } = await startEngine(dirs);
    await engine.createPartition('t', 0, DEFAULT_LOG_CONFIG);
    await engine.createPartition('t', 1, DEFAULT_LOG_CONFIG);
    const failingPartition = engine.partitions().find((p) => p.logDir === dirs[0])!.partition;
    const healthyPartition = 1 - failingPartition;
    await engine.append('t', failingPartition, batchOf(2, 'before'));
    await engine.injectFault(dirs[0]!, 'EIO');
    expect((await engine.append('t', failingPartition, batchOf(2, 'during'))).errorCode).toBe(ErrorCode.KAFKA_STORAGE_ERROR);
    expect((await engine.fetch('t', failingPartition, 0, 1000)).errorCode).toBe(ErrorCode.KAFKA_STORAGE_ERROR);
    const healthy = await engine.append('t', healthyPartition, batchOf(2, 'fine'));
    expect(healthy.errorCode).toBe(ErrorCode.NONE);
    expect((await readAll(engine, 't', healthyPartition)).length).toBe(2);
    const stats = await engine.stats();
    expect(stats.logDirs.find((d) => d.path === dirs[0])!.online).toBe(false);
    expect(stats.logDirs.find((d) => d.path === dirs[1])!.online).toBe(true);
    expect(lines.filter((l) => String(l.msg).startsWith('log dir went offline')).length).toBe(1);
    await engine.createPartition('t', 2, DEFAULT_LOG_CONFIG);
    expect(engine.partitions().find((p) => p.partition === 2)!.logDir).toBe(dirs[1]);
  });

  it('restarts a crashed worker, fails its in-flight requests retriably, and recovers its partitions', async () => {
    const { engine, lines } = await startEngine([tempDir()], { workerCount: 1 });
    await engine.createPartition('t', 0, DEFAULT_LOG_CONFIG);
    for (let i = 0; i < 5; i++) await engine.append('t', 0, batchOf(4, `c${i}`));
    await engine.injectCrash(0);
    const duringCrash = [];
    for (let i = 0; i < 20; i++) duringCrash.push(engine.append('t', 0, batchOf(1, `x${i}`)));
    for (const outcome of await Promise.all(duringCrash)) expect([ErrorCode.NONE, ErrorCode.REQUEST_TIMED_OUT]).toContain(outcome.errorCode);
    await expect.poll(() => lines.some((l) => l.msg === 'partition worker restarted'), { timeout: 10_000 }).toBe(true);
    const after = await engine.append('t', 0, batchOf(1, 'after'));
    expect(after.errorCode).toBe(ErrorCode.NONE);
    const records = await readAll(engine, 't', 0);
    expect(records.slice(0, 20).map((r) => r.key!.toString())).toEqual(Array.from({ length: 20 }, (_, i) => `c${Math.floor(i / 4)}-${i % 4}`));
    expect(records[records.length - 1]!.key!.toString()).toBe('after-0');
    expect((await engine.stats()).workerRestarts).toBe(1);
  });

  it('applies backpressure through a small ring without losing or reordering appends', async () => {
    const { engine } = await startEngine([tempDir()], { workerCount: 1, ringBytes: 64 * 1024 });
    await engine.createPartition('t', 0, { ...DEFAULT_LOG_CONFIG, maxMessageBytes: 16 * 1024 });
    const outcomes = await Promise.all(Array.from({ length: 300 }, (_, i) => engine.append('t', 0, batchOf(1, `p${i}`, 8000))));
    expect(outcomes.map((o) => o.baseOffset)).toEqual(Array.from({ length: 300 }, (_, i) => i));
    const records = await readAll(engine, 't', 0);
    expect(records.map((r) => r.key!.toString())).toEqual(Array.from({ length: 300 }, (_, i) => `p${i}-0`));
  });
});

describe('PartitionEngine on full and offline dirs', () => {
  const MIB = 1024 * 1024;

  /** Free space as the test sets it per dir (default: plenty), in place of statfs. */
  function freeSpace(): { probe: FreeSpaceProbe; set(dir: string, bytes: number | null): void } {
    const free = new Map<string, number>();
    return {
      probe: (path) => free.get(path) ?? 100 * 1024 * MIB,
      set: (dir, bytes) => (bytes === null ? free.delete(dir) : free.set(dir, bytes)),
    };
  }

  async function takeOffline(engine: PartitionEngine, dir: string, code: 'EIO' | 'ENOSPC'): Promise<void> {
    const victim = engine.partitions().find((p) => p.logDir === dir)!;
    await engine.injectFault(dir, code);
    expect((await engine.append(victim.topic, victim.partition, batchOf(1, 'fails'))).errorCode).toBe(ErrorCode.KAFKA_STORAGE_ERROR);
    await waitUntil(() => engine.offlineLogDirs().includes(dir), `${dir} offline`);
  }

  async function stopEngine(engine: PartitionEngine): Promise<void> {
    await engine.stop();
    running.splice(running.indexOf(engine), 1);
  }

  it('gives no new partition to a full or an offline dir, and answers KAFKA_STORAGE_ERROR when no dir is left', async () => {
    const dirs = [tempDir(), tempDir(), tempDir()];
    const space = freeSpace();
    const { engine } = await startEngine(dirs, {}, DEFAULT_LOG_CONFIG, space.probe);
    space.set(dirs[0]!, 3 * MIB); // filled up after start-up: online, but full
    for (let p = 0; p < 4; p++) await engine.createPartition('t', p, DEFAULT_LOG_CONFIG);
    const countIn = (dir: string) => engine.partitions().filter((p) => p.logDir === dir).length;
    expect(dirs.map(countIn)).toEqual([0, 2, 2]);

    await takeOffline(engine, dirs[1]!, 'EIO');
    for (let p = 4; p < 8; p++) await engine.createPartition('t', p, DEFAULT_LOG_CONFIG);
    expect(dirs.map(countIn)).toEqual([0, 2, 6]);

    space.set(dirs[2]!, 0);
    const refused = engine.createPartition('t', 8, DEFAULT_LOG_CONFIG);
    await expect(refused).rejects.toMatchObject({ code: ErrorCode.KAFKA_STORAGE_ERROR });
    await expect(refused).rejects.toThrow(new RegExp(`${dirs[0]} is full: 3145728 bytes free.*${dirs[1]} is offline \\(EIO.*${dirs[2]} is full: 0 bytes free`));
    expect(engine.has('t', 8)).toBe(false);
    space.set(dirs[0]!, null);
    await engine.createPartition('t', 8, DEFAULT_LOG_CONFIG);
    expect(engine.partitions().find((p) => p.partition === 8)!.logDir).toBe(dirs[0]);
  });

  it('keeps a dir that went offline for ENOSPC offline at restart while it is still full, and serves it again once space was freed', async () => {
    const dirs = [tempDir(), tempDir()];
    const space = freeSpace();
    const first = await startEngine(dirs, {}, DEFAULT_LOG_CONFIG, space.probe);
    for (const p of [0, 1]) await first.engine.createPartition('t', p, DEFAULT_LOG_CONFIG);
    for (const p of [0, 1]) await first.engine.append('t', p, batchOf(3, `p${p}`));
    expect(first.engine.partitions().find((p) => p.partition === 0)!.logDir).toBe(dirs[0]);
    await takeOffline(first.engine, dirs[0]!, 'ENOSPC');
    await stopEngine(first.engine);

    space.set(dirs[0]!, 4096);
    const stillFull = await startEngine(dirs, {}, DEFAULT_LOG_CONFIG, space.probe);
    expect(stillFull.engine.offlineLogDirs()).toEqual([dirs[0]]);
    expect(stillFull.lines).toContainEqual(
      expect.objectContaining({ msg: 'log dir offline at start-up', logDir: dirs[0], reason: expect.stringMatching(/^full: 4096 bytes free/) }),
    );
    expect(stillFull.engine.has('t', 0)).toBe(false);
    expect((await readAll(stillFull.engine, 't', 1)).length).toBe(3);
    await stopEngine(stillFull.engine);

    space.set(dirs[0]!, null);
    const freed = await startEngine(dirs, {}, DEFAULT_LOG_CONFIG, space.probe);
    expect(freed.engine.offlineLogDirs()).toEqual([]);
    expect((await readAll(freed.engine, 't', 0)).map((r) => r.key!.toString())).toEqual(['p0-0', 'p0-1', 'p0-2']);
  });

  it('does not start when every dir is full, and says so', async () => {
    const dir = tempDir();
    await expect(startEngine([dir], {}, DEFAULT_LOG_CONFIG, () => 1024)).rejects.toThrow(`no usable log dir: ${dir} (full: 1024 bytes free`);
  });
});
