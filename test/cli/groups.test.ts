// `fjord consume --group` and `fjord groups` against a real broker process: two members split a topic's
// partitions, offsets are committed and resumed, describe shows members, lag and assignments, reset-offsets
// prints a plan (dry run) and commits it only with --execute, and refuses a group with live members.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeGroup } from '../../src/client/group-admin.js';
import { KafkaClient } from '../../src/client/kafka-client.js';
import { startBrokerProcess, type BrokerProcess } from '../helpers/broker-process.js';
import { waitUntil } from '../helpers/wait-until.js';
import { fjord, fjordInBackground } from './run-fjord.js';

let broker: BrokerProcess;
let client: KafkaClient;
let b: string[];

beforeAll(async () => {
  broker = await startBrokerProcess({ 'group.initial.rebalance.delay.ms': '0', 'offsets.topic.num.partitions': '4' });
  client = new KafkaClient({ bootstrapServers: [broker.bootstrap] });
  b = ['--bootstrap-server', broker.bootstrap];
});
afterAll(async () => {
  await client?.close();
  await broker?.stop();
});

/** Partitions each member holds, e.g. [[0], [1]], once the group is Stable. */
async function assignments(group: string): Promise<number[][]> {
  const description = await describeGroup(client, group);
  if (description.state !== 'Stable') return [];
  return description.members.map((m) => [...m.assignment.values()].flat().sort());
}

const partitionsIn = (lines: string[]) => new Set(lines.map((l) => Number(l.split(' ')[0])));

describe('fjord consume --group and fjord groups', () => {
  it('splits partitions between two members, commits what they printed, and shows it in describe', async () => {
    await fjord(['topics', 'create', 'split', '--partitions', '2', ...b]);
    const first = fjordInBackground(['consume', 'split', '--group', 'pair', '--from-beginning', '-f', '%p %o %v', ...b]);
    await waitUntil(async () => JSON.stringify(await assignments('pair')) === '[[0,1]]', 'the first member to own both partitions');
    const second = fjordInBackground(['consume', 'split', '--group', 'pair', '--from-beginning', '-f', '%p %o %v', ...b]);
    await waitUntil(async () => JSON.stringify((await assignments('pair')).sort()) === '[[0],[1]]', 'one partition per member');
    const lines = `${Array.from({ length: 20 }, (_, i) => `k${i}:v${i}`).join('\n')}\n`;
    await fjord(['produce', 'split', '-K', ':', ...b], lines);
    await waitUntil(() => first.lines.length + second.lines.length >= 20, 'both members to print every message');
    const [a, c] = [partitionsIn(first.lines), partitionsIn(second.lines)];
    expect(a.size).toBe(1);
    expect(c.size).toBe(1);
    expect([...a, ...c].sort()).toEqual([0, 1]);
    expect(first.lines.length + second.lines.length).toBe(20);

    const described = await fjord(['groups', 'describe', 'pair', ...b]);
    expect(described.stdout).toMatch(/^Group: pair {2}State: Stable {2}Protocol: consumer\/range {2}Members: 2\n/);
    expect(described.stdout).toMatch(/MEMBER-ID +CLIENT-ID +HOST +ASSIGNMENT\n.* fjord-cli .* split:[01]\n.* fjord-cli .* split:[01]\n/);

    expect(await first.stop()).toBe(0);
    expect(await second.stop()).toBe(0);
    await waitUntil(async () => (await describeGroup(client, 'pair')).state === 'Empty', 'the group to be empty');
    const after = await fjord(['groups', 'describe', 'pair', ...b]);
    const rows = after.stdout
      .trimEnd()
      .split('\n')
      .slice(-2)
      .map((r) => r.split(/\s+/));
    expect(rows.map((r) => [r[0], r[1], r[2] === r[3], r[4], r[5]])).toEqual([
      ['split', '0', true, '0', '-'],
      ['split', '1', true, '0', '-'],
    ]);
    expect((await fjord(['groups', 'list', ...b])).stdout).toMatch(/^GROUP +STATE +TYPE\npair +Empty +consumer\n$/);
  });

  it('resumes a group from its committed offsets', async () => {
    await fjord(['produce', 'resume', '-p', '0', ...b], 'r0\nr1\nr2\n');
    expect((await fjord(['consume', 'resume', '--group', 'resumer', '--from-beginning', '-n', '2', ...b])).stdout).toBe('r0\nr1\n');
    expect((await fjord(['consume', 'resume', '--group', 'resumer', '--exit-at-end', ...b])).stdout).toBe('r2\n');
  });

  it('prints a reset plan without committing, commits it with --execute, and refuses a live group', async () => {
    await fjord(['produce', 'resets', '-p', '0', ...b], 'a\nb\nc\nd\n');
    await fjord(['consume', 'resets', '--group', 'resetter', '--from-beginning', '--exit-at-end', ...b]);
    const committed = async () => (await fjord(['groups', 'describe', 'resetter', ...b])).stdout.trimEnd().split('\n').at(-1)!.split(/\s+/).slice(0, 5);
    expect(await committed()).toEqual(['resets', '0', '4', '4', '0']);

    const dryRun = await fjord(['groups', 'reset-offsets', 'resetter', '--topic', 'resets', '--shift-by', '-3', ...b]);
    expect(dryRun).toMatchObject({ status: 0, stdout: 'TOPIC   PARTITION  CURRENT  NEW  NOTE\nresets  0          4        1\n' });
    expect(dryRun.stderr).toBe('dry run: nothing was committed; add --execute to commit these offsets for group "resetter"\n');
    expect(await committed()).toEqual(['resets', '0', '4', '4', '0']);

    const executed = await fjord(['groups', 'reset-offsets', 'resetter', '--topic', 'resets:0', '--to-offset', '99', '--execute', ...b]);
    expect(executed.stdout).toBe('TOPIC   PARTITION  CURRENT  NEW  NOTE\nresets  0          4        4    99 is outside 0-4\n');
    await fjord(['groups', 'reset-offsets', 'resetter', '--topic', 'resets', '--to-earliest', '--execute', ...b]);
    expect(await committed()).toEqual(['resets', '0', '0', '4', '4']);
    expect((await fjord(['consume', 'resets', '--group', 'resetter', '--exit-at-end', ...b])).stdout).toBe('a\nb\nc\nd\n');

    const live = fjordInBackground(['consume', 'resets', '--group', 'resetter', ...b]);
    await waitUntil(async () => (await assignments('resetter')).length === 1, 'the live member to join');
    const refused = await fjord(['groups', 'reset-offsets', 'resetter', '--topic', 'resets', '--to-latest', '--execute', ...b]);
    expect(refused).toMatchObject({ status: 1, stdout: '' });
    expect(refused.stderr).toBe(
      'fjord: group "resetter" has 1 live member(s) (state Stable); stop its consumers (offsets can only be reset while the group is empty), then run this again\n',
    );
    const deleteLive = await fjord(['groups', 'delete', 'resetter', ...b]);
    expect(deleteLive.stderr).toMatch(/^fjord: delete group "resetter": NON_EMPTY_GROUP \(68\); the group still has members; stop its consumers first\n$/);
    expect(await live.stop()).toBe(0);
  });

  it('validates reset flags and names unknown groups', async () => {
    const none = await fjord(['groups', 'reset-offsets', 'g', '--topic', 'resets', ...b]);
    expect(none).toMatchObject({
      status: 2,
      stderr:
        'fjord: give exactly one of --to-earliest, --to-latest, --to-offset, --to-datetime, --shift-by; run "fjord groups reset-offsets --help" for usage\n',
    });
    const noTopic = await fjord(['groups', 'reset-offsets', 'g', '--to-earliest', ...b]);
    expect(noTopic).toMatchObject({
      status: 2,
      stderr: `fjord: required option '-t, --topic <topic[:partitions]>' not specified; run "fjord groups reset-offsets --help" for usage\n`,
    });
    const noCommit = await fjord(['groups', 'reset-offsets', 'fresh', '--topic', 'resets', '--shift-by', '1', ...b]);
    expect(noCommit).toMatchObject({
      status: 1,
      stderr: 'fjord: group "fresh" has no committed offset for partition 0 to shift; use --to-earliest, --to-latest or --to-offset for it\n',
    });
    const unknown = await fjord(['groups', 'describe', 'nobody', ...b]);
    expect(unknown).toMatchObject({
      status: 1,
      stderr: 'fjord: group "nobody": GROUP_ID_NOT_FOUND (69): no members and no committed offsets; list groups with "fjord groups list"\n',
    });
    expect((await fjord(['groups', 'delete', 'pair', ...b])).stdout).toBe('deleted group "pair"\n');
  });
});
