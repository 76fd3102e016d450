// Example tests of ConsumerGroup's rules, one rule each, on a manual clock: protocol selection, protocol
// and size checks, the initial rebalance delay, rebalance and session timeouts, static membership, leave
// by group.instance.id, and restore() from stored metadata. Test-only.
import { describe, expect, it } from 'vitest';
import type { GroupSettings, JoinRequest, JoinResult } from '../../../src/shared/group-protocol.js';
import { ErrorCode } from '../../../src/shared/kafka-error-codes.js';
import { ConsumerGroup } from '../../../workers/groups/consumer-group.js';
import type { GroupValue } from '../../../workers/groups/group-records.js';
import { Answer, bytes, groupSettings, joinRequest, ManualClock, settle, syncRequest, text } from './group-test-kit.js';

interface Harness {
  clock: ManualClock;
  group: ConsumerGroup;
  saved: GroupValue[];
  /** What the next save returns. */
  saveCode: { value: number };
}

function harness(overrides: Partial<GroupSettings> = {}): Harness {
  const clock = new ManualClock();
  const saved: GroupValue[] = [];
  const saveCode = { value: ErrorCode.NONE as number };
  const group = new ConsumerGroup('g', groupSettings(overrides), clock, (g) => {
    if (saveCode.value === ErrorCode.NONE) saved.push(g.toStoredValue());
    return saveCode.value;
  });
  return { clock, group, saved, saveCode };
}

function join(h: Harness, overrides: Partial<JoinRequest>): Answer<JoinResult> {
  return new Answer(h.group.join(joinRequest(overrides)));
}

const protocols = (...names: string[]) => names.map((name) => ({ name, metadata: bytes(`${name}-meta`) }));

/** Moves the clock in small steps until every answer has come (sessions do not run out meanwhile). */
async function advanceUntilAnswered(h: Harness, answers: Array<Answer<unknown>>, stepMs = 500): Promise<void> {
  for (let spentMs = 0; !answers.every((a) => a.done); spentMs += stepMs) {
    if (spentMs > 120_000) throw new Error('answers did not come within 120 s');
    h.clock.advance(stepMs);
    await settle();
  }
}

/** Joins `count` dynamic members (v0 style) during the initial delay, lets it end, and syncs: a Stable group. */
async function stableGroup(h: Harness, count: number, overrides: (i: number) => Partial<JoinRequest> = () => ({})): Promise<JoinResult[]> {
  const answers = Array.from({ length: count }, (_, i) => join(h, { clientId: `c${i}`, ...overrides(i) }));
  await advanceUntilAnswered(h, answers);
  const results = answers.map((a) => a.get());
  for (const r of results) expect(r.errorCode).toBe(ErrorCode.NONE);
  const leader = results.find((r) => r.leader === r.memberId)!;
  const assignments = leader.members.map((m) => ({ memberId: m.memberId, assignment: bytes(`assigned:${m.memberId}`) }));
  const syncs = results.map(
    (r) =>
      new Answer(
        h.group.sync(
          syncRequest(r.memberId, r.generationId, { groupInstanceId: groupInstanceOf(h, r.memberId), assignments: r === leader ? assignments : [] }),
        ),
      ),
  );
  await settle();
  for (const s of syncs) expect(s.get().errorCode).toBe(ErrorCode.NONE);
  expect(h.group.state).toBe('Stable');
  return results;
}

function groupInstanceOf(h: Harness, memberId: string): string | null {
  return h.group.members.get(memberId)?.groupInstanceId ?? null;
}

describe('protocol selection', () => {
  it('picks, by vote, among the protocols every member supports', async () => {
    const h = harness();
    // roundrobin is the first choice of two members, but c does not offer it: range is the only candidate.
    const a = join(h, { clientId: 'a', protocols: protocols('roundrobin', 'range') });
    const b = join(h, { clientId: 'b', protocols: protocols('roundrobin', 'range', 'sticky') });
    const c = join(h, { clientId: 'c', protocols: protocols('sticky', 'range') });
    h.clock.advance(30_000);
    await settle();
    for (const answer of [a, b, c]) expect([answer.get().errorCode, answer.get().protocolName]).toEqual([ErrorCode.NONE, 'range']);

    const h2 = harness();
    const votes = [protocols('range', 'roundrobin'), protocols('roundrobin', 'range'), protocols('roundrobin', 'range', 'sticky')].map((p, i) =>
      join(h2, { clientId: `c${i}`, protocols: p }),
    );
    h2.clock.advance(30_000);
    await settle();
    // Both protocols are common; roundrobin wins two votes to one, though the first member prefers range.
    for (const answer of votes) expect(answer.get().protocolName).toBe('roundrobin');
    const leader = votes.map((v) => v.get()).find((r) => r.leader === r.memberId)!;
    expect(leader.members.map((m) => text(m.metadata)).sort()).toEqual(['roundrobin-meta', 'roundrobin-meta', 'roundrobin-meta']);
  });

  it('answers INCONSISTENT_GROUP_PROTOCOL to a join the group cannot take, and keeps its members', async () => {
    const h = harness();
    expect(join(h, { protocolType: '' }).get().errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    expect(join(h, { protocols: [] }).get().errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    expect(h.group.state).toBe('Empty');

    const first = join(h, { protocols: protocols('range', 'roundrobin') });
    expect(h.group.members.size).toBe(1);
    expect(join(h, { protocolType: 'connect', protocols: protocols('range') }).get().errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    expect(join(h, { protocols: protocols('sticky') }).get().errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    const second = join(h, { protocols: protocols('sticky', 'roundrobin') });
    // Now only roundrobin is common: a member offering range alone no longer fits.
    expect(join(h, { protocols: protocols('range') }).get().errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    expect(h.group.members.size).toBe(2);
    await advanceUntilAnswered(h, [first, second]);
    expect([first.get().protocolName, second.get().protocolName]).toEqual(['roundrobin', 'roundrobin']);
    // An existing member may not switch to protocols outside the common set either.
    const { memberId } = first.get();
    expect(join(h, { memberId, protocols: protocols('range') }).get().errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    expect(h.group.state).toBe('CompletingRebalance');
  });
});

describe('group size', () => {
  it('answers GROUP_MAX_SIZE_REACHED past group.max.size, counting members waiting for their id', async () => {
    const h = harness({ maxGroupSize: 2 });
    const pending = join(h, { requireKnownMemberId: true }).get();
    expect(pending.errorCode).toBe(ErrorCode.MEMBER_ID_REQUIRED);
    const a = join(h, { clientId: 'a' });
    expect(join(h, { clientId: 'c' }).get().errorCode).toBe(ErrorCode.GROUP_MAX_SIZE_REACHED);
    expect(join(h, { clientId: 'c', requireKnownMemberId: true }).get().errorCode).toBe(ErrorCode.GROUP_MAX_SIZE_REACHED);
    expect(join(h, { clientId: 'c', groupInstanceId: 'static-c' }).get().errorCode).toBe(ErrorCode.GROUP_MAX_SIZE_REACHED);
    // The pending member takes the place it was given.
    const b = join(h, { memberId: pending.memberId, requireKnownMemberId: true });
    expect(h.group.members.size).toBe(2);
    await advanceUntilAnswered(h, [a, b]);
    expect([a.get().errorCode, b.get().errorCode]).toEqual([ErrorCode.NONE, ErrorCode.NONE]);
    // A member already in the group may rejoin when it is full.
    const again = join(h, { memberId: a.get().memberId, protocols: protocols('range', 'sticky') });
    expect(again.done).toBe(false);
    expect(h.group.state).toBe('PreparingRebalance');
  });
});

describe('the initial rebalance delay', () => {
  it('ends after one delay when nobody else joins, even though every member has joined', async () => {
    const h = harness({ initialRebalanceDelayMs: 3_000 });
    const a = join(h, { rebalanceTimeoutMs: 30_000 });
    h.clock.advance(2_999);
    await settle();
    expect(a.done).toBe(false);
    expect(h.group.state).toBe('PreparingRebalance');
    h.clock.advance(1);
    await settle();
    expect(a.get().errorCode).toBe(ErrorCode.NONE);
    expect(a.get().generationId).toBe(1);
  });

  it('is extended while members keep joining, but never past the rebalance timeout', async () => {
    const h = harness({ initialRebalanceDelayMs: 3_000 });
    const start = h.clock.now();
    const answers = [join(h, { clientId: 'a', rebalanceTimeoutMs: 10_000 })];
    const joinAt = (ms: number, clientId: string) => {
      h.clock.advance(start + ms - h.clock.now());
      answers.push(join(h, { clientId, rebalanceTimeoutMs: 10_000 }));
    };
    joinAt(2_000, 'b'); // extends the first delay (3 s) by another 3 s, to 6 s
    joinAt(5_000, 'c'); // extends to 9 s
    joinAt(8_000, 'd'); // extends by the 1 s left of the 10 s rebalance timeout
    joinAt(9_500, 'e'); // too late to extend: the timeout is spent
    h.clock.advance(start + 9_999 - h.clock.now());
    await settle();
    expect(answers.some((a) => a.done)).toBe(false);
    h.clock.advance(1);
    await settle();
    expect(answers.map((a) => [a.get().errorCode, a.get().generationId])).toEqual(answers.map(() => [ErrorCode.NONE, 1]));
    const leader = answers.map((a) => a.get()).find((r) => r.leader === r.memberId)!;
    expect(leader.members.length).toBe(5);
  });

  it('waits for a member given an id with MEMBER_ID_REQUIRED, until its session timeout', async () => {
    const h = harness({ initialRebalanceDelayMs: 0 });
    const a = join(h, { clientId: 'a' });
    await settle();
    expect(a.get().generationId).toBe(1);
    h.group.sync(syncRequest(a.get().memberId, 1, { assignments: [] }));
    expect(h.group.state).toBe('Stable');
    const given = join(h, { clientId: 'b', requireKnownMemberId: true, sessionTimeoutMs: 8_000 }).get();
    expect(given.errorCode).toBe(ErrorCode.MEMBER_ID_REQUIRED);
    expect(given.memberId).not.toBe('');
    expect(h.group.state).toBe('Stable');
    // The leader rejoining starts a rebalance; it waits for the pending member…
    const again = join(h, { memberId: a.get().memberId, clientId: 'a' });
    h.clock.advance(7_999);
    await settle();
    expect(again.done).toBe(false);
    // …until its id expires unused.
    h.clock.advance(1);
    await settle();
    expect(again.get().generationId).toBe(2);
    expect(join(h, { memberId: given.memberId, clientId: 'b', requireKnownMemberId: true }).get().errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
  });
});

describe('timeouts', () => {
  it('removes a member that does not rejoin within the rebalance timeout, even if it heartbeats', async () => {
    const h = harness();
    const [a, b] = await stableGroup(h, 2, () => ({ sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 30_000 }));
    const generation = a!.generationId;
    const rejoin = join(h, { memberId: a!.memberId, clientId: 'c0', protocols: protocols('range', 'sticky') });
    expect(h.group.state).toBe('PreparingRebalance');
    for (let t = 0; t < 25_000; t += 5_000) {
      h.clock.advance(5_000);
      expect(h.group.heartbeat({ groupId: 'g', memberId: b!.memberId, groupInstanceId: null, generationId: generation })).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    }
    await settle();
    expect(rejoin.done).toBe(false);
    h.clock.advance(5_000);
    await settle();
    expect(rejoin.get()).toMatchObject({ errorCode: ErrorCode.NONE, generationId: generation + 1, leader: a!.memberId });
    expect(rejoin.get().members.map((m) => m.memberId)).toEqual([a!.memberId]);
    expect(h.group.heartbeat({ groupId: 'g', memberId: b!.memberId, groupInstanceId: null, generationId: generation })).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
  });

  it('does not expire members while they wait on a join or a sync', async () => {
    const h = harness();
    const [a, b] = await stableGroup(h, 2, () => ({ sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 60_000 }));
    // b changes its metadata: a rebalance. b waits on its join for 55 s, more than five session timeouts,
    // while a heartbeats (so its session holds) but does not rejoin.
    const bJoin = join(h, {
      memberId: b!.memberId,
      clientId: 'c1',
      sessionTimeoutMs: 10_000,
      rebalanceTimeoutMs: 60_000,
      protocols: protocols('range', 'sticky'),
    });
    for (let t = 0; t < 55_000; t += 5_000) {
      h.clock.advance(5_000);
      expect(h.group.heartbeat({ groupId: 'g', memberId: a!.memberId, groupInstanceId: null, generationId: a!.generationId })).toBe(
        ErrorCode.REBALANCE_IN_PROGRESS,
      );
    }
    await settle();
    expect(bJoin.done).toBe(false);
    expect(h.group.members.has(b!.memberId)).toBe(true);
    // a goes at the rebalance timeout, b stays.
    h.clock.advance(5_000);
    await settle();
    expect(bJoin.get().errorCode).toBe(ErrorCode.NONE);
    expect([...h.group.members.keys()]).toEqual([b!.memberId]);

    // Now with two members: the follower waits on its sync while the leader keeps heartbeating.
    const h2 = harness();
    const [leader, follower] = await stableGroup(h2, 2, () => ({ sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 20_000 }));
    const lJoin = join(h2, { memberId: leader!.memberId, clientId: 'c0', sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 20_000 });
    const fJoin = join(h2, { memberId: follower!.memberId, clientId: 'c1', sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 20_000 });
    await settle();
    const generation = lJoin.get().generationId;
    expect(fJoin.get().generationId).toBe(generation);
    const fSync = new Answer(h2.group.sync(syncRequest(follower!.memberId, generation)));
    for (let t = 0; t < 40_000; t += 5_000) {
      h2.clock.advance(5_000);
      expect(h2.group.heartbeat({ groupId: 'g', memberId: leader!.memberId, groupInstanceId: null, generationId: generation })).toBe(ErrorCode.NONE);
    }
    await settle();
    expect(fSync.done).toBe(false);
    expect(h2.group.members.has(follower!.memberId)).toBe(true);
    h2.group.sync(syncRequest(leader!.memberId, generation, { assignments: [{ memberId: follower!.memberId, assignment: bytes('late') }] }));
    await settle();
    expect([fSync.get().errorCode, text(fSync.get().assignment)]).toEqual([ErrorCode.NONE, 'late']);
  });

  it('expires a silent member of a Stable group after its session timeout and rebalances', async () => {
    const h = harness();
    const [a, b] = await stableGroup(h, 2, () => ({ sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 30_000 }));
    for (let t = 0; t < 9_000; t += 3_000) {
      h.clock.advance(3_000);
      expect(h.group.heartbeat({ groupId: 'g', memberId: a!.memberId, groupInstanceId: null, generationId: a!.generationId })).toBe(ErrorCode.NONE);
    }
    expect(h.group.state).toBe('Stable');
    h.clock.advance(3_000);
    expect(h.group.members.has(b!.memberId)).toBe(false);
    expect(h.group.state).toBe('PreparingRebalance');
    expect(h.group.heartbeat({ groupId: 'g', memberId: a!.memberId, groupInstanceId: null, generationId: a!.generationId })).toBe(
      ErrorCode.REBALANCE_IN_PROGRESS,
    );
  });
});

describe('SyncGroup', () => {
  it('fails every waiting member and rebalances when the assignment cannot be stored', async () => {
    const h = harness();
    const joins = [join(h, { clientId: 'a' }), join(h, { clientId: 'b' })];
    await advanceUntilAnswered(h, joins);
    const [leader, follower] = joins.map((j) => j.get()).sort((x) => (x.leader === x.memberId ? -1 : 1)) as [JoinResult, JoinResult];
    const followerSync = new Answer(h.group.sync(syncRequest(follower.memberId, follower.generationId)));
    h.saveCode.value = ErrorCode.KAFKA_STORAGE_ERROR;
    const assignments = [leader, follower].map((r) => ({ memberId: r.memberId, assignment: bytes('lost') }));
    const leaderSync = new Answer(h.group.sync(syncRequest(leader.memberId, leader.generationId, { assignments })));
    await settle();
    expect([leaderSync.get().errorCode, followerSync.get().errorCode]).toEqual([ErrorCode.KAFKA_STORAGE_ERROR, ErrorCode.KAFKA_STORAGE_ERROR]);
    expect(h.group.state).toBe('PreparingRebalance');
    expect(h.group.toStoredValue().members.map((m) => m.assignment.length)).toEqual([0, 0]);
    h.saveCode.value = ErrorCode.NONE;
    const again = [leader, follower].map((r) => join(h, { memberId: r.memberId, clientId: r === leader ? 'a' : 'b' }));
    await settle();
    expect(again.map((a) => a.get().generationId)).toEqual([leader.generationId + 1, leader.generationId + 1]);
  });

  it('tells a member of an older generation ILLEGAL_GENERATION, and one mid-rebalance REBALANCE_IN_PROGRESS', async () => {
    const h = harness();
    const [a, b] = await stableGroup(h, 2);
    const stale = new Answer(h.group.sync(syncRequest(a!.memberId, a!.generationId - 1))).get();
    expect(stale.errorCode).toBe(ErrorCode.ILLEGAL_GENERATION);
    expect(new Answer(h.group.sync(syncRequest(a!.memberId, a!.generationId, { protocolName: 'sticky' }))).get().errorCode).toBe(
      ErrorCode.INCONSISTENT_GROUP_PROTOCOL,
    );
    join(h, { memberId: b!.memberId, clientId: 'c1', protocols: protocols('range', 'sticky') });
    expect(new Answer(h.group.sync(syncRequest(a!.memberId, a!.generationId))).get().errorCode).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
  });
});

describe('static membership', () => {
  it('lets a known instance rejoin a Stable group without a rebalance, fencing its old member id', async () => {
    const h = harness();
    const results = await stableGroup(h, 2, (i) => ({ groupInstanceId: `instance-${i}` }));
    const leader = results.find((r) => r.leader === r.memberId)!;
    const follower = results.find((r) => r !== leader)!;
    const leaderInstance = h.group.members.get(leader.memberId)!.groupInstanceId;
    const savesBefore = h.saved.length;
    for (const old of [follower, leader]) {
      const instance = h.group.members.get(old.memberId)!.groupInstanceId!;
      const again = join(h, { groupInstanceId: instance, clientId: 'restarted' }).get();
      expect(again.errorCode).toBe(ErrorCode.NONE);
      expect(again.memberId).not.toBe(old.memberId);
      expect(again.generationId).toBe(old.generationId);
      // Kafka (JoinGroup < v9): the old leader id and no member list, so a restarted leader does not
      // compute an assignment the Stable group would ignore.
      expect(again.leader).toBe(old.leader);
      expect(again.members).toEqual([]);
      expect(h.group.state).toBe('Stable');
      expect(h.group.heartbeat({ groupId: 'g', memberId: old.memberId, groupInstanceId: instance, generationId: old.generationId })).toBe(
        ErrorCode.FENCED_INSTANCE_ID,
      );
      expect(new Answer(h.group.sync(syncRequest(old.memberId, old.generationId, { groupInstanceId: instance }))).get().errorCode).toBe(
        ErrorCode.FENCED_INSTANCE_ID,
      );
      // The new id keeps the old one's assignment.
      const sync = new Answer(h.group.sync(syncRequest(again.memberId, again.generationId, { groupInstanceId: instance }))).get();
      expect([sync.errorCode, text(sync.assignment)]).toEqual([ErrorCode.NONE, `assigned:${old.memberId}`]);
    }
    // Each replacement was persisted, and the group's leader is now the leader instance's new id.
    expect(h.saved.length).toBe(savesBefore + 2);
    const stored = h.saved[h.saved.length - 1]!;
    expect(stored.members.map((m) => m.groupInstanceId).sort()).toEqual(['instance-0', 'instance-1']);
    expect(stored.members.some((m) => m.memberId === leader.memberId || m.memberId === follower.memberId)).toBe(false);
    expect(h.group.members.get(h.group.leaderId!)!.groupInstanceId).toBe(leaderInstance);
  });

  it('rebalances when a known instance rejoins with different protocols', async () => {
    const h = harness();
    const results = await stableGroup(h, 2, (i) => ({ groupInstanceId: `instance-${i}` }));
    const generation = results[0]!.generationId;
    const again = join(h, { groupInstanceId: 'instance-1', protocols: protocols('range', 'sticky') });
    expect(again.done).toBe(false);
    expect(h.group.state).toBe('PreparingRebalance');
    expect(h.group.heartbeat({ groupId: 'g', memberId: results[1]!.memberId, groupInstanceId: 'instance-1', generationId: generation })).toBe(
      ErrorCode.FENCED_INSTANCE_ID,
    );
    const other = join(h, { memberId: results[0]!.memberId, groupInstanceId: 'instance-0' });
    await settle();
    expect([again.get().errorCode, again.get().generationId, other.get().generationId]).toEqual([ErrorCode.NONE, generation + 1, generation + 1]);
  });

  it('fences an instance whose join was still waiting when its replacement arrived', async () => {
    const h = harness();
    const results = await stableGroup(h, 2, (i) => ({ groupInstanceId: `instance-${i}` }));
    const waiting = join(h, { memberId: results[0]!.memberId, groupInstanceId: 'instance-0', protocols: protocols('range', 'sticky') });
    const replacement = join(h, { groupInstanceId: 'instance-0' });
    await settle();
    expect(waiting.get().errorCode).toBe(ErrorCode.FENCED_INSTANCE_ID);
    expect(replacement.done).toBe(false);
    expect(h.group.members.has(results[0]!.memberId)).toBe(false);
  });

  it('removes a member by group.instance.id alone, and fences a stale member id', async () => {
    const h = harness();
    const results = await stableGroup(h, 3, (i) => ({ groupInstanceId: `instance-${i}` }));
    const leave = h.group.leave({
      groupId: 'g',
      members: [
        { memberId: '', groupInstanceId: 'instance-0' },
        { memberId: 'stale-id', groupInstanceId: 'instance-1' },
        { memberId: '', groupInstanceId: 'no-such-instance' },
      ],
    });
    expect(leave.errorCode).toBe(ErrorCode.NONE);
    expect(leave.members.map((m) => m.errorCode)).toEqual([ErrorCode.NONE, ErrorCode.FENCED_INSTANCE_ID, ErrorCode.UNKNOWN_MEMBER_ID]);
    expect(h.group.members.has(results[0]!.memberId)).toBe(false);
    expect(h.group.members.has(results[1]!.memberId)).toBe(true);
    expect(h.group.state).toBe('PreparingRebalance');
    // The instance is free again: joining with it adds a new member.
    const back = join(h, { groupInstanceId: 'instance-0' });
    expect(back.done).toBe(false);
    expect(h.group.members.size).toBe(3);
  });
});

describe('restore()', () => {
  const stored: GroupValue = {
    protocolType: 'consumer',
    generationId: 7,
    protocolName: 'range',
    leader: 'm-1',
    stateTimestamp: 123_456,
    members: [
      {
        memberId: 'm-1',
        groupInstanceId: null,
        clientId: 'c1',
        clientHost: '/10.0.0.1',
        rebalanceTimeoutMs: 30_000,
        sessionTimeoutMs: 10_000,
        subscription: bytes('sub-1'),
        assignment: bytes('as-1'),
      },
      {
        memberId: 'm-2',
        groupInstanceId: 'instance-2',
        clientId: 'c2',
        clientHost: '/10.0.0.2',
        rebalanceTimeoutMs: 30_000,
        sessionTimeoutMs: 20_000,
        subscription: bytes('sub-2'),
        assignment: new Uint8Array(0),
      },
    ],
  };

  it('rebuilds a Stable group whose members carry on, and expires them if they do not', async () => {
    const h = harness();
    h.group.restore(stored);
    expect([h.group.state, h.group.generationId, h.group.leaderId, h.group.protocolName, h.group.stateTimestamp]).toEqual([
      'Stable',
      7,
      'm-1',
      'range',
      123_456,
    ]);
    expect(h.group.toStoredValue()).toEqual(stored);
    const description = h.group.describe();
    expect(description.members.map((m) => [m.memberId, m.groupInstanceId, m.clientId, text(m.metadata), text(m.assignment)])).toEqual([
      ['m-1', null, 'c1', 'sub-1', 'as-1'],
      ['m-2', 'instance-2', 'c2', 'sub-2', ''],
    ]);
    expect(h.group.heartbeat({ groupId: 'g', memberId: 'm-1', groupInstanceId: null, generationId: 7 })).toBe(ErrorCode.NONE);
    expect(h.group.heartbeat({ groupId: 'g', memberId: 'm-1', groupInstanceId: null, generationId: 6 })).toBe(ErrorCode.ILLEGAL_GENERATION);
    expect(h.group.heartbeat({ groupId: 'g', memberId: 'm-1', groupInstanceId: 'instance-2', generationId: 7 })).toBe(ErrorCode.FENCED_INSTANCE_ID);
    const sync = new Answer(h.group.sync(syncRequest('m-1', 7))).get();
    expect(text(sync.assignment)).toBe('as-1');
    // The restored static member's instance can take over its place without a rebalance.
    const replaced = join(h, { groupInstanceId: 'instance-2', protocols: [{ name: 'range', metadata: bytes('sub-2') }] }).get();
    expect([replaced.errorCode, replaced.generationId, h.group.state]).toEqual([ErrorCode.NONE, 7, 'Stable']);

    const h2 = harness();
    h2.group.restore(stored);
    h2.group.startSessionTimers();
    h2.clock.advance(10_000);
    expect([...h2.group.members.keys()]).toEqual(['m-2']);
    expect(h2.group.state).toBe('PreparingRebalance');
    h2.clock.advance(30_000);
    expect(h2.group.state).toBe('Empty');
    expect(h2.group.generationId).toBe(8);
  });

  it('rebuilds an Empty group from metadata without members', () => {
    const h = harness();
    h.group.restore({ ...stored, protocolName: null, leader: null, members: [] });
    expect([h.group.state, h.group.generationId, h.group.members.size, h.group.protocolType]).toEqual(['Empty', 7, 0, 'consumer']);
    expect(h.group.commitError({ groupId: 'g', memberId: '', groupInstanceId: null, generationId: -1, offsets: [] })).toBe(ErrorCode.NONE);
  });
});
