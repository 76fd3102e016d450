// Offline and under-replicated partitions, computed the way Kafka counts them from each partition's
// leader, replicas and in-sync replicas. On a standalone broker every partition has one replica (this
// broker), led and in sync while its log dir is online, so under-replicated stays 0 and offline counts
// partitions in offline dirs; the replica set comes from src/metadata/replica-state.ts, as in Metadata. A
// partition led here with followers (src/replication) counts with its own replicas and ISR.
// Runs on the main thread, at /metrics scrape time.
import { partitionKey } from '../engine/log-dirs.js';
import type { PartitionEngine } from '../engine/partition-engine.js';
import { standaloneReplicaState } from '../metadata/replica-state.js';
import type { TopicManager } from '../metadata/topic-manager.js';

export interface PartitionHealth {
  /** Partitions of every topic in the metadata (internal ones included). */
  partitions: number;
  /** Partitions with no leader: every replica is offline. */
  offline: number;
  /** Partitions this broker leads whose in-sync replicas are fewer than their replicas. */
  underReplicated: number;
}

/** A partition led here with replicas on other brokers (src/replication): its replicas and ISR. */
export type ReplicatedStateOf = (topic: string, partition: number) => { replicas: readonly number[]; isr: readonly number[] } | undefined;

export function partitionHealth(
  nodeId: number,
  topics: TopicManager,
  engine: PartitionEngine,
  replicatedStateOf: ReplicatedStateOf = () => undefined,
): PartitionHealth {
  const online = new Map<string, boolean>();
  for (const p of engine.partitions()) online.set(partitionKey(p.topic, p.partition), p.online);
  const health: PartitionHealth = { partitions: 0, offline: 0, underReplicated: 0 };
  for (const topic of topics.topicNames()) {
    const count = topics.topic(topic)?.partitions ?? 0;
    for (let partition = 0; partition < count; partition++) {
      const led = replicatedStateOf(topic, partition);
      const state = led === undefined ? standaloneReplicaState(nodeId, online.get(partitionKey(topic, partition)) ?? false) : { leader: nodeId, ...led };
      health.partitions++;
      if (state.leader === -1) health.offline++;
      else if (state.leader === nodeId && state.isr.length < state.replicas.length) health.underReplicated++;
    }
  }
  return health;
}
