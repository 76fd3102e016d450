// OffsetForLeaderEpoch: for each partition, the largest leader epoch <= the one asked for that its log holds and
// the offset where that epoch ended (the log end for the current epoch), from the partition's leader-epoch cache
// (workers/log/leader-epoch-cache.ts). Consumers use it to detect a log truncated under them after a leader change
// (KIP-320), followers to find where their log diverges. The request's current leader epoch, when not -1, is
// checked first as Kafka does: FENCED_LEADER_EPOCH when older than the partition's, UNKNOWN_LEADER_EPOCH when
// newer. The replica id (-1 consumer, -2 debugging, a broker id for a follower) does not change the answer,
// as in Kafka 3.9. Runs on the main thread (the owning worker looks the epoch up).
import { ErrorCode } from '../../shared/kafka-error-codes.js';
import { defineHandler } from '../api-handler.js';
import type { BrokerContext } from '../broker-context.js';
import { attempt } from './admin-results.js';

type PartitionAsked = { partition: number; currentLeaderEpoch: number; leaderEpoch: number };

export const offsetForLeaderEpochHandler = defineHandler({
  apiKey: 23,
  minVersion: 0,
  maxVersion: 4,
  async handle(ctx, { body }) {
    const topics = await Promise.all(
      body.topics.map(async (t) => ({ topic: t.topic, partitions: await Promise.all(t.partitions.map((p) => endOffsetOf(ctx, t.topic, p))) })),
    );
    return { throttleTimeMs: 0, topics };
  },
});

async function endOffsetOf(ctx: BrokerContext, topic: string, p: PartitionAsked) {
  const outcome = await attempt(() => ctx.engine.endOffsetForEpoch(topic, p.partition, p.currentLeaderEpoch, p.leaderEpoch));
  if (!outcome.ok) return { errorCode: outcome.errorCode, partition: p.partition, leaderEpoch: -1, endOffset: -1 };
  return { errorCode: ErrorCode.NONE, partition: p.partition, leaderEpoch: outcome.value.epoch, endOffset: outcome.value.endOffset };
}
