// `fjord topics elect-leaders [topics...] [--partition list]`: preferred-leader election, as
// kafka-leader-election.sh --election-type preferred does it: each partition's first replica leads it again if
// it is live and in sync. No topics: every partition of the cluster. Prints one line per partition and fails
// (exit 1) when any could not be elected. Runs on the main thread.
import type { Command } from 'commander';
import type { KafkaClient } from '../../client/kafka-client.js';
import { KafkaResponseError, kafkaErrorName } from '../../client/kafka-errors.js';
import { type ElectionResult, electPreferredLeaders } from '../../client/leader-election.js';
import { type ClientFlags, withBootstrapOption, withClient } from '../broker-client.js';
import { CliError, usageError } from '../cli-errors.js';
import { partitionList } from '../option-parsers.js';
import { write } from '../output.js';
import { renderTable } from '../table.js';

const COMMAND = 'fjord topics elect-leaders';
const UNKNOWN_TOPIC_OR_PARTITION = 3;
const ELECTION_NOT_NEEDED = 84;

interface ElectFlags extends ClientFlags {
  partition?: number[];
}

export function registerElectLeaders(topics: Command): void {
  withBootstrapOption(
    topics
      .command('elect-leaders')
      .description("move leadership back to each partition's preferred replica (the first listed), where it is live and in sync")
      .argument('[topics...]', 'topics whose partitions to elect (default: every partition of the cluster)'),
  )
    .option('-p, --partition <list>', 'only these partitions of the one topic given, e.g. 0 or 0,2 or 0-3', partitionList)
    .addHelpText('after', '\nExamples:\n  fjord topics elect-leaders\n  fjord topics elect-leaders orders --partition 0,2')
    .action((names: string[], flags: ElectFlags) => withClient(flags, (client) => elect(client, names, flags.partition)));
}

async function elect(client: KafkaClient, names: string[], partitions: number[] | undefined): Promise<void> {
  if (partitions !== undefined && names.length !== 1) throw usageError('--partition needs exactly one topic', COMMAND);
  const wanted = names.length === 0 ? null : await partitionsOf(client, names, partitions);
  const results = await electPreferredLeaders(client, wanted);
  if (results.length === 0) {
    await write('no partition needed an election: every preferred replica that can lead does\n');
    return;
  }
  await write(
    renderTable(
      ['TOPIC', 'PARTITION', 'RESULT'],
      results.map((r) => [r.topic, r.partition, outcomeOf(r)]),
    ),
  );
  const failed = results.filter((r) => r.errorCode !== 0 && r.errorCode !== ELECTION_NOT_NEEDED);
  if (failed.length > 0) {
    throw new CliError(
      `${failed.length} of ${results.length} partitions could not be elected`,
      'a preferred replica must be live and in the ISR: check with "fjord topics describe" and try again once it has caught up',
    );
  }
}

/** The partitions of each named topic (all, or the ones given); an unknown topic fails the command. */
async function partitionsOf(client: KafkaClient, names: string[], partitions: number[] | undefined): Promise<Map<string, number[]>> {
  const cluster = await client.metadata(names);
  const wanted = new Map<string, number[]>();
  for (const name of names) {
    const topic = cluster.topics.get(name);
    if (topic === undefined || topic.errorCode === UNKNOWN_TOPIC_OR_PARTITION) {
      throw new KafkaResponseError(UNKNOWN_TOPIC_OR_PARTITION, `topic "${name}"`, null, false);
    }
    wanted.set(name, partitions ?? topic.partitions.map((p) => p.partition));
  }
  return wanted;
}

function outcomeOf(result: ElectionResult): string {
  if (result.errorCode === 0) return 'elected';
  if (result.errorCode === ELECTION_NOT_NEEDED) return 'already led by its preferred replica';
  return `${kafkaErrorName(result.errorCode)}${result.errorMessage ? `: ${result.errorMessage}` : ''}`;
}
