// The producing side of the load generators (`fjord perf produce`, bench/kafka-perf.ts): a pool of Produce
// requests encoded once (one record batch per request, partitions round-robin) and two loads over pipelined
// KafkaConnections: as fast as the broker answers with a fixed number in flight, and paced at a steady byte
// rate. Runs on the caller's main thread.
import { randomFillSync } from 'node:crypto';
import { type KafkaConnection, type RequestTemplate, toTemplate } from '../client/kafka-connection.js';
import { decodeResponse, encodeRequest } from '../protocol/api-registry.js';
import { buildRecordBatch, type ProducedRecord } from '../shared/record-batch-codec.js';
import { BATCH_HEADER_BYTES } from '../shared/record-batch.js';
import { LoadRun, runClosedLoop } from './closed-loop.js';
import { LOAD_CLIENT_ID } from './load-connections.js';
import { LATENCY_SAMPLES_MAX, LatencyRecorder, type LatencySummary, summarize } from './stats.js';

export const PRODUCE_VERSION = 7;
const ACKS_LEADER = 1;
const PRODUCE_TIMEOUT_MS = 30_000;
/** Distinct batches per partition in the pool, so consecutive requests do not carry identical bytes. */
export const POOL_VARIANTS = 4;

export interface ProducePool {
  readonly topic: string;
  readonly partitions: number;
  readonly recordBytes: number;
  readonly recordsPerBatch: number;
  readonly batchBytes: number;
  /** templates[partition][variant] */
  readonly templates: readonly (readonly RequestTemplate[])[];
}

function varintBytes(value: number): number {
  let zigzag = value >= 0 ? value * 2 : -value * 2 - 1;
  let bytes = 1;
  while (zigzag >= 0x80) {
    zigzag = Math.floor(zigzag / 128);
    bytes++;
  }
  return bytes;
}

/** Records of `recordBytes` (no key, no headers) that fit in a batch of at most `batchBytesMax` bytes. */
export function recordsPerBatch(recordBytes: number, batchBytesMax: number): number {
  let total = BATCH_HEADER_BYTES;
  for (let i = 0; ; i++) {
    // attributes · timestampDelta 0 · offsetDelta · key length -1 · value length · value · header count 0
    const body = 1 + 1 + varintBytes(i) + 1 + varintBytes(recordBytes) + recordBytes + 1;
    const record = varintBytes(body) + body;
    if (total + record > batchBytesMax) return i;
    total += record;
  }
}

/** Builds POOL_VARIANTS random batches and one Produce request per partition and batch. */
export function buildProducePool(topic: string, partitions: number, recordBytes: number, batchBytesMax: number): ProducePool {
  const count = recordsPerBatch(recordBytes, batchBytesMax);
  if (count < 1) throw new RangeError(`a ${recordBytes}-byte record does not fit in a ${batchBytesMax}-byte batch`);
  const batches: Buffer[] = [];
  for (let variant = 0; variant < POOL_VARIANTS; variant++) {
    const values = randomFillSync(Buffer.allocUnsafe(count * recordBytes));
    batches.push(batchOfValues(values, recordBytes, count));
  }
  return producePoolOf(topic, partitions, recordBytes, count, batches);
}

/** An uncompressed batch of `count` keyless records, each `recordBytes` of `values`. */
export function batchOfValues(values: Buffer, recordBytes: number, count: number): Buffer {
  const records: ProducedRecord[] = Array.from({ length: count }, (_, i) => ({ key: null, value: values.subarray(i * recordBytes, (i + 1) * recordBytes) }));
  return buildRecordBatch(records);
}

/** A pool over prebuilt batches of `count` records of `recordBytes` each (e.g. compressed ones): one request per partition and batch. */
export function producePoolOf(topic: string, partitions: number, recordBytes: number, count: number, batches: readonly Buffer[]): ProducePool {
  const templates = Array.from({ length: partitions }, (_, partition) =>
    batches.map((records) =>
      toTemplate(
        encodeRequest(0, PRODUCE_VERSION, 0, LOAD_CLIENT_ID, {
          transactionalId: null,
          acks: ACKS_LEADER,
          timeoutMs: PRODUCE_TIMEOUT_MS,
          topicData: [{ name: topic, partitionData: [{ index: partition, records }] }],
        }),
      ),
    ),
  );
  return { topic, partitions, recordBytes, recordsPerBatch: count, batchBytes: batches[0]!.length, templates };
}

export interface ProduceResult {
  requests: number;
  records: number;
  /** records × record size */
  payloadBytes: number;
  /** record batch bytes (what the broker stores) */
  batchBytes: number;
  elapsedMs: number;
  latency: LatencySummary;
}

/** Throws on any partition error in a Produce response. */
function checkProduceResponse(frame: Buffer): void {
  const { body } = decodeResponse(0, PRODUCE_VERSION, frame);
  for (const topic of body.responses) {
    for (const partition of topic.partitionResponses) {
      if (partition.errorCode !== 0) throw new Error(`produce ${topic.name}-${partition.index}: error ${partition.errorCode} ${partition.errorMessage ?? ''}`);
    }
  }
}

function templateFor(pool: ProducePool, sequence: number): RequestTemplate {
  const partition = sequence % pool.partitions;
  return pool.templates[partition]![Math.floor(sequence / pool.partitions) % POOL_VARIANTS]!;
}

function resultOf(pool: ProducePool, requests: number, elapsedMs: number, latency: LatencySummary): ProduceResult {
  return {
    requests,
    records: requests * pool.recordsPerBatch,
    payloadBytes: requests * pool.recordsPerBatch * pool.recordBytes,
    batchBytes: requests * pool.batchBytes,
    elapsedMs,
    latency,
  };
}

export interface ThroughputOptions {
  inFlightPerConnection: number;
  /** Stop sending once this many payload bytes were sent… */
  payloadBytesMax: number;
  /** …or this much time has passed. */
  durationMaxMs: number;
}

/** Each connection keeps `inFlightPerConnection` requests outstanding until a bound is reached. */
export async function produceAsFastAsAnswered(connections: readonly KafkaConnection[], pool: ProducePool, options: ThroughputOptions): Promise<ProduceResult> {
  const requestsMax = Math.max(1, Math.ceil(options.payloadBytesMax / (pool.recordsPerBatch * pool.recordBytes)));
  let sequence = 0;
  const result = await runClosedLoop(
    connections,
    (connection, onResponse) => connection.send(templateFor(pool, sequence++), onResponse),
    checkProduceResponse,
    {
      requestsMax,
      durationMaxMs: options.durationMaxMs,
      inFlightPerConnection: options.inFlightPerConnection,
    },
  );
  return resultOf(pool, result.requests, result.elapsedMs, result.latency);
}

export interface PacedOptions {
  payloadBytesPerSecond: number;
  durationMs: number;
}

export interface PacedResult extends ProduceResult {
  /** How late sends were against the schedule (timer granularity, or the in-flight cap). */
  sendLag: LatencySummary;
}

/** Sends request i at startedMs + i × interval (round-robin over connections); latency = send → response. */
export function producePaced(connections: readonly KafkaConnection[], pool: ProducePool, options: PacedOptions): Promise<PacedResult> {
  const intervalMs = (pool.recordsPerBatch * pool.recordBytes * 1000) / options.payloadBytesPerSecond;
  const requestsTotal = Math.max(1, Math.floor(options.durationMs / intervalMs));
  const lags = new LatencyRecorder(Math.min(LATENCY_SAMPLES_MAX, requestsTotal));
  const inFlightCap = connections.reduce((sum, c) => sum + Math.floor(c.inFlightMax / 4), 0);
  return new Promise((resolve, reject) => {
    const run = new LoadRun(requestsTotal, reject, checkProduceResponse);
    const dueMs = (sequence: number): number => run.startedMs + sequence * intervalMs;
    const onAnswered = (sentMs: number, frame: Buffer): void => {
      if (!run.answer(sentMs, frame)) return;
      if (run.answered === requestsTotal) resolve({ ...resultOf(pool, run.answered, run.elapsedMs, summarize(run.latencies)), sendLag: summarize(lags) });
      else if (run.sent - run.answered === inFlightCap - 1) tick();
    };
    const tick = (): void => {
      if (run.failed) return;
      const nowMs = performance.now();
      while (run.sent < requestsTotal && dueMs(run.sent) <= nowMs && run.sent - run.answered < inFlightCap) {
        lags.record(nowMs - dueMs(run.sent));
        const sentMs = performance.now();
        connections[run.sent % connections.length]!.send(templateFor(pool, run.sent), (frame) => onAnswered(sentMs, frame));
        run.sent++;
      }
      if (run.sent < requestsTotal && run.sent - run.answered < inFlightCap) setTimeout(tick, Math.max(0, dueMs(run.sent) - performance.now()));
    };
    for (const connection of connections) connection.whenFailed(run.fail);
    tick();
  });
}
