// `fjord produce TOPIC`: one message per stdin line (optionally "key<sep>value"), sent in batches with the
// default partitioner (murmur2 for keys, sticky without), an explicit partition, acks and compression.
// Lines that arrive slowly (a person typing) go out after a short linger. Runs on the main thread.
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import type { KafkaClient } from '../../client/kafka-client.js';
import { type Acks, DEFAULT_PRODUCER_OPTIONS, Producer, type ProducerRecord } from '../../client/producer.js';
import { COMPRESSION_NAMES, type CompressionName } from '../../client/record-batches.js';
import type { RecordHeader } from '../../shared/record-batch-codec.js';
import { type ClientFlags, withBootstrapOption, withClient } from '../broker-client.js';
import { keyValue, nonNegative, oneOf, positive } from '../option-parsers.js';
import { note } from '../output.js';

interface ProduceFlags extends ClientFlags {
  keySeparator?: string;
  header?: Map<string, string>;
  partition?: number;
  acks: string;
  compression: CompressionName;
  batchSize: number;
  lingerMs: number;
  deliveryTimeoutMs: number;
  verbose?: boolean;
}

export const ACKS: Record<string, Acks> = { all: -1, '-1': -1, '1': 1, '0': 0 };

export function registerProduce(program: Command): void {
  withBootstrapOption(
    program
      .command('produce')
      .description('send stdin lines as messages to a topic')
      .argument('<topic>', 'topic to write to (created if the broker auto-creates topics)'),
  )
    .option('-K, --key-separator <sep>', 'split each line at the first <sep> into key and value (lines without it get no key)')
    .option('-H, --header <key=value>', 'a header on every message (repeatable)', keyValue)
    .option('-p, --partition <n>', 'send every message to this partition (default: murmur2 of the key; sticky without a key)', nonNegative)
    .option('-a, --acks <acks>', 'all (-1), 1 or 0', oneOf(Object.keys(ACKS)), 'all')
    .option('-z, --compression <codec>', `${COMPRESSION_NAMES.join(', ')}`, oneOf(COMPRESSION_NAMES), 'none')
    .option('--batch-size <n>', 'messages per request at most', positive, 1000)
    .option('--linger-ms <ms>', 'how long a partial batch waits for more lines', nonNegative, 20)
    .option(
      '--delivery-timeout-ms <ms>',
      'how long a batch may keep being retried (leader moved or died) before fjord gives up',
      positive,
      DEFAULT_PRODUCER_OPTIONS.deliveryTimeoutMs,
    )
    .option('-v, --verbose', 'report each batch (partition, offsets) on stderr')
    .addHelpText(
      'after',
      `\nExamples:\n  printf 'k1:hello\\nk2:world\\n' | fjord produce greetings -K:\n  fjord produce orders --compression zstd --header source=import < orders.txt`,
    )
    .action((topic: string, flags: ProduceFlags) => withClient(flags, (client) => produce(client, topic, flags)));
}

function toRecord(line: string, flags: ProduceFlags, headers: RecordHeader[]): ProducerRecord {
  const at = flags.keySeparator === undefined ? -1 : line.indexOf(flags.keySeparator);
  const key = at < 0 ? null : Buffer.from(line.slice(0, at));
  const value = Buffer.from(at < 0 ? line : line.slice(at + flags.keySeparator!.length));
  return flags.partition === undefined ? { key, value, headers } : { key, value, headers, partition: flags.partition };
}

async function produce(client: KafkaClient, topic: string, flags: ProduceFlags): Promise<void> {
  const producer = new Producer(client, { acks: ACKS[flags.acks]!, compression: flags.compression, deliveryTimeoutMs: flags.deliveryTimeoutMs });
  const headers = [...(flags.header ?? new Map())].map(([key, value]) => ({ key, value: Buffer.from(value) }));
  let pending: ProducerRecord[] = [];
  let chain: Promise<void> = Promise.resolve();
  let failure: unknown = null;
  let timer: NodeJS.Timeout | undefined;
  const flush = (): Promise<void> => {
    clearTimeout(timer);
    timer = undefined;
    if (pending.length === 0) return chain;
    const records = pending;
    pending = [];
    chain = chain
      .then(async () => {
        if (failure !== null) return;
        const deliveries = await producer.send(topic, records);
        if (flags.verbose)
          for (const d of deliveries)
            note(
              `${d.count} message(s) to ${topic}-${d.partition}${d.baseOffset >= 0 ? ` at offsets ${d.baseOffset}-${d.baseOffset + d.count - 1}` : ' (acks=0: offsets unknown)'}`,
            );
      })
      .catch((error: unknown) => {
        failure ??= error;
      });
    return chain;
  };
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of lines) {
    if (failure !== null) break;
    pending.push(toRecord(line, flags, headers));
    if (pending.length >= flags.batchSize) await flush();
    else timer ??= setTimeout(() => void flush(), flags.lingerMs);
  }
  await flush();
  if (failure !== null) {
    process.stdin.destroy();
    throw failure;
  }
}
