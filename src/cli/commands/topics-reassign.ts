// `fjord topics reassign` and `fjord topics reassignments`: moving a partition's replicas to other brokers (or
// cancelling a move) and listing the moves under way, as kafka-reassign-partitions.sh does, over
// AlterPartitionReassignments and ListPartitionReassignments. Runs on the main thread.
import type { Command } from 'commander';
import type { KafkaClient } from '../../client/kafka-client.js';
import { listReassignments, reassignPartition } from '../../client/partition-reassignments.js';
import { type ClientFlags, withBootstrapOption, withClient } from '../broker-client.js';
import { usageError } from '../cli-errors.js';
import { brokerList, nonNegative } from '../option-parsers.js';
import { write } from '../output.js';
import { renderTable } from '../table.js';

interface ReassignFlags extends ClientFlags {
  partition: number;
  replicas?: number[];
  cancel?: boolean;
}

export function registerReassignCommands(topics: Command): void {
  withBootstrapOption(
    topics.command('reassign').description("move a partition's replicas to other brokers (or cancel a move)").argument('<topic>', 'topic name'),
  )
    .requiredOption('--partition <n>', 'the partition to move', nonNegative)
    .option('--replicas <ids>', 'the brokers to hold it, preferred leader first, e.g. 2,3,4', brokerList)
    .option('--cancel', 'move it back to the replicas it had when its move began')
    .addHelpText('after', '\nExamples:\n  fjord topics reassign orders --partition 0 --replicas 2,3,4\n  fjord topics reassign orders --partition 0 --cancel')
    .action((topic: string, flags: ReassignFlags) => withClient(flags, (client) => reassign(client, topic, flags)));
  withBootstrapOption(topics.command('reassignments').description('list the partition moves under way')).action((flags: ClientFlags) =>
    withClient(flags, (client) => list(client)),
  );
}

async function reassign(client: KafkaClient, topic: string, flags: ReassignFlags): Promise<void> {
  if ((flags.replicas === undefined) === (flags.cancel !== true)) throw usageError('give either --replicas or --cancel', 'fjord topics reassign');
  await reassignPartition(client, topic, flags.partition, flags.replicas ?? null);
  const what = flags.replicas === undefined ? 'cancelled' : `started: replicas ${flags.replicas.join(',')}`;
  await write(`reassignment of ${topic}-${flags.partition} ${what} (fjord topics reassignments shows its progress)\n`);
}

async function list(client: KafkaClient): Promise<void> {
  const moving = await listReassignments(client);
  const rows = moving.map((r) => [r.topic, r.partition, r.replicas.join(','), r.adding.join(',') || null, r.removing.join(',') || null]);
  await write(renderTable(['TOPIC', 'PARTITION', 'REPLICAS', 'ADDING', 'REMOVING'], rows));
}
