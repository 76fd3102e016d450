// Whether this broker may serve a partition as its leader, and at which leader epoch. Produce, Fetch and
// ListOffsets ask before they touch a partition, as Kafka's leader does: a client with stale metadata is sent
// on (NOT_LEADER_OR_FOLLOWER), told its leader epoch is older than the partition's (FENCED_LEADER_EPOCH) or newer
// than this broker knows (UNKNOWN_LEADER_EPOCH). A standalone broker leads every partition at epoch 0; in a
// cluster the answer comes from the partition states in etcd. Also what acks=all asks of the replica manager
// (CommitWaits). Runs on the main thread.
import { ErrorCode } from '../shared/kafka-error-codes.js';

/** A request's current_leader_epoch of -1: the client does not know it, and no check is made. */
export const ANY_LEADER_EPOCH = -1;
/** The leader epoch of a standalone broker's partitions (the epoch its logs record; it never changes). */
export const STANDALONE_LEADER_EPOCH = 0;

export interface PartitionLeadership {
  /**
   * ErrorCode.NONE when this broker leads topic-partition and `currentLeaderEpoch` is its epoch (or
   * ANY_LEADER_EPOCH); else the error Kafka answers. A partition nobody knows is NONE here: the engine answers
   * UNKNOWN_TOPIC_OR_PARTITION for it.
   */
  leaderProblem(topic: string, partition: number, currentLeaderEpoch: number): number;
  /** The partition's leader epoch, as Metadata and ListOffsets report it. */
  leaderEpoch(topic: string, partition: number): number;
}

/** How a leader's epoch compares with the one a request carries (Kafka's Partition checkLeaderEpoch). */
export function epochProblem(currentLeaderEpoch: number, leaderEpoch: number): number {
  if (currentLeaderEpoch === ANY_LEADER_EPOCH || currentLeaderEpoch === leaderEpoch) return ErrorCode.NONE;
  return currentLeaderEpoch < leaderEpoch ? ErrorCode.FENCED_LEADER_EPOCH : ErrorCode.UNKNOWN_LEADER_EPOCH;
}

/** A broker alone: it leads every partition it has, at STANDALONE_LEADER_EPOCH. */
export class StandaloneLeadership implements PartitionLeadership {
  leaderProblem(_topic: string, _partition: number, currentLeaderEpoch: number): number {
    return epochProblem(currentLeaderEpoch, STANDALONE_LEADER_EPOCH);
  }

  leaderEpoch(): number {
    return STANDALONE_LEADER_EPOCH;
  }
}

/** What acks=all needs of the replica manager (src/replication): the ISR of a partition led here, and commit waits. */
export interface CommitWaits {
  /** The ISR of a partition this broker leads as a replicated leader; undefined when it has no such role here. */
  isrOf(topic: string, partition: number): readonly number[] | undefined;
  /** NONE once the high watermark passes `offset`; REQUEST_TIMED_OUT or NOT_LEADER_OR_FOLLOWER otherwise. */
  waitForCommit(topic: string, partition: number, offset: number, timeoutMs: number): Promise<number>;
}
