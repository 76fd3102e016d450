// The embedding API for failover tests: startCluster() runs an etcd (the installed binary, a child process) and
// N Fjord brokers inside the caller's process (startBroker() each, so with the embedding defaults), one
// namespace in etcd per cluster, node ids 1..N, a short session timeout so a lost broker is noticed in about
// 2 s, and __consumer_offsets replicated min(3, N) times. A broker can be stopped (a controlled shutdown: its
// partitions get new leaders at once) and started again on its log dir and port; stop() ends it all
// and removes the temp dirs. Runs on the caller's main thread.
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { waitForAgreement } from './cluster-agreement.js';
import { type EtcdServer, requireEtcdBinary, startEtcdServer } from './etcd-server.js';
import { type EmbeddedBroker, type LogLevel, startBroker } from './start-broker.js';

/** Per-broker keys a cluster's brokers run with unless `config` says otherwise (on top of EMBEDDED_DEFAULTS). */
export const CLUSTER_DEFAULTS: Readonly<Record<string, string>> = {
  // etcd's smallest lease (1.5 x its 1 s election timeout, rounded up): a broker that dies is replaced quickly.
  'broker.session.timeout.ms': '2000',
};

/** Brokers one startCluster() may run in this process. */
export const CLUSTER_BROKERS_MAX = 9;
/** How long start, stopBroker and startBroker wait for the brokers to agree on who is in the cluster. */
const AGREEMENT_TIMEOUT_MS = 30_000;

export interface StartClusterOptions {
  /** How many brokers (node ids 1..N); default 3. */
  brokers?: number;
  /** Kafka-style keys for every broker; they win over the defaults (but not node.id and log.dirs: each broker has its own). */
  config?: Record<string, string>;
  /** Keys for one broker, winning over everything (e.g. { 'broker.rack': `r${nodeId % 2}` }). */
  configOf?: (nodeId: number) => Record<string, string>;
  /** Where log lines go (each broker's with its nodeId); wins over `logLevel`. */
  logger?: Logger;
  /** Log to stdout at this level (default: silent). */
  logLevel?: LogLevel;
  /** The etcd binary to run; default: `etcd` on PATH, else /usr/bin/etcd. */
  etcdBinary?: string;
  /** An etcd already running (its client URLs): none is started, and the cluster uses a namespace of its own there. */
  etcdEndpoints?: readonly string[];
}

export interface ClusterBroker {
  readonly nodeId: number;
  /** host:port clients reach it on (kept across a stop and start when the port is still free). */
  readonly bootstrap: string;
  readonly host: string;
  readonly port: number;
  readonly running: boolean;
  readonly logDirs: readonly string[];
}

export interface EmbeddedCluster {
  /** Its namespace in etcd (`fjord.cluster.name`). */
  readonly clusterName: string;
  readonly etcdEndpoints: readonly string[];
  /** host:port of every running broker, for a client's bootstrap servers. */
  readonly bootstrapServers: string[];
  /** The same, comma-separated (librdkafka's bootstrap.servers). */
  readonly bootstrap: string;
  /** Every broker, running or stopped, in node id order. */
  readonly brokers: ClusterBroker[];
  broker(nodeId: number): ClusterBroker;
  /**
   * Stops one broker with a controlled shutdown (it hands the partitions it leads to in-sync replicas, then leaves etcd),
   * then waits until the other brokers no longer list it. Idempotent. An abrupt kill is not possible in-process.
   */
  stopBroker(nodeId: number): Promise<void>;
  /** Starts a stopped broker again on its log dir (and port, if free), then waits until every broker lists it. */
  startBroker(nodeId: number): Promise<void>;
  /** Stops every broker, then the etcd it started, and removes its temp dirs. Idempotent. */
  stop(): Promise<void>;
}

/** A broker's slot: its settings and log dir stay, the running broker comes and goes. */
interface Slot {
  readonly nodeId: number;
  readonly config: Record<string, string>;
  broker: EmbeddedBroker | null;
  /** Its last address, reused when it starts again. */
  host: string;
  port: number;
  /** stopBroker / startBroker one at a time. */
  busy: Promise<void>;
}

let clustersStarted = 0;

export async function startCluster(options: StartClusterOptions = {}): Promise<EmbeddedCluster> {
  const count = options.brokers ?? 3;
  if (!Number.isInteger(count) || count < 1 || count > CLUSTER_BROKERS_MAX) {
    throw new RangeError(`startCluster: brokers must be an integer from 1 to ${CLUSTER_BROKERS_MAX}, not ${count}`);
  }
  // Before anything is made: no etcd is one clear line, not a failure halfway.
  const etcdBinary = options.etcdEndpoints === undefined ? requireEtcdBinary(options.etcdBinary) : null;
  const root = mkdtempSync(join(tmpdir(), 'fjord-cluster-'));
  let etcd: EtcdServer | null = null;
  const slots: Slot[] = [];
  const shutDown = async () => {
    try {
      await settleAll(slots.map((slot) => slot.broker?.stop()));
    } finally {
      try {
        await etcd?.stop();
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
    }
  };
  try {
    if (etcdBinary !== null) etcd = await startEtcdServer(join(root, 'etcd'), etcdBinary);
    const etcdEndpoints = options.etcdEndpoints ?? [etcd!.endpoint];
    clustersStarted += 1;
    const clusterName = `embedded-${process.pid}-${clustersStarted}-${randomUUID().slice(0, 8)}`;
    const shared = {
      ...CLUSTER_DEFAULTS,
      'offsets.topic.replication.factor': String(Math.min(3, count)),
      'fjord.etcd.endpoints': etcdEndpoints.join(','),
      'fjord.cluster.name': clusterName,
    };
    for (let nodeId = 1; nodeId <= count; nodeId++) {
      const logDir = join(root, `broker-${nodeId}`);
      mkdirSync(logDir);
      const config = { ...shared, ...options.config, 'node.id': String(nodeId), 'log.dirs': logDir, ...options.configOf?.(nodeId) };
      slots.push({ nodeId, config, broker: null, host: '127.0.0.1', port: 0, busy: Promise.resolve() });
    }
    await settleAll(slots.map((slot) => run(slot, options)));
    await agree(slots);
    return clusterHandle(clusterName, etcdEndpoints, slots, options, shutDown);
  } catch (error) {
    await shutDown();
    throw error;
  }
}

function clusterHandle(
  clusterName: string,
  etcdEndpoints: readonly string[],
  slots: Slot[],
  options: StartClusterOptions,
  shutDown: () => Promise<void>,
): EmbeddedCluster {
  let stopping: Promise<void> | undefined;
  const slotOf = (nodeId: number): Slot => {
    const slot = slots.find((s) => s.nodeId === nodeId);
    if (slot === undefined) throw new RangeError(`no broker ${nodeId} in this cluster (node ids 1..${slots.length})`);
    if (stopping !== undefined) throw new Error('the cluster is stopped');
    return slot;
  };
  const serially = (slot: Slot, step: () => Promise<void>): Promise<void> => {
    const done = slot.busy.then(step);
    slot.busy = done.catch(() => {});
    return done;
  };
  return {
    clusterName,
    etcdEndpoints,
    get bootstrapServers() {
      return slots.filter((s) => s.broker !== null).map(addressOf);
    },
    get bootstrap() {
      return this.bootstrapServers.join(',');
    },
    get brokers() {
      return slots.map(viewOf);
    },
    broker: (nodeId) => viewOf(slotOf(nodeId)),
    stopBroker: (nodeId) => {
      const slot = slotOf(nodeId);
      return serially(slot, async () => {
        if (slot.broker === null) return;
        const broker = slot.broker;
        slot.broker = null;
        await broker.stop();
        await agree(slots);
      });
    },
    startBroker: (nodeId) => {
      const slot = slotOf(nodeId);
      return serially(slot, async () => {
        if (slot.broker !== null) throw new Error(`broker ${nodeId} is already running`);
        await run(slot, options);
        await agree(slots);
      });
    },
    stop: () =>
      (stopping ??= (async () => {
        await Promise.all(slots.map((s) => s.busy));
        await shutDown();
      })()),
  };
}

/** Starts the slot's broker: on its last port when it had one (clients' bootstrap lists stay valid), else an ephemeral one. */
async function run(slot: Slot, options: StartClusterOptions): Promise<void> {
  const start = (port: number) =>
    startBroker({
      config: { listeners: `PLAINTEXT://${slot.host}:${port}`, ...slot.config },
      logger: options.logger?.child({ nodeId: slot.nodeId }),
      logLevel: options.logLevel,
    });
  let broker: EmbeddedBroker;
  try {
    broker = await start(slot.port);
  } catch (error) {
    // Someone else took the port while the broker was stopped.
    if (slot.port === 0 || !/EADDRINUSE/.test(String(error))) throw error;
    broker = await start(0);
  }
  slot.broker = broker;
  slot.host = broker.host;
  slot.port = broker.port;
}

/** Waits until every running broker lists exactly the running ones and one controller among them. */
function agree(slots: readonly Slot[]): Promise<void> {
  const running = slots.filter((s) => s.broker !== null);
  if (running.length === 0) return Promise.resolve();
  return waitForAgreement(
    running.map(addressOf),
    running.map((s) => s.nodeId),
    AGREEMENT_TIMEOUT_MS,
  );
}

const addressOf = (slot: Slot): string => `${slot.host.includes(':') ? `[${slot.host}]` : slot.host}:${slot.port}`;

function viewOf(slot: Slot): ClusterBroker {
  return {
    nodeId: slot.nodeId,
    bootstrap: addressOf(slot),
    host: slot.host,
    port: slot.port,
    running: slot.broker !== null,
    logDirs: slot.config['log.dirs']!.split(','),
  };
}

/** Waits for every promise, then throws the first failure (so nothing is still starting or stopping behind a rejection). */
async function settleAll(work: ReadonlyArray<Promise<unknown> | undefined>): Promise<void> {
  const failed = (await Promise.allSettled(work)).find((r) => r.status === 'rejected');
  if (failed !== undefined) throw failed.reason;
}
