// Fetches whose records and response frames come from the main thread's pool of large buffers
// (src/buffer-pool.ts): many large fetches pipelined on several connections at once, so buffers are handed
// back and lent again while other responses are still being written — every record must come back exactly
// as produced, in every response.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrokerHandle } from '../../src/broker.js';
import { buildRecordBatch, decodeRecordBatches } from '../../src/shared/record-batch-codec.js';
import { RawClient } from './raw-client.js';
import { startTestBroker } from './test-broker.js';

const PARTITIONS = 4;
const BATCHES_PER_PARTITION = 6;
const RECORDS_PER_BATCH = 40;
const VALUE_BYTES = 3000;

let broker: BrokerHandle;
const clients: RawClient[] = [];

beforeAll(async () => {
  broker = await startTestBroker();
  await broker.topics.createTopic('pooled', PARTITIONS);
});

afterAll(async () => {
  for (const c of clients) c.close();
  await broker.stop();
});

/** A value that names its partition, batch and record, filled with a byte derived from them. */
function recordValueOf(partition: number, batch: number, record: number): Buffer {
  const tag = `${partition}/${batch}/${record}:`;
  return Buffer.concat([Buffer.from(tag), Buffer.alloc(VALUE_BYTES - tag.length, (partition * 31 + batch * 7 + record) % 251)]);
}

describe('fetches served from pooled buffers', () => {
  it('return every record intact under pipelined large fetches on several connections', async () => {
    const producer = await RawClient.connect(broker.address.host, broker.address.port);
    clients.push(producer);
    for (let batch = 0; batch < BATCHES_PER_PARTITION; batch++) {
      for (let partition = 0; partition < PARTITIONS; partition++) {
        const records = buildRecordBatch(Array.from({ length: RECORDS_PER_BATCH }, (_, r) => ({ key: null, value: recordValueOf(partition, batch, r) })));
        const answer = await producer.call(0, 7, {
          transactionalId: null,
          acks: 1,
          timeoutMs: 1000,
          topicData: [{ name: 'pooled', partitionData: [{ index: partition, records }] }],
        });
        expect(answer.responses[0]!.partitionResponses[0]!.errorCode).toBe(0);
      }
    }
    const consumers = await Promise.all([1, 2, 3].map(() => RawClient.connect(broker.address.host, broker.address.port)));
    clients.push(...consumers);
    const fetchFrom = (client: RawClient, offset: number) =>
      client.call(1, 12, {
        replicaId: -1,
        maxWaitMs: 0,
        minBytes: 1,
        maxBytes: 64 * 1024 * 1024,
        isolationLevel: 0,
        sessionId: 0,
        sessionEpoch: -1,
        topics: [
          {
            topic: 'pooled',
            partitions: Array.from({ length: PARTITIONS }, (_, partition) => ({
              partition,
              currentLeaderEpoch: -1,
              fetchOffset: offset,
              lastFetchedEpoch: -1,
              logStartOffset: -1,
              partitionMaxBytes: 1 << 20,
            })),
          },
        ],
        forgottenTopicsData: [],
        rackId: '',
      });
    // 3 connections x 20 fetches in flight, from offsets spread over the log.
    const answers = await Promise.all(
      consumers.flatMap((client, c) =>
        Array.from({ length: 20 }, (_, i) =>
          fetchFrom(client, ((c * 20 + i) * RECORDS_PER_BATCH) % (BATCHES_PER_PARTITION * RECORDS_PER_BATCH)).then((body) => ({
            body,
            offset: ((c * 20 + i) * RECORDS_PER_BATCH) % (BATCHES_PER_PARTITION * RECORDS_PER_BATCH),
          })),
        ),
      ),
    );
    let checked = 0;
    for (const { body, offset } of answers) {
      for (const p of body.responses[0]!.partitions) {
        expect(p.errorCode).toBe(0);
        const records = decodeRecordBatches(Buffer.from(p.records!));
        expect(records.length).toBeGreaterThan(0);
        expect(records[0]!.offset).toBe(offset);
        for (const record of records) {
          const batch = Math.floor(record.offset / RECORDS_PER_BATCH);
          expect(record.value!.equals(recordValueOf(p.partitionIndex, batch, record.offset % RECORDS_PER_BATCH))).toBe(true);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(60 * PARTITIONS * RECORDS_PER_BATCH);
  });
});
