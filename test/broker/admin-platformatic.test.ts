// The admin APIs driven by @platformatic/kafka 2.12's Admin, which takes the highest version Fjord advertises
// (CreateTopics v5, DeleteTopics v4, CreatePartitions v3, DescribeConfigs v4, AlterConfigs v2,
// IncrementalAlterConfigs v1, DeleteRecords v2, DescribeLogDirs v2: the flexible ones) against an in-process broker.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Admin } from '@platformatic/kafka';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrokerHandle } from '../../src/broker.js';
import { TOPIC_CONFIG_KEYS } from '../../src/shared/topic-config.js';
import { platformaticKafka, startTestBroker } from './test-broker.js';

const TOPIC = 2 as const;
const BROKER = 4 as const;
const SET = 0 as const;
const DELETE = 1 as const;
const APPEND = 2 as const;
const SUBTRACT = 3 as const;
const DYNAMIC_TOPIC_CONFIG = 1;
const DEFAULT_CONFIG = 5;

type IncrementalResource = Parameters<Admin['incrementalAlterConfigs']>[0]['resources'][number];
type AlterResource = Parameters<Admin['alterConfigs']>[0]['resources'][number];

let broker: BrokerHandle;
let admin: Admin;

beforeAll(async () => {
  broker = await startTestBroker();
  const { Admin } = await platformaticKafka();
  admin = new Admin({ clientId: 'fjord-admin-test', bootstrapBrokers: [broker.bootstrap], retries: 0, timeout: 5000 });
});

afterAll(async () => {
  await admin?.close();
  await broker?.stop();
});

/** The Kafka error names inside a platformatic error (it nests them: MultipleErrors → ResponseError → ProtocolError). */
function kafkaErrors(error: unknown): Array<{ id: string; message: string | null }> {
  const found: Array<{ id: string; message: string | null }> = [];
  const walk = (e: unknown): void => {
    const { apiId, serverErrorMessage, errors } = (e ?? {}) as { apiId?: string; serverErrorMessage?: string | null; errors?: unknown[] };
    if (apiId !== undefined) found.push({ id: apiId, message: serverErrorMessage ?? null });
    for (const inner of errors ?? []) walk(inner);
  };
  walk(error);
  return found;
}

async function failure(operation: Promise<unknown>): Promise<Array<{ id: string; message: string | null }>> {
  const error = await operation.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error, 'the operation should have failed').not.toBeNull();
  return kafkaErrors(error);
}

describe('topics with @platformatic/kafka', () => {
  it('createTopics (v5) echoes partitions, replication factor and the effective configs', async () => {
    const [created] = await admin.createTopics({ topics: ['events'], partitions: 3, replicas: 1, configs: [{ name: 'retention.ms', value: '60000' }] });
    expect(created).toMatchObject({ name: 'events', partitions: 3, replicas: 1 });
    expect(created!.configuration).toMatchObject({ 'retention.ms': '60000', 'cleanup.policy': 'delete' });
    expect(Object.keys(created!.configuration)).toHaveLength(TOPIC_CONFIG_KEYS.size);
    expect(broker.topics.topic('events')).toMatchObject({ partitions: 3, configs: { 'retention.ms': '60000' } });
  });

  it('createTopics with -1 uses the broker defaults', async () => {
    const [created] = await admin.createTopics({ topics: ['defaulted'] });
    expect(created).toMatchObject({ name: 'defaulted', partitions: broker.config.numPartitions, replicas: 1 });
  });

  it('createTopics refuses an existing topic, a bad config and a replication factor above 1, with messages', async () => {
    expect(await failure(admin.createTopics({ topics: ['events'] }))).toEqual([{ id: 'TOPIC_ALREADY_EXISTS', message: "Topic 'events' already exists." }]);
    const [badConfig] = await failure(admin.createTopics({ topics: ['bad'], configs: [{ name: 'retention.ms', value: 'later' }] }));
    expect(badConfig).toMatchObject({ id: 'INVALID_CONFIG', message: expect.stringContaining('retention.ms') });
    const [replicas] = await failure(admin.createTopics({ topics: ['bad'], replicas: 3 }));
    expect(replicas).toMatchObject({ id: 'INVALID_REPLICATION_FACTOR', message: expect.stringContaining('replication factor of 3 cannot be reached') });
    expect(broker.topics.topic('bad')).toBeUndefined();
  });

  it('listTopics and metadata see the topics; deleteTopics removes them and the name is free again', async () => {
    expect(await admin.listTopics()).toEqual(expect.arrayContaining(['events', 'defaulted']));
    const metadata = await admin.metadata({ topics: ['events'] });
    expect(metadata.topics.get('events')!.partitionsCount).toBe(3);
    expect(metadata.controllerId).toBe(broker.config.nodeId);
    await admin.deleteTopics({ topics: ['defaulted'] });
    expect(existsSync(join(broker.config.logDirs[0]!, 'defaulted-0'))).toBe(false);
    expect(await admin.listTopics()).not.toContain('defaulted');
    const [again] = await admin.createTopics({ topics: ['defaulted'], partitions: 2 });
    expect(again).toMatchObject({ name: 'defaulted', partitions: 2 });
    expect(await failure(admin.deleteTopics({ topics: ['never-was'] }))).toEqual([expect.objectContaining({ id: 'UNKNOWN_TOPIC_OR_PARTITION' })]);
  });

  it('createPartitions (v3) raises the count; validateOnly and lowering change nothing', async () => {
    await admin.createPartitions({ topics: [{ name: 'events', count: 5, assignments: [] }] });
    expect(broker.topics.topic('events')!.partitions).toBe(5);
    await admin.createPartitions({ validateOnly: true, topics: [{ name: 'events', count: 8, assignments: [] }] });
    expect(broker.topics.topic('events')!.partitions).toBe(5);
    expect(await failure(admin.createPartitions({ topics: [{ name: 'events', count: 4, assignments: [] }] }))).toEqual([
      expect.objectContaining({ id: 'INVALID_PARTITIONS' }),
    ]);
  });
});

describe('configs with @platformatic/kafka', () => {
  const describeTopic = async (keys: string[] | null = null) => {
    const [result] = await admin.describeConfigs({
      resources: [{ resourceType: TOPIC, resourceName: 'events', configurationKeys: keys }],
      includeSynonyms: true,
    });
    return new Map(result!.configs.map((c) => [c.name, c]));
  };

  it('describeConfigs (v4) shows every topic key with source, synonyms and type', async () => {
    const configs = await describeTopic();
    expect(configs.size).toBe(TOPIC_CONFIG_KEYS.size);
    expect(configs.get('retention.ms')).toMatchObject({
      value: '60000',
      configSource: DYNAMIC_TOPIC_CONFIG,
      readOnly: false,
      isSensitive: false,
      configType: 5,
    });
    // As Kafka: log.retention.ms is not set and has no default of its own (Kafka's is under log.retention.hours), so no broker synonym.
    expect(configs.get('retention.ms')!.synonyms.map((s) => s.name)).toEqual(['retention.ms']);
    expect(configs.get('preallocate')).toMatchObject({ value: 'false', configSource: DEFAULT_CONFIG, configType: 1 });
    // The compaction keys: a DOUBLE (type 6) among them, each with its log.cleaner.* broker synonym.
    expect(configs.get('min.cleanable.dirty.ratio')).toMatchObject({ value: '0.5', configSource: DEFAULT_CONFIG, configType: 6 });
    expect(configs.get('min.cleanable.dirty.ratio')!.synonyms.map((s) => s.name)).toEqual(['log.cleaner.min.cleanable.ratio']);
    expect(configs.get('delete.retention.ms')!.synonyms.map((s) => s.name)).toEqual(['log.cleaner.delete.retention.ms']);
  });

  it('describeConfigs shows the broker keys read-only', async () => {
    const [result] = await admin.describeConfigs({
      resources: [{ resourceType: BROKER, resourceName: String(broker.config.nodeId), configurationKeys: ['num.partitions', 'log.dirs'] }],
    });
    expect(result!.configs.map((c) => [c.name, c.value, c.readOnly])).toEqual([
      ['log.dirs', broker.config.logDirs.join(','), true],
      ['num.partitions', '1', true],
    ]);
  });

  it('incrementalAlterConfigs (v1) sets and deletes keys, live', async () => {
    await admin.incrementalAlterConfigs({
      resources: [
        {
          resourceType: TOPIC,
          resourceName: 'events',
          configs: [
            { name: 'retention.ms', configOperation: DELETE },
            { name: 'segment.ms', configOperation: SET, value: '3600000' },
          ],
        },
      ],
    });
    expect(broker.topics.topic('events')!.configs).toEqual({ 'segment.ms': '3600000' });
    expect(broker.topics.configOf('events')).toMatchObject({ segmentMs: 3_600_000, retentionMs: broker.config.defaultLogConfig.retentionMs });
    const configs = await describeTopic(['retention.ms', 'segment.ms']);
    expect(configs.get('retention.ms')!.configSource).toBe(DEFAULT_CONFIG);
    expect(configs.get('segment.ms')).toMatchObject({ value: '3600000', configSource: DYNAMIC_TOPIC_CONFIG });
  });

  it('incrementalAlterConfigs refuses APPEND to a key that is not a list, bad values and broker resources, and validateOnly changes nothing', async () => {
    const append: IncrementalResource = {
      resourceType: TOPIC,
      resourceName: 'events',
      configs: [{ name: 'segment.ms', configOperation: APPEND, value: '5' }],
    };
    const [appendError] = await failure(admin.incrementalAlterConfigs({ resources: [append] }));
    expect(appendError).toMatchObject({ id: 'INVALID_CONFIG', message: 'Config value append is not allowed for config key: segment.ms' });
    const bad: IncrementalResource = { resourceType: TOPIC, resourceName: 'events', configs: [{ name: 'segment.ms', configOperation: SET, value: '-5' }] };
    expect(await failure(admin.incrementalAlterConfigs({ resources: [bad] }))).toEqual([expect.objectContaining({ id: 'INVALID_CONFIG' })]);
    const brokerSet: IncrementalResource = {
      resourceType: BROKER,
      resourceName: String(broker.config.nodeId),
      configs: [{ name: 'num.partitions', configOperation: SET, value: '4' }],
    };
    const [brokerError] = await failure(admin.incrementalAlterConfigs({ resources: [brokerSet] }));
    expect(brokerError).toMatchObject({ id: 'INVALID_REQUEST', message: 'broker configs are static; edit server.properties' });
    const dryRun: IncrementalResource = { resourceType: TOPIC, resourceName: 'events', configs: [{ name: 'segment.ms', configOperation: SET, value: '1000' }] };
    await admin.incrementalAlterConfigs({ validateOnly: true, resources: [dryRun] });
    expect(broker.topics.topic('events')!.configs).toEqual({ 'segment.ms': '3600000' });
  });

  it('incrementalAlterConfigs APPEND and SUBTRACT edit a list-typed key (cleanup.policy), from its default', async () => {
    const edit = (configOperation: typeof APPEND | typeof SUBTRACT, value: string): IncrementalResource => ({
      resourceType: TOPIC,
      resourceName: 'events',
      configs: [{ name: 'cleanup.policy', configOperation, value }],
    });
    await admin.incrementalAlterConfigs({ resources: [edit(APPEND, 'compact')] });
    expect(broker.topics.topic('events')!.configs['cleanup.policy']).toBe('delete,compact');
    expect(broker.topics.configOf('events').cleanupPolicy).toBe('compact,delete');
    await admin.incrementalAlterConfigs({ resources: [edit(SUBTRACT, 'delete')] });
    expect(broker.topics.configOf('events').cleanupPolicy).toBe('compact');
    expect(await failure(admin.incrementalAlterConfigs({ resources: [edit(SUBTRACT, 'compact')] }))).toEqual([
      expect.objectContaining({ id: 'INVALID_CONFIG' }),
    ]);
    await admin.incrementalAlterConfigs({
      resources: [{ resourceType: TOPIC, resourceName: 'events', configs: [{ name: 'cleanup.policy', configOperation: DELETE }] }],
    });
  });

  it('alterConfigs (v2) replaces the whole override set', async () => {
    await admin.alterConfigs({ resources: [{ resourceType: TOPIC, resourceName: 'events', configs: [{ name: 'retention.bytes', value: '1048576' }] }] });
    expect(broker.topics.topic('events')!.configs).toEqual({ 'retention.bytes': '1048576' });
    expect(broker.topics.configOf('events').segmentMs).toBe(broker.config.defaultLogConfig.segmentMs);
    const unknown: AlterResource = { resourceType: TOPIC, resourceName: 'no-such-topic', configs: [{ name: 'retention.ms', value: '1' }] };
    expect(await failure(admin.alterConfigs({ resources: [unknown] }))).toEqual([expect.objectContaining({ id: 'UNKNOWN_TOPIC_OR_PARTITION' })]);
  });
});

describe('records and log dirs with @platformatic/kafka', () => {
  it('deleteRecords (v2) answers the new low watermark; past the high watermark is refused', async () => {
    await admin.createTopics({ topics: ['trimmed'], partitions: 1 });
    const { Producer, stringSerializers } = await platformaticKafka();
    const producer = new Producer({ clientId: 'fjord-admin-test-producer', bootstrapBrokers: [broker.bootstrap], serializers: stringSerializers, retries: 0 });
    try {
      await producer.send({ messages: Array.from({ length: 6 }, (_, i) => ({ topic: 'trimmed', partition: 0, value: `v${i}` })) });
    } finally {
      await producer.close();
    }
    const [deleted] = await admin.deleteRecords({ topics: [{ name: 'trimmed', partitions: [{ partition: 0, offset: 2n }] }] });
    expect(deleted!.partitions).toEqual([{ partition: 0, lowWatermark: 2n }]);
    expect((await broker.engine.offsets('trimmed', 0)).logStartOffset).toBe(2);
    expect(await failure(admin.deleteRecords({ topics: [{ name: 'trimmed', partitions: [{ partition: 0, offset: 99n }] }] }))).toEqual([
      expect.objectContaining({ id: 'OFFSET_OUT_OF_RANGE' }),
    ]);
  });

  it('describeLogDirs (v4) lists the partitions in each dir with their sizes', async () => {
    const [described] = await admin.describeLogDirs({ topics: [{ name: 'trimmed', partitions: [0] }] });
    expect(described!.broker).toBe(broker.config.nodeId);
    expect(described!.results).toHaveLength(1);
    const [dir] = described!.results;
    expect(dir!.logDir).toBe(broker.config.logDirs[0]);
    expect(dir!.topics).toHaveLength(1);
    expect(dir!.topics[0]!.name).toBe('trimmed');
    expect(dir!.topics[0]!.partitions[0]).toMatchObject({ partitionIndex: 0, offsetLag: 0n, isFutureKey: false });
    expect(dir!.topics[0]!.partitions[0]!.partitionSize).toBeGreaterThan(0n);
  });
});
