// Replication between real brokers in this process: roles given by becomeLeader / becomeFollower, records
// produced to the leader with KafkaJS (acks=1). Followers' logs become byte for byte the leader's, the high
// watermark is the minimum log end over the ISR and Fetch on the leader answers only up to it, acks=all's
// waitForCommit resolves once every ISR member has the record.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/shared/kafka-error-codes.js';
import { buildRecordBatch } from '../../src/shared/record-batch-codec.js';
import { kafkajsClient } from '../broker/test-broker.js';
import { RawClient } from '../broker/raw-client.js';
import { waitUntil } from '../helpers/wait-until.js';
import { type ClusterBroker, replicasOf, replicationAddress, startClusterBroker, storedBytes } from './replicated-brokers.js';

const TOPIC = 'replicated';
/** Three partitions, each led by another broker: every broker leads one and follows two from two leaders. */
const SPREAD = 'spread';
const brokers: ClusterBroker[] = [];

async function produce(broker: ClusterBroker, count: number, from: number): Promise<void> {
  const kafka = await kafkajsClient(broker.handle);
  const producer = kafka.producer();
  await producer.connect();
  // Several sends: several batches, so followers copy more than one.
  for (let i = 0; i < count; i += 5)
    await producer.send({
      topic: TOPIC,
      acks: 1,
      messages: Array.from({ length: Math.min(5, count - i) }, (_, j) => ({ key: `k${from + i + j}`, value: `v${from + i + j}` })),
    });
  await producer.disconnect();
}

async function offsetsOf(broker: ClusterBroker) {
  return broker.handle.engine.offsets(TOPIC, 0);
}

beforeAll(async () => {
  for (const nodeId of [1, 2, 3]) brokers.push(await startClusterBroker(nodeId, { [TOPIC]: 1, [SPREAD]: 3 }, { 'replica.lag.time.max.ms': '60000' }));
  const [leader, ...followers] = brokers;
  await replicasOf(leader!).becomeLeader(TOPIC, 0, { leaderEpoch: 1, isr: [1, 2, 3], replicas: [1, 2, 3] });
  for (const follower of followers)
    await replicasOf(follower).becomeFollower(TOPIC, 0, { leaderEpoch: 1, leaderId: 1, leaderAddress: replicationAddress(leader!) });
}, 60_000);

afterAll(async () => {
  for (const broker of brokers) await broker.handle.stop();
});

describe('three brokers, one leader', () => {
  it('copies the leader log byte for byte and moves the high watermark to the log end once every ISR member has it', async () => {
    const [leader, f2, f3] = brokers as [ClusterBroker, ClusterBroker, ClusterBroker];
    await produce(leader, 40, 0);
    const leaderEnd = (await offsetsOf(leader)).logEndOffset;
    expect(leaderEnd).toBe(40);
    await waitUntil(async () => (await offsetsOf(leader)).highWatermark === leaderEnd, 'the leader high watermark at its log end');
    await waitUntil(
      async () => (await offsetsOf(f2)).highWatermark === leaderEnd && (await offsetsOf(f3)).highWatermark === leaderEnd,
      'the followers at the leader high watermark',
    );
    const leaderBytes = await storedBytes(leader, TOPIC, 0);
    expect(leaderBytes.length).toBeGreaterThan(0);
    expect((await storedBytes(f2, TOPIC, 0)).equals(leaderBytes)).toBe(true);
    expect((await storedBytes(f3, TOPIC, 0)).equals(leaderBytes)).toBe(true);
    // The followers' epoch caches came with the batches: epoch 1 ends at the log end everywhere.
    for (const broker of brokers) expect(await broker.handle.engine.endOffsetForEpoch(TOPIC, 0, -1, 1)).toEqual({ epoch: 1, endOffset: leaderEnd });
    expect(await replicasOf(leader).waitForCommit(TOPIC, 0, leaderEnd - 1, 10_000)).toBe(ErrorCode.NONE);
  });

  it('holds the high watermark at a stopped follower: Fetch on the leader answers up to it, acks=all waits', async () => {
    const [leader, f2, f3] = brokers as [ClusterBroker, ClusterBroker, ClusterBroker];
    const before = await offsetsOf(leader);
    // Broker 3 stops following (as if stopped); it stays in the ISR (lag time 60 s), so nothing new commits.
    await replicasOf(f3).stopReplica(TOPIC, 0);
    expect(replicasOf(f3).fetcherOf(1)).toBeUndefined();
    await produce(leader, 10, 40);
    await waitUntil(async () => (await offsetsOf(f2)).logEndOffset === before.logEndOffset + 10, 'broker 2 has the new records');
    const after = await offsetsOf(leader);
    expect(after.logEndOffset).toBe(before.logEndOffset + 10);
    expect(after.highWatermark).toBe(before.highWatermark);
    expect(await replicasOf(leader).waitForCommit(TOPIC, 0, after.logEndOffset - 1, 50)).toBe(ErrorCode.REQUEST_TIMED_OUT);

    const client = await RawClient.connect(leader.handle.address.host, leader.handle.address.port);
    try {
      const fetched = await client.call(1, 11, {
        replicaId: -1,
        maxWaitMs: 0,
        minBytes: 0,
        maxBytes: 1 << 20,
        isolationLevel: 0,
        sessionId: 0,
        sessionEpoch: -1,
        topics: [
          {
            topic: TOPIC,
            partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: before.highWatermark, logStartOffset: -1, partitionMaxBytes: 1 << 20 }],
          },
        ],
        forgottenTopicsData: [],
        rackId: '',
      });
      const answer = fetched.responses[0]!.partitions[0]!;
      expect(answer.highWatermark).toBe(before.highWatermark);
      expect(answer.records === null || answer.records.length === 0).toBe(true);
    } finally {
      client.close();
    }

    // Broker 3 follows again: it catches up, the high watermark reaches the log end, the commit wait resolves.
    const committed = replicasOf(leader).waitForCommit(TOPIC, 0, after.logEndOffset - 1, 30_000);
    await replicasOf(f3).becomeFollower(TOPIC, 0, { leaderEpoch: 1, leaderId: 1, leaderAddress: replicationAddress(leader) });
    expect(await committed).toBe(ErrorCode.NONE);
    expect((await offsetsOf(leader)).highWatermark).toBe(after.logEndOffset);
    expect((await storedBytes(f3, TOPIC, 0)).equals(await storedBytes(leader, TOPIC, 0))).toBe(true);
  });

  it('refuses a follower at an older leader epoch until it is told the current one', async () => {
    // Broker 2 told of epoch 0 (older than the leader's 1): the leader answers FENCED_LEADER_EPOCH, and nothing is copied.
    const [leader, f2] = brokers as [ClusterBroker, ClusterBroker];
    await replicasOf(f2).becomeFollower(TOPIC, 0, { leaderEpoch: 0, leaderId: 1, leaderAddress: replicationAddress(leader) });
    const rounds = replicasOf(f2).fetcherOf(1)!.rounds;
    await waitUntil(() => replicasOf(f2).fetcherOf(1)!.rounds > rounds, 'a fetch round');
    const end = (await offsetsOf(leader)).logEndOffset;
    await produce(leader, 5, 50);
    await waitUntil(() => replicasOf(f2).fetcherOf(1)!.rounds > rounds + 1, 'another fetch round');
    expect((await offsetsOf(f2)).logEndOffset).toBe(end);
    await replicasOf(f2).becomeFollower(TOPIC, 0, { leaderEpoch: 1, leaderId: 1, leaderAddress: replicationAddress(leader) });
    await waitUntil(async () => (await offsetsOf(f2)).logEndOffset === end + 5, 'broker 2 caught up at epoch 1');
  });
});

describe('the Kafka listener asks the replica manager who leads', () => {
  it('refuses Produce on a follower, checks the leader epoch of Fetch on the leader, and reports the epoch', async () => {
    const [leader, f2] = brokers as [ClusterBroker, ClusterBroker];
    const records = buildRecordBatch([{ key: null, value: Buffer.from('x') }]);
    const produce = { transactionalId: null, acks: 1, timeoutMs: 10_000, topicData: [{ name: TOPIC, partitionData: [{ index: 0, records }] }] };
    const onFollower = await RawClient.connect(f2.handle.address.host, f2.handle.address.port);
    const onLeader = await RawClient.connect(leader.handle.address.host, leader.handle.address.port);
    try {
      const refused = await onFollower.call(0, 9, produce);
      expect(refused.responses[0]!.partitionResponses[0]!.errorCode).toBe(ErrorCode.NOT_LEADER_OR_FOLLOWER);
      const fetchAt = (currentLeaderEpoch: number) =>
        onLeader.call(1, 11, {
          replicaId: -1,
          maxWaitMs: 0,
          minBytes: 0,
          maxBytes: 1 << 20,
          isolationLevel: 0,
          sessionId: 0,
          sessionEpoch: -1,
          topics: [{ topic: TOPIC, partitions: [{ partition: 0, currentLeaderEpoch, fetchOffset: 0, logStartOffset: -1, partitionMaxBytes: 1 << 20 }] }],
          forgottenTopicsData: [],
          rackId: '',
        });
      expect((await fetchAt(0)).responses[0]!.partitions[0]!.errorCode).toBe(ErrorCode.FENCED_LEADER_EPOCH);
      expect((await fetchAt(2)).responses[0]!.partitions[0]!.errorCode).toBe(ErrorCode.UNKNOWN_LEADER_EPOCH);
      expect((await fetchAt(1)).responses[0]!.partitions[0]!.errorCode).toBe(ErrorCode.NONE);
      expect(replicasOf(leader).leaderEpoch(TOPIC, 0)).toBe(1);
    } finally {
      onFollower.close();
      onLeader.close();
    }
  });
});

describe('three brokers, each leading one partition', () => {
  it('replicates every partition to the two other brokers, many batches each', async () => {
    for (let p = 0; p < 3; p++) {
      const leader = brokers[p]!;
      await replicasOf(leader).becomeLeader(SPREAD, p, { leaderEpoch: 1, isr: [1, 2, 3], replicas: [1, 2, 3] });
      for (const follower of brokers.filter((b) => b !== leader))
        await replicasOf(follower).becomeFollower(SPREAD, p, { leaderEpoch: 1, leaderId: leader.nodeId, leaderAddress: replicationAddress(leader) });
    }
    await Promise.all(
      brokers.map(async (leader, p) => {
        const producer = (await kafkajsClient(leader.handle)).producer();
        await producer.connect();
        for (let i = 0; i < 30; i++)
          await producer.send({
            topic: SPREAD,
            acks: 1,
            messages: Array.from({ length: 20 }, (_, j) => ({ partition: p, value: `p${p}-${i}-${j}-${'x'.repeat(200)}` })),
          });
        await producer.disconnect();
      }),
    );
    for (let p = 0; p < 3; p++) {
      const leader = brokers[p]!;
      await waitUntil(async () => (await leader.handle.engine.offsets(SPREAD, p)).highWatermark === 600, `partition ${p} committed on its leader`);
      const leaderBytes = await storedBytes(leader, SPREAD, p);
      for (const follower of brokers.filter((b) => b !== leader)) {
        await waitUntil(async () => (await follower.handle.engine.offsets(SPREAD, p)).logEndOffset === 600, `partition ${p} on broker ${follower.nodeId}`);
        expect((await storedBytes(follower, SPREAD, p)).equals(leaderBytes)).toBe(true);
      }
    }
  });
});
