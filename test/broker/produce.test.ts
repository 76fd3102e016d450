// Produce edge cases over raw frames: acks values, one batch per partition, zstd
// before v7, LogAppendTime topics, and acks=0 failures closing the connection.
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrokerHandle } from '../../src/broker.js';
import { buildRecordBatch } from '../../src/shared/record-batch-codec.js';
import { encodeRequest } from '../../src/protocol/api-registry.js';
import { ErrorCode } from '../../src/shared/kafka-error-codes.js';
import { computeBatchCrc } from '../../src/shared/record-batch.js';
import { RawClient } from './raw-client.js';
import { startTestBroker } from './test-broker.js';

let broker: BrokerHandle;
let client: RawClient;
beforeAll(async () => {
  broker = await startTestBroker();
  await broker.topics.createTopic('p', 1);
  await broker.topics.createTopic('appendtime', 1, { 'message.timestamp.type': 'LogAppendTime' });
  client = await RawClient.connect(broker.address.host, broker.address.port);
});
afterAll(async () => {
  client.close();
  await broker.stop();
});

const batch = (): Buffer => buildRecordBatch([{ key: Buffer.from('k'), value: Buffer.from('v') }], { baseTimestamp: 1_000 });

function produceBody(topic: string, records: Buffer, acks = 1) {
  return { transactionalId: null, acks, timeoutMs: 1000, topicData: [{ name: topic, partitionData: [{ index: 0, records }] }] };
}

async function produce(version: number, topic: string, records: Buffer, acks = 1) {
  const response = await client.call(0, version, produceBody(topic, records, acks));
  return response.responses[0]!.partitionResponses[0]!;
}

describe('Produce', () => {
  it('refuses bad acks with INVALID_REQUIRED_ACKS (old message formats: legacy-formats.test.ts)', async () => {
    expect((await produce(7, 'p', batch(), 2)).errorCode).toBe(ErrorCode.INVALID_REQUIRED_ACKS);
    expect((await produce(2, 'p', batch(), 2)).errorCode).toBe(ErrorCode.INVALID_REQUIRED_ACKS);
  });

  it('takes exactly one batch per partition', async () => {
    expect((await produce(7, 'p', Buffer.concat([batch(), batch()]))).errorCode).toBe(ErrorCode.INVALID_RECORD);
    expect((await produce(7, 'p', batch())).errorCode).toBe(ErrorCode.NONE);
  });

  it('refuses zstd below v7', async () => {
    const zstd = batch();
    zstd.writeInt16BE(4, 21);
    zstd.writeUInt32BE(computeBatchCrc(zstd, 0, zstd.length), 17);
    expect((await produce(6, 'p', zstd)).errorCode).toBe(ErrorCode.UNSUPPORTED_COMPRESSION_TYPE);
  });

  it('stamps the broker time on LogAppendTime topics', async () => {
    const before = Date.now();
    const answer = await produce(9, 'appendtime', batch());
    expect(answer.errorCode).toBe(ErrorCode.NONE);
    expect(answer.logAppendTimeMs).toBeGreaterThanOrEqual(before);
    const fetched = await broker.engine.fetch('appendtime', 0, 0, 1 << 20);
    expect(fetched.records.readInt16BE(21) & 0x08).toBe(0x08);
  });

  it('answers nothing to a good acks=0 produce and closes the connection on a failed one', async () => {
    const socket = connect(broker.address.port, broker.address.host);
    const received: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => received.push(chunk));
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    socket.write(encodeRequest(0, 7, 1, 'acks0', produceBody('p', batch(), 0)));
    socket.write(encodeRequest(0, 7, 2, 'acks0', produceBody('no-such-topic', batch(), 0)));
    await closed;
    expect(Buffer.concat(received).length).toBe(0);
    expect((await broker.engine.offsets('p', 0)).logEndOffset).toBe(2);
  });
});
