// The client's view of a cluster from a Metadata answer: brokers, controller, topics with each partition's
// leader, replicas and ISR. Pure data shaping; runs on the caller's main thread.
import type { ResponseBody } from './broker-connection.js';

export interface BrokerInfo {
  nodeId: number;
  host: string;
  port: number;
  rack: string | null;
}

export interface PartitionInfo {
  partition: number;
  errorCode: number;
  leader: number;
  leaderEpoch: number;
  replicas: number[];
  isr: number[];
  offlineReplicas: number[];
}

export interface TopicInfo {
  name: string;
  errorCode: number;
  topicId: string;
  isInternal: boolean;
  /** Sorted by partition index. */
  partitions: PartitionInfo[];
}

export interface ClusterMetadata {
  clusterId: string | null;
  controllerId: number;
  brokers: Map<number, BrokerInfo>;
  topics: Map<string, TopicInfo>;
}

export function toClusterMetadata(body: ResponseBody<3>): ClusterMetadata {
  const brokers = new Map(body.brokers.map((b) => [b.nodeId, { nodeId: b.nodeId, host: b.host, port: b.port, rack: b.rack }]));
  const topics = new Map<string, TopicInfo>();
  for (const t of body.topics) {
    if (t.name === null) continue;
    const partitions = t.partitions
      .map((p) => ({
        partition: p.partitionIndex,
        errorCode: p.errorCode,
        leader: p.leaderId,
        leaderEpoch: p.leaderEpoch,
        replicas: p.replicaNodes,
        isr: p.isrNodes,
        offlineReplicas: p.offlineReplicas,
      }))
      .sort((a, b) => a.partition - b.partition);
    topics.set(t.name, { name: t.name, errorCode: t.errorCode, topicId: t.topicId, isInternal: t.isInternal, partitions });
  }
  return { clusterId: body.clusterId, controllerId: body.controllerId, brokers, topics };
}
