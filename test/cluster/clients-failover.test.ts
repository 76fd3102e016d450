// The three clients the project is judged by ride through a partition leader's death on a real three-broker
// cluster: for KafkaJS, @platformatic/kafka and kcat (librdkafka) each, a consumer group member and an idempotent
// acks=all producer run; the leader of a partition is killed (SIGKILL) between two batches; the same producer's
// second batch is acknowledged (on the new leader) and the same group member, not restarted, receives every message
// of both batches, each stored once (a member may be given a message again after its group's coordinator moved:
// at-least-once delivery, but from the same offset). The killed broker is started again before the next client.
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import '../helpers/promise-with-resolvers.js';
import { Consumer, Producer, stringDeserializers, stringSerializers } from '@platformatic/kafka';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrokerCluster } from '../helpers/broker-cluster.js';
import { kcat } from '../helpers/kcat.js';
import { waitUntil } from '../helpers/wait-until.js';

const BATCH = 40;
let cluster: BrokerCluster;
const children = new Set<ChildProcess>();

beforeAll(async () => {
  cluster = await BrokerCluster.start({
    brokers: 3,
    settings: { 'offsets.topic.replication.factor': '3', 'offsets.topic.num.partitions': '3', 'group.initial.rebalance.delay.ms': '0' },
  });
  await cluster.waitForMembers([1, 2, 3]);
});
afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await cluster?.stop();
});

/**
 * What a member received ("partition:offset=value" lines): each offset holds one value, and the values stored
 * are exactly `expected`, each once (a redelivery repeats an offset, a producer's duplicate would add one).
 */
function expectEachStoredOnce(received: string[], expected: string[]): void {
  const byOffset = new Map<string, string>();
  for (const line of received) {
    const [at, value] = [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)];
    expect(byOffset.get(at) ?? value).toBe(value);
    byOffset.set(at, value);
  }
  expect([...byOffset.values()].sort()).toEqual([...expected].sort());
}

const distinct = (received: string[]) => new Set(received).size;

const batch = (prefix: string) => Array.from({ length: BATCH }, (_, i) => `${prefix}-${String(i).padStart(3, '0')}`);

function kafkajs(): Kafka {
  return new Kafka({ clientId: 'failover-test', brokers: cluster.bootstrapServers(), logLevel: logLevel.NOTHING, retry: { retries: 30, maxRetryTime: 1000 } });
}

/** A replicated topic of two partitions, every ISR full; returns the leader of partition 0. */
async function replicatedTopic(topic: string): Promise<number> {
  const admin = kafkajs().admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 2, replicationFactor: 3 }], waitForLeaders: true });
  await admin.disconnect();
  const partitions = await cluster.waitForPartitions(
    topic,
    'led with full ISRs',
    (ps) => ps.length === 2 && ps.every((p) => p.leader > 0 && p.isr.length === 3),
  );
  return partitions[0]!.leader;
}

/** Kills the leader, waits for a new one, runs `during`, then starts the killed broker again and waits for full ISRs. */
async function killLeaderAround(topic: string, leader: number, during: () => Promise<void>): Promise<void> {
  await cluster.broker(leader).kill();
  await cluster.waitForPartitions(topic, `a leader other than ${leader}`, (ps) => ps.every((p) => p.leader > 0 && p.leader !== leader));
  await during();
  await cluster.broker(leader).start();
  await cluster.waitForPartitions(topic, 'full ISRs again', (ps) => ps.every((p) => p.isr.length === 3), 30_000);
}

describe('clients ride through a leader failure', () => {
  it('KafkaJS: an idempotent acks=all producer and a group member carry on across the kill', async () => {
    const topic = 'failover-kafkajs';
    const leader = await replicatedTopic(topic);
    const client = kafkajs();
    const producer = client.producer({ idempotent: true, maxInFlightRequests: 1 });
    const consumer = client.consumer({ groupId: 'kafkajs-group', sessionTimeout: 10_000, heartbeatInterval: 500 });
    await Promise.all([producer.connect(), consumer.connect()]);
    await consumer.subscribe({ topic, fromBeginning: true });
    const received: string[] = [];
    await consumer.run({ eachMessage: async ({ partition, message }) => void received.push(`${partition}:${message.offset}=${message.value!.toString()}`) });
    const send = async (values: string[]) => {
      for (const value of values) await producer.send({ topic, acks: -1, messages: [{ key: value, value }] });
    };
    await send(batch('before'));
    await waitUntil(() => distinct(received) >= BATCH, 'the first batch', 30_000);
    await killLeaderAround(topic, leader, async () => {
      await send(batch('after'));
      await waitUntil(() => distinct(received) >= 2 * BATCH, 'both batches', 60_000);
    });
    await Promise.all([producer.disconnect(), consumer.disconnect()]);
    expectEachStoredOnce(received, [...batch('before'), ...batch('after')]);
  });

  it('@platformatic/kafka: an idempotent acks=all producer and a group member carry on across the kill', async () => {
    const topic = 'failover-platformatic';
    const leader = await replicatedTopic(topic);
    const common = { bootstrapBrokers: cluster.bootstrapServers(), retries: 30, retryDelay: 250 };
    const producer = new Producer({ ...common, clientId: 'failover-pk', serializers: stringSerializers, idempotent: true, acks: -1 });
    const consumer = new Consumer({
      ...common,
      clientId: 'failover-pk-member',
      groupId: 'platformatic-group',
      deserializers: stringDeserializers,
      sessionTimeout: 10_000,
      heartbeatInterval: 500,
      maxWaitTime: 100,
    });
    const received: string[] = [];
    const stream = await consumer.consume({ topics: [topic], mode: 'committed', fallbackMode: 'earliest', autocommit: 100 });
    stream.on('data', (message) => received.push(`${message.partition}:${message.offset}=${message.value}`));
    const send = async (values: string[]) => {
      for (const value of values) await producer.send({ messages: [{ topic, key: value, value }] });
    };
    await send(batch('before'));
    await waitUntil(() => distinct(received) >= BATCH, 'the first batch', 30_000);
    await killLeaderAround(topic, leader, async () => {
      await send(batch('after'));
      await waitUntil(() => distinct(received) >= 2 * BATCH, 'both batches', 60_000);
    });
    await stream.close();
    await Promise.all([producer.close(), consumer.close()]);
    expectEachStoredOnce(received, [...batch('before'), ...batch('after')]);
  });

  it('kcat (librdkafka): an idempotent acks=all producer and a kcat -G member carry on across the kill', async () => {
    const topic = 'failover-kcat';
    const leader = await replicatedTopic(topic);
    const bootstrap = cluster.bootstrapServers().join(',');
    const member = spawn(
      'kcat',
      ['-b', bootstrap, '-u', '-G', 'kcat-group', topic, '-X', 'auto.offset.reset=earliest', '-X', 'session.timeout.ms=10000', '-f', '%p:%o=%s\n'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    children.add(member);
    const received: string[] = [];
    createInterface({ input: member.stdout! }).on('line', (line) => received.push(line));
    const produce = (values: string[]) => {
      const args = ['-b', bootstrap, '-P', '-t', topic, '-X', 'acks=all', '-X', 'enable.idempotence=true', '-X', 'message.timeout.ms=60000'];
      const result = kcat(args, `${values.join('\n')}\n`, 90_000);
      // librdkafka logs its failed connections to the killed broker on stderr; a message it gave up on says "Delivery failed".
      expect(result.stderr).not.toMatch(/delivery failed/i);
      expect(result.status).toBe(0);
    };
    produce(batch('before'));
    await waitUntil(() => distinct(received) >= BATCH, 'the first batch', 30_000);
    await killLeaderAround(topic, leader, async () => {
      produce(batch('after'));
      await waitUntil(() => distinct(received) >= 2 * BATCH, 'both batches', 60_000);
    });
    const exited = new Promise((resolve) => member.once('exit', resolve));
    member.kill('SIGTERM');
    await exited;
    children.delete(member);
    expectEachStoredOnce(received, [...batch('before'), ...batch('after')]);
  });
});
