// Poison batches against a real broker process: a Produce whose batch has a valid header and CRC but records
// no consumer could read (garbage in each of the five codecs, a header claiming 2^31-1 records) is refused
// with INVALID_RECORD, naming the record in v8+, and nothing is stored: kcat (librdkafka) and KafkaJS
// consumers read every good record around the refused ones, and the end offset counts only those.
import { randomBytes } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawClient } from '../broker/raw-client.js';
import { startBrokerProcess, type BrokerProcess } from '../helpers/broker-process.js';
import { kcat } from '../helpers/kcat.js';
import { buildRecordBatch } from '../../src/shared/record-batch-codec.js';
import { BATCH_HEADER_BYTES, BatchField, readInt64, rebuildBatch } from '../../src/shared/record-batch.js';
import { Codec, compressRecords } from '../../src/shared/compression/record-compression.js';
import { ErrorCode } from '../../src/shared/kafka-error-codes.js';

const TOPIC = 'poison';
let broker: BrokerProcess;
let client: RawClient;
beforeAll(async () => {
  broker = await startBrokerProcess({ 'num.partitions': '1', 'group.initial.rebalance.delay.ms': '0' });
  client = await RawClient.connect('127.0.0.1', broker.port);
  await client.call(19, 4, {
    topics: [{ name: TOPIC, numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }],
    timeoutMs: 5_000,
    validateOnly: false,
  });
});
afterAll(async () => {
  client.close();
  expect(await broker.stop()).toBe(0);
});

function good(value: string): Buffer {
  return buildRecordBatch([{ key: Buffer.from(`k-${value}`), value: Buffer.from(value) }]);
}

async function produce(records: Buffer, version = 9) {
  const body = { transactionalId: null, acks: -1, timeoutMs: 5_000, topicData: [{ name: TOPIC, partitionData: [{ index: 0, records }] }] };
  const response = await client.call(0, version, body);
  return response.responses[0]!.partitionResponses[0]!;
}

/** A batch with a valid header and CRC whose records section is `section` (compressed with `codec` when asked). */
async function poison(section: Buffer, codec: number, compress: boolean, count = 3): Promise<Buffer> {
  const template = buildRecordBatch([
    { key: null, value: Buffer.from('a') },
    { key: null, value: Buffer.from('b') },
    { key: null, value: Buffer.from('c') },
  ]);
  const body = compress ? await compressRecords(codec, section) : section;
  return rebuildBatch(template, body, codec, { count, maxTimestamp: readInt64(template, BatchField.MAX_TIMESTAMP) });
}

describe('poison batches from a raw client', () => {
  const expected: string[] = [];

  it('refuses garbage records in every codec with INVALID_RECORD and stores nothing', async () => {
    expect((await produce(good('before'))).errorCode).toBe(ErrorCode.NONE);
    expected.push('before');
    for (const codec of [Codec.NONE, Codec.GZIP, Codec.SNAPPY, Codec.LZ4, Codec.ZSTD]) {
      const garbage = randomBytes(200);
      for (const compress of codec === Codec.NONE ? [false] : [false, true]) {
        const answer = await produce(await poison(garbage, codec, compress));
        // Garbage read as a compressed stream may claim to decompress past the limit: MESSAGE_TOO_LARGE.
        expect([ErrorCode.INVALID_RECORD, ErrorCode.MESSAGE_TOO_LARGE], `codec ${codec}, compressed garbage ${compress}`).toContain(answer.errorCode);
        expect(answer.errorMessage).toBeTruthy();
        expect(answer.baseOffset).toBe(-1);
      }
      expect((await produce(good(`after-${codec}`))).errorCode).toBe(ErrorCode.NONE);
      expected.push(`after-${codec}`);
    }
  });

  it('refuses a header claiming 2^31-1 records, naming no record, and the end offset does not move', async () => {
    const batch = good('liar');
    batch.writeInt32BE(0x7fff_ffff, BatchField.RECORDS_COUNT);
    batch.writeInt32BE(0x7fff_fffe, BatchField.LAST_OFFSET_DELTA);
    const answer = await produce(await poison(batch.subarray(BATCH_HEADER_BYTES), Codec.NONE, false, 0x7fff_ffff).then(fixLastOffsetDelta));
    expect(answer.errorCode).toBe(ErrorCode.INVALID_RECORD);
    expect(answer.recordErrors).toEqual([]);
    const offsets = await client.call(2, 5, {
      replicaId: -1,
      isolationLevel: 0,
      topics: [{ name: TOPIC, partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -1 }] }],
    });
    expect(Number(offsets.topics[0]!.partitions[0]!.offset)).toBe(expected.length);
  });

  it('names the offending record in the v8+ answer', async () => {
    const two = buildRecordBatch([
      { key: null, value: Buffer.from('x') },
      { key: null, value: Buffer.from('y') },
    ]);
    const section = Buffer.from(two.subarray(BATCH_HEADER_BYTES));
    section[section.length - 1] = 5; // the second record's header count becomes -3
    const answer = await produce(await poison(section, Codec.NONE, false, 2).then(fixLastOffsetDelta));
    expect(answer.errorCode).toBe(ErrorCode.INVALID_RECORD);
    expect(answer.recordErrors.map((e) => e.batchIndex)).toEqual([1]);
    expect(answer.recordErrors[0]!.batchIndexErrorMessage).toMatch(/^record 1: /);
  });

  it('kcat reads every good record past the refused ones', () => {
    const result = kcat(['-b', broker.bootstrap, '-C', '-t', TOPIC, '-o', 'beginning', '-e', '-q', '-f', '%o %s\n']);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout.trim().split('\n')).toEqual(expected.map((value, offset) => `${offset} ${value}`));
  });

  it('a KafkaJS consumer reads every good record past the refused ones', async () => {
    const kafka = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
    const consumer = kafka.consumer({ groupId: 'poison-readers' });
    await consumer.connect();
    await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
    const seen: string[] = [];
    const all = new Promise<void>((resolve) => {
      void consumer.run({
        eachMessage: async ({ message }) => {
          seen.push(`${message.offset} ${message.value!.toString()}`);
          if (seen.length === expected.length) resolve();
        },
      });
    });
    await all;
    await consumer.disconnect();
    expect(seen).toEqual(expected.map((value, offset) => `${offset} ${value}`));
  });
});

/** rebuildBatch keeps the template's lastOffsetDelta; make it agree with the record count so only the records are wrong. */
function fixLastOffsetDelta(batch: Buffer): Buffer {
  batch.writeInt32BE(batch.readInt32BE(BatchField.RECORDS_COUNT) - 1, BatchField.LAST_OFFSET_DELTA);
  return rebuildBatch(batch, batch.subarray(BATCH_HEADER_BYTES), Codec.NONE);
}
