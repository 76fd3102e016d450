// A broker's replication, when replication.listener is set or the broker is in a cluster: the replica manager (roles, ISR, high watermark;
// built before the request context, whose partition leadership it answers) and then the replication listener
// serving followers over the broker's response memory and client warnings; stop() closes the listener, then
// the manager. Main thread.
import type { Logger } from 'pino';
import type { DataWaiters } from '../broker/data-waiters.js';
import type { BrokerConfig } from '../config/broker-config.js';
import type { PartitionEngine } from '../engine/partition-engine.js';
import type { ClientWarnings } from '../network/client-warnings.js';
import type { ResponseMemoryBudget } from '../network/response-memory.js';
import type { TlsMaterial } from '../network/tls-material.js';
import { ReplicaManager } from './replica-manager.js';
import { ReplicationListener } from './replication-listener.js';

export interface Replication {
  readonly manager: ReplicaManager;
  readonly listener: ReplicationListener;
  /** Where the replication listener is bound (port 0 in the config becomes the real port). */
  readonly address: { host: string; port: number };
  stop(): Promise<void>;
}

/**
 * The replica manager, or null on a standalone broker with replication.listener empty (it keeps today's paths).
 * In a cluster (`isLive` given) the state gives every partition its role.
 */
export function replicaManagerFor(
  config: BrokerConfig,
  engine: PartitionEngine,
  waiters: DataWaiters,
  logger: Logger,
  clusterId: () => string,
  /** In a cluster: whether a broker is live (only live replicas join an ISR); null standalone. */
  isLive: ((nodeId: number) => boolean) | null,
  tls: TlsMaterial | null,
): ReplicaManager | null {
  const inCluster = isLive !== null;
  if (config.replicationListener === null && !inCluster) return null;
  const { nodeId, replicaLagTimeMaxMs } = config;
  const followerTls = config.replicationSecurityProtocol === 'SSL' ? tls : null;
  return new ReplicaManager({
    nodeId,
    clusterId,
    engine,
    waiters,
    logger,
    replicaLagTimeMaxMs,
    rolesFromCluster: inCluster,
    isLive: isLive ?? undefined,
    tls: followerTls,
  });
}

/** Where the replication listener binds: replication.listener, or in a cluster without it a free port on the first Kafka listener's host. */
function bindAddressOf(config: BrokerConfig): { host: string; port: number } {
  return config.replicationListener ?? { host: config.listeners[0]!.host, port: 0 };
}

/** Binds the replication listener for `manager`; on failure the manager is stopped and the error names the key. */
export async function startReplication(
  manager: ReplicaManager,
  config: BrokerConfig,
  clusterId: () => string,
  memory: ResponseMemoryBudget,
  warnings: ClientWarnings,
  logger: Logger,
  tls: TlsMaterial | null,
): Promise<Replication> {
  const bind = bindAddressOf(config);
  // Mutual TLS: only followers with a certificate the truststore's CAs signed may replicate.
  const served = config.replicationSecurityProtocol === 'SSL' && tls !== null ? tls : null;
  const listener = new ReplicationListener(
    {
      host: bind.host,
      port: bind.port,
      nodeId: config.nodeId,
      clusterId,
      idleTimeoutMs: config.idleTimeoutMs,
      requestReadTimeoutMs: config.requestReadTimeoutMs,
      unsentBytesMax: config.connectionUnsentBytesMax,
      tls: served === null ? null : { context: served.current, clientAuth: 'required', principalRules: [{ kind: 'default' }] },
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
  served?.subscribe((next) => listener.setSecureContext(next));
  logger.info({ replicationListener: `${address.host}:${address.port}`, tls: served !== null }, 'replication listener bound');
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
