// Topic configs that change what a produce does, against a real broker: the timestamp window keys
// (message.timestamp.difference/before/after.max.ms) refusing out-of-range records with INVALID_TIMESTAMP and
// naming them, LogAppendTime, compression.type recompressing in the worker, and min.insync.replicas.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrokerHandle } from '../../src/broker.js';
import { Codec, compressRecords, decompressRecords } from '../../src/shared/compression/record-compression.js';
import { ErrorCode } from '../../src/shared/kafka-error-codes.js';
import { Attribute, BATCH_HEADER_BYTES, BatchField, rebuildBatch } from '../../src/shared/record-batch.js';
import { buildRecordBatch, decodeRecordBatches } from '../../src/shared/record-batch-codec.js';
import { RawClient } from './raw-client.js';
import { kafkajsClient, startTestBroker } from './test-broker.js';

const HOUR_MS = 3_600_000;

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

function batchAt(timestamps: number[]): Buffer {
  return buildRecordBatch(
    timestamps.map((timestamp, i) => ({ key: Buffer.from(`k${i}`), value: Buffer.from(`v${i}`), timestamp })),
    { baseTimestamp: timestamps[0] },
  );
}

async function produce(topic: string, records: Buffer, acks = 1, version = 9) {
  const body = { transactionalId: null, acks, timeoutMs: 1000, topicData: [{ name: topic, partitionData: [{ index: 0, records }] }] };
  return (await client.call(0, version, body)).responses[0]!.partitionResponses[0]!;
}

async function createTopic(name: string, configs: Record<string, string>) {
  const body = {
    topics: [{ name, numPartitions: 1, replicationFactor: 1, assignments: [], configs: Object.entries(configs).map(([n, value]) => ({ name: n, value })) }],
    timeoutMs: 1000,
    validateOnly: false,
  };
  return (await client.call(19, 7, body)).topics[0]!;
}

async function storedBatches(topic: string): Promise<Buffer> {
  return (await broker.engine.fetch(topic, 0, 0, 1 << 20)).records;
}

describe('message.timestamp.* keys', () => {
  it('message.timestamp.difference.max.ms is accepted at creation and refuses records beyond it either way, naming the record', async () => {
    expect((await createTopic('ts-diff', { 'message.timestamp.difference.max.ms': String(HOUR_MS) })).errorCode).toBe(ErrorCode.NONE);
    const now = Date.now();
    const old = await produce('ts-diff', batchAt([now, now - 2 * HOUR_MS, now]));
    expect(old.errorCode).toBe(ErrorCode.INVALID_TIMESTAMP);
    expect(old.recordErrors).toEqual([{ batchIndex: 1, batchIndexErrorMessage: expect.stringContaining(`Timestamp ${now - 2 * HOUR_MS}`) }]);
    expect(old.errorMessage).toContain('is out of range');
    const future = await produce('ts-diff', batchAt([now, now + 2 * HOUR_MS]));
    expect(future).toMatchObject({ errorCode: ErrorCode.INVALID_TIMESTAMP, recordErrors: [{ batchIndex: 1 }] });
    // Records within the window are taken, and the refused batches left nothing behind.
    const ok = await produce('ts-diff', batchAt([now - HOUR_MS / 2, now + HOUR_MS / 2]));
    expect(ok).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 0 });
    expect(decodeRecordBatches(await storedBatches('ts-diff')).map((r) => r.value!.toString())).toEqual(['v0', 'v1']);
  });

  it('before.max.ms and after.max.ms bound each side; unset, each falls back to difference.max.ms', async () => {
    await createTopic('ts-sides', { 'message.timestamp.before.max.ms': String(24 * HOUR_MS), 'message.timestamp.after.max.ms': '60000' });
    const now = Date.now();
    expect((await produce('ts-sides', batchAt([now - 23 * HOUR_MS]))).errorCode).toBe(ErrorCode.NONE);
    expect((await produce('ts-sides', batchAt([now - 25 * HOUR_MS]))).errorCode).toBe(ErrorCode.INVALID_TIMESTAMP);
    expect((await produce('ts-sides', batchAt([now + 10 * 60_000]))).errorCode).toBe(ErrorCode.INVALID_TIMESTAMP);

    await createTopic('ts-mixed', { 'message.timestamp.difference.max.ms': '60000', 'message.timestamp.before.max.ms': String(24 * HOUR_MS) });
    expect((await produce('ts-mixed', batchAt([now - 23 * HOUR_MS]))).errorCode).toBe(ErrorCode.NONE);
    expect((await produce('ts-mixed', batchAt([now + 10 * 60_000]))).errorCode).toBe(ErrorCode.INVALID_TIMESTAMP);
  });

  it('a KafkaJS producer gets INVALID_TIMESTAMP for an out-of-range record and sends in-range ones', async () => {
    const producer = (await kafkajsClient(broker)).producer();
    await producer.connect();
    try {
      const now = Date.now();
      await expect(producer.send({ topic: 'ts-diff', messages: [{ value: 'stale', timestamp: String(now - 3 * HOUR_MS) }] })).rejects.toMatchObject({
        type: 'INVALID_TIMESTAMP',
      });
      const [sent] = await producer.send({ topic: 'ts-diff', messages: [{ value: 'fresh', timestamp: String(now) }] });
      expect(sent).toMatchObject({ errorCode: 0, baseOffset: '2' });
    } finally {
      await producer.disconnect();
    }
  });

  it('checks the records of compressed batches too', async () => {
    const now = Date.now();
    const plain = batchAt([now, now - 2 * HOUR_MS]);
    const gzip = rebuildBatch(plain, await compressRecords(Codec.GZIP, plain.subarray(BATCH_HEADER_BYTES)), Codec.GZIP);
    expect(await produce('ts-diff', gzip)).toMatchObject({ errorCode: ErrorCode.INVALID_TIMESTAMP, recordErrors: [{ batchIndex: 1 }] });
  });

  it('LogAppendTime topics stamp the broker time and check no producer timestamp', async () => {
    await createTopic('ts-append', { 'message.timestamp.type': 'LogAppendTime', 'message.timestamp.difference.max.ms': '1000' });
    const before = Date.now();
    const answer = await produce('ts-append', batchAt([before - 100 * HOUR_MS]));
    expect(answer.errorCode).toBe(ErrorCode.NONE);
    expect(answer.logAppendTimeMs).toBeGreaterThanOrEqual(before);
    const stored = await storedBatches('ts-append');
    expect(stored.readInt16BE(BatchField.ATTRIBUTES) & Attribute.LOG_APPEND_TIME).toBe(Attribute.LOG_APPEND_TIME);
    expect(Number(stored.readBigInt64BE(BatchField.MAX_TIMESTAMP))).toBe(answer.logAppendTimeMs);
  });

  it('AlterConfigs changes the window live', async () => {
    await createTopic('ts-live', {});
    const now = Date.now();
    expect((await produce('ts-live', batchAt([now - 2 * HOUR_MS]))).errorCode).toBe(ErrorCode.NONE);
    await broker.topics.setConfigs('ts-live', { 'message.timestamp.before.max.ms': String(HOUR_MS) });
    expect((await produce('ts-live', batchAt([now - 2 * HOUR_MS]))).errorCode).toBe(ErrorCode.INVALID_TIMESTAMP);
  });
});

describe('compression.type', () => {
  it('a gzip topic stores uncompressed batches gzip-compressed, and a KafkaJS consumer reads them back', async () => {
    await createTopic('gzip-topic', { 'compression.type': 'gzip' });
    const kafka = await kafkajsClient(broker);
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic: 'gzip-topic',
      messages: [
        { key: 'a', value: 'first' },
        { key: 'b', value: 'second' },
      ],
    });
    await producer.send({ topic: 'gzip-topic', messages: [{ key: 'c', value: 'third' }] });
    await producer.disconnect();

    const stored = await storedBatches('gzip-topic');
    const codecs: number[] = [];
    for (let at = 0; at < stored.length; at += stored.readInt32BE(at + BatchField.BATCH_LENGTH) + 12) {
      codecs.push(stored.readInt16BE(at + BatchField.ATTRIBUTES) & Attribute.COMPRESSION_MASK);
    }
    expect(codecs).toEqual([Codec.GZIP, Codec.GZIP]);

    const consumer = kafka.consumer({ groupId: 'gzip-readers' });
    await consumer.connect();
    await consumer.subscribe({ topic: 'gzip-topic', fromBeginning: true });
    const values: string[] = [];
    const done = new Promise<void>((resolve) => {
      void consumer.run({
        eachMessage: async ({ message }) => {
          values.push(message.value!.toString());
          if (values.length === 3) resolve();
        },
      });
    });
    await done;
    await consumer.disconnect();
    expect(values).toEqual(['first', 'second', 'third']);
  });

  it('recompresses other codecs to the topic codec, and uncompressed stores plain records', async () => {
    await createTopic('zstd-topic', { 'compression.type': 'zstd' });
    await createTopic('plain-topic', { 'compression.type': 'uncompressed' });
    const plain = batchAt([Date.now(), Date.now()]);
    const lz4 = rebuildBatch(plain, await compressRecords(Codec.LZ4, plain.subarray(BATCH_HEADER_BYTES)), Codec.LZ4);
    expect((await produce('zstd-topic', lz4)).errorCode).toBe(ErrorCode.NONE);
    expect((await produce('plain-topic', lz4)).errorCode).toBe(ErrorCode.NONE);
    const zstdStored = await storedBatches('zstd-topic');
    expect(zstdStored.readInt16BE(BatchField.ATTRIBUTES) & Attribute.COMPRESSION_MASK).toBe(Codec.ZSTD);
    const plainStored = await storedBatches('plain-topic');
    expect(plainStored.readInt16BE(BatchField.ATTRIBUTES) & Attribute.COMPRESSION_MASK).toBe(Codec.NONE);
    expect(plainStored.subarray(BATCH_HEADER_BYTES)).toEqual(plain.subarray(BATCH_HEADER_BYTES));
    const fetched = await client.call(1, 12, {
      replicaId: -1,
      maxWaitMs: 0,
      minBytes: 1,
      maxBytes: 1 << 20,
      isolationLevel: 0,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [
        {
          topic: 'zstd-topic',
          partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: 0, lastFetchedEpoch: -1, logStartOffset: -1, partitionMaxBytes: 1 << 20 }],
        },
      ],
      forgottenTopicsData: [],
      rackId: '',
    });
    // What a consumer fetches is the zstd batch, whose records are the producer's.
    const records = fetched.responses[0]!.partitions[0]!.records as Buffer;
    expect(records.readInt16BE(BatchField.ATTRIBUTES) & Attribute.COMPRESSION_MASK).toBe(Codec.ZSTD);
    expect(await decompressRecords(Codec.ZSTD, records.subarray(BATCH_HEADER_BYTES))).toEqual(plain.subarray(BATCH_HEADER_BYTES));
  });

  it('a corrupt batch to a gzip topic is still refused as sent (CRC checked before recompression)', async () => {
    const bad = batchAt([Date.now()]);
    bad[bad.length - 1]! ^= 0xff;
    expect((await produce('gzip-topic', bad)).errorCode).toBe(ErrorCode.CORRUPT_MESSAGE);
  });
});

describe('min.insync.replicas', () => {
  it('acks=all to a topic wanting 2 in-sync replicas answers NOT_ENOUGH_REPLICAS on one broker; acks=1 is taken', async () => {
    await createTopic('two-isr', { 'min.insync.replicas': '2' });
    const all = await produce('two-isr', batchAt([Date.now()]), -1);
    expect(all.errorCode).toBe(ErrorCode.NOT_ENOUGH_REPLICAS);
    expect(all.errorMessage).toContain('min.isr requirement of 2');
    expect((await produce('two-isr', batchAt([Date.now()]), 1)).errorCode).toBe(ErrorCode.NONE);
    expect((await broker.engine.offsets('two-isr', 0)).logEndOffset).toBe(1);
  });
});
