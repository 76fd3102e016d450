// `fjord consume TOPIC`: prints messages with a format string, from the beginning, the end, an offset or a
// time, from some partitions or as a consumer group member (committing what it printed); stops after N
// messages, at the end, or on Ctrl-C (committing and leaving the group first). Runs on the main thread.
import type { Command } from 'commander';
import type { KafkaClient } from '../../client/kafka-client.js';
import type { StartPosition } from '../../client/start-position.js';
import { TopicConsumer } from '../../client/topic-consumer.js';
import { type ClientFlags, withBootstrapOption, withClient } from '../broker-client.js';
import { usageError } from '../cli-errors.js';
import { compileFormat, DEFAULT_FORMAT } from '../message-format.js';
import { integer, partitionList, positive, timestamp } from '../option-parsers.js';
import { write } from '../output.js';

interface ConsumeFlags extends ClientFlags {
  fromBeginning?: boolean;
  offset?: number;
  fromTime?: number;
  partition?: number[];
  group?: string;
  format: string;
  maxMessages?: number;
  exitAtEnd?: boolean;
}

const COMMAND = 'fjord consume';

export function registerConsume(program: Command): void {
  withBootstrapOption(program.command('consume').description('print messages from a topic').argument('<topic>', 'topic to read'))
    .option('--from-beginning', 'start at the oldest message (default: only new messages)')
    .option('-o, --offset <n>', 'start at offset n in each partition (negative: n before the end)', integer)
    .option('--from-time <time>', 'start at the first message at or after an ISO date-time or epoch ms', timestamp)
    .option('-p, --partition <list>', 'read only these partitions, e.g. 0 or 0,2 or 0-3', partitionList)
    .option('-g, --group <id>', 'consume as a member of this consumer group (commits offsets; starts where the group left off)')
    .option('-f, --format <fmt>', 'output per message: %t topic %p partition %o offset %T timestamp %k key %v value %h headers', DEFAULT_FORMAT)
    .option('-n, --max-messages <n>', 'stop after n messages', positive)
    .option('-e, --exit-at-end', 'stop when every partition has been read to its end')
    .addHelpText(
      'after',
      `\nExamples:\n  fjord consume greetings --from-beginning --exit-at-end --format '%p %o %k %v'\n  fjord consume orders --group billing`,
    )
    .action((topic: string, flags: ConsumeFlags) => withClient(flags, (client) => consume(client, topic, flags)));
}

function startOf(flags: ConsumeFlags): StartPosition {
  const given = [flags.fromBeginning, flags.offset !== undefined, flags.fromTime !== undefined].filter(Boolean).length;
  if (given > 1) throw usageError('--from-beginning, --offset and --from-time exclude each other', COMMAND);
  if (flags.fromBeginning) return { kind: 'earliest' };
  if (flags.offset !== undefined) return { kind: 'offset', offset: flags.offset };
  if (flags.fromTime !== undefined) return { kind: 'timestamp', timestampMs: flags.fromTime };
  return { kind: 'latest' };
}

async function consume(client: KafkaClient, topic: string, flags: ConsumeFlags): Promise<void> {
  if (flags.group !== undefined && flags.partition !== undefined)
    throw usageError('--partition and --group exclude each other (the group assigns partitions)', COMMAND);
  const render = compileFormat(flags.format);
  const consumer = new TopicConsumer(client, {
    topic,
    start: startOf(flags),
    ...(flags.partition && { partitions: flags.partition }),
    ...(flags.group !== undefined && { groupId: flags.group }),
  });
  let stopping = false;
  const stop = (): void => {
    stopping = true;
  };
  process.once('SIGINT', stop).once('SIGTERM', stop);
  let printed = 0;
  try {
    while (!stopping) {
      const messages = await consumer.poll();
      for (const message of messages) {
        await write(render(message));
        consumer.markConsumed(message);
        if (++printed === flags.maxMessages) stopping = true;
        if (stopping) break;
      }
      if (flags.exitAtEnd && consumer.atEnd()) break;
    }
  } finally {
    process.off('SIGINT', stop).off('SIGTERM', stop);
    await consumer.close();
  }
}
