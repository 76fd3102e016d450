// The old message formats against the current one, end to end over the Kafka protocol: produce throughput of
// Produce v2 message sets (magic 1, converted to record batches by the partition worker) against Produce v7
// record batches, and consume throughput of Fetch v1 (magic 0) and v3 (magic 1, converted down by the worker)
// against Fetch v12 (batches as stored), uncompressed and lz4, the formats' reps interleaved on one broker per
// rep and the medians printed. Runs on the bench's main thread; the broker is a child process.
// `node dist/bench/legacy-formats.js [--short] [--reps N]`
import { randomInt } from 'node:crypto';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { KafkaClient } from '../src/client/kafka-client.js';
import { type KafkaConnection, type RequestTemplate, toTemplate } from '../src/client/kafka-connection.js';
import { runClosedLoop } from '../src/perf/closed-loop.js';
import { closeLoadConnections, LOAD_CLIENT_ID, openLoadConnections } from '../src/perf/load-connections.js';
import { createLoadTopic, endOffsets as endOffsetsOf } from '../src/perf/load-topic.js';
import { batchOfValues, recordsPerBatch } from '../src/perf/produce-load.js';
import { fixed, mbPerSecond, median } from '../src/perf/stats.js';
import { decodeResponse, encodeRequest } from '../src/protocol/api-registry.js';
import { Codec, compressRecords } from '../src/shared/compression/record-compression.js';
import { buildMessageSet, newLegacyMessage, readLegacyMessage, wrapMessageSet } from '../src/shared/legacy-message.js';
import { BATCH_HEADER_BYTES, BatchField, batchSizeAt, lastOffsetAt, LOG_OVERHEAD_BYTES, readInt64, rebuildBatch } from '../src/shared/record-batch.js';
import { startBrokerProcess } from './perf/broker-process.js';

const PARTITIONS = 6;
const CONNECTIONS = 3;
const IN_FLIGHT_PER_CONNECTION = 4;
const RECORD_BYTES = 1024;
const REQUEST_BYTES_MAX = 1024 * 1024;
const VARIANTS = 4;
const PARTITION_MAX_BYTES = 1024 * 1024;
const CODECS: ReadonlyArray<[name: string, id: number]> = [
  ['none', Codec.NONE],
  ['lz4', Codec.LZ4],
];
/** Produce versions by format: v7 carries record batches, v2 message sets of magic 1. */
const PRODUCE_FORMATS: ReadonlyArray<[name: string, version: number]> = [
  ['record batch (Produce v7)', 7],
  ['magic 1 (Produce v2)', 2],
];
const FETCH_FORMATS: ReadonlyArray<[name: string, version: number]> = [
  ['record batch (Fetch v12)', 12],
  ['magic 1 (Fetch v3)', 3],
  ['magic 0 (Fetch v1)', 1],
];
const WORDS = 'order id customer status created shipped amount currency EUR USD item sku quantity price region north south'.split(' ');

interface Settings {
  reps: number;
  payloadBytesMax: number;
  durationMaxMs: number;
}

function parseSettings(argv: readonly string[]): Settings {
  const { values } = parseArgs({ args: [...argv], options: { short: { type: 'boolean' }, reps: { type: 'string' } }, strict: true });
  const short = values.short === true;
  return { reps: Number(values.reps ?? (short ? 1 : 3)), payloadBytesMax: short ? 50e6 : 500e6, durationMaxMs: short ? 1000 : 5000 };
}

/** Text-like values (they compress 3-5x, as JSON or log lines do). */
function textValues(count: number): Buffer {
  const out = Buffer.allocUnsafe(RECORD_BYTES * count);
  for (let at = 0; at < out.length; ) at += out.write(`${WORDS[randomInt(WORDS.length)]}:${randomInt(1000)} `, at, 'latin1');
  return out;
}

/** The records payload of one request in the given format: a record batch (v3+) or a magic-1 message set (v2). */
async function payloadOf(produceVersion: number, codec: number, values: Buffer, count: number): Promise<Buffer> {
  const valueAt = (i: number) => values.subarray(i * RECORD_BYTES, (i + 1) * RECORD_BYTES);
  if (produceVersion === 2) {
    const now = Date.now();
    const inner = buildMessageSet(
      1,
      Array.from({ length: count }, (_, i) => ({ key: null, value: valueAt(i), timestamp: now })),
    );
    return codec === Codec.NONE ? inner : wrapMessageSet(1, codec, inner, count, now);
  }
  const batch = batchOfValues(values, RECORD_BYTES, count);
  if (codec === Codec.NONE) return batch;
  const section = await compressRecords(codec, batch.subarray(BATCH_HEADER_BYTES));
  return rebuildBatch(batch, section, codec, { count, maxTimestamp: readInt64(batch, BatchField.MAX_TIMESTAMP) });
}

/** Produce as fast as answered; MB/s of record values. */
async function produceRun(connections: KafkaConnection[], topic: string, version: number, codec: number, settings: Settings): Promise<number> {
  const count = recordsPerBatch(RECORD_BYTES, REQUEST_BYTES_MAX);
  const templates: RequestTemplate[] = [];
  for (let variant = 0; variant < VARIANTS; variant++) {
    const records = await payloadOf(version, codec, textValues(count), count);
    for (let partition = 0; partition < PARTITIONS; partition++) {
      const body = { transactionalId: null, acks: 1, timeoutMs: 30_000, topicData: [{ name: topic, partitionData: [{ index: partition, records }] }] };
      templates.push(toTemplate(encodeRequest(0, version, 0, LOAD_CLIENT_ID, body)));
    }
  }
  let sequence = 0;
  const result = await runClosedLoop(
    connections,
    (connection, onResponse) => connection.send(templates[sequence++ % templates.length]!, onResponse),
    (frame) => {
      for (const t of decodeResponse(0, version, frame).body.responses)
        for (const p of t.partitionResponses) if (p.errorCode !== 0) throw new Error(`produce v${version} ${t.name}-${p.index}: error ${p.errorCode}`);
    },
    {
      requestsMax: Math.ceil(settings.payloadBytesMax / (count * RECORD_BYTES)),
      durationMaxMs: settings.durationMaxMs,
      inFlightPerConnection: IN_FLIGHT_PER_CONNECTION,
    },
  );
  return mbPerSecond(result.requests * count * RECORD_BYTES, result.elapsedMs);
}

/** The offset after the last whole batch (v4+) or message (v0-3; a wrapper carries its last inner offset) in `records`. */
function nextOffset(version: number, records: Buffer, offset: number): number {
  let next = offset;
  if (version >= 4) {
    for (let at = 0; at + LOG_OVERHEAD_BYTES <= records.length && at + batchSizeAt(records, at) <= records.length; at += batchSizeAt(records, at))
      next = lastOffsetAt(records, at) + 1;
    return next;
  }
  const message = newLegacyMessage();
  for (let at = 0; at < records.length && readLegacyMessage(records, at, records.length, message); at += message.entryBytes) next = message.offset + 1;
  return next;
}

/** Reads every partition from 0 to `endOffsets` with Fetch `version`, one stream per partition; MB/s of record values. */
async function consumeRun(connections: KafkaConnection[], topic: string, version: number, endOffsets: number[]): Promise<number> {
  const startedMs = performance.now();
  const stream = async (partition: number): Promise<void> => {
    const connection = connections[partition % connections.length]!;
    for (let offset = 0; offset < endOffsets[partition]!; ) {
      const body = {
        maxWaitMs: 500,
        minBytes: 1,
        maxBytes: PARTITION_MAX_BYTES,
        topics: [{ topic, partitions: [{ partition, fetchOffset: offset, partitionMaxBytes: PARTITION_MAX_BYTES }] }],
      };
      // A pipelined answer is valid only during its callback: read it there.
      const { errorCode, next } = await new Promise<{ errorCode: number; next: number }>((resolve) =>
        connection.sendFrame(encodeRequest(1, version, 0, LOAD_CLIENT_ID, body), (frame) => {
          const answer = decodeResponse(1, version, frame).body.responses[0]!.partitions[0]!;
          resolve({ errorCode: answer.errorCode, next: nextOffset(version, answer.records ?? Buffer.alloc(0), offset) });
        }),
      );
      if (errorCode !== 0 || next === offset) throw new Error(`fetch v${version} ${topic}-${partition}@${offset}: error ${errorCode}, nothing whole`);
      offset = next;
    }
  };
  await Promise.all(endOffsets.map((_, partition) => stream(partition)));
  const records = endOffsets.reduce((sum, end) => sum + end, 0);
  return mbPerSecond(records * RECORD_BYTES, performance.now() - startedMs);
}

/** One rep for one codec on a fresh broker: each produce format into its own topic, then each fetch format over the first. */
async function rep(settings: Settings, codec: number, runs: Map<string, number[]>, codecName: string): Promise<void> {
  const broker = await startBrokerProcess({ partitions: PARTITIONS });
  const client = new KafkaClient({ bootstrapServers: [broker.address], clientId: 'fjord-bench' });
  let connections: KafkaConnection[] = [];
  const record = (key: string, value: number) => runs.set(key, [...(runs.get(key) ?? []), value]);
  try {
    connections = await openLoadConnections(broker.host, broker.port, CONNECTIONS);
    for (const [name, version] of PRODUCE_FORMATS) {
      const topic = `produce-v${version}`;
      await createLoadTopic(client, topic, PARTITIONS, 1);
      await produceRun(connections, topic, version, codec, {
        ...settings,
        payloadBytesMax: settings.payloadBytesMax / 10,
        durationMaxMs: settings.durationMaxMs / 5,
      });
      record(`produce.${codecName}.${name}`, await produceRun(connections, topic, version, codec, settings));
    }
    const topic = `produce-v${PRODUCE_FORMATS[0]![1]}`;
    const endOffsets = await endOffsetsOf(client, topic, PARTITIONS);
    for (const [name, version] of FETCH_FORMATS) record(`consume.${codecName}.${name}`, await consumeRun(connections, topic, version, endOffsets));
  } finally {
    closeLoadConnections(connections);
    await client.close();
    await broker.stop();
  }
}

export async function main(argv: string[]): Promise<Record<string, number>> {
  const settings = parseSettings(argv);
  console.log(
    `legacy-formats: ${PARTITIONS} partitions, ${CONNECTIONS} connections x ${IN_FLIGHT_PER_CONNECTION} in flight, acks=1, ~1 MiB requests of ${RECORD_BYTES} B text-like values, ` +
      `up to ${fixed(settings.payloadBytesMax / 1e6)} MB or ${settings.durationMaxMs / 1000} s per produce run, then every partition read back once per fetch format, ${settings.reps} reps`,
  );
  const runs = new Map<string, number[]>();
  for (let r = 0; r < settings.reps; r++) for (const [codecName, codec] of CODECS) await rep(settings, codec, runs, codecName);
  const figures: Record<string, number> = {};
  for (const [kind, formats] of [
    ['produce', PRODUCE_FORMATS],
    ['consume', FETCH_FORMATS],
  ] as const) {
    for (const [codecName] of CODECS) {
      const line = formats.map(([name]) => {
        const values = runs.get(`${kind}.${codecName}.${name}`)!;
        figures[`legacyFormats.${kind}.${codecName}.${name}.mbPerSecond`] = median(values);
        return `${name} ${fixed(median(values))} MB/s (${values.map((v) => fixed(v)).join(', ')})`;
      });
      console.log(`  ${kind}, ${codecName}: ${line.join('; ')}`);
    }
  }
  return figures;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
