// What a cluster looks like to an operator: its id, controller and brokers (DescribeCluster, or Metadata
// where that is not served), and each broker's log dirs with the size of every partition in them
// (DescribeLogDirs, asked of every broker). Runs on the caller's main thread.
import type { BrokerInfo } from './cluster-metadata.js';
import type { KafkaClient } from './kafka-client.js';
import { checkErrorCode, UnsupportedApiError } from './kafka-errors.js';

export interface ClusterDescription {
  clusterId: string | null;
  controllerId: number;
  brokers: BrokerInfo[];
}

export async function describeCluster(client: KafkaClient): Promise<ClusterDescription> {
  const broker = await client.anyBroker();
  try {
    const { body } = await broker.call(60, { includeClusterAuthorizedOperations: false, endpointType: 1 });
    checkErrorCode(body.errorCode, 'describe cluster', body.errorMessage);
    const brokers = body.brokers.map((b) => ({ nodeId: b.brokerId, host: b.host, port: b.port, rack: b.rack }));
    return { clusterId: body.clusterId, controllerId: body.controllerId, brokers: brokers.sort((a, b) => a.nodeId - b.nodeId) };
  } catch (error) {
    if (!(error instanceof UnsupportedApiError)) throw error;
    const cluster = await client.metadata([]);
    return { clusterId: cluster.clusterId, controllerId: cluster.controllerId, brokers: [...cluster.brokers.values()].sort((a, b) => a.nodeId - b.nodeId) };
  }
}

export interface LogDirPartition {
  topic: string;
  partition: number;
  sizeBytes: number;
  offsetLag: number;
}

export interface LogDirDescription {
  brokerId: number;
  path: string;
  /** 0, or KAFKA_STORAGE_ERROR (56) for an offline dir. */
  errorCode: number;
  partitions: LogDirPartition[];
}

/** Every broker's log dirs; `topics` limits the partitions listed (null = all). */
export async function describeLogDirs(client: KafkaClient, topics: ReadonlyMap<string, readonly number[]> | null = null): Promise<LogDirDescription[]> {
  const cluster = await client.metadata([]);
  const wanted = topics === null ? null : [...topics].map(([topic, partitions]) => ({ topic, partitions }));
  const perBroker = await Promise.all(
    [...cluster.brokers.keys()]
      .sort((a, b) => a - b)
      .map(async (brokerId) => {
        const { body } = await (await client.broker(brokerId)).call(35, { topics: wanted });
        return body.results.map((dir) => ({
          brokerId,
          path: dir.logDir,
          errorCode: dir.errorCode,
          partitions: dir.topics.flatMap((t) =>
            t.partitions.map((p) => ({ topic: t.name, partition: p.partitionIndex, sizeBytes: p.partitionSize, offsetLag: p.offsetLag })),
          ),
        }));
      }),
  );
  return perBroker.flat();
}
