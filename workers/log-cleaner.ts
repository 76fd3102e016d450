// The log cleaner of one partition worker: on each tick (log.cleaner.backoff.ms) it plans a job for each
// compacted partition that is due, runs the jobs one at a time off this thread on a small piscina pool
// (created on first use, its thread ended when idle), and swaps each result in on this thread, where the
// partition's appends keep running meanwhile. Runs in a partition worker.
import type { Piscina } from 'piscina';
import { compiledPath } from '../src/shared/compiled-path.js';
import type { CleanerJob, CleanerOutcome } from './log/segment-cleaner.js';
import type { OwnedPartition } from './partition-table.js';
import type { PartitionLog } from './log/partition-log.js';

/** Cleaner threads per partition worker; jobs of one worker run one after another. */
const CLEANER_THREADS = 1;
/** A pool thread idle this long is ended; the next job starts a new one. */
const CLEANER_THREAD_IDLE_MS = 60_000;

export type CleanerRunner = (job: CleanerJob) => Promise<CleanerOutcome>;
export type CleanerLog = (level: 'info' | 'warn' | 'error', message: string) => void;
type FailureHandler = (owned: OwnedPartition, error: unknown) => void;

/** Runs `operation`; on a throw, hands the error to `onError` and returns undefined. */
function attempt<T>(operation: () => T, onError: (error: unknown) => void): T | undefined {
  try {
    return operation();
  } catch (error) {
    onError(error);
    return undefined;
  }
}

export class LogCleaner {
  private pool: Piscina<CleanerJob, CleanerOutcome> | null = null;
  private running = false;

  /** `run` executes a job; by default on the piscina pool (tests pass cleanSegments itself). */
  constructor(private readonly run: CleanerRunner = (job) => this.runOnPool(job)) {}

  /**
   * Cleans every due partition in `partitions`, one job at a time. Returns the number of old segments
   * replaced (0 when a previous call is still running). A failed job is logged and retried on a later tick;
   * an error while planning or swapping goes to `onFailure` (the storage guard: a disk failure takes the dir
   * offline; anything else is a bug and is rethrown, which ends the worker so it is restarted and recovered).
   */
  async cleanDue(partitions: Iterable<OwnedPartition & { log: PartitionLog }>, nowMs: number, log: CleanerLog, onFailure: FailureHandler): Promise<number> {
    if (this.running) return 0;
    this.running = true;
    let replaced = 0;
    try {
      for (const owned of [...partitions]) replaced += await this.cleanOne(owned, owned.log, nowMs, log, onFailure);
    } finally {
      this.running = false;
    }
    return replaced;
  }

  private async cleanOne(owned: OwnedPartition, partitionLog: PartitionLog, nowMs: number, log: CleanerLog, onFailure: FailureHandler): Promise<number> {
    const name = `${owned.topic}-${owned.partition}`;
    const plan = attempt(
      () => partitionLog.planCleaning(nowMs),
      (error) => onFailure(owned, error),
    );
    if (plan === null || plan === undefined) return 0;
    let outcome: CleanerOutcome;
    try {
      outcome = await this.run(plan.job);
    } catch (error) {
      log('warn', `log cleaner: cleaning ${name} failed, will retry: ${(error as Error).message}`);
      return 0;
    }
    // The partition may have been closed, deleted or taken offline meanwhile: applyCleaning then discards.
    const replaced =
      attempt(
        () => partitionLog.applyCleaning(plan, outcome, Date.now()),
        (error) => onFailure(owned, error),
      ) ?? -1;
    if (replaced < 0) return 0;
    log(
      'info',
      `log cleaner: ${name} cleaned ${replaced} segment(s) below offset ${outcome.cleanedEndOffset}: ${outcome.recordsRemoved} records removed, ${outcome.bytesRead} → ${outcome.bytesWritten} bytes`,
    );
    return replaced;
  }

  private async runOnPool(job: CleanerJob): Promise<CleanerOutcome> {
    // piscina is loaded with the first job, not with the worker: most workers never compact anything.
    if (this.pool === null) {
      const { Piscina } = await import('piscina');
      this.pool ??= new Piscina<CleanerJob, CleanerOutcome>({
        filename: compiledPath('workers/cleaner-task'),
        minThreads: 0,
        maxThreads: CLEANER_THREADS,
        idleTimeout: CLEANER_THREAD_IDLE_MS,
      });
    }
    return this.pool.run(job);
  }
}

/** This worker thread's cleaner (one per thread; WorkerControl.compactDue drives it). */
export const workerLogCleaner = new LogCleaner();
