// A client that pipelines 2,000 Fetch requests and never reads an answer, against a real broker process:
// the broker mutes the connection (reads no further request) and holds a bounded amount of memory for it,
// while another client's produce and fetch round trips are still answered. (Before muting, the broker
// dispatched every request and kept every unsent response: +1.7 GiB.)
import { connect } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeRequest } from '../../src/protocol/api-registry.js';
import { buildRecordBatch, decodeRecordBatches } from '../../src/shared/record-batch-codec.js';
import { RawClient } from '../broker/raw-client.js';
import { type BrokerProcess, startBrokerProcess } from '../helpers/broker-process.js';
import { waitUntil } from '../helpers/wait-until.js';
import { sampleValue, scrape } from '../observability/prometheus-text.js';

const MIB = 1024 * 1024;
const FETCHES = 2000;
/** The stated bound: the broker's resident memory grows by less than this while the flood sits unread. */
const RSS_GROWTH_MAX_BYTES = 128 * MIB;
const ROUND_TRIPS = 20;

let broker: BrokerProcess;
const clients: RawClient[] = [];

afterAll(async () => {
  for (const client of clients) client.close();
  await broker?.stop();
});

function fetchBody(topic: string, fetchOffset: number, maxBytes: number) {
  return {
    replicaId: -1,
    maxWaitMs: 0,
    minBytes: 1,
    maxBytes,
    isolationLevel: 0,
    sessionId: 0,
    sessionEpoch: -1,
    topics: [
      { topic, partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset, lastFetchedEpoch: -1, logStartOffset: -1, partitionMaxBytes: maxBytes }] },
    ],
    forgottenTopicsData: [],
    rackId: '',
  };
}

async function produce(client: RawClient, topic: string, values: Buffer[]): Promise<number> {
  const records = buildRecordBatch(values.map((value) => ({ key: null, value })));
  const answer = await client.call(0, 7, {
    transactionalId: null,
    acks: 1,
    timeoutMs: 5000,
    topicData: [{ name: topic, partitionData: [{ index: 0, records }] }],
  });
  const partition = answer.responses[0]!.partitionResponses[0]!;
  expect(partition.errorCode).toBe(0);
  return Number(partition.baseOffset);
}

/** One produce and one fetch of what it wrote, on `client`. */
async function roundTrip(client: RawClient, i: number): Promise<void> {
  const value = Buffer.from(`steady-${i}`);
  const offset = await produce(client, 'steady', [value]);
  const answer = await client.call(1, 12, fetchBody('steady', offset, MIB));
  const partition = answer.responses[0]!.partitions[0]!;
  expect(partition.errorCode).toBe(0);
  expect(decodeRecordBatches(Buffer.from(partition.records!))[0]!.value).toEqual(value);
}

describe('a client that never reads its responses', () => {
  it('is muted and holds bounded memory; other clients keep being answered', async () => {
    broker = await startBrokerProcess();
    const client = await RawClient.connect('127.0.0.1', broker.port);
    clients.push(client);
    const created = await client.call(19, 5, {
      topics: ['flood', 'steady'].map((name) => ({ name, numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] })),
      timeoutMs: 5000,
      validateOnly: false,
    });
    expect(created.topics.map((t) => t.errorCode)).toEqual([0, 0]);
    // 1 MiB in partition flood-0: every fetch of it answers 1 MiB of records.
    for (let batch = 0; batch < 16; batch++)
      await produce(
        client,
        'flood',
        Array.from({ length: 8 }, () => Buffer.alloc(8 * 1024, batch)),
      );
    const warm = await client.call(1, 12, fetchBody('flood', 0, MIB));
    expect(warm.responses[0]!.partitions[0]!.records!.length).toBeGreaterThan(MIB - 64 * 1024);

    const url = broker.httpUrl!;
    const rssNow = async (): Promise<number> => sampleValue(await scrape(url), 'process_resident_memory_bytes')!;
    const baselineBytes = await rssNow();
    let peakBytes = baselineBytes;
    const track = async () => {
      const families = await scrape(url);
      peakBytes = Math.max(peakBytes, sampleValue(families, 'process_resident_memory_bytes')!);
      return families;
    };

    const flood = connect(broker.port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => flood.once('connect', resolve).once('error', reject));
    flood.pause();
    flood.write(Buffer.concat(Array.from({ length: FETCHES }, (_, i) => encodeRequest(1, 12, i + 1, 'never-reads', fetchBody('flood', 0, MIB)))));

    for (let i = 0; i < ROUND_TRIPS; i++) {
      await roundTrip(client, i);
      await track();
    }
    await waitUntil(async () => {
      const families = await track();
      return sampleValue(families, 'fjord_connections_muted') === 1 || peakBytes - baselineBytes > RSS_GROWTH_MAX_BYTES;
    }, 'the non-reading connection to be muted (or the broker to outgrow the bound)');
    for (let i = ROUND_TRIPS; i < 2 * ROUND_TRIPS; i++) {
      await roundTrip(client, i);
      await track();
    }
    const families = await track();
    console.log(
      `broker RSS: baseline ${(baselineBytes / MIB).toFixed(0)} MiB, peak ${(peakBytes / MIB).toFixed(0)} MiB (+${((peakBytes - baselineBytes) / MIB).toFixed(0)} MiB) with ${FETCHES} unread fetches of 1 MiB`,
    );
    expect(peakBytes - baselineBytes).toBeLessThan(RSS_GROWTH_MAX_BYTES);
    expect(sampleValue(families, 'fjord_connections_muted')).toBe(1);
    expect(sampleValue(families, 'fjord_connection_unsent_bytes_max')).toBeGreaterThan(0);
    expect(sampleValue(families, 'fjord_response_memory_used_bytes')).toBeLessThanOrEqual(sampleValue(families, 'fjord_response_memory_limit_bytes')!);
    // The broker read only what it could answer: far fewer requests than were sent.
    expect(sampleValue(families, 'fjord_requests_total', { api: 'Fetch' })).toBeLessThan(FETCHES);
    // Closing it gives back everything it held: the budget's accounting returns to zero.
    flood.destroy();
    await waitUntil(async () => sampleValue(await scrape(url), 'fjord_response_memory_used_bytes') === 0, 'the response memory to be given back');
    expect(sampleValue(await scrape(url), 'fjord_connections_open')).toBe(1);
  });
});
