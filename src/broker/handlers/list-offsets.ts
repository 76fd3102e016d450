// ListOffsets: earliest (-2), latest (-1, the high watermark), by timestamp (the first record whose timestamp
// is at or after it, with that record's timestamp), and from v7 the record with the largest timestamp (-3), from v8 the earliest local
// offset (-4, the log start: Fjord has no tiered storage) and from v9 the latest tiered offset (-5: none, as
// a Kafka 3.9 broker with remote storage off answers). v0 is the old style: up to maxNumOffsets offsets from
// segment boundaries by their files' write times. v10's timeout is for tiered storage reads, so unused.
// Runs on the main thread.
import { ErrorCode, KafkaError } from '../../shared/kafka-error-codes.js';
import { EARLIEST_LOCAL_TIMESTAMP, EARLIEST_TIMESTAMP, LATEST_TIERED_TIMESTAMP, LATEST_TIMESTAMP, MAX_TIMESTAMP } from '../../shared/offset-lookup.js';
import { defineHandler } from '../api-handler.js';
import type { BrokerContext } from '../broker-context.js';
import { ANY_LEADER_EPOCH } from '../partition-leadership.js';

/** The first version that accepts each sentinel timestamp; other negative timestamps are UNSUPPORTED_VERSION. */
const SENTINEL_SINCE = new Map<number, number>([
  [LATEST_TIMESTAMP, 0],
  [EARLIEST_TIMESTAMP, 0],
  [MAX_TIMESTAMP, 7],
  [EARLIEST_LOCAL_TIMESTAMP, 8],
  [LATEST_TIERED_TIMESTAMP, 9],
]);
/** A request from a consumer, not a replica: offsets beyond the high watermark are not shown. */
const CONSUMER_REPLICA_ID = -1;

interface OffsetAnswer {
  partitionIndex: number;
  errorCode: number;
  oldStyleOffsets: number[];
  timestamp: number;
  offset: number;
  leaderEpoch: number;
}

type PartitionAsked = { partitionIndex: number; timestamp: number; maxNumOffsets: number; currentLeaderEpoch: number };

export const listOffsetsHandler = defineHandler({
  apiKey: 2,
  minVersion: 0,
  maxVersion: 10,
  async handle(ctx, { header, body }) {
    const version = header.apiVersion;
    const forConsumer = body.replicaId === CONSUMER_REPLICA_ID;
    const asked = body.topics.flatMap((t) => t.partitions.map((p) => `${t.name}\u0000${p.partitionIndex}`));
    const repeated = new Set(asked.filter((key, i) => asked.indexOf(key) !== i));
    const topics = await Promise.all(
      body.topics.map(async (topic) => ({
        name: topic.name,
        partitions: await Promise.all(
          topic.partitions.map((p) => {
            // As Kafka (v1+): a partition asked twice is answered INVALID_REQUEST each time.
            if (version > 0 && repeated.has(`${topic.name}\u0000${p.partitionIndex}`)) return failed(p.partitionIndex, ErrorCode.INVALID_REQUEST);
            return version === 0 ? lookUpOldStyle(ctx, topic.name, p, forConsumer) : lookUp(ctx, topic.name, p, version);
          }),
        ),
      })),
    );
    return { throttleTimeMs: 0, topics };
  },
});

function failed(partitionIndex: number, errorCode: number): OffsetAnswer {
  return { partitionIndex, errorCode, oldStyleOffsets: [], timestamp: -1, offset: -1, leaderEpoch: -1 };
}

function isServedSentinel(timestamp: number, version: number): boolean {
  const since = SENTINEL_SINCE.get(timestamp);
  return since !== undefined && version >= since;
}

async function lookUp(ctx: BrokerContext, topic: string, p: PartitionAsked, version: number): Promise<OffsetAnswer> {
  const { partitionIndex, timestamp } = p;
  if (timestamp < 0 && !isServedSentinel(timestamp, version)) return failed(partitionIndex, ErrorCode.UNSUPPORTED_VERSION);
  const notLeader = ctx.leadership.leaderProblem(topic, partitionIndex, p.currentLeaderEpoch);
  if (notLeader !== ErrorCode.NONE) return failed(partitionIndex, notLeader);
  const answer: OffsetAnswer = { ...failed(partitionIndex, ErrorCode.NONE), leaderEpoch: ctx.leadership.leaderEpoch(topic, partitionIndex) };
  try {
    if (timestamp === EARLIEST_TIMESTAMP || timestamp === EARLIEST_LOCAL_TIMESTAMP || timestamp === LATEST_TIMESTAMP) {
      const offsets = await ctx.engine.offsets(topic, partitionIndex);
      answer.offset = timestamp === LATEST_TIMESTAMP ? offsets.highWatermark : offsets.logStartOffset;
    } else if (timestamp === LATEST_TIERED_TIMESTAMP) {
      // Kafka with remote storage off: no tiered offset, and an epoch of -1.
      await ctx.engine.offsets(topic, partitionIndex);
      answer.leaderEpoch = -1;
    } else {
      // A record: the one with the largest timestamp, or the first at or after the time asked for.
      const found =
        timestamp === MAX_TIMESTAMP
          ? await ctx.engine.maxTimestampRecord(topic, partitionIndex)
          : await ctx.engine.offsetForTimestamp(topic, partitionIndex, timestamp);
      return found === null ? failed(partitionIndex, ErrorCode.NONE) : { ...answer, ...found };
    }
  } catch (error) {
    if (!(error instanceof KafkaError)) throw error;
    return failed(partitionIndex, error.code);
  }
  return answer;
}

async function lookUpOldStyle(ctx: BrokerContext, topic: string, p: PartitionAsked, forConsumer: boolean): Promise<OffsetAnswer> {
  // v0 knows only LATEST and EARLIEST among the sentinels.
  if (p.timestamp < EARLIEST_TIMESTAMP) return failed(p.partitionIndex, ErrorCode.UNSUPPORTED_VERSION);
  const notLeader = ctx.leadership.leaderProblem(topic, p.partitionIndex, ANY_LEADER_EPOCH);
  if (notLeader !== ErrorCode.NONE) return failed(p.partitionIndex, notLeader);
  try {
    const offsets = await ctx.engine.legacyOffsetsBefore(topic, p.partitionIndex, p.timestamp, p.maxNumOffsets, forConsumer);
    return { ...failed(p.partitionIndex, ErrorCode.NONE), oldStyleOffsets: offsets };
  } catch (error) {
    if (!(error instanceof KafkaError)) throw error;
    return failed(p.partitionIndex, error.code);
  }
}
