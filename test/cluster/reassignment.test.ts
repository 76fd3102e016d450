// Partition reassignment on a real three-broker cluster, through `fjord topics reassign` / `reassignments`
// (AlterPartitionReassignments, ListPartitionReassignments): a partition on brokers 1,2 moves to 3,2 — broker 3
// catches up, joins the ISR, the leader hands over, and broker 1's copy is deleted — with every acknowledged
// message still there; a move to a broker that cannot catch up (frozen) is listed as under way and cancelled back
// to where it was; refusals come back with Kafka's error codes.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawClient } from '../broker/raw-client.js';
import { fjord } from '../cli/run-fjord.js';
import { BrokerCluster } from '../helpers/broker-cluster.js';

let cluster: BrokerCluster;
beforeAll(async () => {
  cluster = await BrokerCluster.start({ brokers: 3 });
  await cluster.waitForMembers([1, 2, 3]);
});
afterAll(async () => {
  await cluster?.stop();
});

const bootstrap = () => ['-b', cluster.bootstrapServers().join(',')];

function kafka(): Kafka {
  return new Kafka({
    clientId: 'reassignment-test',
    brokers: cluster.bootstrapServers(),
    logLevel: logLevel.NOTHING,
    retry: { retries: 30, maxRetryTime: 500 },
  });
}

async function createOn(topic: string, replicas: number[]): Promise<void> {
  const admin = kafka().admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, replicaAssignment: [{ partition: 0, replicas }] }], waitForLeaders: true });
  await admin.disconnect();
  await cluster.waitForPartitions(topic, `led with ISR ${replicas}`, (ps) => ps.length === 1 && ps[0]!.isr.length === replicas.length);
}

describe('partition reassignment', () => {
  it('moves a partition to other brokers: the new replica catches up, leadership moves, the old copy goes', async () => {
    await createOn('moving', [1, 2]);
    const producer = kafka().producer({ idempotent: true });
    await producer.connect();
    const values = Array.from({ length: 20 }, (_, i) => `m${i}`);
    for (const value of values) await producer.send({ topic: 'moving', acks: -1, messages: [{ value }] });
    await producer.disconnect();

    const started = await fjord(['topics', 'reassign', 'moving', '--partition', '0', '--replicas', '3,2', ...bootstrap()]);
    expect(started).toMatchObject({ status: 0, stderr: '' });
    expect(started.stdout).toMatch(/^reassignment of moving-0 started: replicas 3,2/);
    const [moved] = await cluster.waitForPartitions(
      'moving',
      'on brokers 3,2 with broker 3 leading',
      (ps) => ps[0]!.replicas.join() === '3,2' && ps[0]!.leader === 3 && ps[0]!.isr.length === 2,
    );
    expect([...moved!.isr].sort()).toEqual([2, 3]);
    await cluster.waitFor("broker 1's copy deleted", async () => !existsSync(join(cluster.broker(1).logDir, 'moving-0')));
    expect((await fjord(['topics', 'reassignments', ...bootstrap()])).stdout.trim().split('\n')).toEqual(['TOPIC  PARTITION  REPLICAS  ADDING  REMOVING']);

    const consumer = kafka().consumer({ groupId: 'moving-reader' });
    await consumer.connect();
    await consumer.subscribe({ topic: 'moving', fromBeginning: true });
    const read: string[] = [];
    await new Promise<void>((resolve) => {
      void consumer.run({
        eachMessage: async ({ message }) => {
          read.push(message.value!.toString());
          if (read.length === values.length) resolve();
        },
      });
    });
    await consumer.disconnect();
    expect(read).toEqual(values);
  });

  it('lists a move that cannot finish and cancels it back to the replicas it had', async () => {
    await createOn('stuck', [1, 2]);
    // Broker 3 is frozen, then the move to it is asked for at once (a raw request, within its lease): it is still a
    // live broker when the move is recorded, but it cannot catch up, so the move stays under way.
    cluster.broker(3).freeze();
    try {
      const client = await RawClient.connect('127.0.0.1', cluster.broker(1).proc.port);
      try {
        const answer = await client.call(45, 0, { timeoutMs: 10_000, topics: [{ name: 'stuck', partitions: [{ partitionIndex: 0, replicas: [2, 3] }] }] });
        expect(answer.responses[0]!.partitions[0]!.errorCode).toBe(0);
      } finally {
        client.close();
      }
      const listed = await cluster.waitFor('the move listed as under way', async () => {
        const out = (await fjord(['topics', 'reassignments', '-b', cluster.broker(1).bootstrap])).stdout.trim().split('\n');
        return out.length === 2 ? out[1]!.split(/\s+/) : null;
      });
      expect(listed).toEqual(['stuck', '0', '2,3,1', '3', '1']);
      const cancelled = await fjord(['topics', 'reassign', 'stuck', '--partition', '0', '--cancel', '-b', cluster.broker(1).bootstrap]);
      expect(cancelled).toMatchObject({ status: 0 });
      await cluster.waitFor('the move cancelled', async () => {
        const partitions = await cluster.broker(1).partitions('stuck');
        return partitions !== null && partitions[0]!.replicas.join() === '1,2';
      });
    } finally {
      cluster.broker(3).thaw();
    }
    await cluster.waitFor("broker 3's copy deleted once it thawed", async () => !existsSync(join(cluster.broker(3).logDir, 'stuck-0')), 30_000);
  });

  it('refuses with Kafka error codes: unknown partitions and brokers, a cancel with nothing under way, a bad --replicas', async () => {
    const unknownBroker = await fjord(['topics', 'reassign', 'moving', '--partition', '0', '--replicas', '3,9', ...bootstrap()]);
    expect(unknownBroker.stderr).toMatch(/INVALID_REPLICA_ASSIGNMENT \(39\).*broker 9/);
    const unknownPartition = await fjord(['topics', 'reassign', 'moving', '--partition', '7', '--replicas', '3,2', ...bootstrap()]);
    expect(unknownPartition.stderr).toMatch(/UNKNOWN_TOPIC_OR_PARTITION \(3\)/);
    const nothing = await fjord(['topics', 'reassign', 'moving', '--partition', '0', '--cancel', ...bootstrap()]);
    expect(nothing.stderr).toMatch(/NO_REASSIGNMENT_IN_PROGRESS \(85\)/);
    const twice = await fjord(['topics', 'reassign', 'moving', '--partition', '0', '--replicas', '3,3', ...bootstrap()]);
    expect(twice.stderr).toMatch(/listed twice/);
    expect(twice.status).not.toBe(0);
  });
});
