// Topic changes in a cluster, as the admin handlers and the group router make them: through the cluster state in
// etcd (ctx.membership.clusterTopics), a refusal turned into Kafka's error code, and a success answered once this
// broker has applied it (its Metadata and configs then show the change), within the request's timeout. Main thread.
import type { ClusterTopics, Membership, TopicChangeResult } from '../cluster/membership.js';
import { ErrorCode, KafkaError } from '../shared/kafka-error-codes.js';

const CODE_OF_REFUSAL: Record<Extract<TopicChangeResult, { ok: false }>['kind'], number> = {
  'not-controller': ErrorCode.NOT_CONTROLLER,
  'topic-exists': ErrorCode.TOPIC_ALREADY_EXISTS,
  'unknown-topic': ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
  'invalid-replication-factor': ErrorCode.INVALID_REPLICATION_FACTOR,
  'invalid-partitions': ErrorCode.INVALID_PARTITIONS,
  'invalid-replica-assignment': ErrorCode.INVALID_REPLICA_ASSIGNMENT,
  'no-reassignment': ErrorCode.NO_REASSIGNMENT_IN_PROGRESS,
};

/** How long a change waits at most for this broker to apply it before answering (the change is made either way). */
const APPLY_WAIT_MS = 5_000;

/** Runs one change; a refusal throws KafkaError with Kafka's code; a success returns once applied here (or after APPLY_WAIT_MS). */
export async function changeClusterTopics(topics: ClusterTopics, change: () => Promise<TopicChangeResult>): Promise<void> {
  const result = await change();
  if (!result.ok) throw new KafkaError(CODE_OF_REFUSAL[result.kind], result.message);
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([topics.applied(result.revision), new Promise<void>((resolve) => (timer = setTimeout(resolve, APPLY_WAIT_MS)))]);
  clearTimeout(timer);
}

/** The brokers a replica may be placed on: the live ones in a cluster, this broker alone standalone. */
export function registeredBrokerIds(membership: Membership): number[] {
  return membership.liveBrokerIds();
}
