// Test helper: brokers of one cluster started in this test process, each over its own temp dir with its Kafka
// and replication listeners on free ports. Until membership is wired, what etcd will hold is written into each
// broker's metadata file before it starts: one cluster id and the topics (same topic ids), so each creates the
// partitions. Roles are then given by calling becomeLeader / becomeFollower on each broker's replica manager.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Logger, pino } from 'pino';
import { type BrokerHandle, launchBroker } from '../../src/broker.js';
import { largeBuffers } from '../../src/buffer-pool.js';
import type { ReplicaManager } from '../../src/replication/replica-manager.js';
import { batchSizeAt, lastOffsetAt } from '../../src/shared/record-batch.js';
import { tempDir } from '../helpers/temp-dir.js';

export const CLUSTER_ID = 'replication-test-clust';

export interface ClusterBroker {
  nodeId: number;
  logDir: string;
  handle: BrokerHandle;
}

/** Starts (or restarts over `logDir`) broker `nodeId` holding `topics` (name → partition count). */
export async function startClusterBroker(
  nodeId: number,
  topics: Record<string, number>,
  config: Record<string, string> = {},
  logDir = tempDir(`fjord-replica-${nodeId}-`),
  logger: Logger = pino({ level: 'silent' }),
): Promise<ClusterBroker> {
  const topicRecords = Object.fromEntries(
    Object.entries(topics).map(([name, partitions]) => [name, { topicId: `${name}-topic-id-0000000000`.slice(0, 22), partitions, configs: {} }]),
  );
  writeFileSync(
    join(logDir, 'fjord-metadata.json'),
    JSON.stringify({ version: 1, clusterId: CLUSTER_ID, topics: topicRecords, pendingDeletes: {}, logDirs: {} }),
  );
  const handle = await launchBroker({
    config: {
      'node.id': String(nodeId),
      'log.dirs': logDir,
      listeners: 'PLAINTEXT://127.0.0.1:0',
      'replication.listener': 'REPLICATION://127.0.0.1:0',
      'fjord.http.listener': '',
      'fjord.workers': '1',
      ...config,
    },
    logger,
  });
  return { nodeId, logDir, handle };
}

export function replicasOf(broker: ClusterBroker): ReplicaManager {
  const replication = broker.handle.replication;
  if (replication === null) throw new Error(`broker ${broker.nodeId} has no replication listener`);
  return replication.manager;
}

export function replicationAddress(broker: ClusterBroker): { host: string; port: number } {
  return broker.handle.replication!.address;
}

/** Every stored byte of a partition from its log start, read as a follower reads (up to the log end). */
export async function storedBytes(broker: ClusterBroker, topic: string, partition: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  let offset = (await broker.handle.engine.offsets(topic, partition)).logStartOffset;
  for (;;) {
    const outcome = await broker.handle.engine.fetch(topic, partition, offset, 1024 * 1024, true);
    if (outcome.errorCode !== 0) throw new Error(`fetch of ${topic}-${partition} at ${offset} failed: ${outcome.errorMessage}`);
    if (outcome.records.length === 0) break;
    const copy = Buffer.from(outcome.records);
    largeBuffers.release(outcome.records);
    parts.push(copy);
    offset = lastOffsetOf(copy) + 1;
    if (offset >= outcome.logEndOffset) break;
  }
  return Buffer.concat(parts);
}

function lastOffsetOf(records: Buffer): number {
  let at = 0;
  let last = 0;
  for (; at < records.length; at += batchSizeAt(records, at)) last = at;
  return lastOffsetAt(records, last);
}
