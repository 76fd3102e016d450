// Append throughput of ~1 MiB record batches through the PartitionEngine (main thread → request ring → partition
// worker thread(s) → pwrite into the segment) against plain fs.writeSync of the same bytes on the main thread alone;
// and fsync-per-ack appends (flush.messages=1, group commit) of 64 KiB batches. `node dist/bench/segment-append.js [--short]`
//
// Plain timing with performance.now(): each figure belongs to a multi-thread pipeline kept full for the whole run.
// Page cache only: nothing is fsynced in the throughput runs (segment.bytes is set above the data written per
// partition so no roll, whose seal fdatasyncs the sealed segment, lands in the timed window), and each run's files
// are deleted (not flushed) before the next run.
import { closeSync, fdatasyncSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { randomFillSync } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { pino } from 'pino';
import { buildRecordBatch } from '../src/client/record-batch-codec.js';
import { PartitionEngine, type EngineConfig } from '../src/engine/partition-engine.js';
import { ErrorCode } from '../src/shared/kafka-error-codes.js';
import { BATCH_HEADER_BYTES } from '../src/shared/record-batch.js';
import { DEFAULT_LOG_CONFIG, type LogConfig } from '../src/shared/topic-config.js';

const MIB = 1024 * 1024;
const GIB = 1024 * MIB;
const RECORD_VALUE_BYTES = 1024;
const DISTINCT_BATCHES = 4;
const TOPIC = 'bench';
/** The broker defaults (fjord.ring.bytes, fjord.max.backlog.requests). */
const RING_BYTES = 32 * MIB;
const MAX_BACKLOG_REQUESTS = 4096;
/** Largest segment.bytes Kafka allows (int32): 2 GiB - 1, so a partition takes a whole run without rolling. */
const SEGMENT_BYTES_NO_ROLL = 2 ** 31 - 1;
const THROUGHPUT_BATCH_BYTES = MIB;
const THROUGHPUT_WINDOW = 16;
const FSYNC_BATCH_BYTES = 64 * 1024;
const FSYNC_WINDOW = 32;
/** Safety bound on any single timed run; a run that hits it reports what it did and says so. */
const RUN_TIME_LIMIT_MS = 60_000;

export interface AppendFigures {
  batchBytes: number;
  recordsPerBatch: number;
  bytesPerRun: number;
  reps: number;
  plainMegabytesPerSecond: number;
  engineOnePartitionMegabytesPerSecond: number;
  engineTwoPartitionsMegabytesPerSecond: number;
  ratioOnePartition: number;
  ratioTwoPartitions: number;
  fsyncBatchBytes: number;
  fsyncAppendsPerSecond: number;
  fsyncMegabytesPerSecond: number;
  plainFsyncAppendsPerSecond: number;
  plainFsyncMegabytesPerSecond: number;
}

interface RunResult {
  bytes: number;
  appends: number;
  elapsedMs: number;
}

interface Mode {
  /** Data per throughput run, and reps of each measurement. */
  bytesPerRun: number;
  reps: number;
  /** Bounds of one fsync-per-ack run: whichever comes first. */
  fsyncAppendsMax: number;
  fsyncRunMs: number;
}

const FULL: Mode = { bytesPerRun: 2 * GIB, reps: 5, fsyncAppendsMax: 16_384, fsyncRunMs: 3_000 };
const SHORT: Mode = { bytesPerRun: 256 * MIB, reps: 3, fsyncAppendsMax: 4_096, fsyncRunMs: 800 };

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** 1 MB = 10^6 bytes. */
export function megabytesPerSecond(bytes: number, elapsedMs: number): number {
  return bytes / (elapsedMs * 1000);
}

function buildBatch(recordCount: number, seed: number): Buffer {
  const values = Buffer.allocUnsafe(recordCount * RECORD_VALUE_BYTES);
  randomFillSync(values);
  const records = Array.from({ length: recordCount }, (_, i) => ({
    key: null,
    value: values.subarray(i * RECORD_VALUE_BYTES, (i + 1) * RECORD_VALUE_BYTES),
  }));
  return buildRecordBatch(records, { baseTimestamp: Date.now() + seed });
}

/**
 * `distinct` uncompressed batches of records with a 1 KiB random value and no key, each as close to `targetBytes`
 * as whole records allow without going over (a 1 MiB target then stays within the default max.message.bytes).
 */
export function buildBatches(targetBytes: number, distinct: number): { batches: Buffer[]; recordsPerBatch: number } {
  const probeCount = Math.max(1, Math.floor((targetBytes - BATCH_HEADER_BYTES) / (RECORD_VALUE_BYTES + 16)));
  const probe = buildBatch(probeCount, 0);
  const bytesPerRecord = (probe.length - BATCH_HEADER_BYTES) / probeCount;
  let recordCount = Math.floor((targetBytes - BATCH_HEADER_BYTES) / bytesPerRecord);
  let first = buildBatch(recordCount, 0);
  // Varint widths differ a little between records; bounded by recordCount >= 1.
  while (first.length > targetBytes && recordCount > 1) first = buildBatch(--recordCount, 0);
  const batches = [first];
  for (let i = 1; i < distinct; i++) batches.push(buildBatch(recordCount, i));
  return { batches, recordsPerBatch: recordCount };
}

function engineConfig(logDir: string, workerCount: number): EngineConfig {
  return {
    logDirs: [logDir],
    workerCount,
    ringBytes: RING_BYTES,
    maxBacklogRequests: MAX_BACKLOG_REQUESTS,
    retentionCheckIntervalMs: 3_600_000,
    flushCheckIntervalMs: 3_600_000,
    checkpointIntervalMs: 3_600_000,
    faultInjection: false,
  };
}

interface EngineRunPlan {
  partitionCount: number;
  batches: readonly Buffer[];
  appendsMax: number;
  timeLimitMs: number;
  window: number;
  logConfig: LogConfig;
}

/**
 * Starts an engine with one worker per partition in a fresh temp dir, runs the appends (timed), then deletes the
 * partitions, which closes their files without an fsync, so the stop afterwards has nothing to flush.
 */
async function appendThroughEngine(plan: EngineRunPlan): Promise<RunResult> {
  const dir = mkdtempSync(join(tmpdir(), 'fjord-bench-append-'));
  let engine: PartitionEngine | undefined;
  try {
    engine = await PartitionEngine.start(engineConfig(dir, plan.partitionCount), pino({ level: 'silent' }), () => plan.logConfig);
    for (let p = 0; p < plan.partitionCount; p++) await engine.createPartition(TOPIC, p, plan.logConfig);
    const workerIds = new Set(Array.from({ length: plan.partitionCount }, (_, p) => engine!.workerIdOf(TOPIC, p)));
    if (workerIds.size !== plan.partitionCount) throw new Error(`append bench: ${plan.partitionCount} partitions landed on ${workerIds.size} workers`);
    const result = await appendWindowed(engine, plan);
    for (let p = 0; p < plan.partitionCount; p++) await engine.deletePartition(TOPIC, p);
    return result;
  } finally {
    await engine?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `window` lanes, each awaiting its append before issuing the next; batches go round-robin over the partitions. */
async function appendWindowed(engine: PartitionEngine, plan: EngineRunPlan): Promise<RunResult> {
  const { batches, partitionCount, appendsMax } = plan;
  let issued = 0;
  let bytes = 0;
  const startedMs = performance.now();
  const deadlineMs = startedMs + plan.timeLimitMs;
  const lane = async (): Promise<void> => {
    while (issued < appendsMax && performance.now() < deadlineMs) {
      const i = issued++;
      const batch = batches[i % batches.length]!;
      const outcome = await engine.append(TOPIC, i % partitionCount, batch);
      if (outcome.errorCode !== ErrorCode.NONE) throw new Error(`append bench: append ${i} failed with ${outcome.errorCode}: ${outcome.errorMessage}`);
      bytes += batch.length;
    }
  };
  await Promise.all(Array.from({ length: plan.window }, lane));
  return { bytes, appends: issued, elapsedMs: performance.now() - startedMs };
}

/** The same batches written back to back into one file with fs.writeSync on this thread; fdatasync every `fsyncEvery` writes (0 = never). */
function writePlain(batches: readonly Buffer[], appendsMax: number, timeLimitMs: number, fsyncEvery: number): RunResult {
  const dir = mkdtempSync(join(tmpdir(), 'fjord-bench-plain-'));
  const fd = openSync(join(dir, 'plain.log'), 'w');
  let bytes = 0;
  let appends = 0;
  const startedMs = performance.now();
  try {
    while (appends < appendsMax && performance.now() - startedMs < timeLimitMs) {
      const batch = batches[appends % batches.length]!;
      let written = 0;
      while (written < batch.length) written += writeSync(fd, batch, written, batch.length - written);
      bytes += batch.length;
      appends++;
      if (fsyncEvery > 0 && appends % fsyncEvery === 0) fdatasyncSync(fd);
    }
    if (fsyncEvery > 0 && appends % fsyncEvery !== 0) fdatasyncSync(fd);
    return { bytes, appends, elapsedMs: performance.now() - startedMs };
  } finally {
    closeSync(fd);
    rmSync(dir, { recursive: true, force: true });
  }
}

function formatReps(values: readonly number[], digits = 0): string {
  return values.map((v) => v.toFixed(digits)).join(', ');
}

function noteIfCut(label: string, result: RunResult, appendsPlanned: number): void {
  if (result.appends < appendsPlanned) console.log(`  (${label}: stopped by the ${RUN_TIME_LIMIT_MS / 1000} s limit after ${result.appends} of ${appendsPlanned} appends)`);
}

/** Page-cache throughput: plain, engine with 1 partition, engine with 2 partitions on 2 workers; reps interleaved. */
async function measureThroughput(mode: Mode): Promise<Pick<AppendFigures, 'batchBytes' | 'recordsPerBatch' | 'plainMegabytesPerSecond' | 'engineOnePartitionMegabytesPerSecond' | 'engineTwoPartitionsMegabytesPerSecond' | 'ratioOnePartition' | 'ratioTwoPartitions'>> {
  const { batches, recordsPerBatch } = buildBatches(THROUGHPUT_BATCH_BYTES, DISTINCT_BATCHES);
  const batchBytes = batches[0]!.length;
  const appendsPerRun = Math.floor(mode.bytesPerRun / batchBytes);
  const logConfig: LogConfig = { ...DEFAULT_LOG_CONFIG, segmentBytes: SEGMENT_BYTES_NO_ROLL };
  const plan = (partitionCount: number): EngineRunPlan => ({ partitionCount, batches, appendsMax: appendsPerRun, timeLimitMs: RUN_TIME_LIMIT_MS, window: THROUGHPUT_WINDOW, logConfig });
  console.log(
    `append: ${appendsPerRun} batches of ${batchBytes} bytes (${recordsPerBatch} records, 1 KiB values) = ${(appendsPerRun * batchBytes / 1e6).toFixed(0)} MB per run, ` +
      `${THROUGHPUT_WINDOW} appends in flight, page cache only, ${mode.reps} reps`,
  );
  const plain: number[] = [];
  const one: number[] = [];
  const two: number[] = [];
  for (let rep = 0; rep < mode.reps; rep++) {
    const plainRun = writePlain(batches, appendsPerRun, RUN_TIME_LIMIT_MS, 0);
    noteIfCut('plain', plainRun, appendsPerRun);
    plain.push(megabytesPerSecond(plainRun.bytes, plainRun.elapsedMs));
    const oneRun = await appendThroughEngine(plan(1));
    noteIfCut('engine 1 partition', oneRun, appendsPerRun);
    one.push(megabytesPerSecond(oneRun.bytes, oneRun.elapsedMs));
    const twoRun = await appendThroughEngine(plan(2));
    noteIfCut('engine 2 partitions', twoRun, appendsPerRun);
    two.push(megabytesPerSecond(twoRun.bytes, twoRun.elapsedMs));
  }
  const plainMedian = median(plain);
  const oneMedian = median(one);
  const twoMedian = median(two);
  console.log(`plain fs.writeSync, main thread only:          median ${plainMedian.toFixed(0)} MB/s  (reps: ${formatReps(plain)})`);
  console.log(`engine, 1 partition on 1 worker:               median ${oneMedian.toFixed(0)} MB/s  (reps: ${formatReps(one)})`);
  console.log(`engine, 2 partitions on 2 workers:             median ${twoMedian.toFixed(0)} MB/s  (reps: ${formatReps(two)})`);
  console.log(`ratio engine/plain (medians; issue target >= 0.8): 1 partition ${(oneMedian / plainMedian).toFixed(2)}, 2 partitions ${(twoMedian / plainMedian).toFixed(2)}`);
  return {
    batchBytes,
    recordsPerBatch,
    plainMegabytesPerSecond: plainMedian,
    engineOnePartitionMegabytesPerSecond: oneMedian,
    engineTwoPartitionsMegabytesPerSecond: twoMedian,
    ratioOnePartition: oneMedian / plainMedian,
    ratioTwoPartitions: twoMedian / plainMedian,
  };
}

/**
 * flush.messages=1: each append is acknowledged only after an fsync; the worker fsyncs once per pass over the frames
 * it found (group commit). Reference: plain writeSync of FSYNC_WINDOW batches then one fdatasync, on one thread.
 */
async function measureFsyncPerAck(mode: Mode): Promise<Pick<AppendFigures, 'fsyncBatchBytes' | 'fsyncAppendsPerSecond' | 'fsyncMegabytesPerSecond' | 'plainFsyncAppendsPerSecond' | 'plainFsyncMegabytesPerSecond'>> {
  const { batches, recordsPerBatch } = buildBatches(FSYNC_BATCH_BYTES, DISTINCT_BATCHES);
  const batchBytes = batches[0]!.length;
  const logConfig: LogConfig = { ...DEFAULT_LOG_CONFIG, flushMessages: 1 };
  console.log(
    `fsync per ack (flush.messages=1): batches of ${batchBytes} bytes (${recordsPerBatch} records), ${FSYNC_WINDOW} in flight, 1 partition, ` +
      `each run up to ${mode.fsyncAppendsMax} appends or ${mode.fsyncRunMs} ms, ${mode.reps} reps`,
  );
  const engineRates: number[] = [];
  const engineMbs: number[] = [];
  const plainRates: number[] = [];
  const plainMbs: number[] = [];
  for (let rep = 0; rep < mode.reps; rep++) {
    const run = await appendThroughEngine({ partitionCount: 1, batches, appendsMax: mode.fsyncAppendsMax, timeLimitMs: mode.fsyncRunMs, window: FSYNC_WINDOW, logConfig });
    engineRates.push(run.appends / (run.elapsedMs / 1000));
    engineMbs.push(megabytesPerSecond(run.bytes, run.elapsedMs));
    const plain = writePlain(batches, mode.fsyncAppendsMax, mode.fsyncRunMs, FSYNC_WINDOW);
    plainRates.push(plain.appends / (plain.elapsedMs / 1000));
    plainMbs.push(megabytesPerSecond(plain.bytes, plain.elapsedMs));
  }
  const figures = {
    fsyncBatchBytes: batchBytes,
    fsyncAppendsPerSecond: median(engineRates),
    fsyncMegabytesPerSecond: median(engineMbs),
    plainFsyncAppendsPerSecond: median(plainRates),
    plainFsyncMegabytesPerSecond: median(plainMbs),
  };
  console.log(
    `engine fsync per ack, 1 partition:             median ${figures.fsyncAppendsPerSecond.toFixed(0)} appends/s, ${figures.fsyncMegabytesPerSecond.toFixed(0)} MB/s  ` +
      `(reps appends/s: ${formatReps(engineRates)})`,
  );
  console.log(
    `plain writeSync x${FSYNC_WINDOW} + 1 fdatasync, main thread:  median ${figures.plainFsyncAppendsPerSecond.toFixed(0)} appends/s, ${figures.plainFsyncMegabytesPerSecond.toFixed(0)} MB/s  ` +
      `(reps appends/s: ${formatReps(plainRates)})`,
  );
  console.log(`ratio engine/plain, fsync per ack (medians): ${(figures.fsyncAppendsPerSecond / figures.plainFsyncAppendsPerSecond).toFixed(2)}`);
  return figures;
}

export async function main(argv: string[]): Promise<AppendFigures> {
  const mode = argv.includes('--short') ? SHORT : FULL;
  const throughput = await measureThroughput(mode);
  const fsync = await measureFsyncPerAck(mode);
  return { ...throughput, ...fsync, bytesPerRun: mode.bytesPerRun, reps: mode.reps };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
