// `fjord groups list|describe|delete`: consumer groups over the Kafka protocol; describe shows members with
// their assignments, and per partition the committed offset, the end offset and the lag. reset-offsets is in
// groups-reset.ts. Runs on the main thread.
import type { Command } from 'commander';
import { describeGroup, deleteGroup, listGroups } from '../../client/group-admin.js';
import { fetchCommittedOffsets } from '../../client/group-offsets.js';
import type { KafkaClient } from '../../client/kafka-client.js';
import { KafkaResponseError } from '../../client/kafka-errors.js';
import { listOffsets, OffsetSpec } from '../../client/list-offsets.js';
import { type ClientFlags, withBootstrapOption, withClient } from '../broker-client.js';
import { write } from '../output.js';
import { renderTable } from '../table.js';
import { registerResetOffsets } from './groups-reset.js';

const GROUP_ID_NOT_FOUND = 69;

export function registerGroups(program: Command): void {
  const groups = program.command('groups').description('list, describe, reset offsets of and delete consumer groups');
  withBootstrapOption(groups.command('list').description('every group with its state and protocol type')).action((flags: ClientFlags) =>
    withClient(flags, list),
  );
  withBootstrapOption(
    groups.command('describe').description('members, assignments, and committed offset, end offset and lag per partition').argument('<group>', 'group id'),
  ).action((group: string, flags: ClientFlags) => withClient(flags, (client) => describe(client, group)));
  registerResetOffsets(groups);
  withBootstrapOption(groups.command('delete').description('delete empty groups and their committed offsets').argument('<groups...>', 'group ids')).action(
    (ids: string[], flags: ClientFlags) => withClient(flags, (client) => remove(client, ids)),
  );
}

async function list(client: KafkaClient): Promise<void> {
  const groups = await listGroups(client);
  await write(
    renderTable(
      ['GROUP', 'STATE', 'TYPE'],
      groups.map((g) => [g.groupId, g.state || null, g.protocolType || null]),
    ),
  );
}

async function describe(client: KafkaClient, groupId: string): Promise<void> {
  const group = await describeGroup(client, groupId);
  const committed = await fetchCommittedOffsets(client, groupId, null);
  if (group.state === 'Dead' && committed.size === 0)
    throw new KafkaResponseError(GROUP_ID_NOT_FOUND, `group "${groupId}"`, 'no members and no committed offsets', false);
  const owner = new Map<string, string>();
  for (const m of group.members) for (const [topic, partitions] of m.assignment) for (const p of partitions) owner.set(`${topic}\0${p}`, m.memberId);
  const partitions = new Map<string, Set<number>>();
  const add = (topic: string, p: number) => (partitions.get(topic) ?? partitions.set(topic, new Set()).get(topic)!).add(p);
  for (const [topic, offsets] of committed) for (const p of offsets.keys()) add(topic, p);
  for (const m of group.members) for (const [topic, list] of m.assignment) for (const p of list) add(topic, p);
  const rows = [];
  for (const [topic, set] of [...partitions].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const sorted = [...set].sort((a, b) => a - b);
    const ends = await listOffsets(client, topic, sorted, OffsetSpec.LATEST);
    for (const p of sorted) {
      const offset = committed.get(topic)?.get(p) ?? -1;
      const end = ends.get(p) ?? null;
      rows.push([topic, p, offset >= 0 ? offset : null, end, offset >= 0 && end !== null ? end - offset : null, owner.get(`${topic}\0${p}`) ?? null]);
    }
  }
  const members = group.members.map((m) => [
    m.memberId,
    m.clientId,
    m.clientHost,
    [...m.assignment].map(([t, ps]) => `${t}:${ps.join(',')}`).join(' ') || null,
  ]);
  await write(
    `Group: ${groupId}  State: ${group.state}  Protocol: ${group.protocolType || '-'}/${group.protocol || '-'}  Members: ${group.members.length}\n\n` +
      (members.length > 0 ? `${renderTable(['MEMBER-ID', 'CLIENT-ID', 'HOST', 'ASSIGNMENT'], members)}\n` : '') +
      renderTable(['TOPIC', 'PARTITION', 'COMMITTED', 'END', 'LAG', 'MEMBER-ID'], rows),
  );
}

async function remove(client: KafkaClient, ids: string[]): Promise<void> {
  for (const id of ids) {
    await deleteGroup(client, id);
    await write(`deleted group "${id}"\n`);
  }
}
