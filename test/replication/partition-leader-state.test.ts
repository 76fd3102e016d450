// A leader's view of one partition: Kafka's lastCaughtUpTimeMs rule, the high watermark candidate (minimum log
// end over the ISR's followers) and the ISR's next membership (lagging followers leave, caught-up ones join).
import { describe, expect, it } from 'vitest';
import { PartitionLeaderState } from '../../src/replication/partition-leader-state.js';

const LAG_MS = 1000;

function leadership(isr = [1, 2, 3], epochStart = 10, highWatermark = 10): PartitionLeaderState {
  return new PartitionLeaderState('t', 0, 1, { leaderEpoch: 5, isr, replicas: [1, 2, 3] }, epochStart, highWatermark, 0);
}

describe('high watermark', () => {
  it('waits for every ISR follower to fetch, then is the smallest follower log end', () => {
    const l = leadership();
    l.recordFetch(2, 12, 15, 100);
    expect(l.highWatermarkCandidate()).toBeNull();
    l.recordFetch(3, 11, 15, 100);
    expect(l.highWatermarkCandidate()).toBe(11);
    l.recordFetch(3, 15, 15, 200);
    expect(l.highWatermarkCandidate()).toBe(12);
  });

  it('has none to compute when the leader is alone in the ISR (its log end is the high watermark)', () => {
    const l = leadership([1]);
    expect(l.alone).toBe(true);
    expect(l.highWatermarkCandidate()).toBeNull();
  });

  it('ignores followers out of the ISR', () => {
    const l = leadership([1, 2]);
    l.recordFetch(2, 14, 15, 100);
    l.recordFetch(3, 3, 15, 100);
    expect(l.highWatermarkCandidate()).toBe(14);
  });
});

describe('ISR', () => {
  it('keeps a follower that reached the log end within the lag time, drops one that did not', () => {
    const l = leadership();
    l.recordFetch(2, 20, 20, 500);
    l.recordFetch(3, 12, 20, 500);
    expect(l.nextIsr(900, LAG_MS)).toBeNull();
    // Follower 3 was last caught up at 0 (leadership start); follower 2 at 500.
    expect(l.nextIsr(1200, LAG_MS)).toEqual([1, 2]);
  });

  it("counts a follower as caught up at its previous fetch when it reached the leader's log end of then (Kafka's rule)", () => {
    const l = leadership();
    l.recordFetch(2, 10, 20, 900); // behind: the leader had 20
    l.recordFetch(2, 20, 25, 1800); // reached what the leader had at 900, not yet 25
    l.recordFetch(3, 25, 25, 1800);
    expect(l.nextIsr(1850, LAG_MS)).toBeNull();
    expect(l.nextIsr(1950, LAG_MS)).toEqual([1, 3]);
  });

  it('keeps a follower at the leader log end however long ago it fetched (nothing new to copy)', () => {
    const l = leadership([1, 2], 10, 10);
    l.recordFetch(2, 10, 10, 100);
    expect(l.nextIsr(100_000, LAG_MS)).toBeNull();
  });

  it('lets a follower join once its log end reaches the high watermark and the epoch start', () => {
    const l = leadership([1, 2], 10, 12);
    l.recordFetch(2, 15, 15, 100);
    l.recordFetch(3, 11, 15, 100);
    expect(l.nextIsr(200, LAG_MS)).toBeNull();
    l.recordFetch(3, 12, 15, 300);
    expect(l.nextIsr(300, LAG_MS)).toEqual([1, 2, 3]);
  });

  it('ignores fetches from brokers that are no replica', () => {
    const l = leadership();
    expect(l.isReplica(9)).toBe(false);
    expect(l.isReplica(1)).toBe(false);
    l.recordFetch(9, 100, 100, 5);
    expect(l.isReplica(2)).toBe(true);
  });
});
