// ListOffsets routed to each partition's leader: the log start (earliest), the end (latest = high
// watermark) or the first offset at or after a timestamp. Runs on the caller's main thread.
import type { BrokerConnection } from './broker-connection.js';
import type { KafkaClient } from './kafka-client.js';
import { checkErrorCode } from './kafka-errors.js';
import { withRetries } from './retry.js';

/** ListOffsets' special timestamps. */
export const OffsetSpec = { LATEST: -1, EARLIEST: -2 } as const;

/**
 * The offset of each partition for `timestamp` (OffsetSpec or ms since the epoch). For a timestamp after the
 * last record Kafka answers -1: no such offset.
 */
export async function listOffsets(client: KafkaClient, topic: string, partitions: readonly number[], timestamp: number): Promise<Map<number, number>> {
  return withRetries(async () => {
    const byLeader = new Map<BrokerConnection, number[]>();
    for (const partition of partitions) {
      const leader = await client.leader(topic, partition);
      byLeader.set(leader, [...(byLeader.get(leader) ?? []), partition]);
    }
    const offsets = new Map<number, number>();
    await Promise.all(
      [...byLeader].map(async ([leader, list]) => {
        const { body } = await leader.call(2, {
          replicaId: -1,
          isolationLevel: 0,
          topics: [{ name: topic, partitions: list.map((partitionIndex) => ({ partitionIndex, currentLeaderEpoch: -1, timestamp })) }],
        });
        for (const answer of body.topics.flatMap((t) => t.partitions)) {
          checkErrorCode(answer.errorCode, `offsets of ${topic}-${answer.partitionIndex}`);
          offsets.set(answer.partitionIndex, answer.offset);
        }
      }),
    );
    return offsets;
  });
}
