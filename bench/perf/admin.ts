// One-shot admin requests the perf tool needs, over a KafkaConnection with Fjord's own codec: create a topic,
// read the end offsets of its partitions. Runs on the bench's main thread.
import { decodeResponse, encodeRequest } from '../../src/protocol/api-registry.js';
import type { KafkaConnection } from './kafka-connection.js';

export const CLIENT_ID = 'fjord-perf';
const CREATE_TOPICS_VERSION = 4;
const LIST_OFFSETS_VERSION = 5;
const LATEST_TIMESTAMP = -1;

/** CreateTopics with an explicit partition count; fails unless the topic is new. */
export async function createTopic(connection: KafkaConnection, topic: string, partitions: number): Promise<void> {
  const frame = encodeRequest(19, CREATE_TOPICS_VERSION, 0, CLIENT_ID, {
    topics: [{ name: topic, numPartitions: partitions, replicationFactor: 1, assignments: [], configs: [] }],
    timeoutMs: 30_000,
  });
  const { body } = decodeResponse(19, CREATE_TOPICS_VERSION, await connection.request(frame));
  const answer = body.topics[0];
  if (answer === undefined || answer.errorCode !== 0) throw new Error(`CreateTopics ${topic}: error ${answer?.errorCode} ${answer?.errorMessage ?? ''}`);
}

/** Log end offsets (ListOffsets, timestamp -1) of partitions 0 .. partitions-1. */
export async function endOffsets(connection: KafkaConnection, topic: string, partitions: number): Promise<number[]> {
  const frame = encodeRequest(2, LIST_OFFSETS_VERSION, 0, CLIENT_ID, {
    replicaId: -1,
    isolationLevel: 0,
    topics: [{ name: topic, partitions: Array.from({ length: partitions }, (_, p) => ({ partitionIndex: p, timestamp: LATEST_TIMESTAMP })) }],
  });
  const { body } = decodeResponse(2, LIST_OFFSETS_VERSION, await connection.request(frame));
  const offsets = new Array<number>(partitions).fill(-1);
  for (const answer of body.topics[0]?.partitions ?? []) {
    if (answer.errorCode !== 0) throw new Error(`ListOffsets ${topic}-${answer.partitionIndex}: error ${answer.errorCode}`);
    offsets[answer.partitionIndex] = answer.offset;
  }
  return offsets;
}
