// acks=all through the Kafka protocol on a replicated leader (two brokers in this process, roles given
// directly): the answer waits until the follower has the batch; with the follower stopped it times out
// (REQUEST_TIMED_OUT: written on the leader, not committed); once the ISR has shrunk below the topic's
// min.insync.replicas, NOT_ENOUGH_REPLICAS comes before anything is written; acks=1 is answered as written.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/shared/kafka-error-codes.js';
import { buildRecordBatch } from '../../src/shared/record-batch-codec.js';
import { RawClient } from '../broker/raw-client.js';
import { sampleValue, scrape } from '../observability/prometheus-text.js';
import { waitUntil } from '../helpers/wait-until.js';
import { type ClusterBroker, replicasOf, replicationAddress, startClusterBroker } from './replicated-brokers.js';

const TOPIC = 'acks-all';
const LAG_MS = 1_500;
let leader: ClusterBroker;
let follower: ClusterBroker;
let client: RawClient;

beforeAll(async () => {
  leader = await startClusterBroker(1, { [TOPIC]: 1 }, { 'replica.lag.time.max.ms': String(LAG_MS), 'fjord.http.listener': 'http://127.0.0.1:0' });
  follower = await startClusterBroker(2, { [TOPIC]: 1 }, { 'replica.lag.time.max.ms': String(LAG_MS) });
  await replicasOf(leader).becomeLeader(TOPIC, 0, { leaderEpoch: 1, isr: [1, 2], replicas: [1, 2] });
  await replicasOf(follower).becomeFollower(TOPIC, 0, { leaderEpoch: 1, leaderId: 1, leaderAddress: replicationAddress(leader) });
  client = await RawClient.connect(leader.handle.address.host, leader.handle.address.port);
}, 60_000);

afterAll(async () => {
  client?.close();
  await follower?.handle.stop();
  await leader?.handle.stop();
});

async function produce(acks: number, timeoutMs: number, value: string): Promise<{ errorCode: number; baseOffset: number }> {
  const records = buildRecordBatch([{ key: null, value: Buffer.from(value) }]);
  const body = { transactionalId: null, acks, timeoutMs, topicData: [{ name: TOPIC, partitionData: [{ index: 0, records }] }] };
  const answer = (await client.call(0, 9, body)).responses[0]!.partitionResponses[0]!;
  return { errorCode: answer.errorCode, baseOffset: answer.baseOffset };
}

describe('acks=all on a replicated leader', () => {
  it('answers once the follower has the batch', async () => {
    const answer = await produce(-1, 10_000, 'both');
    expect(answer.errorCode).toBe(ErrorCode.NONE);
    // Answered: the follower has it, and the leader's high watermark is past it.
    expect((await follower.handle.engine.offsets(TOPIC, 0)).logEndOffset).toBeGreaterThan(answer.baseOffset);
    expect((await leader.handle.engine.offsets(TOPIC, 0)).highWatermark).toBeGreaterThan(answer.baseOffset);
  });

  it('times out while the follower does not fetch, and refuses before writing once the ISR is below min.insync.replicas', async () => {
    await leader.handle.topics.setConfigs(TOPIC, { 'min.insync.replicas': '2' });
    await replicasOf(follower).stopReplica(TOPIC, 0);
    const endBefore = (await leader.handle.engine.offsets(TOPIC, 0)).logEndOffset;
    expect((await produce(-1, 200, 'alone')).errorCode).toBe(ErrorCode.REQUEST_TIMED_OUT);
    expect((await leader.handle.engine.offsets(TOPIC, 0)).logEndOffset).toBe(endBefore + 1);
    // acks=1 does not wait for the follower.
    expect((await produce(1, 200, 'leader only')).errorCode).toBe(ErrorCode.NONE);

    await waitUntil(async () => replicasOf(leader).isrOf(TOPIC, 0)?.join() === '1', 'the ISR shrinks to the leader');
    const shrunk = await scrape(`http://127.0.0.1:${leader.handle.http!.port}`);
    expect(sampleValue(shrunk, 'fjord_partitions_under_replicated')).toBe(1);
    expect(sampleValue(shrunk, 'fjord_replicated_partition_leaders')).toBe(1);
    expect(sampleValue(shrunk, 'fjord_isr_shrinks_total')).toBe(1);
    // The stopped follower lacks what was appended since it stopped.
    expect(sampleValue(shrunk, 'fjord_replica_lag_max_messages')).toBeGreaterThanOrEqual(1);
    const endShrunk = (await leader.handle.engine.offsets(TOPIC, 0)).logEndOffset;
    expect((await produce(-1, 5_000, 'refused')).errorCode).toBe(ErrorCode.NOT_ENOUGH_REPLICAS);
    expect((await leader.handle.engine.offsets(TOPIC, 0)).logEndOffset).toBe(endShrunk);

    // The follower comes back, catches up and rejoins: acks=all works again.
    await replicasOf(follower).becomeFollower(TOPIC, 0, { leaderEpoch: 1, leaderId: 1, leaderAddress: replicationAddress(leader) });
    await waitUntil(async () => replicasOf(leader).isrOf(TOPIC, 0)?.join() === '1,2', 'the follower rejoins the ISR');
    const rejoined = await scrape(`http://127.0.0.1:${leader.handle.http!.port}`);
    expect(sampleValue(rejoined, 'fjord_partitions_under_replicated')).toBe(0);
    expect(sampleValue(rejoined, 'fjord_isr_expands_total')).toBe(1);
    await waitUntil(async () => sampleValue(await scrape(`http://127.0.0.1:${leader.handle.http!.port}`), 'fjord_replica_lag_max_messages') === 0, 'no lag');
    expect((await produce(-1, 10_000, 'both again')).errorCode).toBe(ErrorCode.NONE);
  }, 60_000);
});
