// Bounded retries of an operation that fails with a retriable Kafka error (leader moved, topic being
// created, coordinator loading), with a short backoff between attempts. Runs on the caller's main thread.
import { KafkaResponseError } from './kafka-errors.js';

export interface RetryPolicy {
  attempts: number;
  backoffMs: number;
}

/** Kafka's retry.backoff.ms is 100 ms; a dozen attempts covers a topic's creation or a coordinator's load. */
export const DEFAULT_RETRY: RetryPolicy = { attempts: 12, backoffMs: 100 };

export function isRetriableError(error: unknown): boolean {
  return error instanceof KafkaResponseError && error.retriable;
}

/** Runs `operation` until it succeeds, fails with a non-retriable error, or runs out of attempts. */
export async function withRetries<T>(operation: (attempt: number) => Promise<T>, policy: RetryPolicy = DEFAULT_RETRY): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation(attempt);
    } catch (error) {
      if (attempt >= policy.attempts || !isRetriableError(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, policy.backoffMs));
    }
  }
}
