// Starts a broker's replication when replication.listener is set: the replica manager (roles, ISR, high
// watermark) and the replication listener serving followers, over the broker's engine, data waiters,
// response memory and client warnings; stop() closes the listener, then the manager. Main thread.
import type { BrokerContext } from '../broker/broker-context.js';
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

export async function startReplication(ctx: BrokerContext, memory: ResponseMemoryBudget, warnings: ClientWarnings): Promise<Replication | null> {
  const { config, engine, topics, waiters, logger } = ctx;
  const bind = config.replicationListener;
  if (bind === null) return null;
  const clusterId = () => topics.clusterId;
  const manager = new ReplicaManager({ nodeId: config.nodeId, clusterId, engine, waiters, logger, replicaLagTimeMaxMs: config.replicaLagTimeMaxMs });
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
