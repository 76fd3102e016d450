// The cluster benchmarks of replication: three broker processes and one etcd on this machine (local-cluster.ts).
// Throughput: the same librdkafka workload (1 KiB records, 6 partitions spread over the brokers, as fast as
// librdkafka takes them) on RF=3 with acks=all and on RF=1 with acks=1 (and RF=3 with acks=1), reps
// interleaved, MB/s and the ratio of the medians. Failover: repeated SIGKILLs of the leader of an acks=all producer's partition, the
// time from the kill to its first acknowledged send (p50, p99), with the default broker.session.timeout.ms and a
// short one. Every process and temp dir is gone afterwards, also on failure. Runs on the bench's main thread;
// etcd, the brokers and the producer are child processes.
// `node dist/bench/cluster-replication.js [--short] [--reps N] [--seconds S] [--rate MB/s, default unpaced] [--kills N] [--only throughput|failover]`
import { resolveBrokerConfig } from '../src/config/broker-config.js';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { fixed, LatencyRecorder, median, summarize } from '../src/perf/stats.js';
import { measureFailovers } from './perf/leader-failover.js';
import { LocalCluster } from './perf/local-cluster.js';
import { buildRdkafkaProgram } from './perf/rdkafka-programs.js';
import { measureThroughput, type ReplicationConfig, type ThroughputRun, type ThroughputWorkload } from './perf/replication-throughput.js';

const BROKERS = 3;
const PARTITIONS = 6;
const RECORD_BYTES = 1024;
/** The same librdkafka settings for both configurations (as kafka-perf's kcat produce): batches of up to ~1 MB. */
const PRODUCER_CONFIG: Readonly<Record<string, string>> = { 'linger.ms': '5', 'batch.size': '1000000', 'batch.num.messages': '1000000' };
const CONFIGS: readonly ReplicationConfig[] = [
  { name: 'RF=3 acks=all', replicationFactor: 3, acks: 'all' },
  { name: 'RF=1 acks=1', replicationFactor: 1, acks: '1' },
  // Not in the issue's ratio: the same replication with the producer not waiting for it, to tell the cost of
  // moving the bytes three times from the cost of waiting for the followers.
  { name: 'RF=3 acks=1', replicationFactor: 3, acks: '1' },
];
const THROUGHPUT_TARGET = 0.35;
/** broker.session.timeout.ms of the failover runs: the default (not set) and the shortest etcd honours. */
const SESSION_TIMEOUTS_MS: ReadonlyArray<number | null> = [null, 2000];
/** What a broker runs with when broker.session.timeout.ms is not given. */
const DEFAULT_SESSION_TIMEOUT_MS = resolveBrokerConfig(new Map()).cluster.sessionTimeoutMs;
const FAILOVER_TARGET_P99_MS = 5000;
const FAILOVER_TIMEOUT_MS = 60_000;
const PARTS = ['throughput', 'failover'] as const;

interface Settings {
  reps: number;
  seconds: number;
  warmUpSeconds: number;
  kills: number;
  /** MB/s of values the throughput runs keep to; 0: unpaced (as fast as librdkafka takes records). */
  rateMb: number;
  parts: ReadonlySet<(typeof PARTS)[number]>;
}

function parseSettings(argv: readonly string[]): Settings {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      short: { type: 'boolean' },
      reps: { type: 'string' },
      seconds: { type: 'string' },
      kills: { type: 'string' },
      rate: { type: 'string' },
      only: { type: 'string' },
    },
    strict: true,
  });
  const short = values.short === true;
  const only = values.only?.split(',') ?? [...PARTS];
  for (const part of only) if (!(PARTS as readonly string[]).includes(part)) throw new Error(`--only: unknown part "${part}" (${PARTS.join(', ')})`);
  return {
    reps: Number(values.reps ?? (short ? 1 : 5)),
    seconds: Number(values.seconds ?? (short ? 2 : 10)),
    warmUpSeconds: short ? 1 : 3,
    kills: Number(values.kills ?? (short ? 2 : 15)),
    rateMb: Number(values.rate ?? 0),
    parts: new Set(only as Array<(typeof PARTS)[number]>),
  };
}

/** Starts a cluster, runs `use` on it, and stops it (every process, the temp dir) whatever happens. */
async function withCluster<T>(config: Readonly<Record<string, string>>, use: (cluster: LocalCluster) => Promise<T>): Promise<T> {
  const cluster = await LocalCluster.start({ brokers: BROKERS, config });
  try {
    return await use(cluster);
  } finally {
    await cluster.stop();
  }
}

async function throughput(settings: Settings): Promise<void> {
  const binary = buildRdkafkaProgram('rdkafka-producer');
  const workload: ThroughputWorkload = {
    partitions: PARTITIONS,
    recordBytes: RECORD_BYTES,
    seconds: settings.seconds,
    bytesPerSecond: settings.rateMb * 1e6,
    producerConfig: PRODUCER_CONFIG,
  };
  const pace = settings.rateMb === 0 ? 'unpaced' : `at a steady ${settings.rateMb} MB/s`;
  const settingsText = Object.entries(PRODUCER_CONFIG)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  console.log(
    `replication throughput: ${BROKERS} brokers + 1 etcd on this machine; librdkafka producer (bench/perf/rdkafka-producer.c, ${settingsText}) sending ` +
      `${RECORD_BYTES}-byte records to a new topic of ${PARTITIONS} partitions in turn, ${pace}, ${settings.seconds} s per run, ${settings.reps} reps of each ` +
      `configuration interleaved (after a ${settings.warmUpSeconds} s warm-up of each, not reported), each from a settled cluster (dirty pages synced, brokers idle); ` +
      'MB/s of values from the first send to the last delivery report',
  );
  const runs = new Map(CONFIGS.map((c) => [c.name, [] as ThroughputRun[]]));
  await withCluster({}, async (cluster) => {
    for (const config of CONFIGS) await measureThroughput(cluster, binary, config, { ...workload, seconds: settings.warmUpSeconds });
    for (let rep = 0; rep < settings.reps; rep++) {
      // Alternate which configuration goes first, so neither always runs on a machine the other just warmed.
      const order = rep % 2 === 0 ? CONFIGS : [...CONFIGS].reverse();
      for (const config of order) runs.get(config.name)!.push(await measureThroughput(cluster, binary, config, workload));
    }
  });
  for (const config of CONFIGS) reportThroughput(config, runs.get(config.name)!);
  const [replicated, single, unwaited] = CONFIGS.map((c) => runs.get(c.name)!) as [ThroughputRun[], ThroughputRun[], ThroughputRun[]];
  const target = (ratio: number): string => `issue target >= ${THROUGHPUT_TARGET}: ${ratio >= THROUGHPUT_TARGET ? 'met' : 'NOT met'}; `;
  reportRatio(CONFIGS[0]!, CONFIGS[1]!, replicated, single, target);
  reportRatio(CONFIGS[2]!, CONFIGS[1]!, unwaited, single, () => '');
}

/** The ratio of two configurations' median MB/s, and per rep (the reps of one index ran one after the other). */
function reportRatio(
  a: ReplicationConfig,
  b: ReplicationConfig,
  runsA: readonly ThroughputRun[],
  runsB: readonly ThroughputRun[],
  note: (ratio: number) => string,
): void {
  const ratio = median(runsA.map((r) => r.mbPerSecond)) / median(runsB.map((r) => r.mbPerSecond));
  const perRep = runsA.map((r, i) => fixed(r.mbPerSecond / runsB[i]!.mbPerSecond, 2)).join(', ');
  console.log(`  ratio ${a.name} / ${b.name} (medians): ${fixed(ratio, 2)} (${note(ratio)}per rep: ${perRep})`);
}

function reportThroughput(config: ReplicationConfig, runs: readonly ThroughputRun[]): void {
  const m = (pick: (r: ThroughputRun) => number, digits = 2): string => fixed(median(runs.map(pick)), digits);
  console.log(
    `  ${config.name}: median ${m((r) => r.mbPerSecond, 0)} MB/s of values (reps ${runs.map((r) => fixed(r.mbPerSecond, 0)).join(', ')}); ` +
      `delivery latency p50 ${m((r) => r.run.p50, 1)} ms, p99 ${m((r) => r.run.p99, 1)} ms; ` +
      `brokers ${m((r) => r.brokerCpuSecondsPerGb)} CPU s per GB together (busy ${m((r) => r.brokerCores)} cores), producer busy ${m((r) => r.producerCores)} cores`,
  );
}

async function failover(settings: Settings): Promise<void> {
  console.log(
    `leader failover: ${BROKERS} brokers + 1 etcd on this machine; a topic of ${PARTITIONS} partitions, RF=3; a producer (src/client, Metadata read before every send) ` +
      `sending one 100-byte record at a time with acks=all to partition 0; ${settings.kills} SIGKILLs of partition 0's leader, each followed by a restart of the ` +
      `killed broker and every ISR full again; time from the kill to the first acknowledged send started after it`,
  );
  for (const sessionTimeoutMs of SESSION_TIMEOUTS_MS) {
    const config: Record<string, string> = sessionTimeoutMs === null ? {} : { 'broker.session.timeout.ms': String(sessionTimeoutMs) };
    const label =
      sessionTimeoutMs === null ? `default broker.session.timeout.ms (${DEFAULT_SESSION_TIMEOUT_MS})` : `broker.session.timeout.ms=${sessionTimeoutMs}`;
    const run = await withCluster(config, (cluster) =>
      measureFailovers(cluster, `failover-${sessionTimeoutMs ?? 'default'}`, {
        kills: settings.kills,
        partitions: PARTITIONS,
        replicationFactor: BROKERS,
        failoverTimeoutMs: FAILOVER_TIMEOUT_MS,
      }),
    );
    const failovers = new LatencyRecorder(run.failoverMs.length);
    for (const ms of run.failoverMs) failovers.record(ms);
    const s = summarize(failovers);
    const met =
      sessionTimeoutMs === null
        ? ` (issue target p99 < ${FAILOVER_TARGET_P99_MS / 1000} s with default timeouts: ${s.p99Ms < FAILOVER_TARGET_P99_MS ? 'met' : 'NOT met'})`
        : '';
    console.log(
      `  ${label}: kill -> first acks=all ack p50 ${fixed(s.p50Ms / 1000, 2)} s, p99 ${fixed(s.p99Ms / 1000, 2)} s, max ${fixed(s.maxMs / 1000, 2)} s over ${s.samples} kills${met}; ` +
        `kill -> another leader in Metadata median ${fixed(median(run.newLeaderMs) / 1000, 2)} s; restart -> full ISR median ${fixed(median(run.rejoinMs) / 1000, 2)} s; failed sends ${run.failedSends} ` +
        `(per kill, s to the first ack / to another leader in Metadata: ${run.failoverMs.map((ms, i) => `${fixed(ms / 1000, 2)}/${fixed(run.newLeaderMs[i]! / 1000, 2)}`).join(', ')})`,
    );
  }
}

export async function main(argv: string[]): Promise<void> {
  const settings = parseSettings(argv);
  if (settings.parts.has('throughput')) await throughput(settings);
  if (settings.parts.has('failover')) await failover(settings);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
