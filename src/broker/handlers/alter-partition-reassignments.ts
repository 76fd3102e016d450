// AlterPartitionReassignments v0: moves partitions to other replicas (or, with null replicas, cancels a move)
// through the cluster state; the answer comes once the move is recorded, the controller then carries it out
// (new replicas catch up, then the old ones go). A standalone broker holds the only replica of every partition:
// moving one to itself is nothing to do, any other target is INVALID_REPLICA_ASSIGNMENT. Main thread.
import { ErrorCode, KafkaError } from '../../shared/kafka-error-codes.js';
import { defineHandler } from '../api-handler.js';
import type { BrokerContext } from '../broker-context.js';
import { changeClusterTopics } from '../cluster-topic-changes.js';
import { attempt, fieldsOf } from './admin-results.js';

export const alterPartitionReassignmentsHandler = defineHandler({
  apiKey: 45,
  minVersion: 0,
  maxVersion: 0,
  async handle(ctx, request) {
    const responses = [];
    for (const topic of request.body.topics) {
      const partitions = [];
      for (const { partitionIndex, replicas } of topic.partitions) {
        const outcome = await attempt(() => reassign(ctx, topic.name, partitionIndex, replicas === null ? null : [...replicas]));
        partitions.push({ partitionIndex, ...fieldsOf(outcome) });
      }
      responses.push({ name: topic.name, partitions });
    }
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, responses };
  },
});

async function reassign(ctx: BrokerContext, topic: string, partition: number, target: number[] | null): Promise<void> {
  const cluster = ctx.membership.clusterTopics;
  if (cluster !== null) return changeClusterTopics(cluster, () => cluster.reassign(topic, partition, target));
  const record = ctx.topics.topic(topic);
  if (record === undefined || partition < 0 || partition >= record.partitions)
    throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `${topic}-${partition} does not exist`);
  if (target === null) throw new KafkaError(ErrorCode.NO_REASSIGNMENT_IN_PROGRESS, `no reassignment of ${topic}-${partition} is under way`);
  if (target.length !== 1 || target[0] !== ctx.nodeId) {
    throw new KafkaError(
      ErrorCode.INVALID_REPLICA_ASSIGNMENT,
      `a standalone broker holds the only replica of ${topic}-${partition}: the only target is [${ctx.nodeId}]`,
    );
  }
}
