// A cluster of real processes for tests: one etcd and N Fjord brokers on 127.0.0.1 (ephemeral ports, a temp log
// dir and node id each, a namespace of their own in etcd). Any broker can be killed (SIGKILL), frozen (SIGSTOP,
// as a network partition looks to its peers), thawed, restarted on its log dir and stopped; `waitFor` polls real
// answers (Metadata, DescribeCluster) up to a deadline, never sleeping a fixed time. Processes still running
// when the test file ends are killed (broker-process.ts, etcd-process.ts). Test helper.
import { RawClient } from '../broker/raw-client.js';
import { type BrokerProcess, startBrokerProcess } from './broker-process.js';
import { type EtcdProcess, startEtcdProcess } from './etcd-process.js';
import { tempDir } from './temp-dir.js';

/** What one broker answers about the cluster. */
export interface ClusterView {
  /** The broker that answered. */
  askedNodeId: number;
  clusterId: string | null;
  controllerId: number;
  brokers: Array<{ nodeId: number; host: string; port: number; rack: string | null }>;
}

/** One partition as a broker's Metadata places it. */
export interface PartitionView {
  partition: number;
  errorCode: number;
  leader: number;
  leaderEpoch: number;
  replicas: number[];
  isr: number[];
  offline: number[];
}

export interface BrokerClusterOptions {
  brokers: number;
  /** Config for every broker (e.g. a short broker.session.timeout.ms); per-broker ones in `settingsOf`. */
  settings?: Record<string, string>;
  settingsOf?: (nodeId: number) => Record<string, string>;
  /** An etcd to use (it is then not stopped with the cluster); default: one started for the cluster. */
  etcd?: EtcdProcess;
}

/** The lease TTL tests use: etcd's own minimum (1.5 x its 1 s election timeout, rounded up). */
export const TEST_SESSION_TIMEOUT_MS = 2_000;
const POLL_MS = 50;
const WAIT_MS_DEFAULT = 20_000;

let clusters = 0;

export class ClusterBroker {
  private process: BrokerProcess | null = null;
  private frozen = false;

  constructor(
    readonly nodeId: number,
    readonly logDir: string,
    readonly settings: Record<string, string>,
  ) {}

  /** Starts the broker process on its log dir (again, after a kill or stop). */
  async start(): Promise<void> {
    if (this.process !== null) throw new Error(`broker ${this.nodeId} is already running`);
    this.process = await startBrokerProcess(this.settings, this.logDir);
    this.frozen = false;
  }

  /** The running process (it answers unless frozen). */
  get proc(): BrokerProcess {
    if (this.process === null) throw new Error(`broker ${this.nodeId} is not running`);
    return this.process;
  }

  get bootstrap(): string {
    return this.proc.bootstrap;
  }

  /** Running and not frozen: it answers requests. */
  get answering(): boolean {
    return this.process !== null && !this.frozen;
  }

  async kill(): Promise<void> {
    await this.proc.kill();
    this.process = null;
  }

  freeze(): void {
    this.proc.signal('SIGSTOP');
    this.frozen = true;
  }

  thaw(): void {
    this.proc.signal('SIGCONT');
    this.frozen = false;
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  /** SIGTERM (a frozen broker is thawed first so it can shut down); the exit code. */
  async stop(): Promise<number | null> {
    if (this.process === null) return null;
    if (this.frozen) this.thaw();
    const code = await this.process.stop();
    this.process = null;
    return code;
  }

  /** Its Metadata answer (v12), or null when it does not answer (dead, frozen, refusing connections). */
  async metadata(): Promise<ClusterView | null> {
    return this.ask(async (client) => {
      const body = await client.call(3, 12, { topics: [], allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false });
      return { askedNodeId: this.nodeId, clusterId: body.clusterId, controllerId: body.controllerId, brokers: body.brokers };
    });
  }

  /** Its Metadata answer (v12) for one topic's partitions, in partition order; null when it does not answer or knows no such topic. */
  async partitions(topic: string): Promise<PartitionView[] | null> {
    return this.ask(async (client) => {
      const body = await client.call(3, 12, { topics: [{ name: topic }], allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false });
      const found = body.topics[0];
      if (found === undefined || found.errorCode !== 0) return null;
      return found.partitions
        .map((p) => ({
          partition: p.partitionIndex,
          errorCode: p.errorCode,
          leader: p.leaderId,
          leaderEpoch: p.leaderEpoch,
          replicas: p.replicaNodes,
          isr: p.isrNodes,
          offline: p.offlineReplicas,
        }))
        .sort((a, b) => a.partition - b.partition);
    });
  }

  /** Its DescribeCluster answer (v1), or null when it does not answer. */
  async describeCluster(): Promise<ClusterView | null> {
    return this.ask(async (client) => {
      const body = await client.call(60, 1, { includeClusterAuthorizedOperations: false, endpointType: 1 });
      const brokers = body.brokers.map((b) => ({ nodeId: b.brokerId, host: b.host, port: b.port, rack: b.rack }));
      return { askedNodeId: this.nodeId, clusterId: body.clusterId, controllerId: body.controllerId, brokers };
    });
  }

  private async ask<T>(call: (client: RawClient) => Promise<T>): Promise<T | null> {
    if (!this.answering) return null;
    const { port } = this.proc;
    let client: RawClient | null = null;
    try {
      client = await RawClient.connect('127.0.0.1', port);
      return await call(client);
    } catch {
      return null;
    } finally {
      client?.close();
    }
  }
}

export class BrokerCluster {
  readonly brokers = new Map<number, ClusterBroker>();

  private constructor(
    readonly etcd: EtcdProcess,
    private readonly ownsEtcd: boolean,
    readonly clusterName: string,
    private readonly options: BrokerClusterOptions,
  ) {}

  /** etcd (unless given) and brokers 1..N, started together; resolves once every broker logged "ready". */
  static async start(options: BrokerClusterOptions): Promise<BrokerCluster> {
    const etcd = options.etcd ?? (await startEtcdProcess());
    clusters += 1;
    const cluster = new BrokerCluster(etcd, options.etcd === undefined, `test-${process.pid}-${clusters}`, options);
    for (let nodeId = 1; nodeId <= options.brokers; nodeId++) cluster.add(nodeId);
    await Promise.all([...cluster.brokers.values()].map((b) => b.start()));
    return cluster;
  }

  /** The config a broker of this cluster starts with (tests start extra brokers from it), `extra` winning. */
  settingsFor(nodeId: number, logDir: string, extra: Record<string, string> = {}): Record<string, string> {
    return {
      'node.id': String(nodeId),
      'log.dirs': logDir,
      'fjord.etcd.endpoints': this.etcd.endpoint,
      'fjord.cluster.name': this.clusterName,
      'broker.session.timeout.ms': String(TEST_SESSION_TIMEOUT_MS),
      'fjord.workers': '1',
      ...this.options.settings,
      ...this.options.settingsOf?.(nodeId),
      ...extra,
    };
  }

  /** A broker of the cluster, not started yet: its own temp log dir unless given, and extra settings. */
  add(nodeId: number, options: { settings?: Record<string, string>; logDir?: string } = {}): ClusterBroker {
    const logDir = options.logDir ?? tempDir(`fjord-broker-${nodeId}-`);
    const broker = new ClusterBroker(nodeId, logDir, this.settingsFor(nodeId, logDir, options.settings));
    this.brokers.set(nodeId, broker);
    return broker;
  }

  broker(nodeId: number): ClusterBroker {
    const broker = this.brokers.get(nodeId);
    if (broker === undefined) throw new Error(`no broker ${nodeId} in this cluster`);
    return broker;
  }

  answering(): ClusterBroker[] {
    return [...this.brokers.values()].filter((b) => b.answering);
  }

  /** host:port of every answering broker, for a client's bootstrap list. */
  bootstrapServers(): string[] {
    return this.answering().map((b) => b.bootstrap);
  }

  /** Polls `probe` until it returns a value (not null, undefined or false), failing after `timeoutMs` with `what`. */
  async waitFor<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = WAIT_MS_DEFAULT): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await probe();
      if (value !== null && value !== undefined && value !== false) return value;
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }

  /** The Metadata answers of every answering broker, once `agree` holds for all of them (and each answered). */
  async waitForViews(what: string, agree: (views: ClusterView[]) => boolean, timeoutMs = WAIT_MS_DEFAULT): Promise<ClusterView[]> {
    return this.waitFor(
      what,
      async () => {
        const views = await Promise.all(this.answering().map((b) => b.metadata()));
        if (views.some((v) => v === null)) return null;
        return agree(views as ClusterView[]) ? (views as ClusterView[]) : null;
      },
      timeoutMs,
    );
  }

  /** Waits until every answering broker lists exactly `nodeIds` and names the same live controller among them. */
  async waitForMembers(nodeIds: number[], timeoutMs = WAIT_MS_DEFAULT): Promise<ClusterView[]> {
    const wanted = [...nodeIds].sort((a, b) => a - b).join(',');
    return this.waitForViews(
      `every answering broker to list brokers [${wanted}] and one controller among them`,
      (views) =>
        views.every((v) => v.brokers.map((b) => b.nodeId).join(',') === wanted && v.controllerId === views[0]!.controllerId) &&
        nodeIds.includes(views[0]!.controllerId),
      timeoutMs,
    );
  }

  /**
   * Every answering broker's partitions of `topic`, once they all give the same answer and `agree` holds for it
   * (e.g. every partition led, every ISR full).
   */
  async waitForPartitions(topic: string, what: string, agree: (partitions: PartitionView[]) => boolean, timeoutMs = WAIT_MS_DEFAULT): Promise<PartitionView[]> {
    return this.waitFor(
      `every answering broker to agree on ${topic}: ${what}`,
      async () => {
        const views = await Promise.all(this.answering().map((b) => b.partitions(topic)));
        const first = views[0];
        if (first === null || first === undefined || views.some((v) => JSON.stringify(v) !== JSON.stringify(first))) return null;
        return agree(first) ? first : null;
      },
      timeoutMs,
    );
  }

  /** Stops every broker (SIGTERM), then the etcd it started. */
  async stop(): Promise<void> {
    await Promise.all([...this.brokers.values()].map((b) => b.stop()));
    if (this.ownsEtcd) await this.etcd.stop();
  }
}
