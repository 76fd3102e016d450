// ListOffsets: earliest (-2), latest (-1, the high watermark) and by timestamp (the first batch whose
// timestamp is at or after it). Runs on the main thread.
import { ErrorCode, KafkaError } from '../../shared/kafka-error-codes.js';
import { defineHandler } from '../api-handler.js';
import type { BrokerContext } from '../broker-context.js';

const LATEST = -1;
const EARLIEST = -2;

export const listOffsetsHandler = defineHandler({
  apiKey: 2,
  minVersion: 1,
  maxVersion: 6,
  async handle(ctx, request) {
    const topics = await Promise.all(
      request.body.topics.map(async (topic) => ({
        name: topic.name,
        partitions: await Promise.all(topic.partitions.map((p) => lookUp(ctx, topic.name, p.partitionIndex, p.timestamp))),
      })),
    );
    return { throttleTimeMs: 0, topics };
  },
});

interface OffsetAnswer {
  partitionIndex: number;
  errorCode: number;
  timestamp: number;
  offset: number;
  leaderEpoch: number;
}

async function lookUp(ctx: BrokerContext, topic: string, partitionIndex: number, timestamp: number): Promise<OffsetAnswer> {
  const answer: OffsetAnswer = { partitionIndex, errorCode: ErrorCode.NONE, timestamp: -1, offset: -1, leaderEpoch: 0 };
  try {
    if (timestamp === EARLIEST || timestamp === LATEST) {
      const offsets = await ctx.engine.offsets(topic, partitionIndex);
      answer.offset = timestamp === EARLIEST ? offsets.logStartOffset : offsets.highWatermark;
    } else if (timestamp >= 0) {
      answer.offset = await ctx.engine.offsetForTimestamp(topic, partitionIndex, timestamp);
      if (answer.offset >= 0) answer.timestamp = timestamp;
    } else {
      answer.errorCode = ErrorCode.INVALID_REQUEST;
    }
  } catch (error) {
    if (!(error instanceof KafkaError)) throw error;
    answer.errorCode = error.code;
  }
  return answer;
}
