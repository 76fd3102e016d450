// A follower whose log ends below its leader's log start (records deleted on the leader, by DeleteRecords or
// retention): it restarts its log empty at the leader's log start, and again at the base offset of the leader's
// first batch when that batch begins below it (the log start moved inside a batch), then copies the rest.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { kafkajsClient } from '../broker/test-broker.js';
import { waitUntil } from '../helpers/wait-until.js';
import { type ClusterBroker, replicasOf, replicationAddress, startClusterBroker, storedBytes } from './replicated-brokers.js';

const TOPIC = 'trimmed';
let leader: ClusterBroker;
let follower: ClusterBroker;

beforeAll(async () => {
  leader = await startClusterBroker(1, { [TOPIC]: 1 });
  follower = await startClusterBroker(2, { [TOPIC]: 1 });
}, 60_000);

afterAll(async () => {
  await follower.handle.stop();
  await leader.handle.stop();
});

it("copies from the leader's log start when its own log ends below it", async () => {
  // Alone in its ISR, the leader commits what it takes: four batches of five (offsets 0-19), then deletes below 12.
  await replicasOf(leader).becomeLeader(TOPIC, 0, { leaderEpoch: 1, isr: [1], replicas: [1, 2] });
  const producer = (await kafkajsClient(leader.handle)).producer();
  await producer.connect();
  for (let b = 0; b < 4; b++) await producer.send({ topic: TOPIC, acks: 1, messages: Array.from({ length: 5 }, (_, i) => ({ value: `${b}-${i}` })) });
  await producer.disconnect();
  expect(await leader.handle.engine.deleteRecordsBefore(TOPIC, 0, 12)).toBe(12);

  await replicasOf(follower).becomeFollower(TOPIC, 0, { leaderEpoch: 1, leaderId: 1, leaderAddress: replicationAddress(leader) });
  await waitUntil(async () => (await follower.handle.engine.offsets(TOPIC, 0)).logEndOffset === 20, 'the follower at the leader log end');
  // It starts at the batch holding offset 12 (offsets 10-14), as the leader's stored bytes from its log start do.
  expect((await follower.handle.engine.offsets(TOPIC, 0)).logStartOffset).toBe(10);
  expect((await storedBytes(follower, TOPIC, 0)).equals(await storedBytes(leader, TOPIC, 0))).toBe(true);
  await waitUntil(() => replicasOf(leader).isrOf(TOPIC, 0)!.length === 2, 'the follower in the ISR');
});
