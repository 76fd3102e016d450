// `fjord perf produce|consume|end-to-end`: the load generators of src/perf (pipelined Produce v7 from a
// prebuilt pool, Fetch v12 of every partition to its end) pointed at any broker, and a produce → consume
// latency probe over src/client; each with a progress line and a final summary. The work is in perf-run.ts and
// perf-end-to-end.ts, loaded when run; the flags they share are in perf-flags.ts. Runs on the main thread.
import { type Command, InvalidArgumentError } from 'commander';
import { withBootstrapOption } from '../broker-client.js';
import { oneOf, positive } from '../option-parsers.js';
import { END_TO_END_STAMP_BYTES, type EndToEndFlags, type PerfFlags, type ProducePerfFlags } from './perf-flags.js';
import { ACKS } from './produce.js';

const MIB = 1024 * 1024;

function recordSizeWithStamp(text: string): number {
  const value = positive(text);
  if (value < END_TO_END_STAMP_BYTES) throw new InvalidArgumentError(`expected ${END_TO_END_STAMP_BYTES} or more (the send-time stamp), got ${value}`);
  return value;
}

export function registerPerf(program: Command): void {
  const perf = program.command('perf').description('load-test a broker: produce or consume as fast as it answers, or measure produce → consume latency');
  const common = (command: Command) =>
    withBootstrapOption(command)
      .option('--connections <n>', 'TCP connections', positive, 3)
      .option('--in-flight <n>', 'requests in flight per connection', positive, 4)
      .option('--duration-s <s>', 'stop after this many seconds at most', positive, 60);
  common(
    perf
      .command('produce')
      .description('send records of a fixed size (acks=1) and report throughput and latency')
      .argument('<topic>', 'topic (created with --partitions if missing)'),
  )
    .option('--record-size <bytes>', 'bytes per record value', positive, 1024)
    .option('--num-records <n>', 'records to send', positive, 1_000_000)
    .option('--partitions <n>', 'partitions of the topic when it is created', positive, 6)
    .option('--batch-bytes <bytes>', 'largest record batch per request', positive, MIB)
    .option('--throughput <bytes/s>', 'pace sends at this many payload bytes a second (latency test) instead of as fast as answered', positive)
    .action(async (topic: string, flags: ProducePerfFlags) => (await import('./perf-run.js')).produce(topic, flags));
  common(
    perf
      .command('consume')
      .description('read every partition from offset 0 to its end and report throughput and fetch latency')
      .argument('<topic>', 'topic to read'),
  )
    .option('--partition-max-bytes <bytes>', 'bytes per partition per fetch', positive, MIB)
    .action(async (topic: string, flags: PerfFlags & { partitionMaxBytes: number }) => (await import('./perf-run.js')).consume(topic, flags));
  withBootstrapOption(
    perf
      .command('end-to-end')
      .description('produce records stamped with their send time, read them back from the end of the topic, and report produce → consume latency')
      .argument('<topic>', 'topic (created with --partitions if missing)'),
  )
    .option('--messages <n>', 'records to send', positive, 1000)
    .option('--duration-ms <ms>', 'stop sending after this long at most (records in flight then get up to 10 s more to arrive)', positive, 60_000)
    .option('--record-size <bytes>', `bytes per record value (at least ${END_TO_END_STAMP_BYTES})`, recordSizeWithStamp, 100)
    .option('--rate <messages/s>', 'send at this pace, not waiting for consumption (default: one at a time, each after the previous was consumed)', positive)
    .option('-a, --acks <acks>', 'all (-1), 1 or 0', oneOf(Object.keys(ACKS)), '1')
    .option('--partitions <n>', 'partitions of the topic when it is created', positive, 1)
    .addHelpText(
      'after',
      `\nExamples:\n  fjord perf end-to-end latency --messages 10000\n  fjord perf end-to-end latency --rate 5000 --duration-ms 30000 --acks all`,
    )
    .action(async (topic: string, flags: EndToEndFlags) => (await import('./perf-end-to-end.js')).endToEnd(topic, flags));
}
