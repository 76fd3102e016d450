// Bounded waits on etcd while a broker joins or leaves its cluster: a call retried until a deadline, or one
// attempt raced against it, failing with one line that names the endpoints (what start-up prints). Main thread.
import { ClusterJoinError } from './membership.js';

export interface EtcdDeadline {
  endpoints: string[];
  /** How long a join or leave step may wait for etcd. */
  connectTimeoutMs: number;
}

/** Pause between attempts while etcd does not answer. */
export const ETCD_RETRY_MS = 500;

/** Calls `attempt` until it succeeds; a ClusterJoinError ends at once, other errors (etcd out of reach) are retried until connectTimeoutMs. */
export async function retryUntil<T>(options: EtcdDeadline, attempt: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + options.connectTimeoutMs;
  for (;;) {
    try {
      return await raceTimeout(attempt(), deadline - Date.now(), 'etcd did not answer in time');
    } catch (error) {
      if (error instanceof ClusterJoinError || Date.now() + ETCD_RETRY_MS >= deadline) throw unreachable(options, error as Error);
      await new Promise((resolve) => setTimeout(resolve, ETCD_RETRY_MS));
    }
  }
}

/** Runs `work`; if it fails, or takes longer than connectTimeoutMs, fails with a one-line ClusterJoinError naming the endpoints. */
export async function withinTimeout<T>(options: EtcdDeadline, what: string, work: () => Promise<T>): Promise<T> {
  try {
    return await raceTimeout(work(), options.connectTimeoutMs, `etcd did not ${what} in time`);
  } catch (error) {
    throw unreachable(options, error as Error);
  }
}

async function raceTimeout<T>(work: Promise<T>, timeoutMs: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), Math.max(timeoutMs, 0));
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function unreachable(options: EtcdDeadline, error: Error): ClusterJoinError {
  if (error instanceof ClusterJoinError) return error;
  const reason = (error.message.split('\n')[0] ?? '').trim();
  return new ClusterJoinError(
    `cannot reach etcd at ${options.endpoints.join(', ')} within ${options.connectTimeoutMs} ms (fjord.etcd.endpoints, fjord.etcd.connect.timeout.ms): ${reason}`,
  );
}
