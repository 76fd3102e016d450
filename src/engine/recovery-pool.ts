// Runs crash recovery of many partition folders in parallel on a piscina pool, before any partition
// worker owns them. Runs on the main thread (the pool's threads do the scanning).
import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import { compiledPath } from '../shared/compiled-path.js';
import type { RecoveryJob, RecoveryOutcome } from '../../workers/recovery-task.js';

export interface RecoveryFailure {
  job: RecoveryJob;
  error: Error;
}

/** Recovers every job; returns what each found, and the jobs that failed (their dirs should go offline). */
export async function recoverPartitions(
  jobs: RecoveryJob[],
  maxThreads = availableParallelism(),
): Promise<{ outcomes: RecoveryOutcome[]; failures: RecoveryFailure[] }> {
  if (jobs.length === 0) return { outcomes: [], failures: [] };
  const pool = new Piscina<RecoveryJob, RecoveryOutcome>({
    filename: compiledPath('workers/recovery-task'),
    minThreads: 1,
    maxThreads: Math.max(1, Math.min(maxThreads, jobs.length)),
  });
  try {
    const settled = await Promise.allSettled(jobs.map((job) => pool.run(job)));
    const outcomes: RecoveryOutcome[] = [];
    const failures: RecoveryFailure[] = [];
    settled.forEach((result, i) => {
      if (result.status === 'fulfilled') outcomes.push(result.value);
      else failures.push({ job: jobs[i]!, error: result.reason as Error });
    });
    return { outcomes, failures };
  } finally {
    await pool.destroy();
  }
}
