// Fetch's max_bytes as Kafka applies it: partitions filled in request order from what max_bytes has left, a
// partition with no new data leaving its share to the ones after it, the first partition with data getting at
// least one whole batch, and no partition read beyond what the response can hold. In-process broker, raw Fetch v12.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrokerHandle } from '../../src/broker.js';
import { buildRecordBatch, decodeRecordBatches } from '../../src/shared/record-batch-codec.js';
import { RawClient } from './raw-client.js';
import { startTestBroker } from './test-broker.js';

const TOPIC = 'max-bytes';
const VALUE_BYTES = 10_000;

let broker: BrokerHandle;
let client: RawClient;

beforeAll(async () => {
  broker = await startTestBroker();
  client = await RawClient.connect(broker.address.host, broker.address.port);
  await broker.topics.createTopic(TOPIC, 4, {});
  // Partition 0 stays empty; partitions 1-3 get three batches of one 10 kB record each.
  for (const partition of [1, 2, 3]) {
    for (let batch = 0; batch < 3; batch++) {
      const records = buildRecordBatch([{ key: null, value: Buffer.alloc(VALUE_BYTES, partition * 10 + batch) }]);
      const body = { transactionalId: null, acks: 1, timeoutMs: 1000, topicData: [{ name: TOPIC, partitionData: [{ index: partition, records }] }] };
      expect((await client.call(0, 9, body)).responses[0]!.partitionResponses[0]!.errorCode).toBe(0);
    }
  }
});

afterAll(async () => {
  client?.close();
  await broker?.stop();
});

/** Records per partition (in request order 0-3) answered to one Fetch with these limits. */
async function recordsPerPartition(maxBytes: number, partitionMaxBytes: number): Promise<number[]> {
  const partitions = [0, 1, 2, 3].map((partition) => ({ partition, fetchOffset: 0, partitionMaxBytes }));
  const response = await client.call(1, 12, { maxWaitMs: 0, minBytes: 0, maxBytes, topics: [{ topic: TOPIC, partitions }] });
  return response.responses[0]!.partitions.map((p) => {
    expect(p.errorCode).toBe(0);
    return decodeRecordBatches(p.records ?? Buffer.alloc(0)).length;
  });
}

describe('Fetch max_bytes', () => {
  it('gives every partition its data when their limits fit within max_bytes', async () => {
    expect(await recordsPerPartition(1 << 20, 100_000)).toEqual([0, 3, 3, 3]);
  });

  it('fills partitions in request order from what is left, an empty partition leaving its share to the next', async () => {
    // 45 kB: partition 1 takes its three batches (~30 kB), partition 2 one more (~10 kB), partition 3 none.
    expect(await recordsPerPartition(45_000, 1 << 20)).toEqual([0, 3, 1, 0]);
  });

  it('answers the first partition with data with one whole batch even when it is larger than max_bytes', async () => {
    expect(await recordsPerPartition(1_000, 1 << 20)).toEqual([0, 1, 0, 0]);
  });

  it('answers the first partition with data with one whole batch even when its per-partition limit is below a batch header', async () => {
    for (const limit of [1, 60]) expect(await recordsPerPartition(1 << 20, limit)).toEqual([0, 1, 0, 0]);
  });

  it('applies the per-partition limit within max_bytes', async () => {
    expect(await recordsPerPartition(1 << 20, 25_000)).toEqual([0, 2, 2, 2]);
  });
});

describe('Fetch max_bytes beyond what one connection may hold', () => {
  it('answers without waiting for its own records to be written: later partitions get what room is left', async () => {
    const small = await startTestBroker({ 'fjord.connection.unsent.bytes.max': String(64 * 1024) });
    const raw = await RawClient.connect(small.address.host, small.address.port);
    try {
      await small.topics.createTopic('held', 2, {});
      for (const partition of [0, 1]) {
        const records = buildRecordBatch([0, 1, 2].map((r) => ({ key: null, value: Buffer.alloc(40_000, r) })));
        const body = { transactionalId: null, acks: 1, timeoutMs: 1000, topicData: [{ name: 'held', partitionData: [{ index: partition, records }] }] };
        expect((await raw.call(0, 9, body)).responses[0]!.partitionResponses[0]!.errorCode).toBe(0);
      }
      // Partition 0's batch (120 kB) is more than the connection may hold; partition 1's turn finds no room.
      const partitions = [0, 1].map((partition) => ({ partition, fetchOffset: 0, partitionMaxBytes: 1 << 20 }));
      const response = await raw.call(1, 12, { maxWaitMs: 0, minBytes: 0, maxBytes: 150_000, topics: [{ topic: 'held', partitions }] });
      expect(response.responses[0]!.partitions.map((p) => [p.errorCode, decodeRecordBatches(p.records ?? Buffer.alloc(0)).length])).toEqual([
        [0, 3],
        [0, 0],
      ]);
    } finally {
      raw.close();
      await small.stop();
    }
  });
});
