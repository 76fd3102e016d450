// ListPartitionReassignments v0: the partition moves under way (all, or those of the topics and partitions
// asked), each with its replicas now and the replicas being added and removed; none on a standalone broker.
// Main thread.
import { ErrorCode } from '../../shared/kafka-error-codes.js';
import { defineHandler } from '../api-handler.js';

export const listPartitionReassignmentsHandler = defineHandler({
  apiKey: 46,
  minVersion: 0,
  maxVersion: 0,
  handle(ctx, request) {
    const wanted = request.body.topics;
    const moving = (ctx.membership.clusterTopics?.reassignments() ?? []).filter(
      (r) => wanted === null || wanted.some((t) => t.name === r.topic && t.partitionIndexes.includes(r.partition)),
    );
    const topics = new Map<string, Array<{ partitionIndex: number; replicas: number[]; addingReplicas: number[]; removingReplicas: number[] }>>();
    for (const r of moving) {
      const list = topics.get(r.topic) ?? [];
      list.push({ partitionIndex: r.partition, replicas: [...r.replicas], addingReplicas: [...r.adding], removingReplicas: [...r.removing] });
      topics.set(r.topic, list);
    }
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      topics: [...topics].map(([name, partitions]) => ({ name, partitions })),
    };
  },
});
