// Crash recovery of one partition (recoverPartition's validating scan: CRC-32C of every batch, index rebuild) vs a clean
// reopen, on the main thread only (the engine runs recoverPartition on piscina). `node dist/bench/recovery-scan.js [--short]`
//
// The partition is built with PartitionLog directly from ~1 MiB batches and abandoned (closed without flush or
// checkpoint, as after a crash), so its checkpoint still says recovery point 0. segment.bytes is the default 1 GiB and
// the data stays below it: the partition is one segment, and the scan covers all of it. The .log is fdatasynced once
// after the build (untimed) so the write-back of the build is not in the figure. The file was just written, so every
// read hits the page cache: this is a warm-cache figure (dropping the page cache needs root, which these VMs don't give).
import { closeSync, fdatasyncSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BatchField, writeInt64 } from '../src/shared/record-batch.js';
import { DEFAULT_LOG_CONFIG, type LogConfig } from '../src/shared/topic-config.js';
import { NodeFileAccess } from '../workers/io/file-access.js';
import { CHECKPOINT_FILE } from '../workers/log/partition-checkpoint.js';
import { LOG_SUFFIX, segmentFileName } from '../workers/log/log-segment.js';
import { PartitionLog } from '../workers/log/partition-log.js';
import recoverPartition from '../workers/recovery-task.js';
import { buildBatches, median, megabytesPerSecond } from './segment-append.js';

const MIB = 1024 * 1024;
const BATCH_BYTES = MIB;
const DISTINCT_BATCHES = 4;

export interface RecoveryFigures {
  partitionBytes: number;
  reps: number;
  recoveryMegabytesPerSecond: number;
  recoveryMs: number;
  cleanReopenMs: number;
}

interface Mode {
  partitionBytes: number;
  reps: number;
}

const FULL: Mode = { partitionBytes: 1024 * MIB, reps: 5 };
const SHORT: Mode = { partitionBytes: 128 * MIB, reps: 3 };

interface BuiltPartition {
  logEndOffset: number;
  sizeBytes: number;
  /** The checkpoint as the unclean stop left it; put back before each rep so each one scans from offset 0. */
  uncleanCheckpoint: Buffer;
}

/** Appends whole batches up to `partitionBytes`, abandons the log, and syncs the segment file once. */
function buildPartition(partitionDir: string, config: LogConfig, partitionBytes: number): BuiltPartition {
  const { batches } = buildBatches(BATCH_BYTES, DISTINCT_BATCHES);
  const appendCount = Math.floor(partitionBytes / batches[0]!.length);
  const nowMs = Date.now();
  const log = PartitionLog.open(new NodeFileAccess(), partitionDir, config, { nowMs, trustedOnDisk: true });
  for (let i = 0; i < appendCount; i++) {
    const batch = batches[i % batches.length]!;
    // The log stamps offsets into the buffer it appends; a reused batch goes back to base offset 0 as a producer sends it.
    writeInt64(batch, BatchField.BASE_OFFSET, 0);
    const code = log.append(batch, 0, batch.length, 'client', nowMs);
    if (code !== 0) throw new Error(`recovery bench: append ${i} failed with ${code}: ${log.lastAppend.errorMessage}`);
  }
  if (log.segmentCount !== 1) throw new Error(`recovery bench: expected one segment, got ${log.segmentCount}`);
  const built = { logEndOffset: log.logEndOffset, sizeBytes: log.sizeBytes };
  log.abandon();
  const fd = openSync(join(partitionDir, segmentFileName(0, LOG_SUFFIX)), 'r+');
  try {
    fdatasyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return { ...built, uncleanCheckpoint: readFileSync(join(partitionDir, CHECKPOINT_FILE)) };
}

/** One unclean recovery: restore the crash-time checkpoint, then time recoverPartition and check what it found. */
function timeRecovery(partitionDir: string, config: LogConfig, built: BuiltPartition): number {
  writeFileSync(join(partitionDir, CHECKPOINT_FILE), built.uncleanCheckpoint);
  const startedMs = performance.now();
  const outcome = recoverPartition({ partitionDir, config });
  const elapsedMs = performance.now() - startedMs;
  if (outcome.logEndOffset !== built.logEndOffset || outcome.sizeBytes !== built.sizeBytes || outcome.repairs.length > 0) {
    throw new Error(
      `recovery bench: recovery found ${outcome.logEndOffset} / ${outcome.sizeBytes} bytes (${outcome.repairs.join('; ')}), built ${built.logEndOffset} / ${built.sizeBytes}`,
    );
  }
  return elapsedMs;
}

/** One clean reopen of the folder recovery just closed: loads and checks the indexes' tail, no scan. Close untimed. */
function timeCleanReopen(partitionDir: string, config: LogConfig, built: BuiltPartition): number {
  const repairs: string[] = [];
  const nowMs = Date.now();
  const startedMs = performance.now();
  const log = PartitionLog.open(new NodeFileAccess(), partitionDir, config, { nowMs, trustedOnDisk: true, onRepair: (what) => repairs.push(what) });
  const elapsedMs = performance.now() - startedMs;
  const logEndOffset = log.logEndOffset;
  log.close(nowMs);
  if (logEndOffset !== built.logEndOffset || repairs.length > 0) {
    throw new Error(`recovery bench: clean reopen found log end ${logEndOffset} (${repairs.join('; ')}), built ${built.logEndOffset}`);
  }
  return elapsedMs;
}

export async function main(argv: string[]): Promise<RecoveryFigures> {
  const mode = argv.includes('--short') ? SHORT : FULL;
  const config: LogConfig = { ...DEFAULT_LOG_CONFIG };
  const root = mkdtempSync(join(tmpdir(), 'fjord-bench-recovery-'));
  try {
    const partitionDir = join(root, 'bench-0');
    const built = buildPartition(partitionDir, config, mode.partitionBytes);
    console.log(
      `recovery: one partition of ${built.logEndOffset} records, ${(built.sizeBytes / 1e6).toFixed(0)} MB in ~1 MiB batches, one segment ` +
        `(segment.bytes ${config.segmentBytes / MIB} MiB, default), abandoned unclean; warm page cache; ${mode.reps} reps`,
    );
    const recoveryMs: number[] = [];
    const reopenMs: number[] = [];
    for (let rep = 0; rep < mode.reps; rep++) {
      recoveryMs.push(timeRecovery(partitionDir, config, built));
      reopenMs.push(timeCleanReopen(partitionDir, config, built));
    }
    const figures: RecoveryFigures = {
      partitionBytes: built.sizeBytes,
      reps: mode.reps,
      recoveryMegabytesPerSecond: megabytesPerSecond(built.sizeBytes, median(recoveryMs)),
      recoveryMs: median(recoveryMs),
      cleanReopenMs: median(reopenMs),
    };
    console.log(
      `unclean: recoverPartition (CRC-32C of every batch, index rebuild): median ${figures.recoveryMs.toFixed(0)} ms = ` +
        `${figures.recoveryMegabytesPerSecond.toFixed(0)} MB/s  (reps ms: ${recoveryMs.map((ms) => ms.toFixed(0)).join(', ')})`,
    );
    console.log(
      `clean reopen (trustedOnDisk, no scan): median ${figures.cleanReopenMs.toFixed(1)} ms  (reps ms: ${reopenMs.map((ms) => ms.toFixed(1)).join(', ')})`,
    );
    return figures;
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
