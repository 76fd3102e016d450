// A broker's replication, when replication.listener is set: the replica manager (roles, ISR, high watermark;
// built before the request context, whose partition leadership it answers) and then the replication listener
// serving followers over the broker's response memory and client warnings; stop() closes the listener, then
// the manager. Main thread.
import type { Logger } from 'pino';
import type { DataWaiters } from '../broker/data-waiters.js';
import type { BrokerConfig } from '../config/broker-config.js';
import type { PartitionEngine } from '../engine/partition-engine.js';
import type { ClientWarnings } from '../network/client-warnings.js';
import type { ResponseMemoryBudget } from '../network/response-memory.js';
import { ReplicaManager } from './replica-manager.js';
import { ReplicationListener } from './replication-listener.js';

export interface Replication {
  readonly manager: ReplicaManager;
  readonly listener: ReplicationListener;
  /** Where the replication listener is bound (port 0 in the config becomes the real port). */
  readonly address: { host: string; port: number };
  stop(): Promise<void>;
}

/** The replica manager, or null when replication.listener is empty (a standalone broker keeps today's paths). */
export function replicaManagerFor(
  config: BrokerConfig,
  engine: PartitionEngine,
  waiters: DataWaiters,
  logger: Logger,
  clusterId: () => string,
): ReplicaManager | null {
  if (config.replicationListener === null) return null;
  return new ReplicaManager({ nodeId: config.nodeId, clusterId, engine, waiters, logger, replicaLagTimeMaxMs: config.replicaLagTimeMaxMs });
}

/** Binds the replication listener for `manager`; on failure the manager is stopped and the error names the key. */
export async function startReplication(
  manager: ReplicaManager,
  config: BrokerConfig,
  clusterId: () => string,
  memory: ResponseMemoryBudget,
  warnings: ClientWarnings,
  logger: Logger,
): Promise<Replication> {
  const bind = config.replicationListener!;
  const listener = new ReplicationListener(
    {
      host: bind.host,
      port: bind.port,
      nodeId: config.nodeId,
      clusterId,
      idleTimeoutMs: config.idleTimeoutMs,
      requestReadTimeoutMs: config.requestReadTimeoutMs,
      unsentBytesMax: config.connectionUnsentBytesMax,
    },
    manager,
    memory,
    warnings,
  );
  let address: { host: string; port: number };
  try {
    address = await listener.listen();
  } catch (error) {
    await manager.stop();
    throw new Error(`cannot listen on replication.listener ${bind.host}:${bind.port}: ${(error as Error).message}`);
  }
  logger.info({ replicationListener: `${address.host}:${address.port}` }, 'replication listener bound');
  return {
    manager,
    listener,
    address,
    stop: async () => {
      await listener.close();
      await manager.stop();
    },
  };
}
