// What checking every produced record costs: produce throughput with 1 KiB and 100 B records, uncompressed
// and with lz4 and zstd, against this build's broker and, with --before, an earlier build's broker (one that
// read only batch headers), the reps of both interleaved in one run so their ratio is fair on a noisy machine.
// Runs on the bench's main thread; each broker is a child process started per run.
// `node dist/bench/produce-validation.js [--short] [--before PATH/dist/src/main.js] [--reps N]`
import { randomInt } from 'node:crypto';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { Codec, compressRecords } from '../src/shared/compression/record-compression.js';
import { BATCH_HEADER_BYTES, readInt64, BatchField, rebuildBatch } from '../src/shared/record-batch.js';
import { KafkaClient } from '../src/client/kafka-client.js';
import type { KafkaConnection } from '../src/client/kafka-connection.js';
import { closeLoadConnections, openLoadConnections } from '../src/perf/load-connections.js';
import { createLoadTopic } from '../src/perf/load-topic.js';
import { batchOfValues, POOL_VARIANTS, type ProducePool, producePoolOf, produceAsFastAsAnswered, recordsPerBatch } from '../src/perf/produce-load.js';
import { fixed, mbPerSecond, median } from '../src/perf/stats.js';
import { startBrokerProcess } from './perf/broker-process.js';

const PARTITIONS = 6;
const CONNECTIONS = 3;
const IN_FLIGHT_PER_CONNECTION = 4;
const BATCH_BYTES_MAX = 1024 * 1024;
const RECORD_SIZES = [1024, 100];
const CODECS: ReadonlyArray<[name: string, id: number]> = [
  ['none', Codec.NONE],
  ['lz4', Codec.LZ4],
  ['zstd', Codec.ZSTD],
];
/** Words the values are made of, so they compress about as well as JSON or log lines (3-5x). */
const VOCABULARY =
  'order id customer status created shipped amount currency EUR USD item sku quantity price region north south east west true false null'.split(' ');

interface Settings {
  short: boolean;
  before: string | undefined;
  reps: number;
  payloadBytesMax: number;
  durationMaxMs: number;
}

function parseSettings(argv: readonly string[]): Settings {
  const { values } = parseArgs({
    args: [...argv],
    options: { short: { type: 'boolean' }, before: { type: 'string' }, reps: { type: 'string' } },
    strict: true,
  });
  const short = values.short === true;
  return {
    short,
    before: values.before,
    reps: Number(values.reps ?? (short ? 1 : 3)),
    payloadBytesMax: short ? 100e6 : 1.5e9,
    durationMaxMs: short ? 1000 : 5000,
  };
}

/** Text-like values: random words from VOCABULARY with random digits, `count` values of `recordBytes`. */
function textValues(recordBytes: number, count: number): Buffer {
  const out = Buffer.allocUnsafe(recordBytes * count);
  let at = 0;
  while (at < out.length) at += out.write(`${VOCABULARY[randomInt(VOCABULARY.length)]}:${randomInt(1000)} `, at, 'latin1');
  return out;
}

async function compressedBatch(batch: Buffer, codec: number): Promise<Buffer> {
  if (codec === Codec.NONE) return batch;
  const section = await compressRecords(codec, batch.subarray(BATCH_HEADER_BYTES));
  return rebuildBatch(batch, section, codec, { count: batch.readInt32BE(BatchField.RECORDS_COUNT), maxTimestamp: readInt64(batch, BatchField.MAX_TIMESTAMP) });
}

async function buildPool(topic: string, recordBytes: number, codec: number): Promise<ProducePool> {
  const count = recordsPerBatch(recordBytes, BATCH_BYTES_MAX);
  const batches: Buffer[] = [];
  for (let variant = 0; variant < POOL_VARIANTS; variant++)
    batches.push(await compressedBatch(batchOfValues(textValues(recordBytes, count), recordBytes, count), codec));
  return producePoolOf(topic, PARTITIONS, recordBytes, count, batches);
}

/** One run on a fresh broker: a warm-up, then produce as fast as answered. MB/s of record values. */
async function produceRun(settings: Settings, brokerMain: string | undefined, recordBytes: number, codec: number): Promise<number> {
  const broker = await startBrokerProcess({ partitions: PARTITIONS, brokerMain });
  const client = new KafkaClient({ bootstrapServers: [broker.address], clientId: 'fjord-bench' });
  let connections: KafkaConnection[] = [];
  try {
    connections = await openLoadConnections(broker.host, broker.port, CONNECTIONS);
    const pool = await buildPool('validation', recordBytes, codec);
    await createLoadTopic(client, pool.topic, PARTITIONS, 1);
    const load = { inFlightPerConnection: IN_FLIGHT_PER_CONNECTION };
    await produceAsFastAsAnswered(connections, pool, { ...load, payloadBytesMax: settings.payloadBytesMax / 10, durationMaxMs: settings.durationMaxMs / 5 });
    const result = await produceAsFastAsAnswered(connections, pool, {
      ...load,
      payloadBytesMax: settings.payloadBytesMax,
      durationMaxMs: settings.durationMaxMs,
    });
    return mbPerSecond(result.payloadBytes, result.elapsedMs);
  } finally {
    closeLoadConnections(connections);
    await client.close();
    await broker.stop();
  }
}

export async function main(argv: string[]): Promise<Record<string, number>> {
  const settings = parseSettings(argv);
  const builds: ReadonlyArray<[name: string, main: string | undefined]> =
    settings.before === undefined
      ? [['this build', undefined]]
      : [
          ['before', settings.before],
          ['this build', undefined],
        ];
  console.log(
    `produce-validation: ${PARTITIONS} partitions, ${CONNECTIONS} connections x ${IN_FLIGHT_PER_CONNECTION} in flight, Produce acks=1, ~1 MiB batches of text-like values, ` +
      `up to ${fixed(settings.payloadBytesMax / 1e6)} MB or ${settings.durationMaxMs / 1000} s per run, ${settings.reps} reps, builds interleaved: ${builds.map(([name]) => name).join(', ')}`,
  );
  const runs = new Map<string, number[]>();
  for (let rep = 0; rep < settings.reps; rep++) {
    for (const recordBytes of RECORD_SIZES) {
      for (const [codecName, codec] of CODECS) {
        for (const [buildName, brokerMain] of builds) {
          const key = `${recordBytes}.${codecName}.${buildName}`;
          runs.set(key, [...(runs.get(key) ?? []), await produceRun(settings, brokerMain, recordBytes, codec)]);
        }
      }
    }
  }
  const figures: Record<string, number> = {};
  for (const recordBytes of RECORD_SIZES) {
    for (const [codecName] of CODECS) {
      const line = builds.map(([buildName]) => {
        const values = runs.get(`${recordBytes}.${codecName}.${buildName}`)!;
        figures[`produceValidation.${recordBytes}.${codecName}.${buildName}.mbPerSecond`] = median(values);
        return `${buildName} ${fixed(median(values))} MB/s (${values.map((v) => fixed(v)).join(', ')})`;
      });
      const ratio =
        builds.length === 2
          ? `, ratio ${fixed(median(runs.get(`${recordBytes}.${codecName}.this build`)!) / median(runs.get(`${recordBytes}.${codecName}.before`)!), 2)}`
          : '';
      console.log(`  ${recordBytes} B records, ${codecName}: ${line.join('; ')}${ratio}`);
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
