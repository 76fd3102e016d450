// Admin answers compared with what a Kafka 3.9 broker gives, against a real broker: DescribeConfigs for topics
// and brokers (keys, sources, synonyms in Kafka's order, types, documentation) raw and through KafkaJS and
// @platformatic/kafka, CreateTopics v7 with manual assignments and validateOnly, and CreatePartitions with
// assignments, each error with Kafka's code and message.
import { ConfigResourceTypes, type Admin } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrokerHandle } from '../../src/broker.js';
import { ZERO_UUID } from '../../src/protocol/codec/reader.js';
import { ErrorCode } from '../../src/shared/kafka-error-codes.js';
import { RawClient } from './raw-client.js';
import { kafkajsClient, platformaticKafka, startTestBroker } from './test-broker.js';

const TOPIC = 2;
const BROKER = 4;
const Source = { TOPIC: 1, STATIC: 4, DEFAULT: 5 };
const Type = { BOOLEAN: 1, STRING: 2, INT: 3, LONG: 5, DOUBLE: 6, LIST: 7 };

/** The topic keys of Kafka 3.9's LogConfig (message.downconversion.enable comes with the old message formats). */
const KAFKA_39_TOPIC_KEYS = [
  'segment.bytes',
  'segment.ms',
  'segment.jitter.ms',
  'segment.index.bytes',
  'flush.messages',
  'flush.ms',
  'retention.bytes',
  'retention.ms',
  'max.message.bytes',
  'index.interval.bytes',
  'delete.retention.ms',
  'min.compaction.lag.ms',
  'max.compaction.lag.ms',
  'file.delete.delay.ms',
  'min.cleanable.dirty.ratio',
  'cleanup.policy',
  'unclean.leader.election.enable',
  'min.insync.replicas',
  'compression.type',
  'compression.gzip.level',
  'compression.lz4.level',
  'compression.zstd.level',
  'preallocate',
  'message.format.version',
  'message.timestamp.type',
  'message.timestamp.difference.max.ms',
  'message.timestamp.before.max.ms',
  'message.timestamp.after.max.ms',
  'leader.replication.throttled.replicas',
  'follower.replication.throttled.replicas',
  'remote.storage.enable',
  'local.retention.ms',
  'local.retention.bytes',
  'remote.log.copy.disable',
  'remote.log.delete.on.disable',
];

type CreatableTopic = {
  name: string;
  numPartitions: number;
  replicationFactor: number;
  assignments: Array<{ partitionIndex: number; brokerIds: number[] }>;
  configs: Array<{ name: string; value: string | null }>;
};

function creatable(name: string, shape: Partial<CreatableTopic> = {}): CreatableTopic {
  return { name, numPartitions: 1, replicationFactor: 1, assignments: [], configs: [], ...shape };
}

async function describeRaw(client: RawClient, resourceType: number, resourceName: string, keys: string[] | null = null) {
  const { results } = await client.call(32, 4, {
    resources: [{ resourceType, resourceName, configurationKeys: keys }],
    includeSynonyms: true,
    includeDocumentation: true,
  });
  return results[0]!;
}

describe('DescribeConfigs on a broker with default configs', () => {
  let broker: BrokerHandle;
  let client: RawClient;
  let admin: Admin;

  beforeAll(async () => {
    broker = await startTestBroker();
    client = await RawClient.connect(broker.address.host, broker.address.port);
    admin = (await kafkajsClient(broker)).admin();
    await admin.connect();
    await broker.topics.createTopic('plain', 1);
    await broker.topics.createTopic('overridden', 1, { 'retention.ms': '3600000', 'compression.type': 'gzip' });
  });

  afterAll(async () => {
    await admin?.disconnect();
    client?.close();
    await broker?.stop();
  });

  it("lists every key of Kafka 3.9's topic config", async () => {
    const result = await describeRaw(client, TOPIC, 'plain');
    expect(result.errorCode).toBe(ErrorCode.NONE);
    expect(result.configs.map((c) => c.name)).toEqual(expect.arrayContaining(KAFKA_39_TOPIC_KEYS));
    for (const config of result.configs) {
      expect(config).toMatchObject({ readOnly: false, isSensitive: false });
      expect(config.documentation).toEqual(expect.any(String));
      expect(config.configType).toBeGreaterThan(0);
    }
  });

  it('compression.type and retention.ms at their defaults answer as Kafka does', async () => {
    const configs = new Map(
      (await describeRaw(client, TOPIC, 'plain', ['compression.type', 'retention.ms', 'cleanup.policy'])).configs.map((c) => [c.name, c]),
    );
    expect(configs.get('compression.type')).toMatchObject({
      value: 'producer',
      configSource: Source.DEFAULT,
      configType: Type.STRING,
      synonyms: [{ name: 'compression.type', value: 'producer', source: Source.DEFAULT }],
    });
    // Kafka's default for retention is under log.retention.hours, and its synonym list starts at log.retention.ms: empty.
    expect(configs.get('retention.ms')).toMatchObject({ value: '604800000', configSource: Source.DEFAULT, configType: Type.LONG, synonyms: [] });
    expect(configs.get('cleanup.policy')).toMatchObject({ value: 'delete', configType: Type.LIST });
  });

  it('a topic override comes first, then the broker default', async () => {
    const configs = new Map((await describeRaw(client, TOPIC, 'overridden', ['compression.type', 'retention.ms'])).configs.map((c) => [c.name, c]));
    expect(configs.get('compression.type')).toMatchObject({
      value: 'gzip',
      configSource: Source.TOPIC,
      synonyms: [
        { name: 'compression.type', value: 'gzip', source: Source.TOPIC },
        { name: 'compression.type', value: 'producer', source: Source.DEFAULT },
      ],
    });
    expect(configs.get('retention.ms')).toMatchObject({
      value: '3600000',
      configSource: Source.TOPIC,
      synonyms: [{ name: 'retention.ms', value: '3600000', source: Source.TOPIC }],
    });
  });

  it('KafkaJS describeConfigs with includeSynonyms reads the same answer', async () => {
    const { resources } = await admin.describeConfigs({
      includeSynonyms: true,
      resources: [{ type: ConfigResourceTypes.TOPIC, name: 'overridden', configNames: ['compression.type', 'retention.ms', 'segment.bytes'] }],
    });
    const entries = new Map(resources[0]!.configEntries.map((e) => [e.configName, e]));
    expect(entries.get('compression.type')).toMatchObject({ configValue: 'gzip', configSource: Source.TOPIC, isDefault: false, readOnly: false });
    expect(entries.get('compression.type')!.configSynonyms).toEqual([
      { configName: 'compression.type', configValue: 'gzip', configSource: Source.TOPIC },
      { configName: 'compression.type', configValue: 'producer', configSource: Source.DEFAULT },
    ]);
    expect(entries.get('retention.ms')!.configSynonyms).toEqual([{ configName: 'retention.ms', configValue: '3600000', configSource: Source.TOPIC }]);
    expect(entries.get('segment.bytes')).toMatchObject({ configValue: '1073741824', configSource: Source.DEFAULT, isDefault: true });
    expect(entries.get('segment.bytes')!.configSynonyms).toEqual([
      { configName: 'log.segment.bytes', configValue: '1073741824', configSource: Source.DEFAULT },
    ]);
  });

  it('describes this broker by its id, with every name of each key as Kafka lists them', async () => {
    const result = await describeRaw(client, BROKER, String(broker.config.nodeId));
    expect(result.errorCode).toBe(ErrorCode.NONE);
    const configs = new Map(result.configs.map((c) => [c.name, c]));
    expect(configs.get('log.retention.hours')).toMatchObject({ value: '168', readOnly: true, configSource: Source.DEFAULT, configType: Type.LONG });
    expect(configs.get('log.retention.ms')).toMatchObject({ value: null, configSource: Source.DEFAULT, synonyms: [] });
    expect(configs.get('compression.type')).toMatchObject({
      value: 'producer',
      synonyms: [{ name: 'compression.type', value: 'producer', source: Source.DEFAULT }],
    });
    for (const key of ['log.message.timestamp.before.max.ms', 'log.message.timestamp.after.max.ms', 'min.insync.replicas', 'log.segment.bytes']) {
      expect(configs.has(key)).toBe(true);
    }
  });

  it('another broker id, a non-numeric id and the cluster default resource answer as Kafka does', async () => {
    const other = await describeRaw(client, BROKER, String(broker.config.nodeId + 5));
    expect(other).toMatchObject({
      errorCode: ErrorCode.INVALID_REQUEST,
      errorMessage: `Unexpected broker id, expected ${broker.config.nodeId} or empty string, but received ${broker.config.nodeId + 5}`,
      configs: [],
    });
    expect(await describeRaw(client, BROKER, 'one')).toMatchObject({
      errorCode: ErrorCode.INVALID_REQUEST,
      errorMessage: 'Broker id must be an integer, but it is: one',
    });
    // "" is the cluster-wide dynamic default: Fjord has no dynamic broker configs, so none.
    expect(await describeRaw(client, BROKER, '')).toMatchObject({ errorCode: ErrorCode.NONE, configs: [] });
  });

  it('@platformatic/kafka describeConfigs reads the broker and topic answers', async () => {
    const { Admin: PlatformaticAdmin } = await platformaticKafka();
    const platformatic = new PlatformaticAdmin({ clientId: 'answers', bootstrapBrokers: [broker.bootstrap] });
    try {
      const [topicResult, brokerResult] = await platformatic.describeConfigs({
        resources: [
          { resourceType: TOPIC, resourceName: 'overridden', configurationKeys: ['compression.type'] },
          { resourceType: BROKER, resourceName: String(broker.config.nodeId), configurationKeys: ['log.retention.hours'] },
        ],
        includeSynonyms: true,
      });
      expect(topicResult!.configs[0]).toMatchObject({ name: 'compression.type', value: 'gzip', configSource: Source.TOPIC });
      expect(topicResult!.configs[0]!.synonyms.map((s) => [s.name, s.source])).toEqual([
        ['compression.type', Source.TOPIC],
        ['compression.type', Source.DEFAULT],
      ]);
      expect(brokerResult!.configs).toEqual([expect.objectContaining({ name: 'log.retention.hours', value: '168', readOnly: true })]);
    } finally {
      await platformatic.close();
    }
  });
});

describe('DescribeConfigs on a broker with static configs', () => {
  let broker: BrokerHandle;
  let client: RawClient;

  beforeAll(async () => {
    broker = await startTestBroker({ 'log.retention.ms': '7200000', 'log.retention.hours': '48', 'compression.type': 'lz4' });
    client = await RawClient.connect(broker.address.host, broker.address.port);
    await broker.topics.createTopic('inherits', 1);
  });

  afterAll(async () => {
    client?.close();
    await broker?.stop();
  });

  it('lists the static values before the defaults, every synonym name in Kafka order', async () => {
    const configs = new Map((await describeRaw(client, TOPIC, 'inherits', ['retention.ms', 'compression.type'])).configs.map((c) => [c.name, c]));
    expect(configs.get('retention.ms')).toMatchObject({
      value: '7200000',
      configSource: Source.STATIC,
      synonyms: [
        { name: 'log.retention.ms', value: '7200000', source: Source.STATIC },
        { name: 'log.retention.hours', value: '48', source: Source.STATIC },
        { name: 'log.retention.hours', value: '168', source: Source.DEFAULT },
      ],
    });
    expect(configs.get('compression.type')).toMatchObject({
      value: 'lz4',
      configSource: Source.STATIC,
      synonyms: [
        { name: 'compression.type', value: 'lz4', source: Source.STATIC },
        { name: 'compression.type', value: 'producer', source: Source.DEFAULT },
      ],
    });
  });

  it('the broker resource shows each given name as given', async () => {
    const configs = new Map(
      (await describeRaw(client, BROKER, String(broker.config.nodeId), ['log.retention.ms', 'log.retention.hours'])).configs.map((c) => [c.name, c]),
    );
    expect(configs.get('log.retention.ms')).toMatchObject({ value: '7200000', configSource: Source.STATIC });
    expect(configs.get('log.retention.hours')).toMatchObject({
      value: '48',
      configSource: Source.STATIC,
      synonyms: [
        { name: 'log.retention.hours', value: '48', source: Source.STATIC },
        { name: 'log.retention.hours', value: '168', source: Source.DEFAULT },
      ],
    });
  });
});

describe('CreateTopics and CreatePartitions as Kafka answers them', () => {
  let broker: BrokerHandle;
  let client: RawClient;
  let node: number;

  beforeAll(async () => {
    broker = await startTestBroker();
    client = await RawClient.connect(broker.address.host, broker.address.port);
    node = broker.config.nodeId;
  });

  afterAll(async () => {
    client?.close();
    await broker?.stop();
  });

  async function create(topics: CreatableTopic[], validateOnly = false) {
    return (await client.call(19, 7, { topics, timeoutMs: 1000, validateOnly })).topics;
  }

  it('creates from a manual assignment of this broker, answering the topic id (v7)', async () => {
    const [result] = await create([
      creatable('manual', {
        numPartitions: -1,
        replicationFactor: -1,
        assignments: [
          { partitionIndex: 1, brokerIds: [node] },
          { partitionIndex: 0, brokerIds: [node] },
        ],
      }),
    ]);
    expect(result).toMatchObject({ errorCode: ErrorCode.NONE, numPartitions: 2, replicationFactor: 1 });
    expect(result!.topicId).toBe(broker.topics.topic('manual')!.topicId);
    expect(broker.topics.topic('manual')!.partitions).toBe(2);
  });

  it('refuses bad manual assignments with INVALID_REPLICA_ASSIGNMENT and Kafka messages, creating nothing', async () => {
    const assigned = (name: string, assignments: CreatableTopic['assignments']) => creatable(name, { numPartitions: -1, replicationFactor: -1, assignments });
    const results = await create([
      assigned('unknown-broker', [{ partitionIndex: 0, brokerIds: [node + 1] }]),
      assigned('twice', [{ partitionIndex: 0, brokerIds: [node, node] }]),
      assigned('empty', [{ partitionIndex: 0, brokerIds: [] }]),
      assigned('gap', [
        { partitionIndex: 0, brokerIds: [node] },
        { partitionIndex: 2, brokerIds: [node] },
      ]),
      assigned('same-partition', [
        { partitionIndex: 0, brokerIds: [node] },
        { partitionIndex: 0, brokerIds: [node] },
      ]),
      creatable('with-count', { numPartitions: 1, replicationFactor: -1, assignments: [{ partitionIndex: 0, brokerIds: [node] }] }),
    ]);
    expect(results.map((r) => [r.name, r.errorCode, r.errorMessage])).toEqual([
      [
        'unknown-broker',
        ErrorCode.INVALID_REPLICA_ASSIGNMENT,
        `The manual partition assignment includes broker ${node + 1}, but no such broker is registered.`,
      ],
      ['twice', ErrorCode.INVALID_REPLICA_ASSIGNMENT, `The manual partition assignment includes the broker ${node} more than once.`],
      ['empty', ErrorCode.INVALID_REPLICA_ASSIGNMENT, 'The manual partition assignment includes an empty replica list.'],
      ['gap', ErrorCode.INVALID_REPLICA_ASSIGNMENT, 'partitions should be a consecutive 0-based integer sequence'],
      ['same-partition', ErrorCode.INVALID_REPLICA_ASSIGNMENT, 'Found multiple manual partition assignments for partition 0'],
      ['with-count', ErrorCode.INVALID_REQUEST, 'A manual partition assignment was specified, but numPartitions was not set to -1.'],
    ]);
    for (const { name } of results) expect(broker.topics.topic(name)).toBeUndefined();
  });

  it('answers bad counts, factors, names and configs with Kafka codes and messages', async () => {
    await create([creatable('exists')]);
    const results = await create([
      creatable('exists'),
      creatable('zero-factor', { replicationFactor: 0 }),
      creatable('three-replicas', { replicationFactor: 3 }),
      creatable('zero-partitions', { numPartitions: 0 }),
      creatable('unknown-key', { configs: [{ name: 'no.such.key', value: '1' }] }),
      creatable('bad-isr', { configs: [{ name: 'min.insync.replicas', value: '0' }] }),
      creatable('tiered', { configs: [{ name: 'remote.storage.enable', value: 'true' }] }),
    ]);
    expect(results.map((r) => [r.name, r.errorCode])).toEqual([
      ['exists', ErrorCode.TOPIC_ALREADY_EXISTS],
      ['zero-factor', ErrorCode.INVALID_REPLICATION_FACTOR],
      ['three-replicas', ErrorCode.INVALID_REPLICATION_FACTOR],
      ['zero-partitions', ErrorCode.INVALID_PARTITIONS],
      ['unknown-key', ErrorCode.INVALID_CONFIG],
      ['bad-isr', ErrorCode.INVALID_CONFIG],
      ['tiered', ErrorCode.INVALID_CONFIG],
    ]);
    expect(results.map((r) => r.errorMessage)).toEqual([
      "Topic 'exists' already exists.",
      'Replication factor must be larger than 0, or -1 to use the default value.',
      'Unable to replicate the partition 3 time(s): The target replication factor of 3 cannot be reached because only 1 broker(s) are registered.',
      'Number of partitions was set to an invalid non-positive value.',
      'Unknown topic config name: no.such.key',
      expect.stringMatching(/^Invalid value 0 for configuration min\.insync\.replicas: /),
      expect.stringContaining('tiered storage'),
    ]);
  });

  it('validateOnly checks everything, creates nothing and answers as if created', async () => {
    const [result] = await create([creatable('dry', { numPartitions: 3, configs: [{ name: 'message.timestamp.difference.max.ms', value: '60000' }] })], true);
    expect(result).toMatchObject({ errorCode: ErrorCode.NONE, numPartitions: 3, replicationFactor: 1 });
    expect(result!.topicId).not.toBe(ZERO_UUID);
    expect(result!.configs).toContainEqual(
      expect.objectContaining({ name: 'message.timestamp.difference.max.ms', value: '60000', configSource: Source.TOPIC }),
    );
    expect(broker.topics.topic('dry')).toBeUndefined();
    const [refused] = await create(
      [creatable('dry-bad', { assignments: [{ partitionIndex: 0, brokerIds: [node + 1] }], numPartitions: -1, replicationFactor: -1 })],
      true,
    );
    expect(refused!.errorCode).toBe(ErrorCode.INVALID_REPLICA_ASSIGNMENT);
  });

  it('CreatePartitions checks a manual assignment: an unknown broker and a wrong count are INVALID_REPLICA_ASSIGNMENT', async () => {
    await create([creatable('grow')]);
    const call = (count: number, brokerIds: number[][] | null, validateOnly = false) =>
      client.call(37, 3, {
        topics: [{ name: 'grow', count, assignments: brokerIds?.map((ids) => ({ brokerIds: ids })) ?? null }],
        timeoutMs: 1000,
        validateOnly,
      });
    expect((await call(2, [[node + 7]])).results[0]).toMatchObject({
      errorCode: ErrorCode.INVALID_REPLICA_ASSIGNMENT,
      errorMessage: `The manual partition assignment includes broker ${node + 7}, but no such broker is registered.`,
    });
    expect((await call(3, [[node]])).results[0]).toMatchObject({
      errorCode: ErrorCode.INVALID_REPLICA_ASSIGNMENT,
      errorMessage: 'Attempted to add 2 additional partition(s), but only 1 assignment(s) were specified.',
    });
    expect((await call(1, null)).results[0]).toMatchObject({ errorCode: ErrorCode.INVALID_PARTITIONS, errorMessage: 'Topic already has 1 partition(s).' });
    expect((await call(2, [[node]], true)).results[0]!.errorCode).toBe(ErrorCode.NONE);
    expect(broker.topics.topic('grow')!.partitions).toBe(1);
    expect((await call(2, [[node]])).results[0]!.errorCode).toBe(ErrorCode.NONE);
    expect(broker.topics.topic('grow')!.partitions).toBe(2);
  });

  it('KafkaJS createPartitions with an unknown broker gets INVALID_REPLICA_ASSIGNMENT; @platformatic/kafka creates from an assignment', async () => {
    const admin = (await kafkajsClient(broker)).admin();
    await admin.connect();
    try {
      await expect(admin.createPartitions({ topicPartitions: [{ topic: 'grow', count: 3, assignments: [[node + 7]] }] })).rejects.toMatchObject({
        type: 'INVALID_REPLICA_ASSIGNMENT',
      });
      expect(broker.topics.topic('grow')!.partitions).toBe(2);
    } finally {
      await admin.disconnect();
    }
    const { Admin: PlatformaticAdmin } = await platformaticKafka();
    const platformatic = new PlatformaticAdmin({ clientId: 'answers', bootstrapBrokers: [broker.bootstrap] });
    try {
      const [created] = await platformatic.createTopics({ topics: ['by-assignment'], assignments: [{ partition: 0, brokers: [node] }] });
      expect(created).toMatchObject({ name: 'by-assignment', partitions: 1, replicas: 1 });
    } finally {
      await platformatic.close();
    }
  });
});
