// OffsetDelete: removes a group's committed offsets for some partitions, refused per partition
// (GROUP_SUBSCRIBED_TO_TOPIC) while live members subscribe to the topic. Main thread.
import { ErrorCode } from '../../../shared/kafka-error-codes.js';
import { defineHandler } from '../../api-handler.js';
import { callCoordinator, isInvalidGroupId } from './group-calls.js';
import { byTopic, flattenPartitions } from './group-partitions.js';

export const offsetDeleteHandler = defineHandler({
  apiKey: 47,
  minVersion: 0,
  maxVersion: 0,
  async handle(ctx, { body }) {
    if (isInvalidGroupId(body.groupId)) return { errorCode: ErrorCode.INVALID_GROUP_ID, throttleTimeMs: 0, topics: [] };
    const partitions = flattenPartitions(body.topics, (p) => p.partitionIndex);
    const outcome = await callCoordinator(ctx, body.groupId, 'deleteOffsets', { groupId: body.groupId, partitions });
    if (!outcome.ok) return { errorCode: outcome.errorCode, throttleTimeMs: 0, topics: [] };
    return {
      errorCode: outcome.value.errorCode,
      throttleTimeMs: 0,
      topics: byTopic(outcome.value.partitions, (p) => ({ partitionIndex: p.partition, errorCode: p.errorCode })),
    };
  },
});
