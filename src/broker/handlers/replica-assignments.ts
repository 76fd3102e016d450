// Manual replica assignments of CreateTopics and CreatePartitions, checked as Kafka's controller checks them:
// each partition's broker list non-empty, of registered brokers (on a standalone broker, this node only), no
// broker twice, the same replica count for every partition; for CreateTopics, partition ids 0..n-1 each once.
// Failures answer INVALID_REPLICA_ASSIGNMENT with Kafka's message. Main thread.
import { ErrorCode, KafkaError } from '../../shared/kafka-error-codes.js';

/** One partition's replicas, as a manual assignment gives them. */
type Replicas = readonly number[];

function invalid(message: string): KafkaError {
  return new KafkaError(ErrorCode.INVALID_REPLICA_ASSIGNMENT, message);
}

/** Checks one partition's broker list; `replicationFactor` is the count earlier partitions set, if any. */
export function checkReplicas(brokerIds: Replicas, registered: readonly number[], replicationFactor: number | null): void {
  if (brokerIds.length === 0) throw invalid('The manual partition assignment includes an empty replica list.');
  const sorted = [...brokerIds].sort((a, b) => a - b);
  for (let i = 0; i < sorted.length; i++) {
    if (!registered.includes(sorted[i]!)) {
      throw invalid(`The manual partition assignment includes broker ${sorted[i]}, but no such broker is registered.`);
    }
    if (i > 0 && sorted[i] === sorted[i - 1]) throw invalid(`The manual partition assignment includes the broker ${sorted[i]} more than once.`);
  }
  if (replicationFactor !== null && sorted.length !== replicationFactor) {
    throw invalid(
      `The manual partition assignment includes a partition with ${sorted.length} replica(s), but this is not consistent with previous partitions, which have ${replicationFactor} replica(s).`,
    );
  }
}

/**
 * CreateTopics' assignments (partition index → brokers): checked, and the partition count they give.
 * Kafka refuses them alongside a partition count or replication factor other than -1 (INVALID_REQUEST).
 */
export function partitionsOfAssignment(
  assignments: ReadonlyArray<{ partitionIndex: number; brokerIds: Replicas }>,
  registered: readonly number[],
): { partitions: number; replicationFactor: number } {
  const seen = new Set<number>();
  let replicationFactor: number | null = null;
  for (const { partitionIndex, brokerIds } of assignments) {
    if (seen.has(partitionIndex)) throw invalid(`Found multiple manual partition assignments for partition ${partitionIndex}`);
    checkReplicas(brokerIds, registered, replicationFactor);
    seen.add(partitionIndex);
    replicationFactor = brokerIds.length;
  }
  for (let p = 0; p < seen.size; p++) if (!seen.has(p)) throw invalid('partitions should be a consecutive 0-based integer sequence');
  return { partitions: seen.size, replicationFactor: replicationFactor! };
}

/** CreatePartitions' assignments: one broker list per added partition, each as many replicas as the topic has. */
export function checkAddedAssignments(
  assignments: ReadonlyArray<{ brokerIds: Replicas }>,
  added: number,
  registered: readonly number[],
  replicationFactor: number,
): void {
  if (assignments.length !== added) {
    throw invalid(`Attempted to add ${added} additional partition(s), but only ${assignments.length} assignment(s) were specified.`);
  }
  for (const { brokerIds } of assignments) checkReplicas(brokerIds, registered, replicationFactor);
}
