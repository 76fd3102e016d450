// Leader elections through ElectLeaders (as kafka-leader-election.sh asks for them), preferred or unclean: sent to
// the controller Metadata names, again after a refresh while the answer is NOT_CONTROLLER (the controller moved).
// Runs on the caller's main thread.
import type { KafkaClient } from './kafka-client.js';
import { checkErrorCode, KafkaResponseError } from './kafka-errors.js';
import { withRetries } from './retry.js';

/** Kafka's election type codes. */
export const ElectionType = { preferred: 0, unclean: 1 } as const;
const NOT_CONTROLLER = 41;
const ELECTION_TIMEOUT_MS = 30_000;

export interface ElectionResult {
  topic: string;
  partition: number;
  /** 0: elected; ELECTION_NOT_NEEDED (84): the preferred replica leads already; otherwise why not. */
  errorCode: number;
  errorMessage: string | null;
}

/**
 * Asks the controller to elect leaders of `partitions` (topic → partition indexes; null: every partition):
 * preferred, each back to its preferred replica; unclean, a live replica for each partition without a live in-sync
 * leader. Asked for every partition, the controller leaves out those that needed no election.
 */
export async function electLeaders(
  client: KafkaClient,
  type: keyof typeof ElectionType,
  partitions: ReadonlyMap<string, readonly number[]> | null,
): Promise<ElectionResult[]> {
  const topicPartitions = partitions === null ? null : [...partitions].map(([topic, indexes]) => ({ topic, partitions: [...indexes] }));
  return withRetries(async () => {
    const controller = await client.controller();
    const { body } = await controller.call(43, { electionType: ElectionType[type], topicPartitions, timeoutMs: ELECTION_TIMEOUT_MS });
    checkErrorCode(body.errorCode, 'elect leaders');
    const results = body.replicaElectionResults.flatMap((t) =>
      t.partitionResult.map((p) => ({ topic: t.topic, partition: p.partitionId, errorCode: p.errorCode, errorMessage: p.errorMessage })),
    );
    // v0 has no top-level error: a broker that is not the controller says so for each partition.
    if (results.some((r) => r.errorCode === NOT_CONTROLLER)) throw new KafkaResponseError(NOT_CONTROLLER, 'elect leaders');
    return results.sort((a, b) => (a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1));
  });
}
