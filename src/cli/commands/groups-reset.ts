// `fjord groups reset-offsets GROUP --topic T[:partitions] (--to-earliest|--to-latest|--to-offset N|
// --to-datetime T|--shift-by N) [--execute]`: computes each partition's new committed offset (clamped to the
// log's range, as Kafka does), prints the plan, and with --execute commits it as an admin (generation -1).
// Refuses a group that has live members. Runs on the main thread.
import type { Command } from 'commander';
import { describeGroup } from '../../client/group-admin.js';
import { ADMIN_GENERATION, commitOffsets, fetchCommittedOffsets, type GroupOffsets } from '../../client/group-offsets.js';
import type { KafkaClient } from '../../client/kafka-client.js';
import { listOffsets, OffsetSpec } from '../../client/list-offsets.js';
import { type ClientFlags, withBootstrapOption, withClient } from '../broker-client.js';
import { CliError, usageError } from '../cli-errors.js';
import { collect, integer, nonNegative, partitionList, timestamp } from '../option-parsers.js';
import { note, write } from '../output.js';
import { renderTable } from '../table.js';

interface ResetFlags extends ClientFlags {
  topic: string[];
  toEarliest?: boolean;
  toLatest?: boolean;
  toOffset?: number;
  toDatetime?: number;
  shiftBy?: number;
  execute?: boolean;
}

const COMMAND = 'fjord groups reset-offsets';

export function registerResetOffsets(groups: Command): void {
  withBootstrapOption(
    groups.command('reset-offsets').description("move an inactive group's committed offsets (dry run unless --execute)").argument('<group>', 'group id'),
  )
    .requiredOption('-t, --topic <topic[:partitions]>', 'topic, optionally with partitions like orders:0,2 or orders:0-3 (repeatable)', collect)
    .option('--to-earliest', 'to the oldest offset still in the log')
    .option('--to-latest', 'to the end of the log (skip everything so far)')
    .option('--to-offset <n>', 'to offset n', nonNegative)
    .option('--to-datetime <time>', 'to the first message at or after an ISO date-time or epoch ms', timestamp)
    .option('--shift-by <n>', 'move the committed offset by n (negative: back)', integer)
    .option('--execute', 'commit the new offsets (without it, only print the plan)')
    .addHelpText('after', '\nExample:\n  fjord groups reset-offsets billing --topic orders --to-datetime 2024-05-01T00:00:00Z --execute')
    .action((group: string, flags: ResetFlags) => withClient(flags, (client) => reset(client, group, flags)));
}

type Target = (p: number, committed: number, earliest: number, latest: number, atTime: number) => number;

function targetOf(flags: ResetFlags, group: string): Target {
  const chosen = [flags.toEarliest, flags.toLatest, flags.toOffset !== undefined, flags.toDatetime !== undefined, flags.shiftBy !== undefined].filter(
    Boolean,
  ).length;
  if (chosen !== 1) throw usageError('give exactly one of --to-earliest, --to-latest, --to-offset, --to-datetime, --shift-by', COMMAND);
  if (flags.toEarliest) return (_p, _c, earliest) => earliest;
  if (flags.toLatest) return (_p, _c, _e, latest) => latest;
  if (flags.toOffset !== undefined) return () => flags.toOffset!;
  if (flags.toDatetime !== undefined) return (_p, _c, _e, latest, atTime) => (atTime >= 0 ? atTime : latest);
  return (p, committed) => {
    if (committed < 0)
      throw new CliError(`group "${group}" has no committed offset for partition ${p} to shift`, 'use --to-earliest, --to-latest or --to-offset for it');
    return committed + flags.shiftBy!;
  };
}

function parseTopic(spec: string): { topic: string; partitions: number[] | null } {
  const at = spec.lastIndexOf(':');
  if (at < 0) return { topic: spec, partitions: null };
  try {
    return { topic: spec.slice(0, at), partitions: partitionList(spec.slice(at + 1)) };
  } catch (error) {
    throw usageError(`--topic ${spec}: ${(error as Error).message}`, COMMAND);
  }
}

async function reset(client: KafkaClient, group: string, flags: ResetFlags): Promise<void> {
  const target = targetOf(flags, group);
  const description = await describeGroup(client, group);
  if (description.members.length > 0) {
    throw new CliError(
      `group "${group}" has ${description.members.length} live member(s) (state ${description.state})`,
      'stop its consumers (offsets can only be reset while the group is empty), then run this again',
    );
  }
  const plan: GroupOffsets = new Map();
  const rows = [];
  for (const spec of flags.topic.map(parseTopic)) {
    const info = await client.topic(spec.topic);
    const partitions = spec.partitions ?? info.partitions.map((p) => p.partition);
    const missing = partitions.find((p) => p >= info.partitions.length);
    if (missing !== undefined) throw new CliError(`topic "${spec.topic}" has no partition ${missing}`, `it has partitions 0-${info.partitions.length - 1}`);
    const committed = (await fetchCommittedOffsets(client, group, new Map([[spec.topic, partitions]]))).get(spec.topic);
    const [earliest, latest, atTime] = await Promise.all([
      listOffsets(client, spec.topic, partitions, OffsetSpec.EARLIEST),
      listOffsets(client, spec.topic, partitions, OffsetSpec.LATEST),
      flags.toDatetime !== undefined ? listOffsets(client, spec.topic, partitions, flags.toDatetime) : Promise.resolve(new Map<number, number>()),
    ]);
    const offsets = new Map<number, number>();
    for (const p of partitions) {
      const current = committed?.get(p) ?? -1;
      const wanted = target(p, current, earliest.get(p)!, latest.get(p)!, atTime.get(p) ?? -1);
      const clamped = Math.min(Math.max(wanted, earliest.get(p)!), latest.get(p)!);
      offsets.set(p, clamped);
      rows.push([spec.topic, p, current >= 0 ? current : null, clamped, clamped !== wanted ? `${wanted} is outside ${earliest.get(p)}-${latest.get(p)}` : '']);
    }
    plan.set(spec.topic, offsets);
  }
  await write(renderTable(['TOPIC', 'PARTITION', 'CURRENT', 'NEW', 'NOTE'], rows));
  if (!flags.execute) {
    note(`dry run: nothing was committed; add --execute to commit these offsets for group "${group}"`);
    return;
  }
  await commitOffsets(client, group, ADMIN_GENERATION, plan);
  note(`committed the new offsets for group "${group}"`);
}
