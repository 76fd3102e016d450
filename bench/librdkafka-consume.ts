// Consume throughput as most users' clients see it: a librdkafka consumer (bench/perf/rdkafka-consumer.c)
// reading topics of 2, 6 and 12 partitions of 1 KiB records from offset 0 against a Fjord broker child process
// on 127.0.0.1, with librdkafka's default fetch settings and with 10 MiB per-partition fetches, plus a sweep of
// fetch sizes (64 KiB to 64 MiB, 6 partitions), and the same sizes with `fjord perf consume`'s load (src/perf);
// MB/s of values and the broker's CPU seconds per GB fetched
// (/proc/<pid>/stat). With --before an earlier build's broker is loaded alike and measured interleaved with this
// one, rep by rep, for ratios from one run. Runs on the bench's main thread; brokers and consumers are child processes.
// `node dist/bench/librdkafka-consume.js [--short] [--reps N] [--only rows,sweep,fjord] [--partitions 2,6,12] [--row-mb N]
//  [--before <earlier build>/dist/src/main.js] [--cpu-prof-dir DIR]`
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { KafkaClient } from '../src/client/kafka-client.js';
import { closeLoadConnections, openLoadConnections } from '../src/perf/load-connections.js';
import { createLoadTopic, endOffsets } from '../src/perf/load-topic.js';
import { fetchAll } from '../src/perf/fetch-load.js';
import { buildProducePool, produceAsFastAsAnswered } from '../src/perf/produce-load.js';
import { fixed, mbPerSecond, median } from '../src/perf/stats.js';
import { type BrokerProcess, startBrokerProcess } from './perf/broker-process.js';
import { buildRdkafkaProgram, type RdkafkaConsumerRun, runRdkafkaProgram } from './perf/rdkafka-programs.js';

const RECORD_BYTES = 1024;
const MIB = 1024 * 1024;
const LOAD_CONNECTIONS = 3;
const LOAD_IN_FLIGHT = 4;
const LOAD_DURATION_MAX_MS = 300_000;
const CONSUME_TIMEOUT_MS = 300_000;
/** librdkafka's own defaults (fetch.max.bytes 50 MB, max.partition.fetch.bytes 1 MiB). */
const DEFAULTS: Readonly<Record<string, string>> = {};
const SECTIONS = ['rows', 'sweep', 'fjord'] as const;
/** `fjord perf consume`'s load (src/perf/fetch-load.ts): connections, and its whole-fetch limit. */
const FJORD_CONNECTIONS = 3;
const FJORD_FETCH_MAX_BYTES = 64 * MIB;
const SWEEP_PARTITIONS = 6;

/**
 * Per-partition and whole-fetch limits; librdkafka wants receive.message.max.bytes above fetch.max.bytes and
 * fetch.max.bytes at least message.max.bytes (a producer setting, lowered for the 64 KiB fetches).
 */
function fetchConfig(partitionBytes: number, fetchBytes: number): Record<string, string> {
  return {
    'max.partition.fetch.bytes': String(partitionBytes),
    'fetch.max.bytes': String(fetchBytes),
    'message.max.bytes': String(Math.min(fetchBytes, 1_000_000)),
    'receive.message.max.bytes': String(Math.max(fetchBytes + MIB, 100_000_000)),
  };
}

interface Settings {
  short: boolean;
  reps: number;
  partitionCounts: number[];
  rowBytes: number;
  sweepSizes: number[];
  sections: Set<string>;
  before: string | undefined;
  /** When set, this build's broker runs with --cpu-prof and writes its profiles here when it stops. */
  cpuProfDir: string | undefined;
}

function parseSettings(argv: readonly string[]): Settings {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      short: { type: 'boolean' },
      reps: { type: 'string' },
      only: { type: 'string' },
      before: { type: 'string' },
      'row-mb': { type: 'string' },
      partitions: { type: 'string' },
      'cpu-prof-dir': { type: 'string' },
    },
    strict: true,
  });
  const short = values.short === true;
  const sections = new Set(values.only?.split(',') ?? SECTIONS);
  for (const s of sections) if (!(SECTIONS as readonly string[]).includes(s)) throw new Error(`--only: unknown section "${s}" (${SECTIONS.join(', ')})`);
  return {
    short,
    reps: Number(values.reps ?? (short ? 1 : 3)),
    partitionCounts: values.partitions?.split(',').map(Number) ?? [2, 6, 12],
    rowBytes: Number(values['row-mb'] ?? (short ? 12 : 400)) * 1e6,
    sweepSizes: short ? [64 * 1024, 10 * MIB] : [64 * 1024, MIB, 10 * MIB, 64 * MIB],
    sections,
    before: values.before,
    cpuProfDir: values['cpu-prof-dir'],
  };
}

interface Build {
  name: string;
  broker: BrokerProcess;
}

/** A topic `rdk-<p>` per partition count, loaded with about `bytes` of 1 KiB records; returns the records stored per topic. */
async function load(broker: BrokerProcess, partitionCounts: readonly number[], bytes: number): Promise<Map<number, number>> {
  const connections = await openLoadConnections(broker.host, broker.port, LOAD_CONNECTIONS);
  const client = new KafkaClient({ bootstrapServers: [broker.address], clientId: 'fjord-bench' });
  const stored = new Map<number, number>();
  try {
    for (const partitions of partitionCounts) {
      const pool = buildProducePool(`rdk-${partitions}`, partitions, RECORD_BYTES, MIB);
      await createLoadTopic(client, pool.topic, partitions, 1);
      await produceAsFastAsAnswered(connections, pool, { inFlightPerConnection: LOAD_IN_FLIGHT, payloadBytesMax: bytes, durationMaxMs: LOAD_DURATION_MAX_MS });
      stored.set(
        partitions,
        (await endOffsets(client, pool.topic, partitions)).reduce((a, b) => a + b, 0),
      );
    }
  } finally {
    closeLoadConnections(connections);
    await client.close();
  }
  return stored;
}

interface Measure {
  mbPerSecond: number;
  brokerCpuSecondsPerGb: number;
  brokerCores: number;
  consumerCores: number;
}

/** One librdkafka consumer run from the beginning of topic `rdk-<partitions>`. */
async function measure(binary: string, build: Build, partitions: number, records: number, config: Record<string, string>): Promise<Measure> {
  const cpuBefore = build.broker.cpuSeconds();
  const startedMs = performance.now();
  const args = [build.broker.address, `rdk-${partitions}`, String(partitions), String(records)];
  const run = await runRdkafkaProgram<RdkafkaConsumerRun>(binary, args, config, CONSUME_TIMEOUT_MS);
  const wallSeconds = (performance.now() - startedMs) / 1000;
  const brokerCpu = build.broker.cpuSeconds() - cpuBefore;
  if (run.records !== records) throw new Error(`rdkafka-consumer read ${run.records} of ${records} records`);
  return {
    mbPerSecond: mbPerSecond(run.bytes, run.elapsedMs),
    brokerCpuSecondsPerGb: brokerCpu / (run.bytes / 1e9),
    brokerCores: brokerCpu / wallSeconds,
    consumerCores: run.cpuSeconds / wallSeconds,
  };
}

/** One `fjord perf consume` run (src/perf's fetchAll: one stream per partition over 3 connections) of topic `rdk-<partitions>`. */
async function measureFjord(build: Build, partitions: number, partitionMaxBytes: number): Promise<Measure> {
  const topic = `rdk-${partitions}`;
  const client = new KafkaClient({ bootstrapServers: [build.broker.address], clientId: 'fjord-bench' });
  const ends = await endOffsets(client, topic, partitions).finally(() => client.close());
  const connections = await openLoadConnections(build.broker.host, build.broker.port, FJORD_CONNECTIONS);
  try {
    const cpuBefore = build.broker.cpuSeconds();
    const startedMs = performance.now();
    const run = await fetchAll(connections, { topic, endOffsets: ends, partitionMaxBytes, maxBytes: FJORD_FETCH_MAX_BYTES, durationMaxMs: CONSUME_TIMEOUT_MS });
    const wallSeconds = (performance.now() - startedMs) / 1000;
    const brokerCpu = build.broker.cpuSeconds() - cpuBefore;
    const valueBytes = run.records * RECORD_BYTES;
    return {
      mbPerSecond: mbPerSecond(valueBytes, run.elapsedMs),
      brokerCpuSecondsPerGb: brokerCpu / (valueBytes / 1e9),
      brokerCores: brokerCpu / wallSeconds,
      consumerCores: Number.NaN,
    };
  } finally {
    closeLoadConnections(connections);
  }
}

interface Case {
  label: string;
  partitions: number;
  /** librdkafka configuration, or (fjord) `fjord perf consume`'s partition limit. */
  config: Record<string, string> | { fjordPartitionMaxBytes: number };
}

function casesOf(settings: Settings): Case[] {
  const cases: Case[] = [];
  if (settings.sections.has('rows')) {
    for (const partitions of settings.partitionCounts) {
      cases.push({ label: `${partitions} partitions, librdkafka defaults`, partitions, config: DEFAULTS });
      cases.push({
        label: `${partitions} partitions, 10 MiB per-partition fetches`,
        partitions,
        config: fetchConfig(10 * MIB, Math.max(50 * MIB, partitions * 10 * MIB)),
      });
    }
  }
  if (settings.sections.has('fjord')) {
    for (const size of settings.sweepSizes)
      cases.push({
        label: `${SWEEP_PARTITIONS} partitions, fjord perf consume --partition-max-bytes ${sizeName(size)}`,
        partitions: SWEEP_PARTITIONS,
        config: { fjordPartitionMaxBytes: size },
      });
  }
  if (settings.sections.has('sweep')) {
    for (const size of settings.sweepSizes) {
      const name = sizeName(size);
      cases.push({
        label: `${SWEEP_PARTITIONS} partitions, fetches of ${name} (fetch.max.bytes = max.partition.fetch.bytes)`,
        partitions: SWEEP_PARTITIONS,
        config: fetchConfig(size, size),
      });
    }
  }
  return cases;
}

const sizeName = (bytes: number): string => (bytes >= MIB ? `${bytes / MIB} MiB` : `${bytes / 1024} KiB`);

const reps = (values: readonly number[], digits = 0): string => values.map((v) => fixed(v, digits)).join(', ');

function report(c: Case, builds: readonly Build[], runs: Map<string, Measure[]>): void {
  console.log(`  ${c.label}:`);
  for (const build of builds) {
    const r = runs.get(build.name)!;
    console.log(
      `    ${build.name}: median ${fixed(median(r.map((m) => m.mbPerSecond)))} MB/s of values (reps ${reps(r.map((m) => m.mbPerSecond))}), ` +
        `broker ${fixed(median(r.map((m) => m.brokerCpuSecondsPerGb)), 2)} CPU s per GB (busy ${fixed(median(r.map((m) => m.brokerCores)), 2)} cores)` +
        (Number.isNaN(r[0]!.consumerCores) ? '' : `, consumer busy ${fixed(median(r.map((m) => m.consumerCores)), 2)} cores`),
    );
  }
  if (builds.length === 2) {
    const [after, before] = builds.map((b) => runs.get(b.name)!);
    const mbs = median(after!.map((m) => m.mbPerSecond)) / median(before!.map((m) => m.mbPerSecond));
    const cpu = median(after!.map((m) => m.brokerCpuSecondsPerGb)) / median(before!.map((m) => m.brokerCpuSecondsPerGb));
    console.log(`    this build / before: throughput x${fixed(mbs, 2)}, broker CPU per GB x${fixed(cpu, 2)}`);
  }
}

export async function main(argv: string[]): Promise<void> {
  const settings = parseSettings(argv);
  const binary = buildRdkafkaProgram('rdkafka-consumer');
  const builds: Build[] = [];
  try {
    // Two brokers may run at once: each admin HTTP listener on a free port.
    const config = { 'fjord.http.listener': 'http://127.0.0.1:0' };
    const nodeArgs = settings.cpuProfDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${settings.cpuProfDir}`];
    builds.push({ name: 'this build', broker: await startBrokerProcess({ partitions: 1, config, nodeArgs }) });
    if (settings.before !== undefined)
      builds.push({ name: 'before', broker: await startBrokerProcess({ partitions: 1, config, brokerMain: settings.before }) });
    const counts = [
      ...new Set([
        ...(settings.sections.has('rows') ? settings.partitionCounts : []),
        ...(settings.sections.has('sweep') || settings.sections.has('fjord') ? [SWEEP_PARTITIONS] : []),
      ]),
    ];
    const stored = new Map<string, Map<number, number>>();
    for (const build of builds) stored.set(build.name, await load(build.broker, counts, settings.rowBytes));
    const records = (partitions: number): number => Math.min(...builds.map((b) => stored.get(b.name)!.get(partitions)!));
    console.log(
      `librdkafka consumer (bench/perf/rdkafka-consumer.c, assign from the beginning, no group) reading ${RECORD_BYTES}-byte records, ` +
        `${fixed(settings.rowBytes / 1e6)} MB per topic, ${settings.reps} reps${builds.length === 2 ? ', this build and the one before interleaved' : ''}; ` +
        "MB/s from the first record to the last, broker CPU over the consumer's whole run",
    );
    for (const c of casesOf(settings)) {
      const runs = new Map(builds.map((b) => [b.name, [] as Measure[]]));
      for (let rep = 0; rep < settings.reps; rep++)
        for (const build of builds) {
          const config = c.config;
          const measured =
            'fjordPartitionMaxBytes' in config
              ? await measureFjord(build, c.partitions, config.fjordPartitionMaxBytes as number)
              : await measure(binary, build, c.partitions, records(c.partitions), config);
          runs.get(build.name)!.push(measured);
        }
      report(c, builds, runs);
    }
  } finally {
    for (const build of builds) await build.broker.stop();
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
