// Replicated topics through the Kafka API on a real three-broker cluster (processes, a real etcd): a topic created
// through any broker is placed on all three and every broker's Metadata agrees on its leaders, replicas and ISR;
// acks=all produces through one broker are consumed by a group through another; when a partition's leader is
// killed another replica leads within seconds, an idempotent acks=all producer and the consumer group carry on and
// nothing acknowledged is lost or duplicated, and the old leader rejoins the ISR when it comes back; a group's
// committed offsets survive its coordinator's death; with too few
// in-sync replicas acks=all answers NOT_ENOUGH_REPLICAS; deleting a topic through any broker removes every replica.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, type Admin, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawClient } from '../broker/raw-client.js';
import { BrokerCluster, type PartitionView } from '../helpers/broker-cluster.js';

const TOPIC = 'orders';
const PARTITIONS = 3;

let cluster: BrokerCluster;
beforeAll(async () => {
  cluster = await BrokerCluster.start({
    brokers: 3,
    settings: {
      'offsets.topic.replication.factor': '3',
      'offsets.topic.num.partitions': '3',
      'group.initial.rebalance.delay.ms': '0',
      'replica.lag.time.max.ms': '5000',
    },
  });
  await cluster.waitForMembers([1, 2, 3]);
});
afterAll(async () => {
  await cluster?.stop();
});

function kafka(bootstrap: string[]): Kafka {
  return new Kafka({
    clientId: 'replicated-topics-test',
    brokers: bootstrap,
    logLevel: logLevel.NOTHING,
    retry: { retries: 30, initialRetryTime: 100, maxRetryTime: 1000 },
  });
}

async function withAdmin<T>(bootstrap: string, work: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = kafka([bootstrap]).admin();
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.disconnect();
  }
}

const fullyReplicated = (ps: PartitionView[]) => ps.length === PARTITIONS && ps.every((p) => p.leader > 0 && p.isr.length === 3 && p.errorCode === 0);

/** Produces `values` one acks=all send each (idempotent), keyed by value; returns the values acknowledged. */
async function produce(bootstrap: string[], values: string[]): Promise<string[]> {
  const producer = kafka(bootstrap).producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const acknowledged: string[] = [];
  try {
    for (const value of values) {
      await producer.send({ topic: TOPIC, acks: -1, messages: [{ key: value, value }] });
      acknowledged.push(value);
    }
  } finally {
    await producer.disconnect();
  }
  return acknowledged;
}

/** Consumes with group `groupId` until `count` messages arrived (or 60 s passed); the values in arrival order per partition. */
async function consume(bootstrap: string[], groupId: string, count: number): Promise<string[]> {
  const consumer = kafka(bootstrap).consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 500 });
  await consumer.connect();
  await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
  const values: string[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`consumed ${values.length} of ${count} within 60 s`)), 60_000);
      void consumer.run({
        eachMessage: async ({ message }) => {
          values.push(message.value!.toString());
          if (values.length >= count) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return values;
}

const numbered = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => `m-${String(from + i).padStart(4, '0')}`);

describe('replicated topics in a three-broker cluster', () => {
  it('places a topic created through one broker on all three; every broker agrees on leaders, replicas and ISR', async () => {
    await withAdmin(cluster.broker(2).bootstrap, async (admin) => {
      expect(await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: PARTITIONS, replicationFactor: 3 }], waitForLeaders: true })).toBe(true);
    });
    const partitions = await cluster.waitForPartitions(TOPIC, 'three partitions, each led with a full ISR', fullyReplicated);
    for (const p of partitions) expect([...p.replicas].sort()).toEqual([1, 2, 3]);
    // Replicas spread as Kafka spreads them: each broker leads one partition.
    expect(partitions.map((p) => p.leader).sort()).toEqual([1, 2, 3]);
    // A replication factor above the live brokers is refused, naming it.
    const refused = await withAdmin(cluster.broker(1).bootstrap, (admin) =>
      admin.createTopics({ topics: [{ topic: 'too-wide', numPartitions: 1, replicationFactor: 4 }] }).then(
        () => null,
        (error: { errors?: Array<{ type: string }> }) => error.errors?.[0]?.type,
      ),
    );
    expect(refused).toBe('INVALID_REPLICATION_FACTOR');
  });

  it("changes a topic's configs through one broker and every broker applies them; auto-creates with the default replication factor", async () => {
    await withAdmin(cluster.broker(2).bootstrap, (admin) =>
      admin.alterConfigs({ validateOnly: false, resources: [{ type: 2, name: TOPIC, configEntries: [{ name: 'retention.ms', value: '3600000' }] }] }),
    );
    // Every broker's own copy of the topic (what its replica's log runs with, and DescribeConfigs answers) takes it.
    for (const id of [1, 2, 3]) {
      await cluster.waitFor(`broker ${id} to apply the override`, async () => {
        const configs = await withAdmin(cluster.broker(id).bootstrap, (admin) =>
          admin.describeConfigs({ includeSynonyms: false, resources: [{ type: 2, name: TOPIC, configNames: ['retention.ms'] }] }),
        );
        return configs.resources[0]!.configEntries[0]?.configValue === '3600000';
      });
    }
    const producer = kafka([cluster.broker(3).bootstrap]).producer({ allowAutoTopicCreation: true });
    await producer.connect();
    await producer.send({ topic: 'auto-made', acks: -1, messages: [{ value: 'first' }] });
    await producer.disconnect();
    const made = await cluster.waitForPartitions('auto-made', 'created and led', (ps) => ps.length > 0 && ps.every((p) => p.leader > 0));
    expect(made.every((p) => p.replicas.length === 1)).toBe(true);
    // Gone again: a partition with one replica would be offline while a later test kills its broker.
    await withAdmin(cluster.broker(1).bootstrap, (admin) => admin.deleteTopics({ topics: ['auto-made'] }));
  });

  it('takes acks=all produces through one broker and serves them to a consumer group through another', async () => {
    const sent = numbered(0, 60);
    expect(await produce([cluster.broker(1).bootstrap], sent)).toEqual(sent);
    const got = await consume([cluster.broker(3).bootstrap], 'readers', sent.length);
    expect([...got].sort()).toEqual(sent);
  });

  it('replaces a killed leader within seconds; producer and group carry on; nothing acknowledged is lost or doubled; the old leader rejoins', async () => {
    const before = await cluster.waitForPartitions(TOPIC, 'fully replicated', fullyReplicated);
    const victim = before[0]!.leader;
    const survivors = [1, 2, 3].filter((id) => id !== victim);
    const bootstrap = survivors.map((id) => cluster.broker(id).bootstrap);
    await cluster.broker(victim).kill();
    const killedAt = Date.now();
    const after = await cluster.waitForPartitions(TOPIC, `no partition led by the killed broker ${victim}`, (ps) =>
      ps.every((p) => p.leader > 0 && p.leader !== victim && !p.isr.includes(victim)),
    );
    const failoverMs = Date.now() - killedAt;
    expect(after[0]!.leaderEpoch).toBeGreaterThan(before[0]!.leaderEpoch);
    expect(failoverMs).toBeLessThan(15_000);
    const more = numbered(60, 120);
    expect(await produce(bootstrap, more)).toEqual(more);
    // The group 'readers' committed through m-0059 before: it resumes after it, on the new coordinator if it moved.
    const resumed = await consume(bootstrap, 'readers', more.length);
    expect([...resumed].sort()).toEqual(more);
    const everything = await consume(bootstrap, 'audit-1', 120);
    expect([...everything].sort()).toEqual(numbered(0, 120));

    await cluster.broker(victim).start();
    await cluster.waitForPartitions(TOPIC, `broker ${victim} back in every ISR`, fullyReplicated, 30_000);
    // Back in every ISR means caught up: the high watermarks (asked through it) still add up to every message.
    const offsets = await withAdmin(cluster.broker(victim).bootstrap, (admin) => admin.fetchTopicOffsets(TOPIC));
    expect(offsets.reduce((sum, p) => sum + Number(p.high), 0)).toBe(120);
  });

  it('keeps the offsets a group committed when its coordinator is killed', async () => {
    await withAdmin(cluster.broker(1).bootstrap, (admin) =>
      admin.setOffsets({ groupId: 'durable', topic: TOPIC, partitions: [{ partition: 1, offset: '5' }] }),
    );
    const coordinator = await coordinatorOf('durable');
    await cluster.broker(coordinator).kill();
    const survivor = [1, 2, 3].find((id) => id !== coordinator)!;
    await cluster.waitFor('another coordinator for the group', async () => {
      const now = await coordinatorOf('durable', survivor).catch(() => -1);
      return now > 0 && now !== coordinator;
    });
    const offsets = await withAdmin(cluster.broker(survivor).bootstrap, (admin) => admin.fetchOffsets({ groupId: 'durable', topics: [TOPIC] }));
    expect(offsets[0]!.partitions.find((p) => p.partition === 1)?.offset).toBe('5');
    await cluster.broker(coordinator).start();
    await cluster.waitForPartitions(TOPIC, `broker ${coordinator} back in every ISR`, fullyReplicated, 30_000);
  });

  it('answers acks=all with NOT_ENOUGH_REPLICAS when the ISR is below min.insync.replicas, and loses nothing', async () => {
    await withAdmin(cluster.broker(1).bootstrap, async (admin) => {
      await admin.createTopics({
        topics: [{ topic: 'strict', numPartitions: 1, replicationFactor: 3, configEntries: [{ name: 'min.insync.replicas', value: '2' }] }],
        waitForLeaders: true,
      });
    });
    const [placed] = await cluster.waitForPartitions('strict', 'led with a full ISR', (ps) => ps.length === 1 && ps[0]!.isr.length === 3);
    const leader = placed!.leader;
    const followers = placed!.replicas.filter((id) => id !== leader);
    const client = kafka([cluster.broker(leader).bootstrap]);
    const producer = client.producer({ retry: { retries: 0 } });
    await producer.connect();
    try {
      await producer.send({ topic: 'strict', acks: -1, messages: [{ value: 'kept-1' }] });
      await cluster.broker(followers[0]!).kill();
      await cluster.waitForPartitions('strict', 'ISR of two', (ps) => ps[0]!.isr.length === 2);
      // One follower down: min.insync.replicas=2 still holds.
      await producer.send({ topic: 'strict', acks: -1, messages: [{ value: 'kept-2' }] });
      await cluster.broker(followers[1]!).kill();
      await cluster.waitForPartitions('strict', 'ISR of the leader alone', (ps) => ps[0]!.isr.length === 1);
      await expect(producer.send({ topic: 'strict', acks: -1, messages: [{ value: 'refused' }] })).rejects.toThrow(/not enough replicas|insync|in-sync/i);
    } finally {
      await producer.disconnect();
    }
    await Promise.all(followers.map((id) => cluster.broker(id).start()));
    await cluster.waitForPartitions('strict', 'full ISR again', (ps) => ps[0]!.isr.length === 3, 30_000);
    const consumer = client.consumer({ groupId: 'strict-reader' });
    await consumer.connect();
    await consumer.subscribe({ topic: 'strict', fromBeginning: true });
    const values: string[] = [];
    await new Promise<void>((resolve) => {
      void consumer.run({
        eachMessage: async ({ message }) => {
          values.push(message.value!.toString());
          if (values.length === 2) resolve();
        },
      });
    });
    await consumer.disconnect();
    expect(values).toEqual(['kept-1', 'kept-2']);
  });

  it('adds partitions through any broker: they are placed, led and replicated like the first ones', async () => {
    await withAdmin(cluster.broker(3).bootstrap, (admin) => admin.createPartitions({ topicPartitions: [{ topic: TOPIC, count: PARTITIONS + 2 }] }));
    const grown = await cluster.waitForPartitions(
      TOPIC,
      'five partitions, each led with a full ISR',
      (ps) => ps.length === PARTITIONS + 2 && ps.every((p) => p.leader > 0 && p.isr.length === 3),
    );
    for (const p of grown) expect([...p.replicas].sort()).toEqual([1, 2, 3]);
    const producer = kafka([cluster.broker(2).bootstrap]).producer({ idempotent: true });
    await producer.connect();
    const sent = await producer.send({ topic: TOPIC, acks: -1, messages: [{ partition: PARTITIONS + 1, value: 'in a new partition' }] });
    await producer.disconnect();
    expect(sent[0]!.errorCode).toBe(0);
  });

  it('deletes a topic through any broker: every broker forgets it and removes its replicas', async () => {
    const dirs = [1, 2, 3].map((id) => join(cluster.broker(id).logDir, `${TOPIC}-0`));
    expect(dirs.every((dir) => existsSync(dir))).toBe(true);
    await withAdmin(cluster.broker(3).bootstrap, (admin) => admin.deleteTopics({ topics: [TOPIC] }));
    await cluster.waitFor(
      'every broker to forget the topic and remove its replicas',
      async () =>
        (await Promise.all([1, 2, 3].map((id) => cluster.broker(id).partitions(TOPIC)))).every((p) => p === null) && dirs.every((dir) => !existsSync(dir)),
    );
  });
});

/** The group's coordinator as broker `askedNodeId` names it (FindCoordinator v3). */
async function coordinatorOf(groupId: string, askedNodeId = 1): Promise<number> {
  const client = await RawClient.connect('127.0.0.1', cluster.broker(askedNodeId).proc.port);
  try {
    const found = await client.call(10, 3, { key: groupId, keyType: 0 });
    if (found.errorCode !== 0) throw new Error(`FindCoordinator answered error ${found.errorCode}`);
    return found.nodeId;
  } finally {
    client.close();
  }
}
