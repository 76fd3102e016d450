// Produce latency as most users' clients see it: a librdkafka producer (bench/perf/rdkafka-producer.c) sending
// 1 KiB records at a steady rate (50 and 150 MB/s of values; acks=1, linger.ms=0, 6 partitions in turn) to a
// Fjord broker child process on 127.0.0.1; latency from produce() to the delivery report (p50, p99, p99.9, max),
// whether the producer kept the rate, and the broker's CPU per GB and per request. With --before an earlier
// build's broker is measured interleaved, rep by rep. Runs on the bench's main thread; the broker and the
// producer are child processes.
// `node dist/bench/librdkafka-produce.js [--short] [--reps N] [--seconds S] [--rates 50,150] [--before <build>/dist/src/main.js]`
import { execFileSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { KafkaClient } from '../src/client/kafka-client.js';
import { createLoadTopic } from '../src/perf/load-topic.js';
import { fixed, median } from '../src/perf/stats.js';
import { type BrokerProcess, startBrokerProcess } from './perf/broker-process.js';
import { buildRdkafkaProgram, type RdkafkaProducerRun, runRdkafkaProgram } from './perf/rdkafka-programs.js';

const RECORD_BYTES = 1024;
const PARTITIONS = 6;
/** The issue's setting: every record sent as soon as produced (librdkafka batches only what queued meanwhile). */
const PRODUCER_CONFIG: Readonly<Record<string, string>> = { acks: '1', 'linger.ms': '0' };
const RUN_TIMEOUT_MS = 180_000;
const WARM_UP_SECONDS = 3;

interface Settings {
  reps: number;
  seconds: number;
  ratesMb: number[];
  before: string | undefined;
}

function parseSettings(argv: readonly string[]): Settings {
  const { values } = parseArgs({
    args: [...argv],
    options: { short: { type: 'boolean' }, reps: { type: 'string' }, seconds: { type: 'string' }, rates: { type: 'string' }, before: { type: 'string' } },
    strict: true,
  });
  const short = values.short === true;
  const ratesMb = (values.rates ?? '50,150').split(',').map(Number);
  if (ratesMb.some((r) => !(r > 0))) throw new Error(`--rates: positive MB/s values, comma-separated (got "${values.rates}")`);
  return { reps: Number(values.reps ?? (short ? 1 : 3)), seconds: Number(values.seconds ?? (short ? 1 : 10)), ratesMb, before: values.before };
}

interface Build {
  name: string;
  broker: BrokerProcess;
  topics: number;
}

interface Measure {
  run: RdkafkaProducerRun;
  achievedMb: number;
  brokerCpuSecondsPerGb: number;
  brokerCores: number;
  producerCores: number;
}

/** A new topic per run, so every run appends to empty partitions. */
async function newTopic(build: Build): Promise<string> {
  const topic = `rdk-produce-${build.topics++}`;
  const client = new KafkaClient({ bootstrapServers: [build.broker.address], clientId: 'fjord-bench' });
  try {
    await createLoadTopic(client, topic, PARTITIONS, 1);
  } finally {
    await client.close();
  }
  return topic;
}

async function measure(binary: string, build: Build, rateMb: number, seconds: number): Promise<Measure> {
  const topic = await newTopic(build);
  // Each run starts with no dirty pages left by the runs before it: ~1.2 GB per run at 150 MB/s crosses the
  // kernel's background write-back threshold by the third run, and that write-back's CPU then lands on one rep only.
  execFileSync('sync');
  const cpuBefore = build.broker.cpuSeconds();
  const startedMs = performance.now();
  const args = [build.broker.address, topic, String(PARTITIONS), String(RECORD_BYTES), String(rateMb * 1e6), String(seconds)];
  const run = await runRdkafkaProgram<RdkafkaProducerRun>(binary, args, PRODUCER_CONFIG, RUN_TIMEOUT_MS);
  const wallSeconds = (performance.now() - startedMs) / 1000;
  const brokerCpu = build.broker.cpuSeconds() - cpuBefore;
  const bytes = run.records * RECORD_BYTES;
  return {
    run,
    achievedMb: bytes / 1e6 / (run.elapsedMs / 1000),
    brokerCpuSecondsPerGb: brokerCpu / (bytes / 1e9),
    brokerCores: brokerCpu / wallSeconds,
    producerCores: run.cpuSeconds / wallSeconds,
  };
}

const list = (values: readonly number[], digits: number): string => values.map((v) => fixed(v, digits)).join(', ');

function report(rateMb: number, builds: readonly Build[], runs: Map<string, Measure[]>): void {
  console.log(`  ${rateMb} MB/s:`);
  for (const build of builds) {
    const r = runs.get(build.name)!;
    const m = (pick: (x: Measure) => number, digits = 2): string => fixed(median(r.map(pick)), digits);
    console.log(
      `    ${build.name}: p50 ${m((x) => x.run.p50)} ms, p99 ${m((x) => x.run.p99)} ms, p99.9 ${m((x) => x.run.p999)} ms, max ${m((x) => x.run.max, 1)} ms ` +
        `(medians; reps p99: ${list(
          r.map((x) => x.run.p99),
          2,
        )}; p99.9: ${list(
          r.map((x) => x.run.p999),
          2,
        )}); achieved ${m((x) => x.achievedMb, 1)} MB/s, sends behind schedule at most ${m((x) => x.run.lagMaxMs, 1)} ms; ` +
        `broker ${m((x) => x.brokerCpuSecondsPerGb)} CPU s per GB (busy ${m((x) => x.brokerCores)} cores), producer busy ${m((x) => x.producerCores)} cores`,
    );
  }
  if (builds.length === 2) {
    const [after, before] = builds.map((b) => runs.get(b.name)!);
    const ratio = (pick: (x: Measure) => number): string => fixed(median(after!.map(pick)) / median(before!.map(pick)), 2);
    console.log(
      `    this build / before: p99 x${ratio((x) => x.run.p99)}, p99.9 x${ratio((x) => x.run.p999)}, broker CPU per GB x${ratio((x) => x.brokerCpuSecondsPerGb)}`,
    );
  }
}

export async function main(argv: string[]): Promise<void> {
  const settings = parseSettings(argv);
  const binary = buildRdkafkaProgram('rdkafka-producer');
  const builds: Build[] = [];
  try {
    const config = { 'fjord.http.listener': 'http://127.0.0.1:0' };
    builds.push({ name: 'this build', broker: await startBrokerProcess({ partitions: 1, config }), topics: 0 });
    if (settings.before !== undefined)
      builds.push({ name: 'before', broker: await startBrokerProcess({ partitions: 1, config, brokerMain: settings.before }), topics: 0 });
    console.log(
      `librdkafka producer (bench/perf/rdkafka-producer.c, ${Object.entries(PRODUCER_CONFIG)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ')}) sending ${RECORD_BYTES}-byte records to ${PARTITIONS} partitions in turn at a steady rate, ${settings.seconds} s per run, ` +
        `${settings.reps} reps${builds.length === 2 ? ', this build and the one before interleaved' : ''}; latency from produce() to the delivery report, after a ${WARM_UP_SECONDS} s warm-up at ${settings.ratesMb[0]} MB/s not reported`,
    );
    // A fresh broker compiles its hot paths and grows its heaps during the first seconds of load: every build
    // first takes WARM_UP_SECONDS at the first rate, not reported.
    for (const build of builds) await measure(binary, build, settings.ratesMb[0]!, WARM_UP_SECONDS);
    for (const rateMb of settings.ratesMb) {
      const runs = new Map(builds.map((b) => [b.name, [] as Measure[]]));
      for (let rep = 0; rep < settings.reps; rep++)
        for (const build of builds) runs.get(build.name)!.push(await measure(binary, build, rateMb, settings.seconds));
      report(rateMb, builds, runs);
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
