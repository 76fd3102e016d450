// The admin APIs at the protocol level, with requests no client library sends in these shapes:
// every advertised range, oldest and newest versions, duplicates, unknown resources, offline log dirs.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrokerHandle } from '../../src/broker.js';
import { ErrorCode } from '../../src/shared/kafka-error-codes.js';
import { tempDir } from '../helpers/temp-dir.js';
import { RawClient } from './raw-client.js';
import { startTestBroker } from './test-broker.js';

let broker: BrokerHandle;
let client: RawClient;

beforeAll(async () => {
  broker = await startTestBroker();
  client = await RawClient.connect(broker.address.host, broker.address.port);
});

afterAll(async () => {
  client?.close();
  await broker?.stop();
});

describe('ApiVersions', () => {
  it('advertises exactly the admin and group ranges', async () => {
    const { apiKeys } = await client.call(18, 3, { clientSoftwareName: 'raw', clientSoftwareVersion: '1' });
    const ranges = Object.fromEntries(apiKeys.map((k) => [k.apiKey, [k.minVersion, k.maxVersion]]));
    expect(ranges).toMatchObject({
      8: [0, 9],
      9: [0, 9],
      10: [0, 6],
      11: [0, 9],
      12: [0, 4],
      13: [0, 5],
      14: [0, 5],
      15: [0, 5],
      16: [0, 5],
      47: [0, 0],
      19: [0, 7],
      20: [0, 6],
      21: [0, 2],
      32: [0, 4],
      33: [0, 2],
      34: [0, 2],
      35: [0, 4],
      37: [0, 3],
      42: [0, 2],
      44: [0, 1],
      60: [0, 1],
    });
  });
});

describe('CreateTopics and DeleteTopics', () => {
  const topic = (name: string, configs: Array<{ name: string; value: string | null }> = []) => ({
    name,
    numPartitions: 2,
    replicationFactor: 1,
    assignments: [],
    configs,
  });

  it('v0 creates; v5 validateOnly echoes the would-be configs with their sources', async () => {
    const v0 = await client.call(19, 0, { topics: [topic('v0-topic')], timeoutMs: 1000 });
    expect(v0.topics).toEqual([expect.objectContaining({ name: 'v0-topic', errorCode: 0 })]);
    const v5 = await client.call(19, 5, { topics: [topic('v5-dry', [{ name: 'retention.ms', value: '1000' }])], timeoutMs: 1000, validateOnly: true });
    const [result] = v5.topics;
    expect(result).toMatchObject({ name: 'v5-dry', errorCode: 0, errorMessage: null, numPartitions: 2, replicationFactor: 1 });
    expect(result!.configs!.find((c) => c.name === 'retention.ms')).toEqual({
      name: 'retention.ms',
      value: '1000',
      readOnly: false,
      configSource: 1,
      isSensitive: false,
    });
    expect(result!.configs!.find((c) => c.name === 'segment.ms')).toMatchObject({ configSource: 5 });
    expect(broker.topics.topic('v5-dry')).toBeUndefined();
  });

  it('a name given twice is refused for both entries; a null config value is refused', async () => {
    const { topics } = await client.call(19, 5, {
      topics: [topic('twice'), topic('twice'), topic('null-config', [{ name: 'retention.ms', value: null }])],
      timeoutMs: 1000,
    });
    expect(topics.map((t) => [t.name, t.errorCode])).toEqual([
      ['twice', ErrorCode.INVALID_REQUEST],
      ['twice', ErrorCode.INVALID_REQUEST],
      ['null-config', ErrorCode.INVALID_CONFIG],
    ]);
    expect(topics[2]!.errorMessage).toBe('Null value not supported for topic configs: retention.ms');
    expect(topics[2]!.numPartitions).toBe(-1);
    expect(broker.topics.topic('twice')).toBeUndefined();
  });

  it('DeleteTopics v0 and v4 answer per name, duplicates refused', async () => {
    const v0 = await client.call(20, 0, { topicNames: ['v0-topic', 'unknown-topic'], timeoutMs: 1000 });
    expect(v0.responses.map((r) => ({ name: r.name, errorCode: r.errorCode }))).toEqual([
      { name: 'v0-topic', errorCode: 0 },
      { name: 'unknown-topic', errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION },
    ]);
    const v4 = await client.call(20, 4, { topicNames: ['x', 'x'], timeoutMs: 1000 });
    expect(v4.responses.map((r) => r.errorCode)).toEqual([ErrorCode.INVALID_REQUEST, ErrorCode.INVALID_REQUEST]);
  });

  it('CreatePartitions takes a manual assignment of this broker and refuses unknown topics', async () => {
    await broker.topics.createTopic('assign-me', 1);
    const { results } = await client.call(37, 0, {
      topics: [
        { name: 'assign-me', count: 2, assignments: [{ brokerIds: [broker.config.nodeId] }] },
        { name: 'nope', count: 2, assignments: null },
      ],
      timeoutMs: 1000,
      validateOnly: false,
    });
    expect(results.map((r) => [r.name, r.errorCode])).toEqual([
      ['assign-me', ErrorCode.NONE],
      ['nope', ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
    ]);
    expect(broker.topics.topic('assign-me')!.partitions).toBe(2);
  });
});

describe('DescribeConfigs', () => {
  it('answers each resource on its own: unknown topic, other broker, unsupported type', async () => {
    await broker.topics.createTopic('configured', 1, { 'flush.messages': '1' });
    const { results } = await client.call(32, 4, {
      resources: [
        { resourceType: 2, resourceName: 'configured', configurationKeys: ['flush.messages'] },
        { resourceType: 2, resourceName: 'missing', configurationKeys: null },
        { resourceType: 4, resourceName: '1', configurationKeys: ['node.id'] },
        { resourceType: 4, resourceName: '99', configurationKeys: null },
        { resourceType: 8, resourceName: '1', configurationKeys: null },
      ],
      includeSynonyms: false,
      includeDocumentation: true,
    });
    expect(results.map((r) => r.errorCode)).toEqual([0, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 0, ErrorCode.INVALID_REQUEST, ErrorCode.INVALID_REQUEST]);
    expect(results[0]!.configs).toEqual([expect.objectContaining({ name: 'flush.messages', value: '1', configSource: 1, synonyms: [], configType: 5 })]);
    expect(results[1]!.errorMessage).toBe('topic missing does not exist');
    expect(results[3]!.errorMessage).toBe('Unexpected broker id, expected 1 or empty string, but received 99');
    expect(results[2]!.configs).toEqual([
      expect.objectContaining({ name: 'node.id', value: '1', readOnly: true, documentation: expect.stringContaining('id') }),
    ]);
  });

  it('v0 marks defaults with isDefault', async () => {
    const { results } = await client.call(32, 0, {
      resources: [{ resourceType: 2, resourceName: 'configured', configurationKeys: ['flush.messages', 'flush.ms'] }],
    });
    expect(results[0]!.configs.map((c) => [c.name, c.isDefault])).toEqual([
      ['flush.messages', false],
      ['flush.ms', true],
    ]);
  });
});

describe('IncrementalAlterConfigs and AlterConfigs', () => {
  const alter = (configs: Array<{ name: string; configOperation: number; value: string | null }>) =>
    client.call(44, 1, { resources: [{ resourceType: 2, resourceName: 'configured', configs }], validateOnly: false });

  it('refuses duplicate keys, unknown operations, SUBTRACT and SET without a value', async () => {
    const cases: Array<[Array<{ name: string; configOperation: number; value: string | null }>, number]> = [
      [
        [
          { name: 'flush.ms', configOperation: 0, value: '1' },
          { name: 'flush.ms', configOperation: 1, value: null },
        ],
        ErrorCode.INVALID_REQUEST,
      ],
      [[{ name: 'flush.ms', configOperation: 7, value: '1' }], ErrorCode.INVALID_REQUEST],
      [[{ name: 'cleanup.policy', configOperation: 3, value: 'delete' }], ErrorCode.INVALID_CONFIG],
      [[{ name: 'flush.ms', configOperation: 0, value: null }], ErrorCode.INVALID_REQUEST],
      [[{ name: 'no.such.key', configOperation: 0, value: '1' }], ErrorCode.INVALID_CONFIG],
    ];
    for (const [configs, errorCode] of cases) expect((await alter(configs)).responses[0]!.errorCode).toBe(errorCode);
    expect(broker.topics.topic('configured')!.configs).toEqual({ 'flush.messages': '1' });
  });

  it('AlterConfigs v0 treats a null value as not set', async () => {
    const { responses } = await client.call(33, 0, {
      resources: [
        {
          resourceType: 2,
          resourceName: 'configured',
          configs: [
            { name: 'flush.messages', value: null },
            { name: 'flush.ms', value: '5000' },
          ],
        },
      ],
      validateOnly: false,
    });
    expect(responses).toEqual([{ errorCode: 0, errorMessage: null, resourceType: 2, resourceName: 'configured' }]);
    expect(broker.topics.topic('configured')!.configs).toEqual({ 'flush.ms': '5000' });
    expect(broker.topics.configOf('configured').flushMs).toBe(5000);
  });
});

describe('DescribeCluster, DeleteRecords and DescribeLogDirs', () => {
  it('DescribeCluster v0 and v1 list this broker; v1 refuses the controllers endpoint type', async () => {
    for (const version of [0, 1]) {
      const body = await client.call(60, version, { includeClusterAuthorizedOperations: false });
      expect(body).toMatchObject({
        errorCode: 0,
        clusterId: broker.topics.clusterId,
        controllerId: 1,
        brokers: [{ brokerId: 1, host: broker.address.host, port: broker.address.port, rack: null }],
      });
    }
    const controllers = await client.call(60, 1, { includeClusterAuthorizedOperations: false, endpointType: 2 });
    expect(controllers.errorCode).toBe(119);
  });

  it('DeleteRecords answers per partition: unknown partition, negative offset', async () => {
    const { topics } = await client.call(21, 0, {
      topics: [
        {
          name: 'configured',
          partitions: [
            { partitionIndex: 0, offset: -1 },
            { partitionIndex: 7, offset: 0 },
            { partitionIndex: 0, offset: -5 },
          ],
        },
      ],
      timeoutMs: 1000,
    });
    expect(topics[0]!.partitions).toEqual([
      { partitionIndex: 0, lowWatermark: 0, errorCode: 0 },
      { partitionIndex: 7, lowWatermark: -1, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION },
      { partitionIndex: 0, lowWatermark: -1, errorCode: ErrorCode.OFFSET_OUT_OF_RANGE },
    ]);
  });

  it('DescribeLogDirs v0 with null topics lists every partition', async () => {
    const { results } = await client.call(35, 0, { topics: null });
    expect(results).toHaveLength(1);
    const names = results[0]!.topics.map((t) => t.name).sort();
    expect(names).toEqual(broker.topics.topicNames().sort());
  });

  it('DescribeLogDirs answers KAFKA_STORAGE_ERROR for an offline dir', async () => {
    const notADir = join(tempDir(), 'plain-file');
    writeFileSync(notADir, 'x');
    const twoDirs = await startTestBroker({ 'log.dirs': `${tempDir()},${join(notADir, 'logs')}` });
    const raw = await RawClient.connect(twoDirs.address.host, twoDirs.address.port);
    try {
      const { results } = await raw.call(35, 2, { topics: [] });
      expect(results.map((r) => [r.logDir, r.errorCode])).toEqual([
        [twoDirs.config.logDirs[0], 0],
        [join(notADir, 'logs'), ErrorCode.KAFKA_STORAGE_ERROR],
      ]);
    } finally {
      raw.close();
      await twoDirs.stop();
    }
  });
});
