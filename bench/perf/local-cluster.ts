// A Fjord cluster of real processes for the cluster benchmarks: one etcd and N broker child processes on
// 127.0.0.1 (ephemeral ports; node ids 1..N; etcd's data and every broker's log dir under one temp dir). Any
// broker can be killed (SIGKILL) and started again on its log dir; stop() ends every process and removes the
// temp dir, and an exit of the bench process (also on Ctrl-C or SIGTERM while a cluster runs) kills what is left
// and removes it too. Runs on the bench's main
// thread; etcd and the brokers run in their own processes.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KafkaClient } from '../../src/client/kafka-client.js';
import type { PartitionInfo } from '../../src/client/cluster-metadata.js';
import { type BrokerProcess, startBrokerProcess } from './broker-process.js';
import { type EtcdServer, startEtcdServer } from '../../src/embedding/etcd-server.js';

const CLUSTER_NAME = 'bench';
const POLL_MS = 100;
/** settle(): the brokers count as idle below this many cores busy together, measured over this window. */
const IDLE_CORES = 0.1;
const IDLE_WINDOW_MS = 500;
export const CLUSTER_WAIT_MS = 60_000;

/** Temp dirs of clusters not stopped yet; removed if the bench process exits first (after their processes are killed). */
const roots = new Set<string>();
process.once('exit', () =>
  roots.forEach((root) => {
    rmSync(root, { recursive: true, force: true });
  }),
);
/** A signal would end the process without its exit handlers; while a cluster runs, it exits through them instead. */
const exitOnSignal = (signal: NodeJS.Signals): void => process.exit(signal === 'SIGINT' ? 130 : 143);

function track(root: string): void {
  if (roots.size === 0) process.on('SIGINT', exitOnSignal).on('SIGTERM', exitOnSignal);
  roots.add(root);
}

function untrack(root: string): void {
  roots.delete(root);
  if (roots.size === 0) process.off('SIGINT', exitOnSignal).off('SIGTERM', exitOnSignal);
}

export interface LocalClusterOptions {
  brokers: number;
  /** Extra `--set key=value` for every broker (e.g. broker.session.timeout.ms). */
  config?: Readonly<Record<string, string>>;
  /** Extra `node` flags for every broker, e.g. ['--cpu-prof', '--cpu-prof-dir=/tmp/prof']. */
  nodeArgs?: readonly string[];
}

/** Polls `probe` until it returns a value (not null or false), failing after `timeoutMs` with `what`. */
export async function waitFor<T>(what: string, probe: () => Promise<T | null | false>, timeoutMs = CLUSTER_WAIT_MS): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => null);
    if (value !== null && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

export class LocalCluster {
  private readonly brokers = new Map<number, BrokerProcess>();

  private constructor(
    private readonly root: string,
    private readonly etcd: EtcdServer,
    private readonly options: LocalClusterOptions,
  ) {}

  /** etcd, then brokers 1..N together; resolves once each broker's Metadata lists all N. */
  static async start(options: LocalClusterOptions): Promise<LocalCluster> {
    const root = mkdtempSync(join(tmpdir(), 'fjord-cluster-bench-'));
    track(root);
    let cluster: LocalCluster | null = null;
    try {
      const etcd = await startEtcdServer(join(root, 'etcd'));
      cluster = new LocalCluster(root, etcd, options);
      const ids = Array.from({ length: options.brokers }, (_, i) => i + 1);
      await Promise.all(ids.map((nodeId) => cluster!.startBroker(nodeId)));
      await waitFor(`${options.brokers} brokers in Metadata`, async () => (await cluster!.withClient((c) => c.metadata([]))).brokers.size === options.brokers);
      return cluster;
    } catch (error) {
      if (cluster !== null) await cluster.stop();
      else {
        rmSync(root, { recursive: true, force: true });
        untrack(root);
      }
      throw error;
    }
  }

  /** Starts broker `nodeId` (again, after a kill) on its own log dir. */
  async startBroker(nodeId: number): Promise<void> {
    if (this.brokers.has(nodeId)) throw new Error(`broker ${nodeId} is already running`);
    const logDir = join(this.root, `broker-${nodeId}`);
    mkdirSync(logDir, { recursive: true });
    const config = {
      'node.id': String(nodeId),
      'fjord.etcd.endpoints': this.etcd.endpoint,
      'fjord.cluster.name': CLUSTER_NAME,
      'fjord.http.listener': 'http://127.0.0.1:0',
      ...this.options.config,
    };
    this.brokers.set(nodeId, await startBrokerProcess({ partitions: 1, config, logDir, nodeArgs: this.options.nodeArgs }));
  }

  /** SIGKILL of broker `nodeId`, resolved once it exited; its log dir stays for startBroker. */
  async killBroker(nodeId: number): Promise<void> {
    const broker = this.brokers.get(nodeId);
    if (broker === undefined) throw new Error(`broker ${nodeId} is not running`);
    this.brokers.delete(nodeId);
    await broker.kill();
  }

  /** host:port of every running broker. */
  bootstrap(): string[] {
    return [...this.brokers.values()].map((b) => b.address);
  }

  /** User + system CPU seconds of every running broker so far (all threads). */
  cpuSeconds(): number {
    let sum = 0;
    for (const broker of this.brokers.values()) sum += broker.cpuSeconds();
    return sum;
  }

  /**
   * Waits until what one run left behind is done, so the next run does not pay for it: the page cache's dirty
   * pages written out (`sync`: an RF=3 run leaves three times its bytes to write back), then the brokers idle
   * (below IDLE_CORES over an IDLE_WINDOW_MS window: deleted topics' files removed, replication caught up).
   */
  async settle(timeoutMs = CLUSTER_WAIT_MS): Promise<void> {
    execFileSync('sync');
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const before = this.cpuSeconds();
      await new Promise((resolve) => setTimeout(resolve, IDLE_WINDOW_MS));
      const cores = (this.cpuSeconds() - before) / (IDLE_WINDOW_MS / 1000);
      if (cores < IDLE_CORES) return;
      if (Date.now() > deadline) throw new Error(`the brokers were still busy (${cores.toFixed(2)} cores) after ${timeoutMs} ms`);
    }
  }

  /** Runs `use` with a client bootstrapped from the running brokers, closed afterwards. */
  async withClient<T>(use: (client: KafkaClient) => Promise<T>): Promise<T> {
    const client = new KafkaClient({ bootstrapServers: this.bootstrap(), clientId: 'fjord-cluster-bench' });
    try {
      return await use(client);
    } finally {
      await client.close();
    }
  }

  /** A topic's partitions once every partition has a leader and `replicas` in-sync replicas, as Metadata says. */
  async waitForFullIsr(topic: string, replicas: number, timeoutMs = CLUSTER_WAIT_MS): Promise<PartitionInfo[]> {
    return waitFor(
      `every partition of ${topic} led with ${replicas} in-sync replicas`,
      async () => {
        const partitions = (await this.withClient((c) => c.metadata([topic]))).topics.get(topic)?.partitions ?? [];
        const full = partitions.length > 0 && partitions.every((p) => p.errorCode === 0 && p.leader >= 0 && p.isr.length === replicas);
        return full ? partitions : null;
      },
      timeoutMs,
    );
  }

  /** Stops every broker (SIGTERM), then etcd, and removes the temp dir, even when a stop fails. */
  async stop(): Promise<void> {
    try {
      const brokers = [...this.brokers.values()];
      this.brokers.clear();
      await Promise.allSettled(brokers.map((b) => b.stop()));
      await this.etcd.stop();
    } finally {
      rmSync(this.root, { recursive: true, force: true });
      untrack(this.root);
    }
  }
}
