// The client against a real broker process (produce with every codec and read back, keys placed by murmur2,
// admin calls, errors by Kafka name) and against a fake broker that forces the ApiVersions fallback and a
// narrower version range than Fjord's.
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KafkaClient, parseHostPort } from '../../src/client/kafka-client.js';
import { BrokerUnreachableError, KafkaResponseError } from '../../src/client/kafka-errors.js';
import { Producer } from '../../src/client/producer.js';
import { TopicConsumer } from '../../src/client/topic-consumer.js';
import { createTopic, deleteTopics, describeTopicConfigs } from '../../src/client/topic-admin.js';
import { partitionForKey } from '../../src/client/murmur2.js';
import { COMPRESSION_NAMES } from '../../src/client/record-batches.js';
import { decodeRequest, encodeResponse } from '../../src/protocol/api-registry.js';
import { startBrokerProcess, type BrokerProcess } from '../helpers/broker-process.js';

let broker: BrokerProcess;
let client: KafkaClient;

beforeAll(async () => {
  broker = await startBrokerProcess();
  client = new KafkaClient({ bootstrapServers: [broker.bootstrap] });
});
afterAll(async () => {
  await client?.close();
  await broker?.stop();
});

async function readAll(topic: string, expected: number) {
  const consumer = new TopicConsumer(client, { topic, start: { kind: 'earliest' }, fetch: { maxWaitMs: 100 } });
  const seen = [];
  while (seen.length < expected) seen.push(...(await consumer.poll()));
  return seen;
}

describe('KafkaClient against a Fjord broker', () => {
  it('produces with every codec and reads the records back with keys, values and headers', async () => {
    await createTopic(client, { name: 'codecs', partitions: 1, replicationFactor: 1, configs: new Map() });
    const producer = new Producer(client);
    for (const compression of COMPRESSION_NAMES) {
      const records = Array.from({ length: 20 }, (_, i) => ({
        key: Buffer.from(`k${i}`),
        value: Buffer.from(`${compression}-${i}`.repeat(10)),
        headers: [{ key: 'codec', value: Buffer.from(compression) }],
        partition: 0,
      }));
      await new Producer(client, { compression }).send('codecs', records);
    }
    await producer.send('codecs', [{ key: null, value: null, partition: 0 }]);
    const seen = await readAll('codecs', 101);
    expect(seen.map((m) => m.offset)).toEqual(Array.from({ length: 101 }, (_, i) => i));
    expect(seen[20]!.value!.toString()).toBe('gzip-0'.repeat(10));
    expect(seen[99]!.headers[0]!.value!.toString()).toBe('zstd');
    expect(seen[100]!.value).toBeNull();
  });

  it('puts keyed records on the partition murmur2 names', async () => {
    await createTopic(client, { name: 'keyed', partitions: 5, replicationFactor: 1, configs: new Map() });
    const keys = ['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta'];
    const deliveries = await new Producer(client).send(
      'keyed',
      keys.map((k) => ({ key: Buffer.from(k), value: Buffer.from(k) })),
    );
    const seen = await readAll('keyed', keys.length);
    for (const message of seen) expect(message.partition).toBe(partitionForKey(message.key!, 5));
    expect(deliveries.reduce((n, d) => n + d.count, 0)).toBe(keys.length);
  });

  it('names Kafka errors: an unknown topic, an existing topic, a bad config', async () => {
    const unknown = await client.topic('no-such-topic').catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(KafkaResponseError);
    expect((unknown as KafkaResponseError).errorName).toBe('UNKNOWN_TOPIC_OR_PARTITION');
    await createTopic(client, { name: 'twice', partitions: 1, replicationFactor: 1, configs: new Map() });
    await expect(createTopic(client, { name: 'twice', partitions: 1, replicationFactor: 1, configs: new Map() })).rejects.toThrow(
      /TOPIC_ALREADY_EXISTS \(36\)/,
    );
    await expect(
      createTopic(client, { name: 'bad-config', partitions: 1, replicationFactor: 1, configs: new Map([['retention.ms', 'soon']]) }),
    ).rejects.toThrow(/INVALID_CONFIG/);
    expect((await describeTopicConfigs(client, 'twice')).some((c) => c.name === 'cleanup.policy')).toBe(true);
    await deleteTopics(client, ['twice']);
  });

  it('fails to connect to a port with no broker with BrokerUnreachableError', async () => {
    const down = new KafkaClient({ bootstrapServers: ['127.0.0.1:1'] });
    const error = await down.anyBroker().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BrokerUnreachableError);
    expect((error as Error).message).toBe('cannot reach the broker at 127.0.0.1:1 (ECONNREFUSED)');
    // Never reached: a wrong address, not a failover to ride through.
    expect((error as BrokerUnreachableError).retriable).toBe(false);
  });

  it('skips a bootstrap server that cannot be reached for the next one', async () => {
    const skipping = new KafkaClient({ bootstrapServers: ['127.0.0.1:1', broker.bootstrap] });
    expect((await skipping.metadata([])).brokers.size).toBe(1);
    await skipping.close();
  });

  it('once the cluster was reached, a broker gone is retriable: lookups retry until the retry timeout, then say so', async () => {
    const other = await startBrokerProcess();
    const left = new KafkaClient({ bootstrapServers: [other.bootstrap], retryTimeoutMs: 500 });
    await left.metadata([]);
    await other.stop();
    const error = await left.topic('anything').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BrokerUnreachableError);
    expect((error as BrokerUnreachableError).retriable).toBe(true);
    expect((error as Error).message).toMatch(/^cannot reach the broker at 127\.0\.0\.1:\d+ /);
    await left.close();
  });

  it('parses host:port and [v6]:port', () => {
    expect(parseHostPort('[::1]:9092')).toEqual({ host: '::1', port: 9092 });
    expect(() => parseHostPort('localhost')).toThrow(/not host:port/);
  });
});

describe('ApiVersions negotiation', () => {
  let fake: Server;
  const seenVersions: Array<[number, number]> = [];

  beforeAll(async () => {
    // A broker that serves ApiVersions v0-2 only and Metadata v1-5 only.
    fake = createServer((socket) => {
      let buffered = Buffer.alloc(0);
      socket.on('data', (chunk: Buffer) => {
        buffered = Buffer.concat([buffered, chunk]);
        while (buffered.length >= 4 && buffered.length >= 4 + buffered.readInt32BE(0)) {
          const frame = buffered.subarray(4, 4 + buffered.readInt32BE(0));
          buffered = buffered.subarray(4 + frame.length);
          const apiKey = frame.readInt16BE(0);
          const apiVersion = frame.readInt16BE(2);
          const correlationId = frame.readInt32BE(4);
          seenVersions.push([apiKey, apiVersion]);
          const apiKeys = [
            { apiKey: 18, minVersion: 0, maxVersion: 2 },
            { apiKey: 3, minVersion: 1, maxVersion: 5 },
          ];
          if (apiKey === 18 && apiVersion > 2) socket.write(encodeResponse(18, 0, correlationId, { errorCode: 35, apiKeys }));
          else if (apiKey === 18) socket.write(encodeResponse(18, apiVersion, correlationId, { errorCode: 0, apiKeys }));
          else {
            decodeRequest(frame);
            socket.write(
              encodeResponse(3, apiVersion, correlationId, {
                brokers: [{ nodeId: 7, host: '127.0.0.1', port: 1 }],
                clusterId: 'fake',
                controllerId: 7,
                topics: [],
              }),
            );
          }
        }
      });
    });
    await new Promise<void>((resolve) => fake.listen(0, '127.0.0.1', resolve));
  });
  afterAll(() => fake?.close());

  it('falls back to the ApiVersions version the broker serves and uses the highest common Metadata version', async () => {
    const port = (fake.address() as { port: number }).port;
    const fakeClient = new KafkaClient({ bootstrapServers: [`127.0.0.1:${port}`] });
    const cluster = await fakeClient.metadata([]);
    expect(cluster.clusterId).toBe('fake');
    // Its own newest ApiVersions first (the codec's maximum), then the version the broker names.
    expect(seenVersions).toEqual([
      [18, 4],
      [18, 2],
      [3, 5],
    ]);
    const connection = await fakeClient.anyBroker();
    expect(() => connection.version(0)).toThrow(/does not serve Produce in a version fjord speaks \(not served at all\)/);
    await fakeClient.close();
  });
});
