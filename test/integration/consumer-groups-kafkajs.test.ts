// KafkaJS consumer groups against a real broker process: three members split a 6-partition topic and
// receive every message once; a member that leaves or is killed has its partitions taken over; two groups
// each receive everything; committed offsets resume after a clean restart and after kill -9; resetting
// an empty group's offsets to earliest replays the topic.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import kafkajs from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BrokerProcess, startBrokerProcess } from '../helpers/broker-process.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitUntil } from '../helpers/wait-until.js';

const { Kafka, logLevel, Partitioners } = kafkajs;
type Consumer = ReturnType<InstanceType<typeof Kafka>['consumer']>;

const SETTINGS = { 'group.initial.rebalance.delay.ms': '300', 'group.min.session.timeout.ms': '1000', 'offsets.topic.num.partitions': '10' };
const logDir = tempDir('fjord-groups-kafkajs-');
let broker: BrokerProcess;
let kafka: InstanceType<typeof Kafka>;
const running = new Set<Consumer>();
const children = new Set<ChildProcess>();

beforeAll(async () => {
  broker = await startBrokerProcess(SETTINGS, logDir);
  kafka = client();
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    topics: [
      { topic: 'six', numPartitions: 6 },
      { topic: 'resume', numPartitions: 3 },
      { topic: 'replay', numPartitions: 2 },
    ],
  });
  await admin.disconnect();
});

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  for (const consumer of running) await consumer.disconnect().catch(() => {});
  expect(await broker.stop()).toBe(0);
});

function client(): InstanceType<typeof Kafka> {
  return new Kafka({ clientId: 'fjord-groups', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 10, initialRetryTime: 100 } });
}

interface Member {
  consumer: Consumer;
  /** Partitions of the topic assigned at the last rebalance. */
  assigned: number[];
  /** "partition:offset:value" of every message received. */
  received: string[];
}

async function startMember(groupId: string, topic: string, options: { autoCommitThreshold?: number } = {}): Promise<Member> {
  const consumer = kafka.consumer({ groupId, sessionTimeout: 3000, heartbeatInterval: 300, rebalanceTimeout: 10_000, maxWaitTimeInMs: 100 });
  const member: Member = { consumer, assigned: [], received: [] };
  consumer.on(consumer.events.GROUP_JOIN, (event) => {
    member.assigned = [...(event.payload.memberAssignment[topic] ?? [])].sort((a, b) => a - b);
  });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  running.add(consumer);
  await consumer.run({
    ...(options.autoCommitThreshold === undefined ? {} : { autoCommitThreshold: options.autoCommitThreshold }),
    eachMessage: async ({ partition, message }) => {
      member.received.push(`${partition}:${message.offset}:${message.value!.toString()}`);
    },
  });
  return member;
}

async function stopMember(member: Member): Promise<void> {
  await member.consumer.disconnect();
  running.delete(member.consumer);
}

async function produce(topic: string, count: number, prefix: string): Promise<string[]> {
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  const values = Array.from({ length: count }, (_, i) => `${prefix}-${i}`);
  await producer.send({ topic, acks: -1, messages: values.map((value) => ({ key: value, value })) });
  await producer.disconnect();
  return values;
}

/** The members' assignments are disjoint and together cover partitions 0..count-1. */
function coversAll(assignments: number[][], count: number): boolean {
  const all = assignments.flat().sort((a, b) => a - b);
  return all.length === count && all.every((p, i) => p === i);
}

function valuesOf(received: string[], prefix: string): string[] {
  return received.map((r) => r.slice(r.indexOf(':', r.indexOf(':') + 1) + 1)).filter((v) => v.startsWith(`${prefix}-`));
}

describe('KafkaJS consumer groups', () => {
  let members: Member[] = [];

  it('three members split a 6-partition topic two each and receive every message exactly once', async () => {
    members = await Promise.all([startMember('trio', 'six'), startMember('trio', 'six'), startMember('trio', 'six')]);
    await waitUntil(
      () =>
        members.every((m) => m.assigned.length === 2) &&
        coversAll(
          members.map((m) => m.assigned),
          6,
        ),
      'two partitions each',
    );
    const sent = await produce('six', 600, 'first');
    const received = () => members.flatMap((m) => valuesOf(m.received, 'first'));
    await waitUntil(() => received().length >= 600, 'all 600 messages');
    expect(received().sort()).toEqual([...sent].sort());
    for (const m of members) expect(m.received.every((r) => m.assigned.includes(Number(r.split(':')[0])))).toBe(true);
  });

  it('when one member leaves, the other two take over its partitions', async () => {
    const leaving = members.pop()!;
    await stopMember(leaving);
    await waitUntil(
      () =>
        members.every((m) => m.assigned.length === 3) &&
        coversAll(
          members.map((m) => m.assigned),
          6,
        ),
      'three partitions each',
    );
    const sent = await produce('six', 300, 'second');
    const received = () => members.flatMap((m) => valuesOf(m.received, 'second'));
    await waitUntil(() => received().length >= 300, 'all 300 messages');
    expect(received().sort()).toEqual([...sent].sort());
  });

  it('when a member is killed, its partitions move to the others after the session timeout', async () => {
    const script = fileURLToPath(new URL('./fixtures/kafkajs-group-member.mjs', import.meta.url));
    const child = spawn(process.execPath, [script, broker.bootstrap, 'trio', 'six'], { stdio: ['ignore', 'pipe', 'inherit'] });
    children.add(child);
    let childAssigned: number[] = [];
    createInterface({ input: child.stdout! }).on('line', (line) => {
      childAssigned = (JSON.parse(line) as { assigned: number[] }).assigned;
    });
    await waitUntil(() => childAssigned.length === 2 && coversAll([childAssigned, ...members.map((m) => m.assigned)], 6), 'the child to get two partitions');
    child.kill('SIGKILL');
    children.delete(child);
    await waitUntil(
      () =>
        members.every((m) => m.assigned.length === 3) &&
        coversAll(
          members.map((m) => m.assigned),
          6,
        ),
      'the survivors to take over',
      20_000,
    );
    const sent = await produce('six', 120, 'third');
    const received = () => members.flatMap((m) => valuesOf(m.received, 'third'));
    await waitUntil(() => received().length >= 120, 'all 120 messages');
    expect(received().sort()).toEqual([...sent].sort());
  });

  it('a second group receives every message of the topic too', async () => {
    const other = await startMember('another-group', 'six');
    await waitUntil(() => other.received.length >= 1020, 'the whole topic');
    expect(other.assigned).toEqual([0, 1, 2, 3, 4, 5]);
    expect(other.received).toHaveLength(1020);
    await stopMember(other);
    for (const m of members) await stopMember(m);
  });
});

describe('committed offsets across broker restarts', () => {
  async function consumeUntil(prefix: string, count: number): Promise<string[]> {
    const member = await startMember('resumer', 'resume', { autoCommitThreshold: 1 });
    await waitUntil(() => member.received.length >= count, `${count} messages`);
    const admin = kafka.admin();
    await admin.connect();
    await waitUntil(async () => {
      const [committed] = await admin.fetchOffsets({ groupId: 'resumer', topics: ['resume'] });
      const total = committed!.partitions.reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
      const ends = await admin.fetchTopicOffsets('resume');
      return total === ends.reduce((sum, p) => sum + Number(p.high), 0);
    }, 'the commits to catch up');
    await admin.disconnect();
    await stopMember(member);
    expect(valuesOf(member.received, prefix)).toHaveLength(count);
    return member.received;
  }

  it('resume after a clean restart and after kill -9, receiving only what came since', async () => {
    await produce('resume', 90, 'before');
    expect(await consumeUntil('before', 90)).toHaveLength(90);

    expect(await broker.stop()).toBe(0);
    broker = await startBrokerProcess(SETTINGS, logDir);
    kafka = client();
    await produce('resume', 30, 'after-clean');
    const afterClean = await consumeUntil('after-clean', 30);
    expect(afterClean).toHaveLength(30);

    await broker.kill();
    broker = await startBrokerProcess(SETTINGS, logDir);
    kafka = client();
    await produce('resume', 30, 'after-kill');
    const afterKill = await consumeUntil('after-kill', 30);
    expect(afterKill).toHaveLength(30);
  });

  it('resetting an empty group to earliest replays the topic; a group with members is refused', async () => {
    await produce('replay', 40, 'replay');
    const first = await startMember('rewinder', 'replay', { autoCommitThreshold: 1 });
    await waitUntil(() => first.received.length >= 40, 'the first pass');
    const admin = kafka.admin();
    await admin.connect();
    await expect(admin.resetOffsets({ groupId: 'rewinder', topic: 'replay', earliest: true })).rejects.toThrow(/running instances|no running/i);
    await stopMember(first);
    await admin.resetOffsets({ groupId: 'rewinder', topic: 'replay', earliest: true });
    // KafkaJS commits -2 ("earliest") and resolves it when the group next consumes.
    const [offsets] = await admin.fetchOffsets({ groupId: 'rewinder', topics: ['replay'] });
    expect(offsets!.partitions.map((p) => p.offset)).toEqual(['-2', '-2']);
    await admin.disconnect();
    const second = await startMember('rewinder', 'replay');
    await waitUntil(() => second.received.length >= 40, 'the replay');
    expect(valuesOf(second.received, 'replay').sort()).toEqual(valuesOf(first.received, 'replay').sort());
    await stopMember(second);
    await admin.connect();
    const end1 = (await admin.fetchTopicOffsets('replay')).find((p) => p.partition === 1)!.high;
    await admin.setOffsets({
      groupId: 'rewinder',
      topic: 'replay',
      partitions: [
        { partition: 0, offset: '5' },
        { partition: 1, offset: end1 },
      ],
    });
    await admin.disconnect();
    const third = await startMember('rewinder', 'replay');
    const partition0 = second.received.filter((r) => r.startsWith('0:')).length;
    await waitUntil(() => third.received.length >= partition0 - 5, 'partition 0 from offset 5');
    expect(third.received.every((r) => r.startsWith('0:') && Number(r.split(':')[1]) >= 5)).toBe(true);
    await stopMember(third);
  });
});
