// End-to-end Kafka-protocol load against a Fjord broker child process, like kafka-producer-perf-test:
// produce throughput (pipelined Produce v7, acks=1, ~1 MiB batches), latency at a steady 50 MB/s,
// consume throughput (Fetch v12 from page cache), and kcat (librdkafka) producing and consuming.
// The load generators are the product's (src/perf, also behind `fjord perf`); this file drives them and reports.
// Runs on the bench's main thread; the broker is a child process started per section.
// `node dist/bench/kafka-perf.js [--short] [--only produce,latency,consume,kcat] [--record-bytes 1024,100]
//  [--connections N] [--in-flight N] [--reps N] [--fetch-partition-bytes N] [--cpu-prof-dir DIR]`
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { KafkaClient } from '../src/client/kafka-client.js';
import type { KafkaConnection } from '../src/client/kafka-connection.js';
import { fetchAll, FETCH_VERSION } from '../src/perf/fetch-load.js';
import { closeLoadConnections, openLoadConnections } from '../src/perf/load-connections.js';
import { createLoadTopic, endOffsets } from '../src/perf/load-topic.js';
import { buildProducePool, type ProducePool, producePaced, produceAsFastAsAnswered, PRODUCE_VERSION } from '../src/perf/produce-load.js';
import { fixed, type LatencySummary, mbPerSecond, median } from '../src/perf/stats.js';
import { type BrokerProcess, startBrokerProcess } from './perf/broker-process.js';
import { machineBusySeconds, machineStealSeconds } from './perf/cpu-meter.js';
import { kcatAvailable, runKcat, writeLinesFile } from './perf/kcat-load.js';
import { primePageCache } from './perf/page-cache.js';
import { parseSettings, type PerfSettings } from './perf/settings.js';

/** Every figure printed, by name, for run-all and for writing BENCHMARKS.md. */
export type PerfFigures = Record<string, number>;

interface Session {
  broker: BrokerProcess;
  /** The load's pipelined connections. */
  connections: KafkaConnection[];
  /** Admin requests (create topics, end offsets), outside the timed loads. */
  client: KafkaClient;
}

async function openSession(settings: PerfSettings): Promise<Session> {
  const nodeArgs = settings.cpuProfDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${settings.cpuProfDir}`];
  const broker = await startBrokerProcess({ partitions: settings.partitions, nodeArgs });
  try {
    const connections = await openLoadConnections(broker.host, broker.port, settings.connections);
    return { broker, connections, client: new KafkaClient({ bootstrapServers: [broker.address], clientId: 'fjord-bench' }) };
  } catch (error) {
    await broker.stop();
    throw error;
  }
}

async function closeSession(session: Session): Promise<void> {
  closeLoadConnections(session.connections);
  await session.client.close();
  await session.broker.stop();
}

async function withSession<T>(settings: PerfSettings, run: (session: Session) => Promise<T>): Promise<T> {
  const session = await openSession(settings);
  try {
    return await run(session);
  } finally {
    await closeSession(session);
  }
}

function prime(bytes: number): void {
  const dir = mkdtempSync(join(tmpdir(), 'fjord-perf-prime-'));
  try {
    primePageCache(dir, bytes);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function sizeName(recordBytes: number): string {
  return recordBytes % 1024 === 0 ? `${recordBytes / 1024} KiB` : `${recordBytes} B`;
}

function latencyText(l: LatencySummary): string {
  return `p50 ${fixed(l.p50Ms, 2)} ms, p99 ${fixed(l.p99Ms, 2)} ms, p99.9 ${fixed(l.p999Ms, 2)} ms, max ${fixed(l.maxMs, 1)} ms`;
}

function medianLatency(runs: readonly LatencySummary[]): LatencySummary {
  return {
    p50Ms: median(runs.map((l) => l.p50Ms)),
    p99Ms: median(runs.map((l) => l.p99Ms)),
    p999Ms: median(runs.map((l) => l.p999Ms)),
    maxMs: median(runs.map((l) => l.maxMs)),
    samples: median(runs.map((l) => l.samples)),
  };
}

const reps = (values: readonly number[], digits = 0): string => values.map((v) => fixed(v, digits)).join(', ');

interface ProduceRep {
  mbPerSecond: number;
  batchMbPerSecond: number;
  recordsPerSecond: number;
  latency: LatencySummary;
  brokerCpuSecondsPerGb: number;
  brokerCores: number;
  clientCores: number;
  machineCores: number;
}

/** One timed produce run on a fresh topic, after priming and a warm-up. */
async function produceRep(settings: PerfSettings, session: Session, pool: ProducePool): Promise<ProduceRep> {
  await createLoadTopic(session.client, pool.topic, settings.partitions, 1);
  prime(settings.produceBytesMax + settings.warmupBytesMax);
  await produceAsFastAsAnswered(session.connections, pool, {
    inFlightPerConnection: settings.inFlightPerConnection,
    payloadBytesMax: settings.warmupBytesMax,
    durationMaxMs: settings.warmupDurationMaxMs,
  });
  const brokerCpuBefore = session.broker.cpuSeconds();
  const clientCpuBefore = process.cpuUsage();
  const machineBefore = machineBusySeconds();
  const result = await produceAsFastAsAnswered(session.connections, pool, {
    inFlightPerConnection: settings.inFlightPerConnection,
    payloadBytesMax: settings.produceBytesMax,
    durationMaxMs: settings.produceDurationMaxMs,
  });
  const brokerCpuSeconds = session.broker.cpuSeconds() - brokerCpuBefore;
  const clientCpu = process.cpuUsage(clientCpuBefore);
  const machineSeconds = machineBusySeconds() - machineBefore;
  const elapsedSeconds = result.elapsedMs / 1000;
  return {
    mbPerSecond: mbPerSecond(result.payloadBytes, result.elapsedMs),
    batchMbPerSecond: mbPerSecond(result.batchBytes, result.elapsedMs),
    recordsPerSecond: result.records / elapsedSeconds,
    latency: result.latency,
    brokerCpuSecondsPerGb: brokerCpuSeconds / (result.payloadBytes / 1e9),
    brokerCores: brokerCpuSeconds / elapsedSeconds,
    clientCores: (clientCpu.user + clientCpu.system) / 1e6 / elapsedSeconds,
    machineCores: machineSeconds / elapsedSeconds,
  };
}

function reportProduce(settings: PerfSettings, pool: ProducePool, runs: readonly ProduceRep[], figures: PerfFigures): void {
  const size = sizeName(pool.recordBytes);
  const key = `produce.${pool.recordBytes}`;
  console.log(
    `produce ${size} records: ${settings.connections} connections x ${settings.inFlightPerConnection} in flight, Produce v${PRODUCE_VERSION} acks=1, ` +
      `${pool.batchBytes}-byte batches (${pool.recordsPerBatch} records), ${settings.partitions} partitions, up to ${fixed(settings.produceBytesMax / 1e6)} MB or ` +
      `${settings.produceDurationMaxMs / 1000} s per run, ${runs.length} reps`,
  );
  figures[`${key}.mbPerSecond`] = median(runs.map((r) => r.mbPerSecond));
  figures[`${key}.recordsPerSecond`] = median(runs.map((r) => r.recordsPerSecond));
  figures[`${key}.brokerCpuSecondsPerGb`] = median(runs.map((r) => r.brokerCpuSecondsPerGb));
  const latency = medianLatency(runs.map((r) => r.latency));
  Object.assign(figures, { [`${key}.p50Ms`]: latency.p50Ms, [`${key}.p99Ms`]: latency.p99Ms, [`${key}.p999Ms`]: latency.p999Ms });
  console.log(
    `  produce ${size} throughput: median ${fixed(figures[`${key}.mbPerSecond`]!)} MB/s of values (${fixed(median(runs.map((r) => r.batchMbPerSecond)))} MB/s of batches), ` +
      `${fixed(figures[`${key}.recordsPerSecond`]! / 1e6, 3)} M records/s (reps MB/s: ${reps(runs.map((r) => r.mbPerSecond))})`,
  );
  console.log(
    `  produce ${size} latency, send -> response, ${settings.inFlightPerConnection} in flight per connection: ${latencyText(latency)} (medians of reps)`,
  );
  console.log(
    `  produce ${size} broker CPU: median ${fixed(figures[`${key}.brokerCpuSecondsPerGb`]!, 2)} CPU s per GB of values ` +
      `(broker busy ${fixed(median(runs.map((r) => r.brokerCores)), 2)} cores, bench client ${fixed(median(runs.map((r) => r.clientCores)), 2)} cores, ` +
      `whole machine ${fixed(median(runs.map((r) => r.machineCores)), 2)} of ${availableParallelism()} cores)`,
  );
}

/** Produce reps (a fresh broker each); the last broker is kept for `after` (consume, kcat consume). */
async function produceSection(
  settings: PerfSettings,
  recordBytes: number,
  figures: PerfFigures,
  after: (session: Session, pool: ProducePool) => Promise<void>,
): Promise<void> {
  const pool = buildProducePool(`perf-${recordBytes}`, settings.partitions, recordBytes, settings.batchBytesMax);
  const runs: ProduceRep[] = [];
  for (let rep = 0; rep < settings.reps; rep++) {
    await withSession(settings, async (session) => {
      runs.push(await produceRep(settings, session, pool));
      if (rep === settings.reps - 1) {
        reportProduce(settings, pool, runs, figures);
        await after(session, pool);
      }
    });
  }
}

async function consumeSection(settings: PerfSettings, session: Session, pool: ProducePool, figures: PerfFigures): Promise<void> {
  const ends = await endOffsets(session.client, pool.topic, settings.partitions);
  const fetchOptions = {
    topic: pool.topic,
    endOffsets: ends,
    partitionMaxBytes: settings.fetchPartitionMaxBytes,
    maxBytes: settings.fetchMaxBytes,
    durationMaxMs: settings.consumeDurationMaxMs,
  };
  // Warm-up (JIT, the completion rings' first touch, the bench's receive buffers): a bounded read, not timed.
  await fetchAll(session.connections, { ...fetchOptions, durationMaxMs: settings.warmupDurationMaxMs });
  const runs = [];
  const brokerCpuSeconds: number[] = [];
  const machineSeconds: number[] = [];
  for (let rep = 0; rep < settings.reps; rep++) {
    const brokerCpuBefore = session.broker.cpuSeconds();
    const machineBefore = machineBusySeconds();
    runs.push(await fetchAll(session.connections, fetchOptions));
    brokerCpuSeconds.push(session.broker.cpuSeconds() - brokerCpuBefore);
    machineSeconds.push(machineBusySeconds() - machineBefore);
  }
  const size = sizeName(pool.recordBytes);
  const valueMbs = runs.map((r) => mbPerSecond(r.records * pool.recordBytes, r.elapsedMs));
  const key = `consume.${pool.recordBytes}`;
  figures[`${key}.mbPerSecond`] = median(valueMbs);
  figures[`${key}.recordsPerSecond`] = median(runs.map((r) => r.records / (r.elapsedMs / 1000)));
  console.log(
    `  consume ${size} records, Fetch v${FETCH_VERSION} from offset 0, one stream per partition over ${settings.connections} connections, partition max ` +
      `${settings.fetchPartitionMaxBytes} B, ${fixed(runs[0]!.batchBytes / 1e6)} MB per run: median ${fixed(figures[`${key}.mbPerSecond`]!)} MB/s of values ` +
      `(${fixed(median(runs.map((r) => mbPerSecond(r.batchBytes, r.elapsedMs))))} MB/s of batches), ${fixed(figures[`${key}.recordsPerSecond`]! / 1e6, 3)} M records/s ` +
      `(reps MB/s: ${reps(valueMbs)})`,
  );
  figures[`${key}.brokerCpuSecondsPerGb`] = median(runs.map((r, i) => brokerCpuSeconds[i]! / ((r.records * pool.recordBytes) / 1e9)));
  const brokerCores = median(runs.map((r, i) => brokerCpuSeconds[i]! / (r.elapsedMs / 1000)));
  const machineCores = median(runs.map((r, i) => machineSeconds[i]! / (r.elapsedMs / 1000)));
  console.log(
    `  consume ${size} broker CPU: median ${fixed(figures[`${key}.brokerCpuSecondsPerGb`]!, 2)} CPU s per GB of values ` +
      `(broker busy ${fixed(brokerCores, 2)} cores, whole machine ${fixed(machineCores, 2)} of ${availableParallelism()} cores)`,
  );
}

interface KcatRep {
  elapsedMs: number;
  kcatCores: number;
  brokerCores: number;
}

/** One kcat run, with its own CPU and the broker's over the same wall time. */
async function kcatRep(settings: PerfSettings, session: Session, args: readonly string[], stdinPath: string | null): Promise<KcatRep> {
  const brokerCpuBefore = session.broker.cpuSeconds();
  const run = await runKcat(args, stdinPath, settings.kcatTimeoutMs);
  const seconds = run.elapsedMs / 1000;
  return { elapsedMs: run.elapsedMs, kcatCores: run.cpuSeconds / seconds, brokerCores: (session.broker.cpuSeconds() - brokerCpuBefore) / seconds };
}

function reportKcat(what: string, recordBytes: number, records: number, runs: readonly KcatRep[], figures: PerfFigures, key: string): void {
  const mbs = runs.map((r) => mbPerSecond(records * recordBytes, r.elapsedMs));
  figures[`${key}.mbPerSecond`] = median(mbs);
  figures[`${key}.recordsPerSecond`] = records / (median(runs.map((r) => r.elapsedMs)) / 1000);
  console.log(
    `  ${what}: median ${fixed(figures[`${key}.mbPerSecond`]!)} MB/s of values, ${fixed(figures[`${key}.recordsPerSecond`]! / 1e6, 3)} M records/s ` +
      `(reps MB/s: ${reps(mbs)}; kcat busy ${fixed(median(runs.map((r) => r.kcatCores)), 2)} cores, broker ${fixed(median(runs.map((r) => r.brokerCores)), 2)} cores)`,
  );
}

async function kcatConsumeSection(settings: PerfSettings, session: Session, pool: ProducePool, figures: PerfFigures): Promise<void> {
  const stored = (await endOffsets(session.client, pool.topic, settings.partitions)).reduce((a, b) => a + b, 0);
  const records = Math.min(stored, settings.kcatRecords(pool.recordBytes));
  // fetch.wait.max.ms=5: with -e, the last fetch (at the end of every partition) would otherwise long-poll 500 ms.
  const options = ['-e', '-o', 'beginning', '-c', String(records), '-q', '-f', '%s', '-X', 'fetch.wait.max.ms=5'];
  const runs: KcatRep[] = [];
  for (let rep = 0; rep < settings.reps; rep++)
    runs.push(await kcatRep(settings, session, ['-C', '-b', session.broker.address, '-t', pool.topic, ...options], null));
  const what = `kcat consume ${sizeName(pool.recordBytes)} records (kcat -C ${options.join(' ')} > /dev/null, from the topic above), spawn to exit`;
  reportKcat(what, pool.recordBytes, records, runs, figures, `kcat.consume.${pool.recordBytes}`);
}

async function kcatProduceSection(settings: PerfSettings, recordBytes: number, figures: PerfFigures): Promise<void> {
  const records = settings.kcatRecords(recordBytes);
  const dir = mkdtempSync(join(tmpdir(), 'fjord-perf-kcat-'));
  const file = join(dir, 'records.txt');
  const tuning = ['-X', 'linger.ms=5', '-X', 'batch.size=1000000', '-X', 'batch.num.messages=1000000'];
  try {
    writeLinesFile(file, recordBytes, records);
    const runs = await withSession(settings, async (session) => {
      const results: KcatRep[] = [];
      for (let rep = 0; rep < settings.reps; rep++) {
        const topic = `kcat-${recordBytes}-${rep}`;
        await createLoadTopic(session.client, topic, settings.partitions, 1);
        prime(records * (recordBytes + 16));
        results.push(await kcatRep(settings, session, ['-P', '-b', session.broker.address, '-t', topic, ...tuning], file));
        const stored = (await endOffsets(session.client, topic, settings.partitions)).reduce((a, b) => a + b, 0);
        if (stored !== records) throw new Error(`kcat -P: ${stored} of ${records} records stored in ${topic}`);
      }
      return results;
    });
    const what = `kcat produce ${sizeName(recordBytes)} records (kcat -P ${tuning.join(' ')} < file of ${records} lines, new topic of ${settings.partitions} partitions), spawn to exit`;
    reportKcat(what, recordBytes, records, runs, figures, `kcat.produce.${recordBytes}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function latencySection(settings: PerfSettings, figures: PerfFigures): Promise<void> {
  const recordBytes = 1024;
  const pool = buildProducePool('perf-latency', settings.partitions, recordBytes, settings.latencyBatchBytesMax);
  const paced = { payloadBytesPerSecond: settings.latencyBytesPerSecond, durationMs: settings.latencyDurationMs };
  const runs = await withSession(settings, async (session) => {
    await createLoadTopic(session.client, pool.topic, settings.partitions, 1);
    await producePaced(session.connections, pool, { ...paced, durationMs: Math.min(1000, paced.durationMs) });
    const results = [];
    for (let rep = 0; rep < settings.reps; rep++) {
      const stealBefore = machineStealSeconds();
      const result = await producePaced(session.connections, pool, paced);
      results.push({ ...result, stealPercent: (100 * (machineStealSeconds() - stealBefore)) / (result.elapsedMs / 1000) / availableParallelism() });
    }
    return results;
  });
  const latency = medianLatency(runs.map((r) => r.latency));
  Object.assign(figures, {
    'latency.p50Ms': latency.p50Ms,
    'latency.p99Ms': latency.p99Ms,
    'latency.p999Ms': latency.p999Ms,
    'latency.stealPercent': median(runs.map((r) => r.stealPercent)),
  });
  console.log(
    `produce latency at a steady ${fixed(settings.latencyBytesPerSecond / 1e6)} MB/s of 1 KiB values: ${pool.batchBytes}-byte batches (${pool.recordsPerBatch} records), ` +
      `acks=1, round-robin over ${settings.connections} connections and ${settings.partitions} partitions, ${settings.latencyDurationMs / 1000} s per run, ${runs.length} reps`,
  );
  console.log(
    `  latency at ${fixed(settings.latencyBytesPerSecond / 1e6)} MB/s, send -> response: ${latencyText(latency)} (medians of reps; reps p99: ${reps(
      runs.map((r) => r.latency.p99Ms),
      2,
    )} ms; ` +
      `achieved ${fixed(median(runs.map((r) => mbPerSecond(r.payloadBytes, r.elapsedMs))), 1)} MB/s, send lag behind schedule p99 ${fixed(median(runs.map((r) => r.sendLag.p99Ms)), 2)} ms; ` +
      `host steal per rep: ${reps(
        runs.map((r) => r.stealPercent),
        1,
      )} % of the vCPUs)`,
  );
}

export async function main(argv: string[]): Promise<PerfFigures> {
  const settings = parseSettings(argv);
  const figures: PerfFigures = {};
  const hasKcat = settings.sections.has('kcat') && kcatAvailable();
  if (settings.sections.has('kcat') && !hasKcat) console.log('kcat not found on PATH: kcat figures skipped');
  // Latency first, on a quiet machine: the throughput sections leave gigabytes of dirty pages being written
  // back and of freed pages being handed back to the host, and a latency run after them measures that.
  if (settings.sections.has('latency')) await latencySection(settings, figures);
  for (const recordBytes of settings.recordSizes) {
    if (settings.sections.has('produce') || settings.sections.has('consume') || hasKcat) {
      await produceSection(settings, recordBytes, figures, async (session, pool) => {
        if (settings.sections.has('consume')) await consumeSection(settings, session, pool, figures);
        if (hasKcat) await kcatConsumeSection(settings, session, pool, figures);
      });
    }
    if (hasKcat) await kcatProduceSection(settings, recordBytes, figures);
  }
  return figures;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
