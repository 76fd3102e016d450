// The leader-epoch rules of replication, as pure functions: whether a follower's log diverges from the
// leader's (the leader's check of a fetch, Kafka's Partition.fetchRecords), and where a follower told so
// truncates (Kafka's AbstractFetcherThread.getOffsetTruncationState). Main thread.
import type { EpochEndOffset } from '../shared/worker-protocol.js';
import type { DivergingEpoch } from './messages.js';

/**
 * The leader's check: the follower last fetched `lastFetchedEpoch` and fetches from `fetchOffset`; `leaderEnd` is
 * the leader's endOffsetFor(lastFetchedEpoch) (the largest epoch <= it the leader knows, and where it ends). The
 * follower diverges when the leader knows no such epoch (an older one answers) or that epoch ended before the
 * follower's log end: it gets the leader's epoch and end offset instead of records. -1: no epoch to check.
 */
export function divergingEpochOf(lastFetchedEpoch: number, fetchOffset: number, leaderEnd: EpochEndOffset): DivergingEpoch | null {
  if (lastFetchedEpoch < 0) return null;
  if (leaderEnd.epoch < lastFetchedEpoch || leaderEnd.endOffset < fetchOffset) return { epoch: leaderEnd.epoch, endOffset: leaderEnd.endOffset };
  return null;
}

/**
 * The follower's answer to a diverging epoch: `followerEnd` is its own endOffsetFor(diverging.epoch). Same epoch:
 * the logs agree up to the smaller end. The follower lacks that epoch: it truncates to where its largest older
 * epoch ends and fetches again (the next answer may diverge further back). The leader knows no epoch at all
 * (-1): back to the follower's high watermark. Never above the follower's log end.
 */
export function truncationOffsetOf(diverging: DivergingEpoch, followerEnd: EpochEndOffset, follower: { logEndOffset: number; highWatermark: number }): number {
  if (diverging.epoch < 0 || diverging.endOffset < 0) return Math.min(follower.highWatermark, follower.logEndOffset);
  if (followerEnd.epoch < 0 || followerEnd.endOffset < 0) return Math.min(diverging.endOffset, follower.logEndOffset);
  const offset = followerEnd.epoch === diverging.epoch ? Math.min(diverging.endOffset, followerEnd.endOffset) : followerEnd.endOffset;
  return Math.min(offset, follower.logEndOffset);
}
