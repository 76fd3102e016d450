// The leader-epoch rules of replication: when a leader tells a follower its log diverges, and where the follower
// then truncates (Kafka's leader and fetcher rules), including the walk back over several epochs.
import { describe, expect, it } from 'vitest';
import { divergingEpochOf, truncationOffsetOf } from '../../src/replication/divergence.js';

describe("the leader's check", () => {
  it('lets a follower with no epoch, or whose last epoch ends at or after its fetch offset here, fetch', () => {
    expect(divergingEpochOf(-1, 100, { epoch: -1, endOffset: -1 })).toBeNull();
    expect(divergingEpochOf(3, 10, { epoch: 3, endOffset: 10 })).toBeNull();
    expect(divergingEpochOf(3, 8, { epoch: 3, endOffset: 12 })).toBeNull();
  });

  it('answers the epoch and end offset when the epoch ended earlier here', () => {
    expect(divergingEpochOf(3, 12, { epoch: 3, endOffset: 10 })).toEqual({ epoch: 3, endOffset: 10 });
  });

  it('answers the largest older epoch when the follower epoch is unknown here', () => {
    expect(divergingEpochOf(4, 10, { epoch: 2, endOffset: 10 })).toEqual({ epoch: 2, endOffset: 10 });
    expect(divergingEpochOf(4, 10, { epoch: -1, endOffset: -1 })).toEqual({ epoch: -1, endOffset: -1 });
  });
});

describe("the follower's truncation", () => {
  const follower = { logEndOffset: 20, highWatermark: 6 };

  it('cuts to the smaller end when both know the epoch', () => {
    expect(truncationOffsetOf({ epoch: 3, endOffset: 10 }, { epoch: 3, endOffset: 14 }, follower)).toBe(10);
    expect(truncationOffsetOf({ epoch: 3, endOffset: 16 }, { epoch: 3, endOffset: 14 }, follower)).toBe(14);
  });

  it("cuts to the end of its own older epoch when it lacks the leader's (and fetches again)", () => {
    expect(truncationOffsetOf({ epoch: 3, endOffset: 10 }, { epoch: 2, endOffset: 8 }, follower)).toBe(8);
  });

  it('goes back to its high watermark when the leader knows no epoch', () => {
    expect(truncationOffsetOf({ epoch: -1, endOffset: -1 }, { epoch: 3, endOffset: 14 }, follower)).toBe(6);
  });

  it('cuts to the leader end when it knows no epoch itself, never beyond its log end', () => {
    expect(truncationOffsetOf({ epoch: 3, endOffset: 10 }, { epoch: -1, endOffset: -1 }, follower)).toBe(10);
    expect(truncationOffsetOf({ epoch: 3, endOffset: 30 }, { epoch: -1, endOffset: -1 }, follower)).toBe(20);
  });

  it('brings a follower with several divergent epochs back to where the two logs agree', () => {
    // Leader: epoch 1 from 0, epoch 4 from 5. Follower: epoch 1 from 0, epoch 2 from 5, epoch 3 from 9, log end 12.
    const leader = [
      { epoch: 1, start: 0 },
      { epoch: 4, start: 5 },
    ];
    let followerCache = [
      { epoch: 1, start: 0 },
      { epoch: 2, start: 5 },
      { epoch: 3, start: 9 },
    ];
    let followerEnd = 12;
    const endOffsetFor = (cache: typeof leader, logEnd: number, epoch: number) => {
      let i = cache.length - 1;
      while (i >= 0 && cache[i]!.epoch > epoch) i--;
      if (i < 0) return { epoch: -1, endOffset: -1 };
      return { epoch: cache[i]!.epoch, endOffset: i === cache.length - 1 ? logEnd : cache[i + 1]!.start };
    };
    for (let round = 0; round < 5; round++) {
      const last = followerCache.at(-1)!.epoch;
      const diverging = divergingEpochOf(last, followerEnd, endOffsetFor(leader, 8, last));
      if (diverging === null) break;
      followerEnd = truncationOffsetOf(diverging, endOffsetFor(followerCache, followerEnd, diverging.epoch), { logEndOffset: followerEnd, highWatermark: 0 });
      followerCache = followerCache.filter((e) => e.start < followerEnd);
    }
    expect(followerEnd).toBe(5);
    expect(followerCache).toEqual([{ epoch: 1, start: 0 }]);
  });
});
