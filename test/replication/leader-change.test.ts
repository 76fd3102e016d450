// A leader change between real brokers: the old leader wrote a tail its follower never got (uncommitted), the
// follower becomes leader at a higher epoch and takes new writes, and the old leader, now its follower, finds
// its tail divergent (the leader's epoch cache), truncates it and copies the new leader's log byte for byte.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { kafkajsClient } from '../broker/test-broker.js';
import { waitUntil } from '../helpers/wait-until.js';
import { type ClusterBroker, replicasOf, replicationAddress, startClusterBroker, storedBytes } from './replicated-brokers.js';

const TOPIC = 'failover';
const brokers: ClusterBroker[] = [];

async function produce(broker: ClusterBroker, values: string[]): Promise<void> {
  const producer = (await kafkajsClient(broker.handle)).producer();
  await producer.connect();
  for (const value of values) await producer.send({ topic: TOPIC, acks: 1, messages: [{ value }] });
  await producer.disconnect();
}

async function consumeAll(broker: ClusterBroker, count: number): Promise<string[]> {
  const consumer = (await kafkajsClient(broker.handle)).consumer({ groupId: `read-${broker.nodeId}-${Date.now()}` });
  const values: string[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
  await consumer.run({ eachMessage: async ({ message }) => void values.push(message.value!.toString()) });
  await waitUntil(() => values.length >= count, `${count} messages from broker ${broker.nodeId}`);
  await consumer.disconnect();
  return values;
}

const offsets = (broker: ClusterBroker) => broker.handle.engine.offsets(TOPIC, 0);
const range = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

beforeAll(async () => {
  for (const nodeId of [1, 2, 3])
    brokers.push(await startClusterBroker(nodeId, { [TOPIC]: 1 }, { 'replica.lag.time.max.ms': '60000', 'group.initial.rebalance.delay.ms': '0' }));
}, 60_000);

afterAll(async () => {
  for (const broker of brokers) await broker.handle.stop();
});

it('truncates the old leader uncommitted tail when it follows the new leader at a higher epoch', async () => {
  const [b1, b2, b3] = brokers as [ClusterBroker, ClusterBroker, ClusterBroker];
  await replicasOf(b1).becomeLeader(TOPIC, 0, { leaderEpoch: 1, isr: [1, 2, 3], replicas: [1, 2, 3] });
  for (const b of [b2, b3]) await replicasOf(b).becomeFollower(TOPIC, 0, { leaderEpoch: 1, leaderId: 1, leaderAddress: replicationAddress(b1) });
  await produce(b1, range('a', 6));
  await waitUntil(async () => (await offsets(b1)).highWatermark === 6, 'the first six committed');

  // The followers stop copying; broker 1 takes four more it alone holds (uncommitted: the high watermark stays at 6).
  for (const b of [b2, b3]) await replicasOf(b).stopReplica(TOPIC, 0);
  await produce(b1, range('lost', 4));
  expect(await offsets(b1)).toMatchObject({ logEndOffset: 10, highWatermark: 6 });

  // Broker 2 leads at epoch 2 with broker 3 (as an election from the ISR would decide); it takes new writes.
  await replicasOf(b2).becomeLeader(TOPIC, 0, { leaderEpoch: 2, isr: [2, 3], replicas: [1, 2, 3] });
  await replicasOf(b3).becomeFollower(TOPIC, 0, { leaderEpoch: 2, leaderId: 2, leaderAddress: replicationAddress(b2) });
  await produce(b2, range('b', 3));
  await waitUntil(async () => (await offsets(b2)).highWatermark === 9, 'the new leader commits at 9');

  // The old leader follows: its divergent tail (offsets 6..9 of epoch 1) goes, the new leader's records come.
  await replicasOf(b1).becomeFollower(TOPIC, 0, { leaderEpoch: 2, leaderId: 2, leaderAddress: replicationAddress(b2) });
  await waitUntil(async () => (await offsets(b1)).logEndOffset === 9 && (await offsets(b1)).highWatermark === 9, 'the old leader caught up');
  await waitUntil(() => replicasOf(b2).isrOf(TOPIC, 0)!.length === 3, 'the old leader back in the ISR');
  const leaderBytes = await storedBytes(b2, TOPIC, 0);
  expect((await storedBytes(b1, TOPIC, 0)).equals(leaderBytes)).toBe(true);
  expect((await storedBytes(b3, TOPIC, 0)).equals(leaderBytes)).toBe(true);
  for (const b of brokers) {
    expect(await b.handle.engine.endOffsetForEpoch(TOPIC, 0, -1, 1)).toEqual({ epoch: 1, endOffset: 6 });
    expect(await b.handle.engine.endOffsetForEpoch(TOPIC, 0, -1, 2)).toEqual({ epoch: 2, endOffset: 9 });
  }
  expect(await consumeAll(b2, 9)).toEqual([...range('a', 6), ...range('b', 3)]);
}, 60_000);
