// Runs every benchmark in sequence in this process (micro, ring-handoff, segment-append, recovery-scan, broker-startup,
// kafka-perf, librdkafka-consume, librdkafka-produce, request-cost, produce-validation, legacy-formats, group-rebalance, offset-commit, cluster-replication), passing --short through, with a header per bench
// and one line about the machine; with --write FILE it writes BENCHMARKS.md from what the benches printed in this
// run. Main thread plus the workers each bench starts.
// `npm run bench` (full, writes BENCHMARKS.md), `node --expose-gc dist/bench/run-all.js --short` (CI)
// [--before <earlier build>/dist/src/main.js] (produce-validation compares against it)
import { writeFileSync } from 'node:fs';
import { availableParallelism, cpus, platform, release, totalmem } from 'node:os';
import { format, parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { main as brokerStartup } from './broker-startup.js';
import { main as clusterReplication } from './cluster-replication.js';
import { main as groupRebalance } from './group-rebalance.js';
import { main as kafkaPerf } from './kafka-perf.js';
import { main as legacyFormats } from './legacy-formats.js';
import { main as librdkafkaConsume } from './librdkafka-consume.js';
import { main as librdkafkaProduce } from './librdkafka-produce.js';
import { main as micro } from './micro.js';
import { main as offsetCommit } from './offset-commit.js';
import { main as produceValidation } from './produce-validation.js';
import { main as recoveryScan } from './recovery-scan.js';
import { main as requestCost } from './request-cost.js';
import { main as ringHandoff } from './ring-handoff.js';
import { main as segmentAppend } from './segment-append.js';

/** Each bench, what it measures (one line for BENCHMARKS.md; the method and the findings are in docs/benchmarks.md). */
const BENCHES: ReadonlyArray<{ name: string; title: string; about: string; run: (argv: string[]) => Promise<unknown> }> = [
  {
    name: 'micro',
    title: 'Micro-benchmarks',
    about: 'CRC-32C, the produce-path records walk, the Kafka codec and a ring frame cycle, one thread, in memory (tinybench).',
    run: micro,
  },
  {
    name: 'ring-handoff',
    title: 'Ring hand-off',
    about: 'Main thread to one worker through an SpscRing: throughput of 64 KiB frames, hand-off latency of one small frame.',
    run: ringHandoff,
  },
  {
    name: 'segment-append',
    title: 'Append throughput',
    about: 'Record batches appended through the engine against plain writes to one file, page cache and fsync per acknowledgement.',
    run: segmentAppend,
  },
  { name: 'recovery-scan', title: 'Crash-recovery scan', about: 'Validating scan of segments after an unclean stop.', run: recoveryScan },
  {
    name: 'broker-startup',
    title: 'Embedded broker start-up',
    about: 'Start to ready and stop of an embedded broker (startBroker defaults), median and p99 over 50 starts, and the memory one adds.',
    run: brokerStartup,
  },
  {
    name: 'kafka-perf',
    title: 'Kafka protocol end to end',
    about:
      'A broker child process under Produce and Fetch load over the Kafka protocol: throughput, latency at a steady rate, CPU per GB, and kcat (librdkafka).',
    run: kafkaPerf,
  },
  {
    name: 'librdkafka-consume',
    title: 'Consume with librdkafka',
    about:
      'A librdkafka consumer (C, built from librdkafka-dev) on 2, 6 and 12 partitions of 1 KiB records, default and 10 MiB per-partition fetches, and fetch sizes 64 KiB to 64 MiB: MB/s and broker CPU per GB.',
    run: librdkafkaConsume,
  },
  {
    name: 'librdkafka-produce',
    title: 'Produce latency with librdkafka',
    about:
      'A librdkafka producer (C, built from librdkafka-dev) at a steady 50 and 150 MB/s of 1 KiB records, acks=1, linger.ms=0, 6 partitions: latency from produce() to the delivery report, broker CPU per GB.',
    run: librdkafkaProduce,
  },
  {
    name: 'request-cost',
    title: 'Cost per request',
    about:
      "Small requests of each type as fast as answered: the broker's CPU per request, and (full run) its main thread's time per request split by what it went to, from a CPU profile.",
    run: requestCost,
  },
  {
    name: 'produce-validation',
    title: 'Checking produced records',
    about: 'Produce throughput with 1 KiB and 100 B records, uncompressed, lz4 and zstd (with --before, against an earlier build, interleaved).',
    run: produceValidation,
  },
  {
    name: 'legacy-formats',
    title: 'Old message formats',
    about: 'Produce (v2, magic 1) and consume (Fetch v1 magic 0, v3 magic 1) in the old formats against the current ones, uncompressed and lz4.',
    run: legacyFormats,
  },
  { name: 'group-rebalance', title: 'Consumer-group rebalance', about: 'Joins, rebalances and their latency with real group members.', run: groupRebalance },
  { name: 'offset-commit', title: 'Offset commits', about: 'OffsetCommit throughput and latency, admin-style and from group members.', run: offsetCommit },
  {
    name: 'cluster-replication',
    title: 'Replication on a three-broker cluster',
    about:
      'Three broker processes and one etcd on this machine: librdkafka producer throughput with RF=3 acks=all against RF=1 acks=1 (interleaved reps, ratio of medians), and the time from a SIGKILL of a partition leader to the first acks=all acknowledgement (p50, p99), with the default and a short broker.session.timeout.ms.',
    run: clusterReplication,
  },
];

interface RunAllOptions {
  short: boolean;
  /** Write BENCHMARKS.md (or this path) from this run's output. */
  writePath: string | undefined;
  /** An earlier build's broker entry for produce-validation to compare against. */
  before: string | undefined;
}

function parseOptions(argv: readonly string[]): RunAllOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: { short: { type: 'boolean' }, write: { type: 'string' }, before: { type: 'string' } },
    strict: true,
  });
  return { short: values.short === true, writePath: values.write, before: values.before };
}

/** Runs `run` while keeping a copy of every line it prints (the benches print their figures with console.log). */
async function capturing(run: () => Promise<unknown>): Promise<string[]> {
  const lines: string[] = [];
  const print = console.log;
  console.log = (...args: unknown[]) => {
    lines.push(format(...args));
    print(...args);
  };
  try {
    await run();
  } finally {
    console.log = print;
  }
  return lines;
}

function machineLine(): string {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  return `node ${process.version}, ${availableParallelism()} x ${cpu}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, ${platform()} ${release()}`;
}

export async function main(argv: string[]): Promise<void> {
  const options = parseOptions(argv);
  const startedAt = new Date();
  console.log(`fjord benchmarks (${options.short ? 'short' : 'full'}), ${startedAt.toISOString()}, ${machineLine()}`);
  const sections: string[] = [];
  for (const bench of BENCHES) {
    console.log(`\n== ${bench.name} ==`);
    const startedMs = performance.now();
    const benchArgv = [
      ...(options.short ? ['--short'] : []),
      ...(bench.name === 'produce-validation' && options.before !== undefined ? ['--before', options.before] : []),
      ...(bench.name === 'request-cost' && !options.short ? ['--profile'] : []),
    ];
    const lines = await capturing(() => bench.run(benchArgv));
    const seconds = ((performance.now() - startedMs) / 1000).toFixed(1);
    console.log(`(${bench.name}: ${seconds} s)`);
    sections.push(`## ${bench.title} (\`bench/${bench.name}.ts\`, ${seconds} s)\n\n${bench.about}\n\n\`\`\`text\n${lines.join('\n')}\n\`\`\`\n`);
  }
  if (options.writePath !== undefined) writeFileSync(options.writePath, report(options, startedAt, sections));
}

function report(options: RunAllOptions, startedAt: Date, sections: readonly string[]): string {
  const command = `npm run build && node --expose-gc dist/bench/run-all.js${options.short ? ' --short' : ''}${options.before !== undefined ? ' --before <earlier build>/dist/src/main.js' : ''} --write BENCHMARKS.md`;
  return [
    '# Benchmarks',
    '',
    'Generated by one run of the bench command; nothing below is edited by hand. How each bench works, how to read',
    'its figures and what was learnt from them: [docs/benchmarks.md](docs/benchmarks.md).',
    '',
    '```sh',
    command,
    '```',
    '',
    `Run started ${startedAt.toISOString()} on ${machineLine()}. Figures are medians of the reps each bench lists;`,
    'compare ratios between figures of this one run. The machine is shared and noisy: reps vary by 30-50 %.',
    '1 MB = 10^6 bytes.',
    '',
    ...sections,
  ].join('\n');
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
