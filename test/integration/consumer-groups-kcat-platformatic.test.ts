// Consumer groups of librdkafka (kcat -G) and @platformatic/kafka against a real broker process: two kcat
// members split a topic and together read all of it; platformatic members (which take the newest
// JoinGroup/SyncGroup/OffsetCommit/OffsetFetch versions Fjord advertises) split a topic, commit, and a
// new member of the group resumes after the committed offsets.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import kafkajs from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BrokerProcess, startBrokerProcess } from '../helpers/broker-process.js';
import { kcat } from '../helpers/kcat.js';
import '../helpers/promise-with-resolvers.js';
import { waitUntil } from '../helpers/wait-until.js';

const { Kafka, logLevel } = kafkajs;
let broker: BrokerProcess;
const children = new Set<ChildProcess>();

beforeAll(async () => {
  broker = await startBrokerProcess({ 'group.initial.rebalance.delay.ms': '300', 'group.min.session.timeout.ms': '1000', 'offsets.topic.num.partitions': '5' });
  const admin = new Kafka({ clientId: 'fjord-setup', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  await admin.createTopics({
    topics: [
      { topic: 'kcat-split', numPartitions: 4 },
      { topic: 'pk-group', numPartitions: 4 },
    ],
  });
  await admin.disconnect();
});

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  expect(await broker.stop()).toBe(0);
});

interface KcatMember {
  lines: string[];
  assigned: string;
  stop(): Promise<void>;
}

/** A long-running `kcat -G` member; its stderr says what it was assigned, its stdout "partition offset value" lines. */
function kcatMember(group: string, topic: string): KcatMember {
  const child = spawn(
    'kcat',
    ['-b', broker.bootstrap, '-u', '-G', group, topic, '-X', 'auto.offset.reset=earliest', '-X', 'session.timeout.ms=6000', '-f', '%p %o %s\n'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  children.add(child);
  const member: KcatMember = {
    lines: [],
    assigned: '',
    stop: async () => {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
      children.delete(child);
    },
  };
  createInterface({ input: child.stdout! }).on('line', (line) => member.lines.push(line));
  createInterface({ input: child.stderr! }).on('line', (line) => {
    const match = /assigned: (.*)$/.exec(line);
    if (match) member.assigned = match[1]!.trim();
  });
  return member;
}

function partitionsIn(assigned: string): number[] {
  return [...assigned.matchAll(/\[(\d+)\]/g)].map((m) => Number(m[1]));
}

describe('kcat -G (librdkafka)', () => {
  it('two members split a 4-partition topic and together read every message once', async () => {
    const [a, b] = [kcatMember('kcat-group', 'kcat-split'), kcatMember('kcat-group', 'kcat-split')];
    await waitUntil(
      () => {
        const [pa, pb] = [partitionsIn(a.assigned), partitionsIn(b.assigned)];
        return pa.length === 2 && pb.length === 2 && new Set([...pa, ...pb]).size === 4;
      },
      'two partitions each',
      30_000,
    );
    const produced = kcat(
      ['-b', broker.bootstrap, '-P', '-t', 'kcat-split', '-K:'],
      `${Array.from({ length: 200 }, (_, i) => `key-${i}:value-${i}`).join('\n')}\n`,
    );
    expect(produced.status).toBe(0);
    await waitUntil(() => a.lines.length + b.lines.length >= 200, 'all 200 messages', 30_000);
    await Promise.all([a.stop(), b.stop()]);
    const values = [...a.lines, ...b.lines].map((l) => l.split(' ')[2]);
    expect(values.sort()).toEqual(Array.from({ length: 200 }, (_, i) => `value-${i}`).sort());
    for (const m of [a, b]) expect(m.lines.every((l) => partitionsIn(m.assigned).includes(Number(l.split(' ')[0])))).toBe(true);
  });
});

describe('@platformatic/kafka consumer group', () => {
  it('two members split a topic, commit, and a later member resumes after the committed offsets', async () => {
    const { Consumer, Producer, stringDeserializers, stringSerializers } = await import('@platformatic/kafka');
    const producer = new Producer({ clientId: 'fjord-pk-producer', bootstrapBrokers: [broker.bootstrap], serializers: stringSerializers });
    const send = (prefix: string, count: number) =>
      producer.send({
        messages: Array.from({ length: count }, (_, i) => ({ topic: 'pk-group', key: `${prefix}-${i}`, value: `${prefix}-${i}`, partition: i % 4 })),
      });
    await send('first', 80);

    const startMember = async () => {
      const consumer = new Consumer({
        clientId: 'fjord-pk-member',
        groupId: 'pk-members',
        bootstrapBrokers: [broker.bootstrap],
        deserializers: stringDeserializers,
        sessionTimeout: 6000,
        heartbeatInterval: 500,
        rebalanceTimeout: 10_000,
        maxWaitTime: 100,
      });
      const received: string[] = [];
      const stream = await consumer.consume({ topics: ['pk-group'], mode: 'committed', fallbackMode: 'earliest', autocommit: 100 });
      stream.on('data', (message) => received.push(message.value));
      return { consumer, stream, received };
    };
    const members = [await startMember(), await startMember()];
    await waitUntil(() => members.every((m) => (m.consumer.assignments ?? []).flatMap((a) => a.partitions).length === 2), 'two partitions each', 30_000);
    await waitUntil(() => members.reduce((n, m) => n + m.received.length, 0) >= 80, 'the first 80 messages', 30_000);
    expect(members.flatMap((m) => m.received).sort()).toEqual(Array.from({ length: 80 }, (_, i) => `first-${i}`).sort());
    for (const m of members) {
      await m.stream.close();
      await m.consumer.close();
    }

    await send('second', 20);
    const later = await startMember();
    await waitUntil(() => later.received.length >= 20, 'the 20 new messages', 30_000);
    expect(later.received.sort()).toEqual(Array.from({ length: 20 }, (_, i) => `second-${i}`).sort());
    await later.stream.close();
    await later.consumer.close();
    await producer.close();
  });
});
