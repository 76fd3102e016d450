// @platformatic/kafka against a real broker process. It takes the highest versions Fjord advertises,
// so this exercises the flexible versions: Produce v11, Fetch v17 (topics by id), Metadata v12, ApiVersions v3.
import '../helpers/promise-with-resolvers.js';
import { Consumer, Producer, type ProduceResult, stringDeserializers, stringSerializers } from '@platformatic/kafka';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeRecordBatches } from '../../src/shared/record-batch-codec.js';
import { startBrokerProcess, type BrokerProcess } from '../helpers/broker-process.js';

let broker: BrokerProcess;
beforeAll(async () => {
  broker = await startBrokerProcess();
});
afterAll(async () => {
  expect(await broker.stop()).toBe(0);
});

const zstdAvailable = Number(process.versions.node.split('.')[0]) >= 22;

describe('@platformatic/kafka', () => {
  it('produces with every codec it supports here and idempotently, and fetches back by topic id (Fetch v17)', async () => {
    const producer = new Producer({ clientId: 'fjord-test', bootstrapBrokers: [broker.bootstrap], serializers: stringSerializers, autocreateTopics: true });
    const codecs = ['none', 'gzip', 'snappy', 'lz4', ...(zstdAvailable ? (['zstd'] as const) : [])] as const;
    for (const [i, compression] of codecs.entries()) {
      const result: ProduceResult = await producer.send({
        messages: [{ topic: 'pk', key: `k${i}`, value: `${compression} `.repeat(300), headers: { codec: compression } }],
        compression,
      });
      expect(result.offsets![0]!.offset).toBe(BigInt(i));
    }
    await producer.close();
    const idempotent = new Producer({ clientId: 'fjord-idem', bootstrapBrokers: [broker.bootstrap], serializers: stringSerializers, idempotent: true });
    expect((await idempotent.send({ messages: [{ topic: 'pk', key: 'idem', value: 'once' }] })).offsets![0]!.offset).toBe(BigInt(codecs.length));
    await idempotent.close();

    const consumer = new Consumer({ clientId: 'fjord-reader', groupId: 'unused', bootstrapBrokers: [broker.bootstrap], deserializers: stringDeserializers });
    expect((await consumer.listOffsets({ topics: ['pk'] })).get('pk')).toEqual([BigInt(codecs.length + 1)]);
    const fetched = await consumer.fetch({
      node: 1,
      topics: [
        {
          topicId: await topicIdOf(consumer, 'pk'),
          partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: 0n, lastFetchedEpoch: -1, partitionMaxBytes: 1 << 20 }],
        },
      ],
      maxWaitTime: 100,
    });
    const partition = fetched.responses[0]!.partitions[0]!;
    expect(partition.errorCode).toBe(0);
    expect(partition.highWatermark).toBe(BigInt(codecs.length + 1));
    expect(partition.records!.length).toBe(codecs.length + 1);
    await consumer.close();
  });

  it('stores the uncompressed batches exactly as decodable records', async () => {
    const producer = new Producer({ clientId: 'fjord-plain', bootstrapBrokers: [broker.bootstrap], serializers: stringSerializers, autocreateTopics: true });
    await producer.send({
      messages: [
        { topic: 'plain', key: 'a', value: 'alpha', headers: { h: '1' } },
        { topic: 'plain', key: 'b', value: 'beta' },
      ],
    });
    await producer.close();
    const consumer = new Consumer({
      clientId: 'fjord-plain-reader',
      groupId: 'unused',
      bootstrapBrokers: [broker.bootstrap],
      deserializers: stringDeserializers,
    });
    const fetched = await consumer.fetch({
      node: 1,
      topics: [
        {
          topicId: await topicIdOf(consumer, 'plain'),
          partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: 0n, lastFetchedEpoch: -1, partitionMaxBytes: 1 << 20 }],
        },
      ],
      maxWaitTime: 100,
    });
    await consumer.close();
    expect(fetched.responses[0]!.partitions[0]!.errorCode).toBe(0);
    const raw = await readRaw('plain');
    expect(raw.map((r) => [r.offset, r.key!.toString(), r.value!.toString(), r.headers.map((h) => `${h.key}=${h.value}`).join()])).toEqual([
      [0, 'a', 'alpha', 'h=1'],
      [1, 'b', 'beta', ''],
    ]);
  });
});

/** Fetch v13+ names topics by id: the one Metadata answers. */
async function topicIdOf(consumer: Consumer<string, string, string, string>, topic: string): Promise<string> {
  return (await consumer.metadata({ topics: [topic] })).topics.get(topic)!.id;
}

async function readRaw(topic: string) {
  const { readFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  return decodeRecordBatches(readFileSync(join(broker.logDir, `${topic}-0`, '00000000000000000000.log')));
}
