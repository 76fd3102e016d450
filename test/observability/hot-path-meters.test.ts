// The request path's meters: records counted from batch headers (one batch in, several out), the topic
// label bound with its "(other)" bucket, forgetting deleted topics, and the latency buckets per API.
import { describe, expect, it } from 'vitest';
import { HotPathMeters, LATENCY_BUCKETS_SECONDS, OTHER_TOPICS_LABEL } from '../../src/observability/hot-path-meters.js';
import { buildRecordBatch } from '../../src/shared/record-batch-codec.js';

const batchOf = (count: number): Buffer => buildRecordBatch(Array.from({ length: count }, (_, i) => ({ key: null, value: Buffer.from(`v${i}`) })));

describe('HotPathMeters', () => {
  it('counts bytes and records in from one batch, and out from several whole batches', () => {
    const meters = new HotPathMeters(10);
    const one = batchOf(3);
    meters.produced('orders', one);
    const fetched = Buffer.concat([batchOf(2), batchOf(5), batchOf(1)]);
    meters.fetched('orders', fetched);
    expect(meters.topicTraffic()).toEqual([
      expect.objectContaining({ label: 'orders', bytesIn: one.length, messagesIn: 3, bytesOut: fetched.length, messagesOut: 8 }),
    ]);
  });

  it('gives topics beyond the bound one shared "(other)" label, and frees slots of deleted topics', () => {
    const meters = new HotPathMeters(1);
    meters.produced('a', batchOf(1));
    meters.produced('b', batchOf(2));
    meters.produced('c', batchOf(3));
    expect(meters.topicTraffic().map((t) => [t.label, t.messagesIn])).toEqual([
      ['a', 1],
      [OTHER_TOPICS_LABEL, 5],
    ]);
    meters.forgetTopicsExcept((topic) => topic !== 'a');
    meters.produced('b', batchOf(4));
    expect(meters.topicTraffic().map((t) => [t.label, t.messagesIn])).toEqual([
      ['b', 4],
      [OTHER_TOPICS_LABEL, 5],
    ]);
  });

  it('puts each answered request in its latency bucket, per API', () => {
    const meters = new HotPathMeters(10);
    const r = meters.requests;
    r.receivedRequest(0);
    r.receivedRequest(0);
    r.receivedRequest(1);
    r.answeredRequest(0, 0.2); // 0.2 ms: the first bucket (0.5 ms)
    r.answeredRequest(0, 40_000); // 40 s: +Inf
    expect(r.seen()).toEqual([
      { apiKey: 0, api: 'Produce' },
      { apiKey: 1, api: 'Fetch' },
    ]);
    expect([r.received[0], r.answered[0], r.received[1], r.answered[1]]).toEqual([2, 2, 1, 0]);
    expect(r.buckets[0]).toBe(1);
    expect(r.buckets[LATENCY_BUCKETS_SECONDS.length]).toBe(1);
    expect(r.secondsSum[0]).toBeCloseTo(40.0002);
  });
});
