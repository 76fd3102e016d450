// The admin APIs when the metadata file cannot be written (its disk is full): each topic or resource is
// answered KAFKA_STORAGE_ERROR with a message, nothing changes, the connection stays open; and new partitions,
// __consumer_offsets among them, stay off a full log dir. Raw requests and KafkaJS against an in-process broker.
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BrokerHandle, launchBroker } from '../../src/broker.js';
import { OFFSETS_TOPIC } from '../../src/shared/group-protocol.js';
import { ErrorCode } from '../../src/shared/kafka-error-codes.js';
import { FullDiskWriter } from '../helpers/full-disk-writer.js';
import { tempDir } from '../helpers/temp-dir.js';
import { RawClient } from './raw-client.js';
import { kafkajsClient } from './test-broker.js';

const TOPIC = 2;
const SET = 0;
const NOT_WRITTEN = /^metadata file .*fjord-metadata\.json could not be written \(ENOSPC: no space left on device.*\); nothing was changed$/;

const disk = new FullDiskWriter();
const freeBytes = new Map<string, number>();
const dirs = [tempDir(), tempDir()];
let broker: BrokerHandle;
let client: RawClient;

beforeAll(async () => {
  broker = await launchBroker({
    config: {
      'log.dirs': dirs.join(','),
      listeners: 'PLAINTEXT://127.0.0.1:0',
      'fjord.http.listener': '',
      'fjord.workers': '2',
      'offsets.topic.num.partitions': '6',
    },
    logger: pino({ level: 'silent' }),
    metadataFileWriter: disk.write,
    freeBytesOf: (path) => freeBytes.get(path) ?? 2 ** 40,
  });
  client = await RawClient.connect(broker.address.host, broker.address.port);
});

afterAll(async () => {
  client?.close();
  await broker?.stop();
});

/** A request's answer; a connection closed instead of answering fails here rather than at the test timeout. */
function answered<T>(response: Promise<T>): Promise<T> {
  const closed = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no answer within 10 s: was the connection closed?')), 10_000).unref());
  return Promise.race([response, closed]);
}

describe('admin requests with the metadata disk full', () => {
  it('answer each topic and resource KAFKA_STORAGE_ERROR with a message, change nothing, and keep the connection open', async () => {
    await broker.topics.createTopic('existing', 1, { 'retention.ms': '60000' });
    const before = broker.topics.topic('existing');
    disk.fillAfter(0);
    try {
      const created = await answered(
        client.call(19, 5, {
          topics: [{ name: 'fresh', numPartitions: 2, replicationFactor: 1, assignments: [], configs: [] }],
          timeoutMs: 1000,
          validateOnly: false,
        }),
      );
      expect(created.topics[0]).toMatchObject({ name: 'fresh', errorCode: ErrorCode.KAFKA_STORAGE_ERROR, errorMessage: expect.stringMatching(NOT_WRITTEN) });

      // DeleteTopics v5 is the first to carry the message.
      const deleted = await answered(client.call(20, 5, { topicNames: ['existing'], timeoutMs: 1000 }));
      expect(deleted.responses).toEqual([
        { name: 'existing', topicId: expect.any(String), errorCode: ErrorCode.KAFKA_STORAGE_ERROR, errorMessage: expect.stringMatching(NOT_WRITTEN) },
      ]);

      const raised = await answered(client.call(37, 3, { topics: [{ name: 'existing', count: 3, assignments: null }], timeoutMs: 1000, validateOnly: false }));
      expect(raised.results[0]).toMatchObject({ errorCode: ErrorCode.KAFKA_STORAGE_ERROR, errorMessage: expect.stringMatching(NOT_WRITTEN) });

      const altered = await answered(
        client.call(33, 2, {
          resources: [{ resourceType: TOPIC, resourceName: 'existing', configs: [{ name: 'retention.ms', value: '1000' }] }],
          validateOnly: false,
        }),
      );
      expect(altered.responses[0]).toMatchObject({ errorCode: ErrorCode.KAFKA_STORAGE_ERROR, errorMessage: expect.stringMatching(NOT_WRITTEN) });

      const edited = await answered(
        client.call(44, 1, {
          resources: [{ resourceType: TOPIC, resourceName: 'existing', configs: [{ name: 'retention.ms', configOperation: SET, value: '1000' }] }],
          validateOnly: false,
        }),
      );
      expect(edited.responses[0]).toMatchObject({ errorCode: ErrorCode.KAFKA_STORAGE_ERROR, errorMessage: expect.stringMatching(NOT_WRITTEN) });

      const described = await answered(
        client.call(3, 12, {
          topics: [{ topicId: 'AAAAAAAAAAAAAAAAAAAAAA', name: 'auto' }],
          allowAutoTopicCreation: true,
          includeTopicAuthorizedOperations: false,
        }),
      );
      expect(described.topics[0]).toMatchObject({ name: 'auto', errorCode: ErrorCode.KAFKA_STORAGE_ERROR, partitions: [] });
    } finally {
      disk.free();
    }
    expect(broker.topics.topicNames().sort()).toEqual(['existing']);
    expect(broker.topics.topic('existing')).toEqual(before);
    expect(broker.engine.partitions().map((p) => `${p.topic}-${p.partition}`)).toEqual(['existing-0']);
    const { errorCode } = await answered(client.call(18, 3, { clientSoftwareName: 'raw', clientSoftwareVersion: '1' }));
    expect(errorCode).toBe(ErrorCode.NONE);
  });

  it('KafkaJS sees KAFKA_STORAGE_ERROR, and the same create succeeds once space is freed', async () => {
    const kafka = await kafkajsClient(broker);
    const admin = kafka.admin();
    await admin.connect();
    try {
      disk.fillAfter(0);
      const error = await admin.createTopics({ topics: [{ topic: 'later', numPartitions: 2 }] }).then(
        () => null,
        (e: { errors?: Array<{ type: string; message: string }> }) => e,
      );
      disk.free();
      expect(error?.errors).toEqual([expect.objectContaining({ type: 'KAFKA_STORAGE_ERROR' })]);
      expect(broker.topics.topic('later')).toBeUndefined();
      expect(await admin.createTopics({ topics: [{ topic: 'later', numPartitions: 2 }] })).toBe(true);
      expect((await admin.fetchTopicMetadata({ topics: ['later'] })).topics[0]!.partitions).toHaveLength(2);
    } finally {
      disk.free();
      await admin.disconnect();
    }
  });
});

describe('placement with a full log dir', () => {
  it(`puts ${OFFSETS_TOPIC} and new topics only on the dir with room`, async () => {
    freeBytes.set(dirs[1]!, 1024 * 1024);
    try {
      const found = await answered(client.call(10, 3, { key: 'a-group', keyType: 0 }));
      expect(found.errorCode).toBe(ErrorCode.NONE);
      await broker.topics.createTopic('placed', 4);
    } finally {
      freeBytes.delete(dirs[1]!);
    }
    const placed = broker.engine.partitions().filter((p) => p.topic === OFFSETS_TOPIC || p.topic === 'placed');
    expect(placed.length).toBe(10);
    expect(new Set(placed.map((p) => p.logDir))).toEqual(new Set([dirs[0]]));
  });
});
