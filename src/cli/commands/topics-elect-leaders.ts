// `fjord topics elect-leaders [topics...] [--partition list] [--election-type preferred|unclean]`: leader
// elections as kafka-leader-election.sh does them: preferred, each partition's first replica leads it again if it
// is live and in sync; unclean, a live replica leads a partition that has no live in-sync leader. No topics: every
// partition of the cluster. Prints one line per partition and fails (exit 1) when any could not be elected. Runs
// on the main thread.
import type { Command } from 'commander';
import type { KafkaClient } from '../../client/kafka-client.js';
import { KafkaResponseError, kafkaErrorName } from '../../client/kafka-errors.js';
import { type ElectionResult, ElectionType, electLeaders } from '../../client/leader-election.js';
import { type ClientFlags, withBootstrapOption, withClient } from '../broker-client.js';
import { CliError, usageError } from '../cli-errors.js';
import { oneOf, partitionList } from '../option-parsers.js';
import { write } from '../output.js';
import { renderTable } from '../table.js';

const COMMAND = 'fjord topics elect-leaders';
const UNKNOWN_TOPIC_OR_PARTITION = 3;
const ELECTION_NOT_NEEDED = 84;

interface ElectFlags extends ClientFlags {
  partition?: number[];
  electionType: keyof typeof ElectionType;
}

export function registerElectLeaders(topics: Command): void {
  withBootstrapOption(
    topics
      .command('elect-leaders')
      .description("move leadership back to each partition's preferred replica (the first listed), where it is live and in sync")
      .argument('[topics...]', 'topics whose partitions to elect (default: every partition of the cluster)'),
  )
    .option('-p, --partition <list>', 'only these partitions of the one topic given, e.g. 0 or 0,2 or 0-3', partitionList)
    .option(
      '--election-type <type>',
      'preferred, or unclean: a live replica out of the ISR may lead a partition with no live in-sync replica (committed records may be lost)',
      oneOf(Object.keys(ElectionType) as Array<keyof typeof ElectionType>),
      'preferred',
    )
    .addHelpText('after', '\nExamples:\n  fjord topics elect-leaders\n  fjord topics elect-leaders orders --partition 0,2')
    .action((names: string[], flags: ElectFlags) => withClient(flags, (client) => elect(client, names, flags)));
}

async function elect(client: KafkaClient, names: string[], { partition, electionType }: ElectFlags): Promise<void> {
  if (partition !== undefined && names.length !== 1) throw usageError('--partition needs exactly one topic', COMMAND);
  const wanted = names.length === 0 ? null : await partitionsOf(client, names, partition);
  const results = await electLeaders(client, electionType, wanted);
  if (results.length === 0) {
    await write(
      electionType === 'preferred'
        ? 'no partition needed an election: every preferred replica that can lead does\n'
        : 'no partition needed an election: every partition with a live replica has a live in-sync leader\n',
    );
    return;
  }
  await write(
    renderTable(
      ['TOPIC', 'PARTITION', 'RESULT'],
      results.map((r) => [r.topic, r.partition, outcomeOf(r, electionType)]),
    ),
  );
  const failed = results.filter((r) => r.errorCode !== 0 && r.errorCode !== ELECTION_NOT_NEEDED);
  if (failed.length > 0) {
    throw new CliError(
      `${failed.length} of ${results.length} partitions could not be elected`,
      electionType === 'preferred'
        ? 'a preferred replica must be live and in the ISR: check with "fjord topics describe" and try again once it has caught up'
        : "an unclean election needs a live replica: start one of the partition's brokers",
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

function outcomeOf(result: ElectionResult, electionType: keyof typeof ElectionType): string {
  if (result.errorCode === 0) return 'elected';
  if (result.errorCode === ELECTION_NOT_NEEDED)
    return electionType === 'preferred' ? 'already led by its preferred replica' : 'already led by a live in-sync replica';
  return `${kafkaErrorName(result.errorCode)}${result.errorMessage ? `: ${result.errorMessage}` : ''}`;
}
