// Retries bounded by time: Kafka's growing backoff with jitter, which errors are retried (retriable Kafka codes,
// unreachable brokers once the cluster was reached, request timeouts) and which end at once, and the last error
// thrown as it was when the time runs out.
import { describe, expect, it } from 'vitest';
import { BrokerUnreachableError, KafkaResponseError, RequestTimeoutError, UnsupportedApiError } from '../../src/client/kafka-errors.js';
import { backoffDelayMs, DEFAULT_RETRY, isRetriableError, remainingOf, withRetries } from '../../src/client/retry.js';

const policy = { timeoutMs: 300, backoffMs: 10, backoffMaxMs: 40 };

describe('backoffDelayMs', () => {
  it('doubles from retry.backoff.ms up to retry.backoff.max.ms, within ±20%', () => {
    const middle = () => 0.5;
    expect([1, 2, 3, 4, 5, 6].map((attempt) => backoffDelayMs(attempt, DEFAULT_RETRY, middle))).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect(backoffDelayMs(1, DEFAULT_RETRY, () => 0)).toBe(80);
    expect(backoffDelayMs(9, DEFAULT_RETRY, () => 1)).toBe(1200);
  });
});

describe('isRetriableError', () => {
  it('retries retriable codes, unreachable brokers and timeouts; not the rest', () => {
    expect(isRetriableError(new KafkaResponseError(6, 'orders-0'))).toBe(true);
    expect(isRetriableError(new KafkaResponseError(36, 'orders'))).toBe(false);
    expect(isRetriableError(new BrokerUnreachableError('127.0.0.1:9094', 'connection closed by the broker'))).toBe(true);
    expect(isRetriableError(new BrokerUnreachableError('127.0.0.1:1', 'ECONNREFUSED', false))).toBe(false);
    expect(isRetriableError(new RequestTimeoutError('127.0.0.1:9092', 'Fetch', 30_000))).toBe(true);
    expect(isRetriableError(new UnsupportedApiError('127.0.0.1:9092', 'Fetch', 'not served at all'))).toBe(false);
    expect(isRetriableError(new Error('bug'))).toBe(false);
  });
});

describe('withRetries', () => {
  it('retries until the operation succeeds', async () => {
    const seen: number[] = [];
    const result = await withRetries(async (attempt) => {
      seen.push(attempt);
      if (attempt < 3) throw new BrokerUnreachableError('127.0.0.1:9094', 'ECONNREFUSED');
      return 'done';
    }, policy);
    expect(result).toBe('done');
    expect(seen).toEqual([1, 2, 3]);
  });

  it('throws an error retrying cannot mend at once', async () => {
    let attempts = 0;
    const failing = withRetries(async () => {
      attempts++;
      throw new KafkaResponseError(36, 'topic "orders"');
    }, policy);
    await expect(failing).rejects.toThrow(/TOPIC_ALREADY_EXISTS/);
    expect(attempts).toBe(1);
  });

  it('gives up with the last error once the next attempt would start after the timeout', async () => {
    let attempts = 0;
    const failing = withRetries(async (attempt) => {
      attempts = attempt;
      throw new BrokerUnreachableError('127.0.0.1:9094', `attempt ${attempt}`);
    }, policy);
    const error = await failing.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BrokerUnreachableError);
    expect((error as BrokerUnreachableError).reason).toBe(`attempt ${attempts}`);
    expect(attempts).toBeGreaterThan(1);
  });

  it('with what is left of a deadline that has passed, tries once', async () => {
    let attempts = 0;
    const failing = withRetries(
      async () => {
        attempts++;
        throw new KafkaResponseError(6, 'orders-0');
      },
      remainingOf(policy, Date.now() - 1),
    );
    await expect(failing).rejects.toThrow(/NOT_LEADER_OR_FOLLOWER/);
    expect(attempts).toBe(1);
  });
});
