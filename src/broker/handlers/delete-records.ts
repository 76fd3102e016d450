// DeleteRecords: moves each partition's log start offset up to the given offset (-1 = the high watermark)
// and drops segments wholly below it; answers the new low watermark, OFFSET_OUT_OF_RANGE past the high
// watermark. Runs on the main thread (the owning worker does the deleting).
import { ErrorCode } from '../../shared/kafka-error-codes.js';
import { defineHandler } from '../api-handler.js';
import type { BrokerContext } from '../broker-context.js';
import { answerPartitions, attempt } from './admin-results.js';

const HIGH_WATERMARK = -1;

export const deleteRecordsHandler = defineHandler({
  apiKey: 21,
  minVersion: 0,
  maxVersion: 2,
  async handle(ctx, request) {
    const topics = await answerPartitions(request.body.topics, (topic, p) => deleteBefore(ctx, topic, p.partitionIndex, p.offset));
    return { throttleTimeMs: 0, topics };
  },
});

async function deleteBefore(ctx: BrokerContext, topic: string, partitionIndex: number, offset: number) {
  const outcome = await attempt(async () => {
    const before = offset === HIGH_WATERMARK ? (await ctx.engine.offsets(topic, partitionIndex)).highWatermark : offset;
    return ctx.engine.deleteRecordsBefore(topic, partitionIndex, before);
  });
  if (!outcome.ok) {
    ctx.logger.debug({ topic, partition: partitionIndex, offset, error: outcome.errorMessage }, 'record deletion refused');
    return { partitionIndex, lowWatermark: -1, errorCode: outcome.errorCode };
  }
  ctx.logger.info({ topic, partition: partitionIndex, logStartOffset: outcome.value }, 'records deleted');
  return { partitionIndex, lowWatermark: outcome.value, errorCode: ErrorCode.NONE };
}
