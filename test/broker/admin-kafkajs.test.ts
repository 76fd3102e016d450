// The admin APIs driven by KafkaJS 2.2.4's admin client (CreateTopics v3, DeleteTopics v1, CreatePartitions v1,
// DescribeConfigs v2, AlterConfigs v1, DeleteRecords v1, Metadata, ListOffsets) against an in-process broker.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigResourceTypes, type Admin, type Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrokerHandle } from '../../src/broker.js';
import { TOPIC_CONFIG_KEYS } from '../../src/shared/topic-config.js';
import { kafkajsClient, startTestBroker } from './test-broker.js';

const TOPIC_CONFIG = 1;
const STATIC_BROKER_CONFIG = 4;
const DEFAULT_CONFIG = 5;

let broker: BrokerHandle;
let kafka: Kafka;
let admin: Admin;

beforeAll(async () => {
  broker = await startTestBroker({ 'log.retention.bytes': '1073741824' });
  kafka = await kafkajsClient(broker);
  admin = kafka.admin();
  await admin.connect();
});

afterAll(async () => {
  await admin?.disconnect();
  await broker?.stop();
});

/** The error types of a KafkaJS createTopics failure (it aggregates one error per topic). */
async function createErrorTypes(topics: Parameters<Admin['createTopics']>[0]['topics']): Promise<string[]> {
  const error = await admin.createTopics({ topics, waitForLeaders: false }).then(
    () => null,
    (e: { errors?: Array<{ type: string }>; type?: string }) => e,
  );
  expect(error).not.toBeNull();
  return error!.errors?.map((e) => e.type) ?? [error!.type!];
}

async function produce(topic: string, count: number, partition = 0): Promise<void> {
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  try {
    await producer.send({ topic, acks: 1, messages: Array.from({ length: count }, (_, i) => ({ partition, value: `message-${i}` })) });
  } finally {
    await producer.disconnect();
  }
}

describe('CreateTopics with KafkaJS', () => {
  it('creates a topic with partitions and configs, and reports an existing one as not created', async () => {
    const created = await admin.createTopics({ topics: [{ topic: 'orders', numPartitions: 3, configEntries: [{ name: 'retention.ms', value: '3600000' }] }] });
    expect(created).toBe(true);
    expect(broker.topics.topic('orders')).toMatchObject({ partitions: 3, configs: { 'retention.ms': '3600000' } });
    expect(broker.topics.configOf('orders').retentionMs).toBe(3_600_000);
    const metadata = await admin.fetchTopicMetadata({ topics: ['orders'] });
    expect(metadata.topics[0]!.partitions).toHaveLength(3);
    expect(await admin.createTopics({ topics: [{ topic: 'orders' }] })).toBe(false);
  });

  it('uses the broker defaults for -1 partitions and replication factor', async () => {
    expect(await admin.createTopics({ topics: [{ topic: 'defaults', numPartitions: -1, replicationFactor: -1 }] })).toBe(true);
    expect(broker.topics.topic('defaults')!.partitions).toBe(broker.config.numPartitions);
  });

  it('validateOnly checks without creating', async () => {
    expect(await admin.createTopics({ validateOnly: true, waitForLeaders: false, topics: [{ topic: 'dry-run', numPartitions: 2 }] })).toBe(true);
    expect(broker.topics.topic('dry-run')).toBeUndefined();
    expect(await createErrorTypesValidateOnly([{ topic: 'dry-run', configEntries: [{ name: 'retention.ms', value: 'soon' }] }])).toEqual(['INVALID_CONFIG']);
  });

  it('answers each bad topic with its own error', async () => {
    expect(await createErrorTypes([{ topic: 'bad-config', configEntries: [{ name: 'retention.ms', value: 'soon' }] }])).toEqual(['INVALID_CONFIG']);
    expect(await createErrorTypes([{ topic: 'unknown-config', configEntries: [{ name: 'no.such.key', value: '1' }] }])).toEqual(['INVALID_CONFIG']);
    expect(await createErrorTypes([{ topic: 'three-replicas', replicationFactor: 3 }])).toEqual(['INVALID_REPLICATION_FACTOR']);
    expect(await createErrorTypes([{ topic: 'no partitions', numPartitions: 2 }])).toEqual(['INVALID_TOPIC_EXCEPTION']);
    expect(await createErrorTypes([{ topic: 'zero-partitions', numPartitions: 0 }])).toEqual(['INVALID_PARTITIONS']);
    expect(await createErrorTypes([{ topic: 'assigned', replicaAssignment: [{ partition: 0, replicas: [7] }] }])).toEqual(['INVALID_REPLICA_ASSIGNMENT']);
    for (const name of ['bad-config', 'unknown-config', 'three-replicas', 'zero-partitions', 'assigned']) expect(broker.topics.topic(name)).toBeUndefined();
  });
});

async function createErrorTypesValidateOnly(topics: Parameters<Admin['createTopics']>[0]['topics']): Promise<string[]> {
  const error = await admin.createTopics({ topics, validateOnly: true, waitForLeaders: false }).then(
    () => null,
    (e: { errors?: Array<{ type: string }> }) => e,
  );
  return error?.errors?.map((e) => e.type) ?? [];
}

describe('DeleteTopics with KafkaJS', () => {
  it('removes the files and lets the name be created again at once', async () => {
    await admin.createTopics({ topics: [{ topic: 'reused', numPartitions: 2 }] });
    await produce('reused', 5);
    const logDir = broker.config.logDirs[0]!;
    expect(existsSync(join(logDir, 'reused-0'))).toBe(true);
    await admin.deleteTopics({ topics: ['reused'] });
    expect(existsSync(join(logDir, 'reused-0'))).toBe(false);
    expect(existsSync(join(logDir, 'reused-1'))).toBe(false);
    expect(await admin.listTopics()).not.toContain('reused');
    expect(await admin.createTopics({ topics: [{ topic: 'reused', numPartitions: 1 }] })).toBe(true);
    expect(await admin.fetchTopicOffsets('reused')).toEqual([{ partition: 0, offset: '0', high: '0', low: '0' }]);
  });

  it('refuses an unknown topic', async () => {
    // KafkaJS treats UNKNOWN_TOPIC_OR_PARTITION as retriable and wraps it once its retries run out.
    await expect(admin.deleteTopics({ topics: ['never-existed'] })).rejects.toMatchObject({ cause: { type: 'UNKNOWN_TOPIC_OR_PARTITION' } });
  });
});

describe('CreatePartitions with KafkaJS', () => {
  it('raises the count, checks only with validateOnly and refuses to lower it', async () => {
    await admin.createTopics({ topics: [{ topic: 'grow', numPartitions: 2 }] });
    await admin.createPartitions({ topicPartitions: [{ topic: 'grow', count: 4 }] });
    expect((await admin.fetchTopicMetadata({ topics: ['grow'] })).topics[0]!.partitions).toHaveLength(4);
    await admin.createPartitions({ validateOnly: true, topicPartitions: [{ topic: 'grow', count: 6 }] });
    expect(broker.topics.topic('grow')!.partitions).toBe(4);
    await expect(admin.createPartitions({ topicPartitions: [{ topic: 'grow', count: 2 }] })).rejects.toMatchObject({ type: 'INVALID_PARTITIONS' });
    await produce('grow', 1, 3);
    expect((await admin.fetchTopicOffsets('grow')).find((p) => p.partition === 3)!.high).toBe('1');
  });
});

describe('DescribeConfigs and AlterConfigs with KafkaJS', () => {
  it('describes a topic: every key, its effective value, source and synonyms', async () => {
    await admin.createTopics({ topics: [{ topic: 'described', configEntries: [{ name: 'max.message.bytes', value: '65536' }] }] });
    const { resources } = await admin.describeConfigs({ includeSynonyms: true, resources: [{ type: ConfigResourceTypes.TOPIC, name: 'described' }] });
    expect(resources[0]!.errorCode).toBe(0);
    const entries = new Map(resources[0]!.configEntries.map((e) => [e.configName, e]));
    expect(entries.size).toBe(TOPIC_CONFIG_KEYS.size);
    expect(entries.get('max.message.bytes')).toMatchObject({ configValue: '65536', configSource: TOPIC_CONFIG, isDefault: false, readOnly: false });
    expect(entries.get('max.message.bytes')!.configSynonyms.map((s) => [s.configName, s.configSource])).toEqual([
      ['max.message.bytes', TOPIC_CONFIG],
      ['message.max.bytes', DEFAULT_CONFIG],
    ]);
    expect(entries.get('cleanup.policy')).toMatchObject({ configValue: 'delete', configSource: DEFAULT_CONFIG, isDefault: true });
    // log.retention.bytes is set in this broker's config: topics without an override inherit it.
    expect(entries.get('retention.bytes')).toMatchObject({ configValue: '1073741824', configSource: STATIC_BROKER_CONFIG });
  });

  it('filters by key name', async () => {
    const { resources } = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: ConfigResourceTypes.TOPIC, name: 'described', configNames: ['retention.ms', 'no.such.key'] }],
    });
    expect(resources[0]!.configEntries.map((e) => e.configName)).toEqual(['retention.ms']);
  });

  it('describes the broker: its keys, read-only, static or default', async () => {
    const { resources } = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: ConfigResourceTypes.BROKER, name: String(broker.config.nodeId) }],
    });
    const entries = new Map(resources[0]!.configEntries.map((e) => [e.configName, e]));
    expect(entries.get('log.retention.bytes')).toMatchObject({ configValue: '1073741824', readOnly: true, configSource: STATIC_BROKER_CONFIG });
    expect(entries.get('num.partitions')).toMatchObject({ configValue: '1', readOnly: true, configSource: DEFAULT_CONFIG, isDefault: true });
  });

  it('AlterConfigs replaces the whole override set, live', async () => {
    await admin.alterConfigs({
      validateOnly: false,
      resources: [{ type: ConfigResourceTypes.TOPIC, name: 'described', configEntries: [{ name: 'cleanup.policy', value: 'compact' }] }],
    });
    expect(broker.topics.topic('described')!.configs).toEqual({ 'cleanup.policy': 'compact' });
    expect(broker.topics.configOf('described')).toMatchObject({ cleanupPolicy: 'compact', maxMessageBytes: broker.config.defaultLogConfig.maxMessageBytes });
    const { resources } = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: ConfigResourceTypes.TOPIC, name: 'described', configNames: ['cleanup.policy', 'max.message.bytes'] }],
    });
    const sources = Object.fromEntries(resources[0]!.configEntries.map((e) => [e.configName, e.configSource]));
    expect(sources).toEqual({ 'cleanup.policy': TOPIC_CONFIG, 'max.message.bytes': DEFAULT_CONFIG });
  });

  it('AlterConfigs validateOnly and bad values change nothing; broker configs are static', async () => {
    const resource = (value: string) => ({ type: ConfigResourceTypes.TOPIC, name: 'described', configEntries: [{ name: 'retention.ms', value }] });
    await admin.alterConfigs({ validateOnly: true, resources: [resource('1000')] });
    await expect(admin.alterConfigs({ validateOnly: false, resources: [resource('soon')] })).rejects.toMatchObject({ type: 'INVALID_CONFIG' });
    expect(broker.topics.topic('described')!.configs).toEqual({ 'cleanup.policy': 'compact' });
    const brokerResource = { type: ConfigResourceTypes.BROKER, name: String(broker.config.nodeId), configEntries: [{ name: 'num.partitions', value: '3' }] };
    await expect(admin.alterConfigs({ validateOnly: false, resources: [brokerResource] })).rejects.toMatchObject({ type: 'INVALID_REQUEST' });
  });
});

describe('DeleteRecords with KafkaJS', () => {
  it('moves the low watermark, -1 means the high watermark, beyond it is refused', async () => {
    await admin.createTopics({ topics: [{ topic: 'trim', numPartitions: 1 }] });
    await produce('trim', 10);
    // KafkaJS looks the partition leader up in its metadata cache before refreshing it: load it first.
    await admin.fetchTopicOffsets('trim');
    await admin.deleteTopicRecords({ topic: 'trim', partitions: [{ partition: 0, offset: '4' }] });
    expect(await admin.fetchTopicOffsets('trim')).toEqual([{ partition: 0, offset: '10', high: '10', low: '4' }]);
    await admin.deleteTopicRecords({ topic: 'trim', partitions: [{ partition: 0, offset: '-1' }] });
    expect(await admin.fetchTopicOffsets('trim')).toEqual([{ partition: 0, offset: '10', high: '10', low: '10' }]);
    // KafkaJS wraps the per-partition error (KafkaJSDeleteTopicRecordsError) in a non-retriable error.
    await expect(admin.deleteTopicRecords({ topic: 'trim', partitions: [{ partition: 0, offset: '50' }] })).rejects.toMatchObject({
      cause: { partitions: [{ partition: 0, error: { type: 'OFFSET_OUT_OF_RANGE' } }] },
    });
  });
});

describe('cluster views with KafkaJS', () => {
  it('describeCluster shows this broker as the cluster and its controller', async () => {
    expect(await admin.describeCluster()).toEqual({
      brokers: [{ nodeId: broker.config.nodeId, host: broker.address.host, port: broker.address.port }],
      controller: broker.config.nodeId,
      clusterId: broker.topics.clusterId,
    });
  });

  it('listTopics lists every topic', async () => {
    expect((await admin.listTopics()).sort()).toEqual(broker.topics.topicNames().sort());
    expect(await admin.listTopics()).toEqual(expect.arrayContaining(['orders', 'grow', 'trim']));
  });
});
