// Partition reassignments over the Kafka protocol (AlterPartitionReassignments, ListPartitionReassignments),
// sent to the controller as Kafka's admin client does. Runs on the caller's main thread.
import type { KafkaClient } from './kafka-client.js';
import { checkErrorCode } from './kafka-errors.js';

const ADMIN_TIMEOUT_MS = 30_000;

export interface OngoingReassignment {
  topic: string;
  partition: number;
  replicas: number[];
  adding: number[];
  removing: number[];
}

/** Moves topic-partition to `replicas` (preferred leader first), or with null cancels its move. */
export async function reassignPartition(client: KafkaClient, topic: string, partition: number, replicas: number[] | null): Promise<void> {
  const controller = await client.controller();
  const { body } = await controller.call(45, { timeoutMs: ADMIN_TIMEOUT_MS, topics: [{ name: topic, partitions: [{ partitionIndex: partition, replicas }] }] });
  checkErrorCode(body.errorCode, 'reassign partitions', body.errorMessage);
  const answer = body.responses.find((t) => t.name === topic)?.partitions.find((p) => p.partitionIndex === partition);
  checkErrorCode(answer?.errorCode ?? -1, `reassign ${topic}-${partition}`, answer?.errorMessage ?? null);
}

/** The moves under way (of `topics` only, each with the partitions listed, when given). */
export async function listReassignments(client: KafkaClient, topics: ReadonlyMap<string, readonly number[]> | null = null): Promise<OngoingReassignment[]> {
  const controller = await client.controller();
  const asked = topics === null ? null : [...topics].map(([name, partitionIndexes]) => ({ name, partitionIndexes: [...partitionIndexes] }));
  const { body } = await controller.call(46, { timeoutMs: ADMIN_TIMEOUT_MS, topics: asked });
  checkErrorCode(body.errorCode, 'list partition reassignments', body.errorMessage);
  return body.topics.flatMap((t) =>
    t.partitions.map((p) => ({ topic: t.name, partition: p.partitionIndex, replicas: p.replicas, adding: p.addingReplicas, removing: p.removingReplicas })),
  );
}
