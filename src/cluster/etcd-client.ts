// Opens the etcd v3 client for one Fjord cluster: a list of endpoints (`fjord.etcd.endpoints`; the etcd3 client
// spreads calls over them and moves on from one that is down) and the cluster's namespace (etcd-keys.ts).
// Main thread.
import { Etcd3, type Namespace } from 'etcd3';
import { clusterRoot, etcdEndpointProblem } from './etcd-keys.js';

export interface ClusterEtcdOptions {
  /** etcd client URLs, e.g. ['http://10.0.0.1:2379', 'http://10.0.0.2:2379', 'http://10.0.0.3:2379']. */
  endpoints: string[];
  /** Names the cluster's root key; several clusters (or tests) can share one etcd. */
  clusterName: string;
  /** How long a call waits for a connection before it fails over to the next endpoint. */
  dialTimeoutMs?: number;
}

export interface ClusterEtcd {
  /** The raw client: lease revokes and other calls outside the namespace. */
  client: Etcd3;
  /** Every cluster key, relative to `/fjord/<cluster name>/`. */
  ns: Namespace;
  root: string;
  close(): void;
}

const DIAL_TIMEOUT_MS_DEFAULT = 3_000;
/** The longest pause between attempts to reopen the watch stream while etcd is away. */
const WATCH_RETRY_MS_MAX = 1_000;

/**
 * The watch stream's reconnect delays: doubling from 100 ms to WATCH_RETRY_MS_MAX. (etcd3's default grows to 30 s, so
 * after an etcd outage a broker's view of the live brokers and the controller could stay stale that long.)
 */
function watchBackoff(delayMs = 100): { duration: number; next(): ReturnType<typeof watchBackoff> } {
  return { duration: delayMs, next: () => watchBackoff(Math.min(delayMs * 2, WATCH_RETRY_MS_MAX)) };
}

export function openClusterEtcd(options: ClusterEtcdOptions): ClusterEtcd {
  if (options.endpoints.length === 0) throw new Error('etcd needs at least one endpoint');
  for (const endpoint of options.endpoints) {
    const problem = etcdEndpointProblem(endpoint);
    if (problem !== null) throw new Error(problem);
  }
  const root = clusterRoot(options.clusterName);
  const client = new Etcd3({
    hosts: options.endpoints,
    dialTimeout: options.dialTimeoutMs ?? DIAL_TIMEOUT_MS_DEFAULT,
    faultHandling: { watchBackoff: watchBackoff() },
  });
  return { client, ns: client.namespace(root), root, close: () => client.close() };
}
