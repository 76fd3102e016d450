// The admin failures issue 12 reports, replayed with KafkaJS against a broker process (the compiled command)
// configured as an operator would: DescribeConfigs with synonyms for compression.type and retention.ms, a
// broker's configs, a topic created with message.timestamp.difference.max.ms and with a manual assignment,
// CreatePartitions with an unknown broker, and the broker-wide compression.type recompressing what is produced.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigResourceTypes, type Kafka, logLevel } from 'kafkajs';
import KafkaJS from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Codec } from '../../src/shared/compression/record-compression.js';
import { Attribute, BatchField } from '../../src/shared/record-batch.js';
import { type BrokerProcess, startBrokerProcess } from '../helpers/broker-process.js';

const Source = { TOPIC: 1, STATIC: 4, DEFAULT: 5 };
const NODE_ID = 1;

let broker: BrokerProcess;
let kafka: Kafka;

beforeAll(async () => {
  broker = await startBrokerProcess({ 'log.retention.ms': '7200000', 'compression.type': 'gzip', 'node.id': String(NODE_ID) });
  kafka = new KafkaJS.Kafka({ clientId: 'issue-12', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 1 } });
});

afterAll(async () => {
  await broker?.stop();
});

describe('admin answers from a broker process', () => {
  it('creates topics with message.timestamp.difference.max.ms and with a manual assignment; refuses an unknown broker in CreatePartitions', async () => {
    const admin = kafka.admin();
    await admin.connect();
    try {
      await admin.createTopics({ topics: [{ topic: 'timed', configEntries: [{ name: 'message.timestamp.difference.max.ms', value: '3600000' }] }] });
      await admin.createTopics({
        topics: [
          {
            topic: 'placed',
            replicaAssignment: [
              { partition: 0, replicas: [NODE_ID] },
              { partition: 1, replicas: [NODE_ID] },
            ],
          },
        ],
      });
      expect((await admin.fetchTopicMetadata({ topics: ['placed'] })).topics[0]!.partitions).toHaveLength(2);
      await expect(admin.createPartitions({ topicPartitions: [{ topic: 'placed', count: 3, assignments: [[NODE_ID + 1]] }] })).rejects.toMatchObject({
        type: 'INVALID_REPLICA_ASSIGNMENT',
      });
    } finally {
      await admin.disconnect();
    }
  });

  it('describes a topic with synonyms as Kafka does, and the broker by its id', async () => {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const { resources } = await admin.describeConfigs({
        includeSynonyms: true,
        resources: [
          { type: ConfigResourceTypes.TOPIC, name: 'timed', configNames: ['compression.type', 'retention.ms', 'message.timestamp.difference.max.ms'] },
          { type: ConfigResourceTypes.BROKER, name: String(NODE_ID), configNames: ['log.retention.ms', 'log.retention.hours', 'compression.type'] },
        ],
      });
      const topic = new Map(resources.find((r) => r.resourceType === ConfigResourceTypes.TOPIC)!.configEntries.map((e) => [e.configName, e]));
      expect(topic.get('compression.type')).toMatchObject({ configValue: 'gzip', configSource: Source.STATIC });
      expect(topic.get('compression.type')!.configSynonyms).toEqual([
        { configName: 'compression.type', configValue: 'gzip', configSource: Source.STATIC },
        { configName: 'compression.type', configValue: 'producer', configSource: Source.DEFAULT },
      ]);
      expect(topic.get('retention.ms')).toMatchObject({ configValue: '7200000', configSource: Source.STATIC });
      expect(topic.get('retention.ms')!.configSynonyms).toEqual([
        { configName: 'log.retention.ms', configValue: '7200000', configSource: Source.STATIC },
        { configName: 'log.retention.hours', configValue: '168', configSource: Source.DEFAULT },
      ]);
      expect(topic.get('message.timestamp.difference.max.ms')).toMatchObject({ configValue: '3600000', configSource: Source.TOPIC });
      const brokerResource = resources.find((r) => r.resourceType === ConfigResourceTypes.BROKER)!;
      expect(brokerResource.errorCode).toBe(0);
      expect(new Map(brokerResource.configEntries.map((e) => [e.configName, [e.configValue, e.readOnly]]))).toEqual(
        new Map([
          ['log.retention.ms', ['7200000', true]],
          ['log.retention.hours', ['168', true]],
          ['compression.type', ['gzip', true]],
        ]),
      );
    } finally {
      await admin.disconnect();
    }
  });

  it('recompresses uncompressed produces with the broker-wide compression.type; a consumer reads them back', async () => {
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: 'timed', messages: [{ key: 'k', value: 'stored gzip' }] });
    await expect(producer.send({ topic: 'timed', messages: [{ value: 'too old', timestamp: String(Date.now() - 7_200_000) }] })).rejects.toMatchObject({
      type: 'INVALID_TIMESTAMP',
    });
    await producer.disconnect();
    const consumer = kafka.consumer({ groupId: 'issue-12-readers' });
    await consumer.connect();
    await consumer.subscribe({ topic: 'timed', fromBeginning: true });
    const first = await new Promise<string>((resolve) => {
      void consumer.run({ eachMessage: async ({ message }) => resolve(message.value!.toString()) });
    });
    await consumer.disconnect();
    // The segment holds the batch gzip-compressed (attributes bits 0-2 = 1), though the producer sent it uncompressed.
    const segment = readFileSync(join(broker.logDir, 'timed-0', '00000000000000000000.log'));
    expect(segment.readInt16BE(BatchField.ATTRIBUTES) & Attribute.COMPRESSION_MASK).toBe(Codec.GZIP);
    expect(first).toBe('stored gzip');
  });
});
