// Retries of an operation that failed in a way a later attempt can mend (a leader moved or died, a broker
// cannot be reached, a request timed out, a topic is being created, a coordinator is loading or moved), with
// Kafka's growing backoff between attempts, bounded by time rather than by a count. Runs on the caller's
// main thread.
import { BrokerUnreachableError, KafkaResponseError, RequestTimeoutError } from './kafka-errors.js';

export interface RetryPolicy {
  /** How long after the first attempt no further attempt starts (Kafka's default.api.timeout.ms, delivery.timeout.ms). */
  timeoutMs: number;
  /** The first backoff (Kafka's retry.backoff.ms). */
  backoffMs: number;
  /** The backoff doubles up to this (Kafka's retry.backoff.max.ms). */
  backoffMaxMs: number;
}

/** Kafka's defaults: default.api.timeout.ms 60 s, retry.backoff.ms 100, retry.backoff.max.ms 1000. */
export const DEFAULT_RETRY: RetryPolicy = { timeoutMs: 60_000, backoffMs: 100, backoffMaxMs: 1_000 };

/** Kafka's backoff jitter: each wait is the exponential value ± 20%. */
const BACKOFF_JITTER = 0.2;

/** A Kafka error marked retriable, a broker that cannot be reached (once the cluster was reached), a request timeout. */
export function isRetriableError(error: unknown): boolean {
  if (error instanceof KafkaResponseError || error instanceof BrokerUnreachableError) return error.retriable;
  return error instanceof RequestTimeoutError;
}

/** The wait before attempt `attempt + 1`: backoffMs · 2^(attempt-1), at most backoffMaxMs, with ±20% jitter. */
export function backoffDelayMs(attempt: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const exponential = Math.min(policy.backoffMaxMs, policy.backoffMs * 2 ** Math.max(0, attempt - 1));
  return Math.max(0, Math.round(exponential * (1 - BACKOFF_JITTER + 2 * BACKOFF_JITTER * random())));
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Runs `operation` until it succeeds, fails with an error retrying cannot mend, or the next attempt would start
 * after `policy.timeoutMs`; then the last error is thrown as it was.
 */
export async function withRetries<T>(operation: (attempt: number) => Promise<T>, policy: RetryPolicy = DEFAULT_RETRY): Promise<T> {
  const deadlineMs = Date.now() + policy.timeoutMs;
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation(attempt);
    } catch (error) {
      const delayMs = backoffDelayMs(attempt, policy);
      if (!isRetriableError(error) || Date.now() + delayMs > deadlineMs) throw error;
      await sleep(delayMs);
    }
  }
}

/** The policy for what is left of a deadline (a producer's delivery timeout spent partly on earlier attempts). */
export function remainingOf(policy: RetryPolicy, deadlineMs: number): RetryPolicy {
  return { ...policy, timeoutMs: Math.max(0, deadlineMs - Date.now()) };
}
