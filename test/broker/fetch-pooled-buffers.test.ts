// Fetches whose records come from the main thread's pool of large buffers (src/buffer-pool.ts) and are lent
// to the response frame uncopied (src/network/response-frame.ts), handed back once the socket has written them:
// many large fetches pipelined on several connections at once, so buffers are handed back and lent again while
// other responses are still being written — every record must come back exactly as produced, in every
// response (the records are read by the workers into their fetch arenas, src/engine/fetch-arena.ts). Then the same around a consumer that stops reading for a while and one that closes mid-response:
// the readers' records stay intact, the stalled one gets all its answers in order, and once every connection
// is done the broker's response memory is back to zero (nothing leaked, nothing given back twice).
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrokerHandle } from '../../src/broker.js';
import { decodeResponse, encodeRequest } from '../../src/protocol/api-registry.js';
import { buildRecordBatch, decodeRecordBatches } from '../../src/shared/record-batch-codec.js';
import { waitUntil } from '../helpers/wait-until.js';
import { sampleValue, scrape } from '../observability/prometheus-text.js';
import { RawClient } from './raw-client.js';
import { startTestBroker } from './test-broker.js';

const PARTITIONS = 4;
const BATCHES_PER_PARTITION = 6;
const RECORDS_PER_BATCH = 40;
const VALUE_BYTES = 3000;
const PIPELINED = 20;

let broker: BrokerHandle;
let metricsUrl: string;
const clients: RawClient[] = [];

/** A value that names its partition, batch and record, filled with a byte derived from them. */
function recordValueOf(partition: number, batch: number, record: number): Buffer {
  const tag = `${partition}/${batch}/${record}:`;
  return Buffer.concat([Buffer.from(tag), Buffer.alloc(VALUE_BYTES - tag.length, (partition * 31 + batch * 7 + record) % 251)]);
}

/**
 * Run twice: with the default rings (64 MiB fetch arenas: records go to the socket uncopied) and with 1 MiB
 * rings (2 MiB arenas, soon all lent to the stalled connection: later fetches take the ring path, one copy).
 */
const RUNS: Array<{ name: string; config: Record<string, string> }> = [
  { name: 'default rings', config: {} },
  { name: 'small rings, arenas exhausted', config: { 'fjord.ring.bytes': String(1 << 20), 'message.max.bytes': String(256 * 1024) } },
];

async function setUp(config: Record<string, string>): Promise<void> {
  broker = await startTestBroker(config);
  metricsUrl = `http://${broker.http!.host}:${broker.http!.port}`;
  await broker.topics.createTopic('pooled', PARTITIONS);
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
}

async function tearDown(): Promise<void> {
  for (const c of clients.splice(0)) c.close();
  await broker.stop();
}

function fetchBody(offset: number) {
  return {
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
  };
}

/** Fetch number i starts at an offset spread over the log. */
const offsetOf = (i: number): number => (i * RECORDS_PER_BATCH) % (BATCHES_PER_PARTITION * RECORDS_PER_BATCH);

type FetchAnswer = { responses: Array<{ partitions: Array<{ partitionIndex: number; errorCode: number; records: Buffer | null }> }> };

/** Checks every record of an answer to a fetch from `offset`; returns how many. */
function checkAnswer(body: FetchAnswer, offset: number): number {
  let checked = 0;
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
  return checked;
}

/** `PIPELINED` fetches in flight on `client`, numbered from `first`; returns the records checked. */
async function fetchPipelined(client: RawClient, first: number): Promise<number> {
  const answers = await Promise.all(Array.from({ length: PIPELINED }, (_, i) => client.call(1, 12, fetchBody(offsetOf(first + i)))));
  return answers.reduce((sum, body, i) => sum + checkAnswer(body, offsetOf(first + i)), 0);
}

/** A raw socket that sends `PIPELINED` fetches (correlation ids 1..) and reads nothing until resumed (or destroyed). */
async function silentConsumer(first: number) {
  const socket = connect(broker.address.port, broker.address.host);
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  socket.pause();
  socket.write(Buffer.concat(Array.from({ length: PIPELINED }, (_, i) => encodeRequest(1, 12, i + 1, 'silent', fetchBody(offsetOf(first + i))))));
  return socket;
}

/** Cuts int32-sized frames off `bytes`; returns them and what is left. */
function framesOf(bytes: Buffer): { frames: Buffer[]; rest: Buffer } {
  const frames: Buffer[] = [];
  let at = 0;
  while (bytes.length - at >= 4 && bytes.length - at >= 4 + bytes.readInt32BE(at)) {
    frames.push(bytes.subarray(at + 4, at + 4 + bytes.readInt32BE(at)));
    at += 4 + bytes.readInt32BE(at);
  }
  return { frames, rest: bytes.subarray(at) };
}

const responseMemoryUsed = async (): Promise<number> => sampleValue(await scrape(metricsUrl), 'fjord_response_memory_used_bytes')!;
/** Fetch arena bytes lent, all workers together (records the workers read for the main thread to send uncopied). */
const arenaLent = async (): Promise<number> => {
  const families = await scrape(metricsUrl);
  return [0, 1].reduce((sum, worker) => sum + sampleValue(families, 'fjord_worker_fetch_arena_lent_bytes', { worker: String(worker) })!, 0);
};

describe.each(RUNS)('fetches served from pooled buffers ($name)', ({ config }) => {
  beforeAll(() => setUp(config));
  afterAll(tearDown);

  it('return every record intact under pipelined large fetches on several connections', async () => {
    const consumers = await Promise.all([1, 2, 3].map(() => RawClient.connect(broker.address.host, broker.address.port)));
    clients.push(...consumers);
    // 3 connections x 20 fetches in flight, from offsets spread over the log.
    const checked = await Promise.all(consumers.map((client, c) => fetchPipelined(client, c * PIPELINED)));
    expect(checked.reduce((a, b) => a + b, 0)).toBeGreaterThan(60 * PARTITIONS * RECORDS_PER_BATCH);
  });

  it('reach every reader intact around a stalled and a closed connection, and all response memory comes back', async () => {
    const stalled = await silentConsumer(0);
    const closing = await silentConsumer(3);
    const readers = await Promise.all([1, 2, 3].map(() => RawClient.connect(broker.address.host, broker.address.port)));
    clients.push(...readers);
    // The silent connections hold lent records while the readers fetch, lending buffers again and again.
    await waitUntil(async () => (await responseMemoryUsed()) > 0 && (await arenaLent()) > 0, 'the silent connections to hold responses read into the arena');
    const firstRound = await Promise.all(readers.map((reader, r) => fetchPipelined(reader, r * PIPELINED)));
    closing.destroy();
    const secondRound = await Promise.all(readers.map((reader, r) => fetchPipelined(reader, (r + 3) * PIPELINED)));
    expect([...firstRound, ...secondRound].every((checked) => checked >= PIPELINED * PARTITIONS * RECORDS_PER_BATCH)).toBe(true);
    const frames: Buffer[] = [];
    let pending: Buffer = Buffer.alloc(0);
    stalled.on('data', (chunk: Buffer) => {
      const cut = framesOf(Buffer.concat([pending, chunk]));
      frames.push(...cut.frames);
      pending = cut.rest;
    });
    stalled.resume();
    await waitUntil(() => frames.length === PIPELINED, 'every answer of the stalled connection');
    frames.forEach((frame, i) => {
      const answer = decodeResponse(1, 12, frame);
      expect(answer.correlationId).toBe(i + 1);
      expect(checkAnswer(answer.body, offsetOf(i))).toBeGreaterThanOrEqual(PARTITIONS * RECORDS_PER_BATCH);
    });
    stalled.destroy();
    await waitUntil(async () => (await responseMemoryUsed()) === 0 && (await arenaLent()) === 0, 'the response memory and the arena to be given back');
  });
});
