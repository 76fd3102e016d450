// What a cluster looks like to an operator: its id, controller and brokers (DescribeCluster, or Metadata
// where that is not served), each broker's log dirs with the size of every partition in them (DescribeLogDirs,
// asked of every broker), and moving partitions between a broker's log dirs (AlterReplicaLogDirs). Runs on the
// caller's main thread.
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
  /** For a partition's own log: how far its end is below the high watermark; for a future copy: below the log end. */
  offsetLag: number;
  /** A copy being built by a move into this dir (it replaces the partition's log when the move switches over). */
  isFuture: boolean;
}

export interface LogDirDescription {
  brokerId: number;
  path: string;
  /** 0, or KAFKA_STORAGE_ERROR (56) for an offline dir. */
  errorCode: number;
  partitions: LogDirPartition[];
  /** The volume's size and usable bytes (DescribeLogDirs v4), -1 when the broker does not say. */
  totalBytes: number;
  usableBytes: number;
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
            t.partitions.map((p) => ({
              topic: t.name,
              partition: p.partitionIndex,
              sizeBytes: p.partitionSize,
              offsetLag: p.offsetLag,
              isFuture: p.isFutureKey,
            })),
          ),
          totalBytes: dir.totalBytes,
          usableBytes: dir.usableBytes,
        }));
      }),
  );
  return perBroker.flat();
}

export interface LogDirMoveResult {
  topic: string;
  partition: number;
  /** 0, or why the move did not start (LOG_DIR_NOT_FOUND, KAFKA_STORAGE_ERROR, UNKNOWN_TOPIC_OR_PARTITION, …). */
  errorCode: number;
}

/**
 * Asks broker `brokerId` to move the partitions of `topic` into its log dir `path` (AlterReplicaLogDirs). The
 * broker answers once each move has started; the copy shows in DescribeLogDirs (isFuture) until it switches over.
 */
export async function moveToLogDir(
  client: KafkaClient,
  brokerId: number,
  path: string,
  topic: string,
  partitions: readonly number[],
): Promise<LogDirMoveResult[]> {
  const { body } = await (await client.broker(brokerId)).call(34, { dirs: [{ path, topics: [{ name: topic, partitions: [...partitions] }] }] });
  return body.results.flatMap((t) => t.partitions.map((p) => ({ topic: t.topicName, partition: p.partitionIndex, errorCode: p.errorCode })));
}
