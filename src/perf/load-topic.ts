// The topic a load runs against, through the client (src/client): its partition count (creating it when asked
// and missing) and its partitions' end offsets (where a consume load stops). Used by `fjord perf` and the
// benchmarks. Runs on the caller's main thread.
import type { KafkaClient } from '../client/kafka-client.js';
import { KafkaResponseError } from '../client/kafka-errors.js';
import { listOffsets, OffsetSpec } from '../client/list-offsets.js';
import { createTopic } from '../client/topic-admin.js';

const UNKNOWN_TOPIC_OR_PARTITION = 3;

/** Creates `topic` with `partitions` (replication factor `replicationFactor`, -1: the broker's default); fails unless it is new. */
export async function createLoadTopic(client: KafkaClient, topic: string, partitions: number, replicationFactor = -1): Promise<void> {
  await createTopic(client, { name: topic, partitions, replicationFactor, configs: new Map() });
}

/** The topic's partition count; a missing topic is created with `createWith` partitions, or (null) is an error. */
export async function loadTopicPartitions(client: KafkaClient, topic: string, createWith: number | null): Promise<number> {
  const info = (await client.metadata([topic])).topics.get(topic);
  if (info !== undefined && info.errorCode === 0) return info.partitions.length;
  if (createWith === null) throw new KafkaResponseError(UNKNOWN_TOPIC_OR_PARTITION, `topic "${topic}"`, null, false);
  await createLoadTopic(client, topic, createWith);
  return (await client.topic(topic)).partitions.length;
}

/** Log end offsets of partitions 0 .. partitions-1 (ListOffsets, latest). */
export async function endOffsets(client: KafkaClient, topic: string, partitions: number): Promise<number[]> {
  const all = Array.from({ length: partitions }, (_, p) => p);
  const offsets = await listOffsets(client, topic, all, OffsetSpec.LATEST);
  return all.map((p) => offsets.get(p) ?? -1);
}
