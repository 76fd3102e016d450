// `fjord perf produce|consume`: the Kafka-protocol load generators of bench/perf (pipelined Produce v7 from a
// prebuilt pool, Fetch v12 of every partition to its end) pointed at any broker, with a progress line and a
// final summary: throughput and request latency percentiles. The work is in perf-run.ts, loaded when run.
// Runs on the main thread.
import type { Command } from 'commander';
import { type ClientFlags, withBootstrapOption } from '../broker-client.js';
import { positive } from '../option-parsers.js';

export interface PerfFlags extends ClientFlags {
  connections: number;
  inFlight: number;
  durationS: number;
}

export interface ProducePerfFlags extends PerfFlags {
  recordSize: number;
  numRecords: number;
  partitions: number;
  batchBytes: number;
  throughput?: number;
}

const MIB = 1024 * 1024;

export function registerPerf(program: Command): void {
  const perf = program.command('perf').description('load-test a broker: produce or consume as fast as it answers');
  const common = (command: Command) =>
    withBootstrapOption(command)
      .option('--connections <n>', 'TCP connections', positive, 3)
      .option('--in-flight <n>', 'requests in flight per connection', positive, 4)
      .option('--duration-s <s>', 'stop after this many seconds at most', positive, 60);
  common(perf.command('produce').description('send records of a fixed size (acks=1) and report throughput and latency').argument('<topic>', 'topic (created with --partitions if missing)'))
    .option('--record-size <bytes>', 'bytes per record value', positive, 1024)
    .option('--num-records <n>', 'records to send', positive, 1_000_000)
    .option('--partitions <n>', 'partitions of the topic when it is created', positive, 6)
    .option('--batch-bytes <bytes>', 'largest record batch per request', positive, MIB)
    .option('--throughput <bytes/s>', 'pace sends at this many payload bytes a second (latency test) instead of as fast as answered', positive)
    .action(async (topic: string, flags: ProducePerfFlags) => (await import('./perf-run.js')).produce(topic, flags));
  common(perf.command('consume').description('read every partition from offset 0 to its end and report throughput and fetch latency').argument('<topic>', 'topic to read'))
    .option('--partition-max-bytes <bytes>', 'bytes per partition per fetch', positive, MIB)
    .action(async (topic: string, flags: PerfFlags & { partitionMaxBytes: number }) => (await import('./perf-run.js')).consume(topic, flags));
}

