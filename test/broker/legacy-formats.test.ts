// Produce v0-2 with old-format message sets (magic 0/1, every codec but zstd) and Fetch v0-3 answering in
// them, over raw frames against a real broker: conversion up on append (offsets, timestamps, codecs kept),
// down on fetch, hostile message sets refused with nothing stored, message.downconversion.enable, and the
// versions at the top (Produce 10-11, Fetch 13-17 by topic id).
import { crc32 } from '@node-rs/crc32';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrokerHandle } from '../../src/broker.js';
import { uncompressedBatch } from '../../src/client/record-batches.js';
import { Codec, compressRecords, decompressRecords } from '../../src/shared/compression/record-compression.js';
import { ErrorCode } from '../../src/shared/kafka-error-codes.js';
import { writeLegacyMessage } from '../../src/shared/legacy-message.js';
import { Attribute, BATCH_HEADER_BYTES, BatchField, batchSizeAt, rebuildBatch } from '../../src/shared/record-batch.js';
import { buildRecordBatch, type ConsumedRecord, decodeRecordBatches } from '../../src/shared/record-batch-codec.js';
import { messageSet, readMessageSet, wrapped } from '../helpers/legacy-message-sets.js';
import { RawClient } from './raw-client.js';
import { startTestBroker } from './test-broker.js';

let broker: BrokerHandle;
let client: RawClient;
beforeAll(async () => {
  broker = await startTestBroker();
  client = await RawClient.connect(broker.address.host, broker.address.port);
});
afterAll(async () => {
  client.close();
  await broker.stop();
});

let topicCount = 0;
async function newTopic(configs: Record<string, string> = {}): Promise<string> {
  const name = `legacy-${++topicCount}`;
  await broker.topics.createTopic(name, 1, configs);
  return name;
}

async function produce(version: number, topic: string, records: Buffer) {
  const body = { transactionalId: null, acks: 1, timeoutMs: 1000, topicData: [{ name: topic, partitionData: [{ index: 0, records }] }] };
  return (await client.call(0, version, body)).responses[0]!.partitionResponses[0]!;
}

async function fetchRaw(version: number, topic: string, fetchOffset = 0, partitionMaxBytes = 1 << 20) {
  const topicId = broker.topics.topic(topic)?.topicId ?? 'AAAAAAAAAAAAAAAAAAAAAA';
  const body = {
    maxWaitMs: 0,
    minBytes: 0,
    maxBytes: 1 << 20,
    topics: [{ topic, topicId, partitions: [{ partition: 0, fetchOffset, partitionMaxBytes }] }],
  };
  const response = await client.call(1, version, body);
  return response.responses[0]!.partitions[0]!;
}

/** Every record stored in the partition (read with Fetch v12), compressed batches decompressed. */
async function storedRecords(topic: string): Promise<{ records: ConsumedRecord[]; codecs: number[] }> {
  const bytes = (await fetchRaw(12, topic)).records!;
  const records: ConsumedRecord[] = [];
  const codecs: number[] = [];
  for (let at = 0; at < bytes.length; at += batchSizeAt(bytes, at)) {
    const batch = bytes.subarray(at, at + batchSizeAt(bytes, at));
    const codec = batch.readInt16BE(BatchField.ATTRIBUTES) & Attribute.COMPRESSION_MASK;
    codecs.push(codec);
    const plain = codec === Codec.NONE ? batch : rebuildBatch(batch, await decompressRecords(codec, batch.subarray(BATCH_HEADER_BYTES)), Codec.NONE);
    records.push(...decodeRecordBatches(plain));
  }
  return { records, codecs };
}

// Timestamps near now: a batch far in the past would roll the segment (segment.ms), and a fetch reads one segment.
const T = Date.now() - 60_000;
const three = [
  { key: 'k0', value: 'v0', timestamp: T },
  { key: null, value: 'v1', timestamp: T + 5 },
  { key: 'k2', value: null, timestamp: T + 2 },
];

describe('Produce v0-2: old-format message sets are stored as one record batch', () => {
  it('magic 0 uncompressed (v0): offsets assigned, no timestamps', async () => {
    const topic = await newTopic();
    expect((await produce(0, topic, messageSet(0, three))).errorCode).toBe(ErrorCode.NONE);
    const answer = await produce(1, topic, messageSet(0, three));
    expect(answer).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 3 });
    const { records, codecs } = await storedRecords(topic);
    expect(codecs).toEqual([Codec.NONE, Codec.NONE]);
    expect(records.map((r) => [r.offset, r.key?.toString() ?? null, r.value?.toString() ?? null, r.timestamp])).toEqual([
      [0, 'k0', 'v0', -1],
      [1, null, 'v1', -1],
      [2, 'k2', null, -1],
      [3, 'k0', 'v0', -1],
      [4, null, 'v1', -1],
      [5, 'k2', null, -1],
    ]);
  });

  it('magic 1 uncompressed (v2) keeps CreateTime timestamps; LogAppendTime topics stamp the broker time', async () => {
    const topic = await newTopic();
    expect((await produce(2, topic, messageSet(1, three))).errorCode).toBe(ErrorCode.NONE);
    expect((await storedRecords(topic)).records.map((r) => r.timestamp)).toEqual([T, T + 5, T + 2]);
    const stamped = await newTopic({ 'message.timestamp.type': 'LogAppendTime' });
    const before = Date.now();
    const answer = await produce(2, stamped, messageSet(1, three));
    expect(answer.logAppendTimeMs).toBeGreaterThanOrEqual(before);
    expect((await storedRecords(stamped)).records.map((r) => r.timestamp)).toEqual([answer.logAppendTimeMs, answer.logAppendTimeMs, answer.logAppendTimeMs]);
  });

  for (const [name, codec] of [
    ['gzip', Codec.GZIP],
    ['snappy', Codec.SNAPPY],
    ['lz4', Codec.LZ4],
  ] as const) {
    it(`compressed wrappers (${name}, magic 0 and 1) keep their codec`, async () => {
      const topic = await newTopic();
      expect((await produce(0, topic, await wrapped(0, codec, messageSet(0, three), 3))).errorCode).toBe(ErrorCode.NONE);
      expect((await produce(2, topic, await wrapped(1, codec, messageSet(1, three), 3, 9_999))).errorCode).toBe(ErrorCode.NONE);
      const { records, codecs } = await storedRecords(topic);
      expect(codecs).toEqual([codec, codec]);
      expect(records.map((r) => [r.offset, r.value?.toString() ?? null, r.timestamp])).toEqual([
        [0, 'v0', -1],
        [1, 'v1', -1],
        [2, null, -1],
        [3, 'v0', T],
        [4, 'v1', T + 5],
        [5, null, T + 2],
      ]);
    });
  }

  it('a magic-2 batch is still taken by v0-2, as Kafka does', async () => {
    const topic = await newTopic();
    const batch = buildRecordBatch([{ key: null, value: Buffer.from('new') }], { baseTimestamp: T });
    expect((await produce(0, topic, batch)).errorCode).toBe(ErrorCode.NONE);
    expect((await storedRecords(topic)).records.map((r) => r.value?.toString())).toEqual(['new']);
  });
});

describe('Produce v0-2: hostile message sets are refused and nothing is stored', () => {
  const corrupt = async (): Promise<Array<[string, Buffer, number]>> => {
    const good = messageSet(1, three);
    const badCrc = Buffer.from(good);
    badCrc[30] = badCrc[30]! ^ 0xff;
    const truncated = good.subarray(0, good.length - 3);
    const wrongMagic = Buffer.from(good);
    wrongMagic[16] = 3;
    const mixed = Buffer.concat([messageSet(0, three.slice(0, 1)), messageSet(1, three.slice(1))]);
    const nested = await wrapped(1, Codec.GZIP, await wrapped(1, Codec.GZIP, messageSet(1, three), 3), 1);
    const emptyWrapper = Buffer.alloc(12 + 22 + 4);
    writeLegacyMessage(emptyWrapper, 0, 0, 1, Codec.GZIP, 0, null, Buffer.alloc(0));
    const garbageWrapper = Buffer.alloc(12 + 22 + 16);
    writeLegacyMessage(garbageWrapper, 0, 0, 1, Codec.SNAPPY, 0, null, Buffer.from('not snappy at all'.slice(0, 8)));
    const zstdWrapper = Buffer.alloc(12 + 22 + 8);
    writeLegacyMessage(zstdWrapper, 0, 0, 1, 4, 0, null, Buffer.alloc(4));
    const hugeSize = Buffer.from(good);
    hugeSize.writeInt32BE(0x7fffffff, 8);
    const negativeKey = Buffer.alloc(12 + 14 + 4);
    writeLegacyMessage(negativeKey, 0, 0, 0, 0, -1, null, Buffer.from('abcd'));
    negativeKey.writeInt32BE(-7, 18);
    const magic2Tail = Buffer.concat([messageSet(1, three), buildRecordBatch([{ key: null, value: Buffer.from('x') }])]);
    const oneWrapper = await wrapped(1, Codec.GZIP, messageSet(1, three), 3);
    const twoWrappers = Buffer.concat([oneWrapper, oneWrapper]);
    const wrapperThenPlain = Buffer.concat([oneWrapper, messageSet(1, three)]);
    const logAppendTime = messageSet(1, three.slice(0, 1));
    logAppendTime[17] = 0x08;
    const negativeTime = messageSet(1, [{ key: null, value: 'v', timestamp: -5 }]);
    const hugeTime = messageSet(1, [{ key: null, value: 'v', timestamp: 2 ** 60 }]);
    return [
      ['bad CRC', badCrc, ErrorCode.CORRUPT_MESSAGE],
      ['truncated', truncated, ErrorCode.CORRUPT_MESSAGE],
      ['wrong magic', wrongMagic, ErrorCode.CORRUPT_MESSAGE],
      ['mixed magic 0 and 1', mixed, ErrorCode.INVALID_RECORD],
      ['nested wrappers', nested, ErrorCode.INVALID_RECORD],
      ['a wrapper with no inner messages', emptyWrapper, ErrorCode.INVALID_RECORD],
      ['a wrapper that does not decompress', garbageWrapper, ErrorCode.CORRUPT_MESSAGE],
      ['a zstd wrapper', zstdWrapper, ErrorCode.INVALID_RECORD],
      ['a message size past the end', hugeSize, ErrorCode.CORRUPT_MESSAGE],
      ['a negative key length (CRC fixed up)', fixCrc(negativeKey), ErrorCode.CORRUPT_MESSAGE],
      ['a record batch after the messages', magic2Tail, ErrorCode.INVALID_RECORD],
      ['two compressed wrappers', twoWrappers, ErrorCode.INVALID_RECORD],
      ['a compressed wrapper and a plain message', wrapperThenPlain, ErrorCode.INVALID_RECORD],
      ['a producer claiming LogAppendTime', fixCrc(logAppendTime), ErrorCode.INVALID_TIMESTAMP],
      ['a timestamp below -1', negativeTime, ErrorCode.INVALID_TIMESTAMP],
      ['a timestamp beyond 2^53', hugeTime, ErrorCode.INVALID_TIMESTAMP],
    ];
  };

  it('answers CORRUPT_MESSAGE / INVALID_RECORD for each', async () => {
    const topic = await newTopic();
    for (const [name, bytes, code] of await corrupt()) {
      expect({ name, code: (await produce(1, topic, bytes)).errorCode }).toEqual({ name, code });
    }
    expect((await broker.engine.offsets(topic, 0)).logEndOffset).toBe(0);
    expect((await produce(2, topic, messageSet(1, three))).baseOffset).toBe(0);
  });

  it('refuses a message over max.message.bytes before converting it (MESSAGE_TOO_LARGE)', async () => {
    const topic = await newTopic({ 'max.message.bytes': '2000' });
    const big = [{ key: null, value: 'x'.repeat(3000) }];
    expect((await produce(1, topic, messageSet(0, big))).errorCode).toBe(ErrorCode.MESSAGE_TOO_LARGE);
    expect((await produce(2, topic, await wrapped(1, Codec.GZIP, messageSet(1, big), 1))).errorCode).toBe(ErrorCode.NONE);
    expect((await broker.engine.offsets(topic, 0)).logEndOffset).toBe(1);
  });

  it('v3+ takes magic-2 batches only', async () => {
    const topic = await newTopic();
    expect((await produce(3, topic, messageSet(1, three))).errorCode).toBe(ErrorCode.INVALID_RECORD);
    expect((await produce(9, topic, messageSet(0, three))).errorCode).toBe(ErrorCode.INVALID_RECORD);
    expect((await broker.engine.offsets(topic, 0)).logEndOffset).toBe(0);
  });
});

/** Recomputes the CRC of the one message in `entry` (to test the checks behind it). */
function fixCrc(entry: Buffer): Buffer {
  const out = Buffer.from(entry);
  out.writeUInt32BE(crc32(out.subarray(16)) >>> 0, 12);
  return out;
}

describe('Fetch v0-3: answers in the old formats, converted down', () => {
  it('v0-1 answer magic 0, v2-3 magic 1, records as a v4+ client reads them', async () => {
    const topic = await newTopic();
    const batch = buildRecordBatch(
      [
        { key: Buffer.from('a'), value: Buffer.from('1'), timestamp: T, headers: [{ key: 'h', value: Buffer.from('x') }] },
        { key: null, value: Buffer.from('2'), timestamp: T + 3 },
      ],
      { baseTimestamp: T },
    );
    expect((await produce(9, topic, batch)).errorCode).toBe(ErrorCode.NONE);
    expect((await produce(0, topic, messageSet(0, three))).errorCode).toBe(ErrorCode.NONE);
    for (const version of [0, 1, 2, 3]) {
      const answer = await fetchRaw(version, topic);
      expect(answer).toMatchObject({ errorCode: ErrorCode.NONE, highWatermark: 5 });
      const messages = await readMessageSet(answer.records!);
      const magic = version <= 1 ? 0 : 1;
      expect(messages.map((m) => [m.offset, m.magic, m.key, m.value, m.timestamp])).toEqual([
        [0, magic, 'a', '1', magic === 1 ? T : -1],
        [1, magic, null, '2', magic === 1 ? T + 3 : -1],
        [2, magic, 'k0', 'v0', -1],
        [3, magic, null, 'v1', -1],
        [4, magic, 'k2', null, -1],
      ]);
    }
    // Uncompressed records below the fetch offset are left out.
    expect((await readMessageSet((await fetchRaw(2, topic, 3)).records!)).map((m) => m.offset)).toEqual([3, 4]);
  });

  for (const [name, codec] of [
    ['gzip', Codec.GZIP],
    ['snappy', Codec.SNAPPY],
    ['lz4', Codec.LZ4],
  ] as const) {
    it(`re-wraps ${name} batches in their codec (magic 0 absolute, magic 1 relative inner offsets)`, async () => {
      const topic = await newTopic();
      await produce(0, topic, messageSet(0, three));
      await produce(2, topic, await wrapped(1, codec, messageSet(1, three), 3));
      for (const version of [0, 3]) {
        const messages = await readMessageSet((await fetchRaw(version, topic, 4)).records!);
        // The compressed batch comes whole (the client skips what is below its offset), as Kafka sends it.
        expect(messages.map((m) => [m.offset, m.value, m.codec])).toEqual([
          [3, 'v0', codec],
          [4, 'v1', codec],
          [5, null, codec],
        ]);
        if (version === 3) expect(messages.map((m) => m.timestamp)).toEqual([T, T + 5, T + 2]);
      }
    });
  }

  it('keeps whole messages within the partition max bytes (at least one)', async () => {
    const topic = await newTopic();
    await produce(
      0,
      topic,
      messageSet(0, [
        { key: null, value: 'x'.repeat(100) },
        { key: null, value: 'y'.repeat(100) },
      ]),
    );
    expect((await readMessageSet((await fetchRaw(1, topic, 0, 150)).records!)).map((m) => m.offset)).toEqual([0]);
    expect((await readMessageSet((await fetchRaw(1, topic, 0, 10)).records!)).map((m) => m.offset)).toEqual([0]);
  });

  it('answers LogAppendTime batches with the timestamp-type bit and the append time', async () => {
    const topic = await newTopic({ 'message.timestamp.type': 'LogAppendTime' });
    const answer = await produce(2, topic, messageSet(1, three));
    const messages = await readMessageSet((await fetchRaw(2, topic)).records!);
    expect(messages.every((m) => m.logAppendTime && m.timestamp === answer.logAppendTimeMs)).toBe(true);
  });

  it('answers UNSUPPORTED_COMPRESSION_TYPE for zstd batches, which the old formats cannot carry', async () => {
    const topic = await newTopic();
    const plain = buildRecordBatch([{ key: null, value: Buffer.from('z'.repeat(100)) }], { baseTimestamp: T });
    const zstd = rebuildBatch(plain, await compressRecords(Codec.ZSTD, plain.subarray(BATCH_HEADER_BYTES)), Codec.ZSTD);
    expect((await produce(9, topic, zstd)).errorCode).toBe(ErrorCode.NONE);
    expect((await fetchRaw(3, topic)).errorCode).toBe(ErrorCode.UNSUPPORTED_COMPRESSION_TYPE);
    expect((await fetchRaw(12, topic)).errorCode).toBe(ErrorCode.NONE);
  });

  it('refuses Fetch below v10 of a topic whose compression.type is zstd, as Kafka does, whatever the batches hold', async () => {
    const topic = await newTopic({ 'compression.type': 'zstd' });
    expect((await produce(9, topic, buildRecordBatch([{ key: null, value: Buffer.from('z') }], { baseTimestamp: T }))).errorCode).toBe(ErrorCode.NONE);
    for (const version of [1, 3, 4, 9]) expect((await fetchRaw(version, topic)).errorCode).toBe(ErrorCode.UNSUPPORTED_COMPRESSION_TYPE);
    expect(decodeRecordBatches(await uncompressedBatch((await fetchRaw(10, topic)).records!)).map((r) => r.value?.toString())).toEqual(['z']);
  });

  it('answers UNSUPPORTED_VERSION when message.downconversion.enable is false', async () => {
    const topic = await newTopic({ 'message.downconversion.enable': 'false' });
    await produce(0, topic, messageSet(0, three));
    expect((await fetchRaw(1, topic)).errorCode).toBe(ErrorCode.UNSUPPORTED_VERSION);
    expect((await fetchRaw(4, topic)).errorCode).toBe(ErrorCode.NONE);
  });
});

describe('the newest versions', () => {
  it('Produce v10-11 and Fetch v13-17 (topic ids; unknown ids answer UNKNOWN_TOPIC_ID)', async () => {
    const topic = await newTopic();
    const batch = buildRecordBatch([{ key: null, value: Buffer.from('n') }], { baseTimestamp: T });
    expect((await produce(10, topic, batch)).errorCode).toBe(ErrorCode.NONE);
    expect((await produce(11, topic, batch)).baseOffset).toBe(1);
    for (const version of [13, 14, 15, 16, 17]) {
      const answer = await fetchRaw(version, topic);
      expect(answer.errorCode).toBe(ErrorCode.NONE);
      expect(decodeRecordBatches(answer.records!).map((r) => r.offset)).toEqual([0, 1]);
    }
    const body = {
      maxWaitMs: 0,
      minBytes: 0,
      topics: [{ topicId: 'AAAAAAAAAAAAAAAAAAAAAQ', partitions: [{ partition: 0, fetchOffset: 0, partitionMaxBytes: 1000 }] }],
    };
    const response = await client.call(1, 17, body);
    expect(response.responses[0]).toMatchObject({ topicId: 'AAAAAAAAAAAAAAAAAAAAAQ', partitions: [{ errorCode: ErrorCode.UNKNOWN_TOPIC_ID }] });
  });
});
