// The ISR between two real brokers with a short replica.lag.time.max.ms: a follower that stops is dropped after
// the lag time (the change written through onIsrChange before the leader applies it, a failed write applying
// nothing), the leader alone then commits on its own; restarted and caught up, the follower rejoins.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ErrorCode } from '../../src/shared/kafka-error-codes.js';
import { kafkajsClient } from '../broker/test-broker.js';
import { waitUntil } from '../helpers/wait-until.js';
import { type ClusterBroker, replicasOf, replicationAddress, startClusterBroker, storedBytes } from './replicated-brokers.js';

const TOPIC = 'isr';
const CONFIG = { 'replica.lag.time.max.ms': '300' };
let leader: ClusterBroker;
let follower: ClusterBroker;
/** Each ISR write: the ISR asked for and the one the leader applied while the write was under way. */
const writes: Array<{ next: number[]; appliedDuringWrite: number[] }> = [];
let refuseNextWrite = false;

async function produce(broker: ClusterBroker, count: number): Promise<void> {
  const producer = (await kafkajsClient(broker.handle)).producer();
  await producer.connect();
  await producer.send({ topic: TOPIC, acks: 1, messages: Array.from({ length: count }, (_, i) => ({ partition: 0, value: `m${i}` })) });
  await producer.disconnect();
}

const offsets = (broker: ClusterBroker) => broker.handle.engine.offsets(TOPIC, 0);
const isr = () => [...(replicasOf(leader).isrOf(TOPIC, 0) ?? [])].sort();

beforeAll(async () => {
  leader = await startClusterBroker(1, { [TOPIC]: 2 }, CONFIG);
  follower = await startClusterBroker(2, { [TOPIC]: 2 }, CONFIG);
  replicasOf(leader).onIsrChange = async (_topic, _partition, next) => {
    writes.push({ next: [...next].sort(), appliedDuringWrite: isr() });
    if (refuseNextWrite) {
      refuseNextWrite = false;
      throw new Error('etcd write refused (test)');
    }
  };
  await replicasOf(leader).becomeLeader(TOPIC, 0, { leaderEpoch: 1, isr: [1, 2], replicas: [1, 2] });
  await replicasOf(follower).becomeFollower(TOPIC, 0, { leaderEpoch: 1, leaderId: 1, leaderAddress: replicationAddress(leader) });
}, 60_000);

afterAll(async () => {
  await follower.handle.stop();
  await leader.handle.stop();
});

it('drops a stopped follower from the ISR after the lag time and takes it back once it has caught up', async () => {
  await produce(leader, 10);
  await waitUntil(async () => (await offsets(leader)).highWatermark === 10, 'the high watermark at 10');
  expect(isr()).toEqual([1, 2]);
  expect(writes).toEqual([]);

  // The follower's broker stops; the first ISR write fails (nothing applied), the next one drops it.
  refuseNextWrite = true;
  await follower.handle.stop();
  await produce(leader, 5);
  await waitUntil(() => isr().length === 1, 'the follower out of the ISR');
  expect(writes.length).toBeGreaterThanOrEqual(2);
  expect(writes[0]).toEqual({ next: [1], appliedDuringWrite: [1, 2] });
  expect(writes.at(-1)).toEqual({ next: [1], appliedDuringWrite: [1, 2] });
  // Alone in the ISR, the leader commits what it has.
  expect(await replicasOf(leader).waitForCommit(TOPIC, 0, 14, 10_000)).toBe(ErrorCode.NONE);
  expect((await offsets(leader)).highWatermark).toBe(15);

  // Restarted over its dir and following again, it catches up and rejoins.
  follower = await startClusterBroker(2, { [TOPIC]: 2 }, CONFIG, follower.logDir);
  await replicasOf(follower).becomeFollower(TOPIC, 0, { leaderEpoch: 1, leaderId: 1, leaderAddress: replicationAddress(leader) });
  await waitUntil(() => isr().length === 2, 'the follower back in the ISR');
  expect(writes.at(-1)).toEqual({ next: [1, 2], appliedDuringWrite: [1] });
  expect((await offsets(follower)).logEndOffset).toBe(15);

  // Back to two: a new record commits once the follower has it.
  await produce(leader, 3);
  expect(await replicasOf(leader).waitForCommit(TOPIC, 0, 17, 10_000)).toBe(ErrorCode.NONE);
  await waitUntil(async () => (await offsets(follower)).logEndOffset === 18, 'the follower at 18');
  expect((await storedBytes(follower, TOPIC, 0)).equals(await storedBytes(leader, TOPIC, 0))).toBe(true);
});

it('follows a leader restarted on another port once told its new address', async () => {
  // Partition 1 too, so that the follower's fetcher for broker 1 outlives partition 0's change of leader.
  await replicasOf(leader).becomeLeader(TOPIC, 1, { leaderEpoch: 1, isr: [1, 2], replicas: [1, 2] });
  await replicasOf(follower).becomeFollower(TOPIC, 1, { leaderEpoch: 1, leaderId: 1, leaderAddress: replicationAddress(leader) });
  const fetcher = replicasOf(follower).fetcherOf(1);
  const leaderDir = leader.logDir;
  const before = await offsets(leader);
  await leader.handle.stop();
  leader = await startClusterBroker(1, { [TOPIC]: 2 }, CONFIG, leaderDir);
  for (const p of [0, 1]) await replicasOf(leader).becomeLeader(TOPIC, p, { leaderEpoch: 2, isr: [1, 2], replicas: [1, 2] });
  await replicasOf(follower).becomeFollower(TOPIC, 0, { leaderEpoch: 2, leaderId: 1, leaderAddress: replicationAddress(leader) });
  expect(replicasOf(follower).fetcherOf(1)).toBe(fetcher);
  expect(fetcher!.leaderAddress).toEqual(replicationAddress(leader));
  await replicasOf(follower).becomeFollower(TOPIC, 1, { leaderEpoch: 2, leaderId: 1, leaderAddress: replicationAddress(leader) });
  await produce(leader, 4);
  expect(await replicasOf(leader).waitForCommit(TOPIC, 0, before.logEndOffset + 3, 10_000)).toBe(ErrorCode.NONE);
  await waitUntil(async () => (await offsets(follower)).logEndOffset === before.logEndOffset + 4, 'the follower has the new records');
  expect((await storedBytes(follower, TOPIC, 0)).equals(await storedBytes(leader, TOPIC, 0))).toBe(true);
});
