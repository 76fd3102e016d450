// A small framework for distributed scenarios on a real cluster (BrokerCluster: etcd plus N broker processes): a
// scenario declares its brokers and settings, its topics, its clients (recording producers and consumers, see
// scenario-clients.ts) and runs its faults on `cluster` (kill, freeze, thaw, restart, stop; `cluster.etcd` stop
// and restart); `verify()` then lets the cluster settle (every partition led, every replica back in its ISR and
// holding the committed log), reads each partition from its leader as a fresh consumer and from every in-sync
// replica's disk, and checks the model (scenario-model.ts): nothing acknowledged lost, nothing stored twice, no
// offset read as two messages, nothing read rolled back, replicas identical. Test helper.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { BrokerCluster, type PartitionView } from './broker-cluster.js';
import { fetchCommitted, readReplicaLog } from './partition-reads.js';
import { ScenarioConsumer, scenarioKafka, ScenarioProducer } from './scenario-clients.js';
import { type PartitionLog, partitionKey, replicaDifferences, ScenarioModel } from './scenario-model.js';

export interface TopicSpec {
  name: string;
  partitions: number;
  replicationFactor: number;
  configs?: Record<string, string>;
}

export interface ScenarioSpec {
  brokers: number;
  /** Config of every broker (BrokerCluster's defaults: a 2 s session, one worker). */
  settings?: Record<string, string>;
  topics?: TopicSpec[];
}

/** How long the cluster may take to settle after the last fault (a restarted broker catching up included). */
const SETTLE_MS = 60_000;

export const fullyReplicated = (count: number) => (ps: PartitionView[]) =>
  ps.length === count && ps.every((p) => p.errorCode === 0 && p.leader > 0 && p.isr.length === p.replicas.length);

export class ClusterScenario {
  readonly model = new ScenarioModel();
  private readonly topics = new Map<string, TopicSpec>();
  private readonly producers: ScenarioProducer[] = [];
  private readonly consumers: ScenarioConsumer[] = [];
  /** The log lines of every broker process the scenario saw (kept after a process ends), for a failure's report. */
  private readonly replicaAnomalies: string[] = [];
  private readonly brokerLogs: Array<{ nodeId: number; lines: Array<Record<string, unknown>> }> = [];

  private constructor(readonly cluster: BrokerCluster) {
    this.noteProcesses();
  }

  /** Keeps the log lines of broker processes started since the last call (call it after starting one). */
  noteProcesses(): void {
    for (const broker of this.cluster.brokers.values()) {
      if (!broker.answering) continue;
      const { logLines } = broker.proc;
      if (!this.brokerLogs.some((l) => l.lines === logLines)) this.brokerLogs.push({ nodeId: broker.nodeId, lines: logLines });
    }
  }

  /** Starts etcd and the brokers, waits until they all see one another, and creates the declared topics. */
  static async start(spec: ScenarioSpec): Promise<ClusterScenario> {
    // FJORD_SCENARIO_LOG_LEVEL=debug gives the brokers' debug lines to the logs written on an anomaly.
    const logLevel = process.env['FJORD_SCENARIO_LOG_LEVEL'] ?? 'info';
    const cluster = await BrokerCluster.start({ brokers: spec.brokers, settings: { 'fjord.log.level': logLevel, ...spec.settings } });
    const scenario = new ClusterScenario(cluster);
    await cluster.waitForMembers([...cluster.brokers.keys()]);
    for (const topic of spec.topics ?? []) await scenario.createTopic(topic);
    return scenario;
  }

  /** A KafkaJS client bootstrapping from whichever brokers answer at the time. */
  kafka(clientId: string) {
    return scenarioKafka(() => this.cluster.bootstrapServers(), clientId);
  }

  /** Creates a topic through any broker and waits until every partition is led with its full ISR. */
  async createTopic(spec: TopicSpec): Promise<void> {
    const admin = this.kafka('scenario-admin').admin();
    await admin.connect();
    try {
      const configEntries = Object.entries(spec.configs ?? {}).map(([name, value]) => ({ name, value }));
      await admin.createTopics({ topics: [{ topic: spec.name, numPartitions: spec.partitions, replicationFactor: spec.replicationFactor, configEntries }] });
    } finally {
      await admin.disconnect();
    }
    this.topics.set(spec.name, spec);
    await this.cluster.waitForPartitions(spec.name, 'every partition led with its full ISR', fullyReplicated(spec.partitions));
  }

  /** A producer of unique values named after it, to the topic's partitions in turn: idempotent acks=all, or acks=1. */
  producer(name: string, topic: string, acks: -1 | 1 = -1): ScenarioProducer {
    const producer = new ScenarioProducer(this.kafka(name), this.model, name, topic, this.topic(topic).partitions, acks);
    this.producers.push(producer);
    return producer;
  }

  /** A started consumer group member reading the topic from the beginning. */
  async consumer(name: string, topic: string, groupId: string): Promise<ScenarioConsumer> {
    const consumer = new ScenarioConsumer(this.kafka(name), this.model, name, topic, groupId);
    this.consumers.push(consumer);
    await consumer.start();
    return consumer;
  }

  /** The partition's leader as every answering broker agrees on it. */
  async leaderOf(topic: string, partition: number): Promise<PartitionView> {
    const views = await this.cluster.waitForPartitions(topic, `partition ${partition} led`, (ps) => (ps[partition]?.leader ?? -1) > 0);
    return views[partition]!;
  }

  /**
   * Once every running broker is back in every ISR: each partition's committed log from its leader, after
   * checking every in-sync replica's disk holds the same records below the high watermark.
   */
  async settledLogs(): Promise<Map<string, PartitionLog>> {
    const logs = new Map<string, PartitionLog>();
    for (const spec of this.topics.values()) {
      const partitions = await this.cluster.waitForPartitions(
        spec.name,
        'settled: every partition led with its full ISR',
        fullyReplicated(spec.partitions),
        SETTLE_MS,
      );
      for (const p of partitions) logs.set(partitionKey(spec.name, p.partition), await this.settledPartition(spec.name, p));
    }
    return logs;
  }

  /** Stops the clients, settles, and expects no anomaly; returns the settled logs for further checks. */
  async verify(): Promise<Map<string, PartitionLog>> {
    await this.closeClients();
    this.noteProcesses();
    const logs = await this.settledLogs();
    const anomalies = [...this.replicaAnomalies.splice(0), ...this.model.anomalies(logs)];
    if (anomalies.length > 0) console.log(`scenario anomalies; the brokers' logs are in ${this.writeBrokerLogs()}`);
    expect(anomalies).toEqual([]);
    return logs;
  }

  /** Writes every broker process's log lines (broker-<node id>-<n>.log, JSON lines) to a new dir kept after the test; its path. */
  writeBrokerLogs(): string {
    const dir = mkdtempSync(join(tmpdir(), 'fjord-scenario-logs-'));
    this.brokerLogs.forEach(({ nodeId, lines }, n) => {
      writeFileSync(join(dir, `broker-${nodeId}-${n}.log`), lines.map((l) => JSON.stringify(l)).join('\n'));
    });
    return dir;
  }

  async closeClients(): Promise<void> {
    await Promise.all([...this.producers.splice(0).map((p) => p.close()), ...this.consumers.splice(0).map((c) => c.stop())]);
  }

  async stop(): Promise<void> {
    await this.closeClients().catch(() => undefined);
    await this.cluster.stop();
  }

  private topic(name: string): TopicSpec {
    const spec = this.topics.get(name);
    if (spec === undefined) throw new Error(`the scenario declared no topic ${name}`);
    return spec;
  }

  private async settledPartition(topic: string, p: PartitionView): Promise<PartitionLog> {
    const leader = this.cluster.broker(p.leader);
    const committed = await this.cluster.waitFor(`${topic}/${p.partition} read from its leader ${p.leader}`, () =>
      fetchCommitted(leader.proc.port, topic, p.partition),
    );
    const { log, highWatermark } = committed;
    for (const replica of p.isr) {
      const { logDir } = this.cluster.broker(replica);
      // A follower in the ISR has the records; its disk may show the last append a moment later.
      const onDisk = await this.cluster.waitFor(`replica ${replica} of ${topic}/${p.partition} to hold offsets below ${highWatermark}`, async () => {
        const replicaLog = await readReplicaLog(logDir, topic, p.partition);
        return replicaLog.filter((r) => r.offset < highWatermark).length >= log.length ? replicaLog : null;
      });
      this.replicaAnomalies.push(...replicaDifferences(`broker ${replica}'s replica of ${topic}/${p.partition}`, log, onDisk, highWatermark));
    }
    return log;
  }
}
