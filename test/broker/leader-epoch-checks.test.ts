// Fetch (v9+) and ListOffsets (v4+) check the request's current leader epoch against the partition's, as Kafka's
// leader does: the same epoch or -1 is served, an older one answers FENCED_LEADER_EPOCH, a newer one
// UNKNOWN_LEADER_EPOCH, and nothing is read. A standalone broker leads at epoch 0. In-process broker, raw protocol.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrokerHandle } from '../../src/broker.js';
import { ErrorCode } from '../../src/shared/kafka-error-codes.js';
import { buildRecordBatch } from '../../src/shared/record-batch-codec.js';
import { RawClient } from './raw-client.js';
import { startTestBroker } from './test-broker.js';

const TOPIC = 'epochs';
let broker: BrokerHandle;
let client: RawClient;

beforeAll(async () => {
  broker = await startTestBroker();
  client = await RawClient.connect(broker.address.host, broker.address.port);
  await broker.topics.createTopic(TOPIC, 1, {});
  const records = buildRecordBatch([{ key: null, value: Buffer.from('v') }]);
  const body = { transactionalId: null, acks: 1, timeoutMs: 1000, topicData: [{ name: TOPIC, partitionData: [{ index: 0, records }] }] };
  expect((await client.call(0, 9, body)).responses[0]!.partitionResponses[0]!.errorCode).toBe(0);
});

afterAll(async () => {
  client?.close();
  await broker?.stop();
});

async function fetchWith(currentLeaderEpoch: number): Promise<[number, number]> {
  const partitions = [{ partition: 0, currentLeaderEpoch, fetchOffset: 0, partitionMaxBytes: 1 << 20 }];
  const response = await client.call(1, 12, { maxWaitMs: 0, minBytes: 0, maxBytes: 1 << 20, topics: [{ topic: TOPIC, partitions }] });
  const p = response.responses[0]!.partitions[0]!;
  return [p.errorCode, p.records?.length ?? 0];
}

async function listOffsetsWith(currentLeaderEpoch: number): Promise<[number, number, number]> {
  const body = { replicaId: -1, isolationLevel: 0, topics: [{ name: TOPIC, partitions: [{ partitionIndex: 0, currentLeaderEpoch, timestamp: -1 }] }] };
  const p = (await client.call(2, 7, body)).topics[0]!.partitions[0]!;
  return [p.errorCode, p.offset, p.leaderEpoch];
}

describe('current leader epoch checks', () => {
  it('Fetch serves the partition at its epoch (0) or -1, and answers an older or newer epoch with nothing read', async () => {
    expect((await fetchWith(-1))[0]).toBe(ErrorCode.NONE);
    expect((await fetchWith(0))[1]).toBeGreaterThan(0);
    expect(await fetchWith(1)).toEqual([ErrorCode.UNKNOWN_LEADER_EPOCH, 0]);
    expect(await fetchWith(-2)).toEqual([ErrorCode.FENCED_LEADER_EPOCH, 0]);
  });

  it('ListOffsets answers at the partition epoch, and refuses an epoch it does not have', async () => {
    expect(await listOffsetsWith(0)).toEqual([ErrorCode.NONE, 1, 0]);
    expect(await listOffsetsWith(-1)).toEqual([ErrorCode.NONE, 1, 0]);
    expect((await listOffsetsWith(7))[0]).toBe(ErrorCode.UNKNOWN_LEADER_EPOCH);
  });
});
