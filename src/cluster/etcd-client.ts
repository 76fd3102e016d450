// Opens the etcd v3 client for one Fjord cluster: a list of endpoints (`fjord.etcd.endpoints`; the etcd3 client
// spreads calls over them and moves on from one that is down; https:// ones over TLS, etcd-tls.ts), the cluster's
// namespace (etcd-keys.ts), and the watches open on it, which close() cancels. Main thread.
import { Etcd3, type Namespace, type WatchBuilder, type Watcher } from 'etcd3';
import { clusterRoot, etcdEndpointsProblem, isTlsEndpoint } from './etcd-keys.js';
import { type EtcdTlsFiles, etcdTlsProblems, NO_ETCD_TLS_FILES, readEtcdTlsCredentials } from './etcd-tls.js';

export interface ClusterEtcdOptions {
  /** etcd client URLs, e.g. ['http://10.0.0.1:2379', 'http://10.0.0.2:2379', 'http://10.0.0.3:2379']. */
  endpoints: string[];
  /** Names the cluster's root key; several clusters (or tests) can share one etcd. */
  clusterName: string;
  /** How long a call waits for a connection before it fails over to the next endpoint. */
  dialTimeoutMs?: number;
  /** CA, client certificate and key for https:// endpoints (default: none set, Node's default CAs). */
  tls?: EtcdTlsFiles;
}

export interface ClusterEtcd {
  /** The raw client: lease revokes and other calls outside the namespace. */
  client: Etcd3;
  /** Every cluster key, relative to `/fjord/<cluster name>/`. */
  ns: Namespace;
  root: string;
  /** Every watch on `ns` goes through here, so that none outlives the client. */
  watches: OpenWatches;
  /** Cancels the watches still open, then closes the client. */
  close(): void;
}

/**
 * The watches open on one client. etcd3 re-opens the stream of a watch nobody cancelled every second for as long as
 * the process lives, even after the client is closed (its timer then keeps the process from ending): so each
 * watch is known here from the moment it attaches, and closing the client cancels those still open.
 */
export class OpenWatches {
  private readonly open = new Set<Watcher>();

  /** Attaches the watch `builder` describes (known here at once) and resolves once etcd has created it. */
  async start(builder: WatchBuilder): Promise<Watcher> {
    const watcher = builder.watcher();
    this.open.add(watcher);
    try {
      await new Promise<void>((resolve, reject) => {
        const created = () => {
          watcher.off('error', refused);
          resolve();
        };
        const refused = (error: Error) => {
          watcher.off('connected', created);
          reject(error);
        };
        watcher.once('connected', created).once('error', refused);
      });
    } catch (error) {
      this.open.delete(watcher);
      throw error;
    }
    return watcher;
  }

  /** Cancels a watch (resolves when etcd confirms); a watch already cancelled or ended is left alone. */
  cancel(watcher: Watcher): Promise<void> {
    if (!this.open.delete(watcher)) return Promise.resolve();
    return watcher.cancel();
  }

  /** etcd ended this watch itself (it is no longer attached): cancelling it would wait for an answer that never comes. */
  ended(watcher: Watcher): void {
    this.open.delete(watcher);
  }

  /** Cancels every open watch without waiting for etcd (the client is closing: the stream ends and they go with it). */
  cancelAll(): void {
    for (const watcher of this.open) void watcher.cancel().catch(() => undefined);
    this.open.clear();
  }

  get size(): number {
    return this.open.size;
  }
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
  const tls = options.tls ?? NO_ETCD_TLS_FILES;
  const problem = etcdEndpointsProblem(options.endpoints) ?? etcdTlsProblems(options.endpoints, tls)[0] ?? null;
  if (problem !== null) throw new Error(problem);
  const root = clusterRoot(options.clusterName);
  const client = new Etcd3({
    hosts: options.endpoints,
    // https:// endpoints (all or none, checked above): every call over TLS with these credentials.
    ...(options.endpoints.every(isTlsEndpoint) ? { credentials: readEtcdTlsCredentials(tls) } : {}),
    dialTimeout: options.dialTimeoutMs ?? DIAL_TIMEOUT_MS_DEFAULT,
    faultHandling: { watchBackoff: watchBackoff() },
  });
  const watches = new OpenWatches();
  return {
    client,
    ns: client.namespace(root),
    root,
    watches,
    close: () => {
      watches.cancelAll();
      client.close();
    },
  };
}
