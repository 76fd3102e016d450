// `fjord topics create|list|describe|alter|delete|elect-leaders`: topic administration over the Kafka protocol;
// describe joins Metadata (leader, replicas, ISR, offline replicas), ListOffsets (log start and end, from partitions
// with a leader) and DescribeLogDirs (size, dir) per partition, optionally only the under-replicated or unavailable
// partitions (as kafka-topics.sh); elect-leaders is topics-elect-leaders.ts. Runs on the main thread.
import type { Command } from 'commander';
import { describeLogDirs, type LogDirDescription } from '../../client/cluster-admin.js';
import type { TopicInfo } from '../../client/cluster-metadata.js';
import type { KafkaClient } from '../../client/kafka-client.js';
import { KafkaResponseError } from '../../client/kafka-errors.js';
import { listOffsets, OffsetSpec } from '../../client/list-offsets.js';
import { alterTopicConfigs, createPartitions, createTopic, deleteTopics, describeTopicConfigs } from '../../client/topic-admin.js';
import { type ClientFlags, withBootstrapOption, withClient } from '../broker-client.js';
import { usageError } from '../cli-errors.js';
import { collect, keyValue, positive } from '../option-parsers.js';
import { write } from '../output.js';
import { renderTable } from '../table.js';
import { registerReassignCommands } from './topics-reassign.js';
import { registerElectLeaders } from './topics-elect-leaders.js';

const TOPIC_ALREADY_EXISTS = 36;
const UNKNOWN_TOPIC_OR_PARTITION = 3;

export function registerTopics(program: Command): void {
  const topics = program.command('topics').description('create, list, describe, alter and delete topics; elect preferred leaders');
  withBootstrapOption(topics.command('create').description('create a topic').argument('<topic>', 'topic name'))
    .option('-p, --partitions <n>', "number of partitions (default: the broker's num.partitions)", positive)
    .option('-r, --replication-factor <n>', "replicas per partition (default: the broker's default.replication.factor)", positive)
    .option('-c, --config <key=value>', 'a topic config, e.g. retention.ms=86400000 (repeatable)', keyValue)
    .option('--if-not-exists', 'succeed quietly when the topic exists')
    .addHelpText('after', '\nExample:\n  fjord topics create orders --partitions 6 --config retention.ms=604800000')
    .action((topic: string, flags: CreateFlags) => withClient(flags, (client) => create(client, topic, flags)));
  withBootstrapOption(topics.command('list').description('list topic names, one per line'))
    .option('--exclude-internal', 'leave out internal topics (__consumer_offsets)')
    .action((flags: ClientFlags & { excludeInternal?: boolean }) => withClient(flags, (client) => list(client, flags.excludeInternal === true)));
  withBootstrapOption(
    topics
      .command('describe')
      .description('partitions (leader, replicas, ISR, offsets, size, log dir) and config overrides')
      .argument('[topics...]', 'topics to describe (default: all)'),
  )
    .option('--exclude-internal', 'leave out internal topics when describing all')
    .option('--under-replicated-partitions', 'only partitions whose ISR is smaller than their replicas')
    .option('--unavailable-partitions', 'only partitions with no live leader')
    .action((names: string[], flags: DescribeFlags) => withClient(flags, (client) => describe(client, names, flags)));
  withBootstrapOption(topics.command('alter').description('add partitions or change config overrides').argument('<topic>', 'topic name'))
    .option('-p, --partitions <n>', 'raise the partition count to n', positive)
    .option('-c, --config <key=value>', 'set a config override (repeatable)', keyValue)
    .option('-d, --delete-config <key>', 'remove a config override (repeatable)', collect)
    .action((topic: string, flags: AlterFlags) => withClient(flags, (client) => alter(client, topic, flags)));
  withBootstrapOption(topics.command('delete').description('delete topics and their data').argument('<topics...>', 'topics to delete'))
    .option('--if-exists', 'succeed quietly for topics that do not exist')
    .action((names: string[], flags: ClientFlags & { ifExists?: boolean }) => withClient(flags, (client) => remove(client, names, flags.ifExists === true)));
  registerReassignCommands(topics);
  registerElectLeaders(topics);
}

interface CreateFlags extends ClientFlags {
  partitions?: number;
  replicationFactor?: number;
  config?: Map<string, string>;
  ifNotExists?: boolean;
}

async function create(client: KafkaClient, name: string, flags: CreateFlags): Promise<void> {
  try {
    const made = await createTopic(client, {
      name,
      partitions: flags.partitions ?? -1,
      replicationFactor: flags.replicationFactor ?? -1,
      configs: flags.config ?? new Map(),
    });
    const partitions = made.partitions > 0 ? made.partitions : flags.partitions;
    await write(`created topic "${name}"${partitions ? ` with ${partitions} partition${partitions === 1 ? '' : 's'}` : ''}\n`);
  } catch (error) {
    if (flags.ifNotExists && error instanceof KafkaResponseError && error.code === TOPIC_ALREADY_EXISTS) return;
    throw error;
  }
}

async function list(client: KafkaClient, excludeInternal: boolean): Promise<void> {
  const cluster = await client.metadata(null);
  const names = [...cluster.topics.values()]
    .filter((t) => !(excludeInternal && t.isInternal))
    .map((t) => t.name)
    .sort();
  await write(names.map((n) => `${n}\n`).join(''));
}

interface DescribeFlags extends ClientFlags {
  excludeInternal?: boolean;
  underReplicatedPartitions?: boolean;
  unavailablePartitions?: boolean;
}

async function describe(client: KafkaClient, names: string[], flags: DescribeFlags): Promise<void> {
  const cluster = await client.metadata(names.length > 0 ? names : null);
  const wanted = names.length > 0 ? names : [...cluster.topics.values()].filter((t) => !(flags.excludeInternal === true && t.isInternal)).map((t) => t.name);
  const infos = wanted.sort().map((name) => {
    const info = cluster.topics.get(name);
    if (info === undefined || info.errorCode !== 0) throw new KafkaResponseError(info?.errorCode ?? UNKNOWN_TOPIC_OR_PARTITION, `topic "${name}"`, null, false);
    return info;
  });
  const shown = (p: TopicInfo['partitions'][number]) =>
    (flags.underReplicatedPartitions !== true || p.isr.length < p.replicas.length) && (flags.unavailablePartitions !== true || p.leader < 0);
  const dirs = await describeLogDirs(client, new Map(infos.map((t) => [t.name, t.partitions.map((p) => p.partition)])));
  for (const info of infos) {
    const selected = { ...info, partitions: info.partitions.filter(shown) };
    if (selected.partitions.length > 0 || (flags.underReplicatedPartitions !== true && flags.unavailablePartitions !== true)) {
      await write(await describeOne(client, selected, info.partitions.length, dirs));
    }
  }
}

async function describeOne(client: KafkaClient, topic: TopicInfo, partitionCount: number, dirs: LogDirDescription[]): Promise<string> {
  // Offsets come from the leaders: a partition with no live leader shows none.
  const led = topic.partitions.filter((p) => p.leader >= 0).map((p) => p.partition);
  const [starts, ends, configs] = await Promise.all([
    listOffsets(client, topic.name, led, OffsetSpec.EARLIEST),
    listOffsets(client, topic.name, led, OffsetSpec.LATEST),
    describeTopicConfigs(client, topic.name),
  ]);
  const overrides = configs.filter((c) => c.isOverride).map((c) => `${c.name}=${c.isSensitive ? '(sensitive)' : c.value}`);
  const head = `Topic: ${topic.name}  TopicId: ${topic.topicId}  Partitions: ${partitionCount}  ReplicationFactor: ${topic.partitions[0]?.replicas.length ?? 0}${topic.isInternal ? '  Internal: true' : ''}  Configs: ${overrides.join(',') || '-'}\n`;
  const rows = topic.partitions.map((p) => {
    const dir = dirs.find((d) => d.brokerId === p.leader && d.partitions.some((x) => x.topic === topic.name && x.partition === p.partition));
    const stored = dir?.partitions.find((x) => x.topic === topic.name && x.partition === p.partition);
    return [
      p.partition,
      p.leader,
      p.replicas.join(','),
      p.isr.join(','),
      p.offlineReplicas.length > 0 ? p.offlineReplicas.join(',') : null,
      starts.get(p.partition) ?? null,
      ends.get(p.partition) ?? null,
      stored?.sizeBytes ?? null,
      dir?.path ?? null,
    ];
  });
  return head + renderTable(['PARTITION', 'LEADER', 'REPLICAS', 'ISR', 'OFFLINE', 'LOG-START', 'LOG-END', 'SIZE-BYTES', 'LOG-DIR'], rows);
}

interface AlterFlags extends ClientFlags {
  partitions?: number;
  config?: Map<string, string>;
  deleteConfig?: string[];
}

async function alter(client: KafkaClient, name: string, flags: AlterFlags): Promise<void> {
  if (flags.partitions === undefined && flags.config === undefined && flags.deleteConfig === undefined) {
    throw usageError('nothing to change: give --partitions, --config or --delete-config', 'fjord topics alter');
  }
  const topic = await client.topic(name);
  if (flags.partitions !== undefined && flags.partitions !== topic.partitions.length) {
    await createPartitions(client, name, flags.partitions);
    await write(`topic "${name}" now has ${flags.partitions} partitions (was ${topic.partitions.length})\n`);
  }
  if (flags.config !== undefined || flags.deleteConfig !== undefined) {
    await alterTopicConfigs(client, name, flags.config ?? new Map(), flags.deleteConfig ?? []);
    const changes = [...(flags.config ?? new Map())].map(([k, v]) => `${k}=${v}`).concat((flags.deleteConfig ?? []).map((k) => `-${k}`));
    await write(`topic "${name}" configs updated: ${changes.join(', ')}\n`);
  }
}

async function remove(client: KafkaClient, names: string[], ifExists: boolean): Promise<void> {
  const cluster = await client.metadata(names);
  const missing = names.filter((n) => (cluster.topics.get(n)?.errorCode ?? UNKNOWN_TOPIC_OR_PARTITION) === UNKNOWN_TOPIC_OR_PARTITION);
  if (missing.length > 0 && !ifExists) throw new KafkaResponseError(UNKNOWN_TOPIC_OR_PARTITION, `topic "${missing[0]}"`, null, false);
  const present = names.filter((n) => !missing.includes(n));
  if (present.length > 0) await deleteTopics(client, present);
  for (const name of present) await write(`deleted topic "${name}"\n`);
}
