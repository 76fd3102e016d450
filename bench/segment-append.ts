// Append throughput of ~1 MiB batches through the PartitionEngine (main thread → ring → 1 or 2 partition workers → pwrite)
// vs plain fs.writeSync on the main thread alone, and fsync-per-ack appends. `node dist/bench/segment-append.js [--short]`
//
// Plain timing with performance.now(): each figure belongs to a multi-thread pipeline kept full for the whole run.
// Page cache only: nothing is fsynced in the throughput runs (segment.bytes is set above the data written per
// partition so no roll, whose seal fdatasyncs the sealed segment, lands in the timed window, except in the run
// labelled "one roll"), and each run's files are deleted (not flushed) afterwards.
//
// Priming: on these VMs the balloon driver reports free guest memory back to the host about a second after it is
// freed (virtio-balloon free page reporting), and the host must fault in and zero it again on next use. A 2 GiB
// write into the page cache runs at ~5-9 GB/s when it reuses pages freed a moment ago and at ~0.6-2.4 GB/s when it
// gets reported pages. So every timed run, plain or engine, starts right after an untimed write and delete of a file
// of the same size in the same dir; without it the figures mostly measure the host's page faults.
import { closeSync, fdatasyncSync, mkdtempSync, openSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { randomFillSync } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { pino } from 'pino';
import { buildRecordBatch } from '../src/shared/record-batch-codec.js';
import { PartitionEngine, type EngineConfig } from '../src/engine/partition-engine.js';
import { ErrorCode } from '../src/shared/kafka-error-codes.js';
import { BATCH_HEADER_BYTES, computeBatchCrc, storedBatchCrc } from '../src/shared/record-batch.js';
import { DEFAULT_LOG_CONFIG, type LogConfig } from '../src/shared/topic-config.js';

const MIB = 1024 * 1024;
const GIB = 1024 * MIB;
const RECORD_VALUE_BYTES = 1024;
const DISTINCT_BATCHES = 4;
const TOPIC = 'bench';
const WARM_UP_TOPIC = 'bench-warm-up';
const WARM_UP_RING_PASSES = 2;
/** The broker defaults (fjord.ring.bytes, fjord.max.backlog.requests). */
const RING_BYTES = 32 * MIB;
const MAX_BACKLOG_REQUESTS = 4096;
/** Largest segment.bytes Kafka allows (int32): 2 GiB - 1, so a partition takes a whole run without rolling. */
const SEGMENT_BYTES_NO_ROLL = 2 ** 31 - 1;
const THROUGHPUT_BATCH_BYTES = MIB;
const THROUGHPUT_WINDOW = 16;
const FSYNC_BATCH_BYTES = 64 * 1024;
const FSYNC_WINDOW = 32;
/** Safety bound on any single timed or priming run; a timed run that hits it reports what it did and says so. */
const RUN_TIME_LIMIT_MS = 60_000;

export interface AppendFigures {
  batchBytes: number;
  recordsPerBatch: number;
  bytesPerRun: number;
  reps: number;
  plainMegabytesPerSecond: number;
  plainCrcMegabytesPerSecond: number;
  engineOnePartitionMegabytesPerSecond: number;
  engineTwoPartitionsMegabytesPerSecond: number;
  engineOneRollMegabytesPerSecond: number;
  ratioOnePartition: number;
  ratioTwoPartitions: number;
  ratioOneRoll: number;
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

interface PlainOptions {
  /** fdatasync every this many writes and once at the end; 0 = never. */
  fsyncEvery: number;
  /** Check each batch's CRC-32C before writing it, as a partition worker does. */
  checkCrc: boolean;
}

/** Writes the batches round-robin into `fd` with fs.writeSync on this thread until `appendsMax` or the time limit. */
function writeBatches(fd: number, batches: readonly Buffer[], appendsMax: number, timeLimitMs: number, { fsyncEvery, checkCrc }: PlainOptions): RunResult {
  let bytes = 0;
  let appends = 0;
  const startedMs = performance.now();
  while (appends < appendsMax && performance.now() - startedMs < timeLimitMs) {
    const batch = batches[appends % batches.length]!;
    if (checkCrc && computeBatchCrc(batch, 0, batch.length) !== storedBatchCrc(batch, 0)) throw new Error('append bench: CRC mismatch in a prebuilt batch');
    let written = 0;
    while (written < batch.length) written += writeSync(fd, batch, written, batch.length - written);
    bytes += batch.length;
    appends++;
    if (fsyncEvery > 0 && appends % fsyncEvery === 0) fdatasyncSync(fd);
  }
  if (fsyncEvery > 0 && appends % fsyncEvery !== 0) fdatasyncSync(fd);
  return { bytes, appends, elapsedMs: performance.now() - startedMs };
}

/** Untimed: writes `appends` batches into a file in `dir` and deletes it, so the next run reuses those pages (see the top). */
function primePageCache(dir: string, batches: readonly Buffer[], appends: number): void {
  const path = join(dir, 'prime.tmp');
  const fd = openSync(path, 'wx');
  try {
    writeBatches(fd, batches, appends, RUN_TIME_LIMIT_MS, { fsyncEvery: 0, checkCrc: false });
  } finally {
    closeSync(fd);
    unlinkSync(path);
  }
}

/** The same batches written back to back into one file on this thread (no worker, no ring, no validation). */
function writePlain(batches: readonly Buffer[], appendsMax: number, timeLimitMs: number, options: PlainOptions): RunResult {
  const dir = mkdtempSync(join(tmpdir(), 'fjord-bench-plain-'));
  try {
    primePageCache(dir, batches, appendsMax);
    const fd = openSync(join(dir, 'plain.log'), 'wx');
    try {
      return writeBatches(fd, batches, appendsMax, timeLimitMs, options);
    } finally {
      closeSync(fd);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
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
    cleanerBackoffMs: 3_600_000,
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
 * Starts an engine with one worker per partition in a fresh temp dir, warms it up, primes, runs the appends (timed),
 * then deletes the partitions, which closes their files without an fsync, so the stop afterwards has nothing to flush.
 */
async function appendThroughEngine(plan: EngineRunPlan): Promise<RunResult> {
  const dir = mkdtempSync(join(tmpdir(), 'fjord-bench-append-'));
  let engine: PartitionEngine | undefined;
  try {
    engine = await PartitionEngine.start(engineConfig(dir, plan.partitionCount), pino({ level: 'silent' }), () => plan.logConfig);
    await createPartitions(engine, TOPIC, plan.partitionCount, plan.logConfig);
    await warmUp(engine, plan);
    primePageCache(dir, plan.batches, plan.appendsMax);
    const result = await appendWindowed(engine, TOPIC, plan);
    for (let p = 0; p < plan.partitionCount; p++) await engine.deletePartition(TOPIC, p);
    return result;
  } finally {
    await engine?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Partitions 0..count-1 of `topic`, one on each worker (worker w gets partition w); throws if placement differs. */
async function createPartitions(engine: PartitionEngine, topic: string, count: number, logConfig: LogConfig): Promise<void> {
  for (let p = 0; p < count; p++) await engine.createPartition(topic, p, logConfig);
  for (let p = 0; p < count; p++) {
    if (engine.workerIdOf(topic, p) !== engine.workerIdOf(TOPIC, p)) throw new Error(`append bench: ${topic}-${p} is not on the worker of ${TOPIC}-${p}`);
  }
  if (new Set(Array.from({ length: count }, (_, p) => engine.workerIdOf(topic, p))).size !== count) {
    throw new Error(`append bench: ${count} partitions of ${topic} do not sit on ${count} workers`);
  }
}

/**
 * Untimed: a fresh worker's rings are fresh memory, and the first pass over them page-faults (~3.5 ms per MiB on
 * these VMs, ~165 ms for the first 32 MiB). Appends of WARM_UP_RING_PASSES ring lengths per worker to partitions of a
 * separate page-cache-only topic on the same workers take that one-time cost (and the JIT warm-up) out of the figures;
 * the partitions are deleted afterwards, so the timed partitions start empty.
 */
async function warmUp(engine: PartitionEngine, plan: EngineRunPlan): Promise<void> {
  const warmUpConfig: LogConfig = { ...DEFAULT_LOG_CONFIG, segmentBytes: SEGMENT_BYTES_NO_ROLL };
  await createPartitions(engine, WARM_UP_TOPIC, plan.partitionCount, warmUpConfig);
  const appendsPerWorker = Math.ceil((WARM_UP_RING_PASSES * RING_BYTES) / plan.batches[0]!.length);
  await appendWindowed(engine, WARM_UP_TOPIC, { ...plan, appendsMax: appendsPerWorker * plan.partitionCount, timeLimitMs: RUN_TIME_LIMIT_MS });
  for (let p = 0; p < plan.partitionCount; p++) await engine.deletePartition(WARM_UP_TOPIC, p);
}

/** `window` lanes, each awaiting its append before issuing the next; batches go round-robin over the partitions. */
async function appendWindowed(engine: PartitionEngine, topic: string, plan: EngineRunPlan): Promise<RunResult> {
  const { batches, partitionCount, appendsMax } = plan;
  let issued = 0;
  let bytes = 0;
  const startedMs = performance.now();
  const deadlineMs = startedMs + plan.timeLimitMs;
  const lane = async (): Promise<void> => {
    while (issued < appendsMax && performance.now() < deadlineMs) {
      const i = issued++;
      const batch = batches[i % batches.length]!;
      const outcome = await engine.append(topic, i % partitionCount, batch);
      if (outcome.errorCode !== ErrorCode.NONE) throw new Error(`append bench: append ${i} failed with ${outcome.errorCode}: ${outcome.errorMessage}`);
      bytes += batch.length;
    }
  };
  await Promise.all(Array.from({ length: plan.window }, lane));
  return { bytes, appends: issued, elapsedMs: performance.now() - startedMs };
}

const LABEL_WIDTH = 56;

function formatReps(values: readonly number[]): string {
  return values.map((v) => v.toFixed(0)).join(', ');
}

function printMedian(label: string, medianMegabytesPerSecond: number, reps: readonly number[]): void {
  console.log(`${(`${label}:`).padEnd(LABEL_WIDTH)} median ${medianMegabytesPerSecond.toFixed(0)} MB/s  (reps: ${formatReps(reps)})`);
}

/** Adds a run's MB/s to `into`; says so when the run stopped at the time limit. */
function collect(label: string, appendsPlanned: number, into: number[], result: RunResult): void {
  if (result.appends < appendsPlanned) console.log(`  (${label}: stopped by the time limit after ${result.appends} of ${appendsPlanned} appends)`);
  into.push(megabytesPerSecond(result.bytes, result.elapsedMs));
}

type ThroughputFigures = Pick<
  AppendFigures,
  | 'batchBytes'
  | 'recordsPerBatch'
  | 'plainMegabytesPerSecond'
  | 'plainCrcMegabytesPerSecond'
  | 'engineOnePartitionMegabytesPerSecond'
  | 'engineTwoPartitionsMegabytesPerSecond'
  | 'engineOneRollMegabytesPerSecond'
  | 'ratioOnePartition'
  | 'ratioTwoPartitions'
  | 'ratioOneRoll'
>;

/**
 * Page-cache throughput, reps interleaved: plain; plain with a CRC-32C check of each batch (the per-byte work a worker
 * adds, on one thread); engine with 1 partition; engine with 2 partitions on 2 workers; engine with 1 partition whose
 * segment.bytes is half the run, so each run crosses exactly one roll.
 */
async function measureThroughput(mode: Mode): Promise<ThroughputFigures> {
  const { batches, recordsPerBatch } = buildBatches(THROUGHPUT_BATCH_BYTES, DISTINCT_BATCHES);
  const batchBytes = batches[0]!.length;
  const appendsPerRun = Math.floor(mode.bytesPerRun / batchBytes);
  const noRoll: LogConfig = { ...DEFAULT_LOG_CONFIG, segmentBytes: SEGMENT_BYTES_NO_ROLL };
  const oneRoll: LogConfig = { ...DEFAULT_LOG_CONFIG, segmentBytes: mode.bytesPerRun / 2 };
  const plan = (partitionCount: number, logConfig: LogConfig): EngineRunPlan => ({
    partitionCount,
    batches,
    appendsMax: appendsPerRun,
    timeLimitMs: RUN_TIME_LIMIT_MS,
    window: THROUGHPUT_WINDOW,
    logConfig,
  });
  console.log(
    `append: ${appendsPerRun} batches of ${batchBytes} bytes (${recordsPerBatch} records, 1 KiB values) = ${((appendsPerRun * batchBytes) / 1e6).toFixed(0)} MB per run, ` +
      `${THROUGHPUT_WINDOW} appends in flight, page cache only, primed, ${mode.reps} reps`,
  );
  const plain: number[] = [];
  const plainCrc: number[] = [];
  const one: number[] = [];
  const two: number[] = [];
  const rolled: number[] = [];
  for (let rep = 0; rep < mode.reps; rep++) {
    collect('plain', appendsPerRun, plain, writePlain(batches, appendsPerRun, RUN_TIME_LIMIT_MS, { fsyncEvery: 0, checkCrc: false }));
    collect('plain + CRC', appendsPerRun, plainCrc, writePlain(batches, appendsPerRun, RUN_TIME_LIMIT_MS, { fsyncEvery: 0, checkCrc: true }));
    collect('engine 1 partition', appendsPerRun, one, await appendThroughEngine(plan(1, noRoll)));
    collect('engine 2 partitions', appendsPerRun, two, await appendThroughEngine(plan(2, noRoll)));
    collect('engine 1 partition, one roll', appendsPerRun, rolled, await appendThroughEngine(plan(1, oneRoll)));
  }
  const figures: ThroughputFigures = {
    batchBytes,
    recordsPerBatch,
    plainMegabytesPerSecond: median(plain),
    plainCrcMegabytesPerSecond: median(plainCrc),
    engineOnePartitionMegabytesPerSecond: median(one),
    engineTwoPartitionsMegabytesPerSecond: median(two),
    engineOneRollMegabytesPerSecond: median(rolled),
    ratioOnePartition: median(one) / median(plain),
    ratioTwoPartitions: median(two) / median(plain),
    ratioOneRoll: median(rolled) / median(plain),
  };
  const rollLabel = `engine, 1 partition, one roll (segment.bytes ${mode.bytesPerRun / 2 / MIB} MiB)`;
  printMedian('plain fs.writeSync, main thread only', figures.plainMegabytesPerSecond, plain);
  printMedian('plain + CRC-32C check, main thread only', figures.plainCrcMegabytesPerSecond, plainCrc);
  printMedian('engine, 1 partition on 1 worker', figures.engineOnePartitionMegabytesPerSecond, one);
  printMedian('engine, 2 partitions on 2 workers', figures.engineTwoPartitionsMegabytesPerSecond, two);
  printMedian(rollLabel, figures.engineOneRollMegabytesPerSecond, rolled);
  console.log(
    `ratio engine/plain (medians; issue target >= 0.8): 1 partition ${figures.ratioOnePartition.toFixed(2)}, ` +
      `2 partitions ${figures.ratioTwoPartitions.toFixed(2)}, 1 partition with one roll ${figures.ratioOneRoll.toFixed(2)}`,
  );
  console.log(
    `ratio engine 1 partition / (plain + CRC) (medians): ${(figures.engineOnePartitionMegabytesPerSecond / figures.plainCrcMegabytesPerSecond).toFixed(2)}`,
  );
  return figures;
}

type FsyncFigures = Pick<
  AppendFigures,
  'fsyncBatchBytes' | 'fsyncAppendsPerSecond' | 'fsyncMegabytesPerSecond' | 'plainFsyncAppendsPerSecond' | 'plainFsyncMegabytesPerSecond'
>;

/**
 * flush.messages=1: each append is acknowledged only after an fsync; the worker fsyncs once per pass over the frames
 * it found (group commit). Reference: plain writeSync of FSYNC_WINDOW batches then one fdatasync, on one thread.
 */
async function measureFsyncPerAck(mode: Mode): Promise<FsyncFigures> {
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
    const run = await appendThroughEngine({
      partitionCount: 1,
      batches,
      appendsMax: mode.fsyncAppendsMax,
      timeLimitMs: mode.fsyncRunMs,
      window: FSYNC_WINDOW,
      logConfig,
    });
    engineRates.push(run.appends / (run.elapsedMs / 1000));
    engineMbs.push(megabytesPerSecond(run.bytes, run.elapsedMs));
    const plain = writePlain(batches, mode.fsyncAppendsMax, mode.fsyncRunMs, { fsyncEvery: FSYNC_WINDOW, checkCrc: false });
    plainRates.push(plain.appends / (plain.elapsedMs / 1000));
    plainMbs.push(megabytesPerSecond(plain.bytes, plain.elapsedMs));
  }
  const figures: FsyncFigures = {
    fsyncBatchBytes: batchBytes,
    fsyncAppendsPerSecond: median(engineRates),
    fsyncMegabytesPerSecond: median(engineMbs),
    plainFsyncAppendsPerSecond: median(plainRates),
    plainFsyncMegabytesPerSecond: median(plainMbs),
  };
  console.log(
    `${'engine, fsync per ack, 1 partition:'.padEnd(LABEL_WIDTH)} median ${figures.fsyncAppendsPerSecond.toFixed(0)} appends/s, ` +
      `${figures.fsyncMegabytesPerSecond.toFixed(0)} MB/s  (reps appends/s: ${formatReps(engineRates)})`,
  );
  console.log(
    `${`plain writeSync x${FSYNC_WINDOW} + 1 fdatasync, main thread only:`.padEnd(LABEL_WIDTH)} median ${figures.plainFsyncAppendsPerSecond.toFixed(0)} appends/s, ` +
      `${figures.plainFsyncMegabytesPerSecond.toFixed(0)} MB/s  (reps appends/s: ${formatReps(plainRates)})`,
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
