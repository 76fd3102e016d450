// Leaders that stop leading in an orderly way, on a real three-broker cluster (in this process, so a log dir can
// fail on demand): a broker stopped (SIGTERM's path, BrokerHandle.stop) hands the partitions it leads to other
// in-sync replicas before it leaves; a broker whose log dir fails hands over the partitions it led there while it
// keeps leading the others; the controller counts partitions left with no live leader (/metrics).
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BrokerHandle, launchBroker } from '../../src/broker.js';
import { RawClient } from '../broker/raw-client.js';
import { sampleValue, scrape } from '../observability/prometheus-text.js';
import { fjord } from '../cli/run-fjord.js';
import { captureLogger } from '../helpers/capture-logger.js';
import { type EtcdProcess, startEtcdProcess } from '../helpers/etcd-process.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitUntil } from '../helpers/wait-until.js';

let etcd: EtcdProcess;
const brokers = new Map<number, BrokerHandle>();
const logs = new Map<number, ReturnType<typeof captureLogger>>();
const dirs = new Map<number, string[]>();

async function start(nodeId: number): Promise<BrokerHandle> {
  const log = captureLogger();
  logs.set(nodeId, log);
  const logDirs = dirs.get(nodeId) ?? [tempDir(`fjord-leaving-${nodeId}a-`), tempDir(`fjord-leaving-${nodeId}b-`)];
  dirs.set(nodeId, logDirs);
  const broker = await launchBroker({
    config: {
      'node.id': String(nodeId),
      'log.dirs': logDirs.join(','),
      listeners: 'PLAINTEXT://127.0.0.1:0',
      'fjord.http.listener': 'http://127.0.0.1:0',
      'fjord.etcd.endpoints': etcd.endpoint,
      'fjord.cluster.name': `leaving-${process.pid}`,
      'broker.session.timeout.ms': '2000',
      'fjord.workers': '1',
      'offsets.topic.replication.factor': '3',
      'offsets.topic.num.partitions': '2',
      'group.initial.rebalance.delay.ms': '0',
    },
    logger: log.logger,
    faultInjection: true,
  });
  brokers.set(nodeId, broker);
  return broker;
}

beforeAll(async () => {
  etcd = await startEtcdProcess();
  for (const id of [1, 2, 3]) await start(id);
});
afterAll(async () => {
  await Promise.all([...brokers.values()].map((b) => b.stop()));
  await etcd?.stop();
});

function kafka(): Kafka {
  return new Kafka({
    clientId: 'leaving-leaders',
    brokers: [...brokers.values()].map((b) => b.bootstrap),
    logLevel: logLevel.NOTHING,
    retry: { retries: 30, maxRetryTime: 500 },
  });
}

type Placement = { partitionId: number; leader: number; isr: number[] };

async function placement(topic: string): Promise<Placement[]> {
  const admin = kafka().admin();
  await admin.connect();
  try {
    const md = await admin.fetchTopicMetadata({ topics: [topic] });
    return md.topics[0]!.partitions.map((p) => ({ partitionId: p.partitionId, leader: p.leader, isr: [...p.isr].sort() })).sort(
      (a, b) => a.partitionId - b.partitionId,
    );
  } finally {
    await admin.disconnect();
  }
}

async function createTopic(topic: string, partitions: number): Promise<void> {
  const admin = kafka().admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: partitions, replicationFactor: 3 }], waitForLeaders: true });
  await admin.disconnect();
  await waitUntil(async () => (await placement(topic)).every((p) => p.leader > 0 && p.isr.length === 3), `${topic} fully replicated`, 20_000);
}

/** The controller's node id, as a live broker's Metadata (asking for no topic) names it. */
async function controllerId(): Promise<number> {
  const client = await RawClient.connect('127.0.0.1', [...brokers.values()][0]!.address.port);
  try {
    return (await client.call(3, 12, { topics: [], allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false })).controllerId;
  } finally {
    client.close();
  }
}

const messagesOf = (log: ReturnType<typeof captureLogger>) => log.lines.map((l) => String(l.msg));

describe('leaders that leave in order', () => {
  it('the controller (only) counts the partitions left with no live leader', async () => {
    const host = [...brokers.keys()].at(-1)!;
    const admin = kafka().admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'single', replicaAssignment: [{ partition: 0, replicas: [host] }] }], waitForLeaders: true });
    await admin.disconnect();
    const offlineOn = async (id: number) => sampleValue(await scrape(`http://127.0.0.1:${brokers.get(id)!.http!.port}`), 'fjord_cluster_partitions_offline');
    const offlineOnController = async () => offlineOn(await controllerId());
    await waitUntil(async () => (await offlineOnController()) === 0, 'the controller reports no offline partition', 20_000);
    await brokers.get(host)!.stop();
    brokers.delete(host);
    await waitUntil(async () => (await offlineOnController()) === 1, 'the controller counts the partition its only replica left', 20_000);
    // As Kafka's OfflinePartitionsCount: the other brokers report 0.
    const controller = await controllerId();
    for (const id of brokers.keys()) if (id !== controller) expect(await offlineOn(id)).toBe(0);
    // `fjord topics describe --unavailable-partitions` lists it (its replica offline, no offsets), and nothing else.
    const unavailable = await fjord(['topics', 'describe', '--unavailable-partitions', '-b', [...brokers.values()][0]!.bootstrap]);
    expect(unavailable.status).toBe(0);
    const [head, , row] = unavailable.stdout.trimEnd().split('\n');
    expect(head).toMatch(/^Topic: single /);
    // Offline with its last ISR kept (its replica leads again when it returns).
    expect(row!.split(/\s+/).slice(0, 7)).toEqual(['0', '-1', String(host), String(host), String(host), '-', '-']);
    await start(host);
    await waitUntil(async () => (await offlineOnController()) === 0, 'led again once its replica is back', 20_000);
    // Gone again: with one replica it would be offline whenever a later test stops its broker (clients' Metadata fails then).
    const cleanup = kafka().admin();
    await cleanup.connect();
    await cleanup.deleteTopics({ topics: ['single'] });
    await cleanup.disconnect();
  });

  it('a stopping broker hands the partitions it leads to in-sync replicas before it leaves', async () => {
    await createTopic('handover', 3);
    const before = await placement('handover');
    const leaving = before[0]!.leader;
    const led = before.filter((p) => p.leader === leaving).length;
    await brokers.get(leaving)!.stop();
    brokers.delete(leaving);
    expect(messagesOf(logs.get(leaving)!)).toContain('controlled shutdown: partition leadership handed to other in-sync replicas');
    expect(logs.get(leaving)!.lines.find((l) => l.msg === 'controlled shutdown: partition leadership handed to other in-sync replicas')?.partitions).toBe(led);
    const after = await placement('handover');
    for (const p of after) {
      expect(p.leader).not.toBe(leaving);
      expect(p.isr).not.toContain(leaving);
    }
    const producer = kafka().producer({ idempotent: true });
    await producer.connect();
    await producer.send({ topic: 'handover', acks: -1, messages: [{ key: 'k', value: 'after the handover' }] });
    await producer.disconnect();
    await start(leaving);
    await waitUntil(async () => (await placement('handover')).every((p) => p.isr.length === 3), 'the returned broker back in every ISR', 30_000);
  });

  it('a broker whose log dir fails hands over the partitions it led there and keeps leading the others', async () => {
    await createTopic('jbod', 6);
    const before = await placement('jbod');
    const nodeId = before[0]!.leader;
    const broker = brokers.get(nodeId)!;
    const failing = broker.engine.partitions().find((p) => p.topic === 'jbod' && p.partition === 0)!.logDir;
    const ledThere = before.filter(
      (p) => p.leader === nodeId && broker.engine.partitions().some((q) => q.topic === 'jbod' && q.partition === p.partitionId && q.logDir === failing),
    );
    const ledElsewhere = before.filter((p) => p.leader === nodeId && !ledThere.includes(p));
    await broker.engine.injectFault(failing, 'EIO');
    // A write is what finds the fault: produce to partition 0 (it fails there, and is retried at the new leader).
    const producer = kafka().producer({ idempotent: true });
    await producer.connect();
    await producer.send({ topic: 'jbod', acks: -1, messages: [{ partition: 0, value: 'finds the fault' }] });
    await producer.disconnect();
    await waitUntil(
      async () => {
        const now = await placement('jbod');
        return ledThere.every((p) => now[p.partitionId]!.leader !== nodeId && now[p.partitionId]!.leader > 0);
      },
      'new leaders for the partitions in the failed dir',
      20_000,
    );
    expect(messagesOf(logs.get(nodeId)!)).toContain('log dir failed: the partitions this broker led there were handed to other in-sync replicas');
    const after = await placement('jbod');
    for (const p of ledElsewhere) expect(after[p.partitionId]!.leader).toBe(nodeId);
  });
});
