// Property test: a GroupCoordinator on a real __consumer_offsets PartitionLog is driven through random
// operations (members joining, rejoining, syncing, heartbeating, leaving and committing; commits from
// outside a group; DeleteGroups; OffsetDelete; offset expiry; time passing with its session, rebalance and
// expiry timers), some with every write refused. A refused write must change no stored state. At the end a
// second coordinator rebuilt by replaying the partition must hold the same groups, metadata records and
// committed offsets, and restore the members the live one has stored. Seed printed (FJORD_SEED replays).
// Test-only.
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CommitRequest, GroupSettings, JoinResult } from '../../../src/shared/group-protocol.js';
import { ErrorCode } from '../../../src/shared/kafka-error-codes.js';
import { GroupCoordinator, type StoredGroup } from '../../../workers/groups/group-coordinator.js';
import { NodeFileAccess } from '../../../workers/io/file-access.js';
import { PartitionLog } from '../../../workers/log/partition-log.js';
import { tempDir } from '../../helpers/temp-dir.js';
import { logConfig, seedFor } from '../log/log-test-kit.js';
import { bytes, groupSettings, joinRequest, ManualClock, settle, syncRequest } from './group-test-kit.js';

const GROUPS = ['g0', 'g1', 'g2'];
const TOPICS = ['t0', 't1', 't2'];
const COMPACTED = logConfig({ cleanupPolicy: 'compact' });
/** Small enough that no batch the coordinator writes passes: every write is refused, nothing is stored. */
const REFUSING = { ...COMPACTED, maxMessageBytes: 16 };

type Offsets = Array<{ topic: number; partition: number; offset: number; metadata: string | null }>;

type Op =
  | { kind: 'join'; group: number; topics: number[] }
  | { kind: 'rejoin'; member: number; topics: number[] | null }
  | { kind: 'sync' | 'heartbeat' | 'leave'; member: number }
  | { kind: 'memberCommit'; member: number; offsets: Offsets }
  | { kind: 'outsideCommit'; group: number; offsets: Offsets }
  | { kind: 'deleteGroup'; group: number }
  | { kind: 'deleteOffsets'; group: number; partitions: Array<{ topic: number; partition: number }> }
  | { kind: 'expire' }
  | { kind: 'time'; ms: number };

interface KnownMember {
  groupId: string;
  memberId: string;
  topics: number[];
  generation: number;
  /** The members of the generation this member leads, else null. */
  leads: string[] | null;
}

const pick = fc.nat({ max: 20 });
const topicSet = fc.uniqueArray(fc.nat({ max: TOPICS.length - 1 }), { minLength: 1, maxLength: TOPICS.length });
const offsets: fc.Arbitrary<Offsets> = fc.array(
  fc.record({
    topic: fc.nat({ max: TOPICS.length - 1 }),
    partition: fc.nat({ max: 1 }),
    offset: fc.nat({ max: 1_000 }),
    // Longer than offset.metadata.max.bytes (16 here) now and then.
    metadata: fc.option(fc.string({ maxLength: 20 }), { nil: null }),
  }),
  { minLength: 1, maxLength: 4 },
);
const group = fc.nat({ max: GROUPS.length - 1 });
const op: fc.Arbitrary<Op> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('join' as const), group, topics: topicSet }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant('rejoin' as const), member: pick, topics: fc.option(topicSet, { nil: null }) }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant('sync' as const), member: pick }), weight: 5 },
  { arbitrary: fc.record({ kind: fc.constantFrom('heartbeat' as const, 'leave' as const), member: pick }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('memberCommit' as const), member: pick, offsets }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant('outsideCommit' as const), group, offsets }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant('deleteGroup' as const), group }), weight: 1 },
  {
    arbitrary: fc.record({
      kind: fc.constant('deleteOffsets' as const),
      group,
      partitions: fc.array(fc.record({ topic: fc.nat({ max: TOPICS.length - 1 }), partition: fc.nat({ max: 1 }) }), { minLength: 1, maxLength: 3 }),
    }),
    weight: 1,
  },
  { arbitrary: fc.constant({ kind: 'expire' as const }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('time' as const), ms: fc.integer({ min: 0, max: 25_000 }) }), weight: 3 },
);
/** About one step in six runs with every write refused. */
const steps = fc.array(fc.record({ op, refused: fc.integer({ min: 0, max: 5 }).map((n) => n === 0) }), { minLength: 1, maxLength: 40 });

/** ConsumerProtocolSubscription v0: int16 version · topics[] string · bytes userData (null). */
function subscription(topics: number[]): Uint8Array {
  const parts = [Buffer.from([0, 0]), Buffer.alloc(4)];
  parts[1]!.writeInt32BE(topics.length);
  for (const t of topics) parts.push(Buffer.from([0, TOPICS[t]!.length]), Buffer.from(TOPICS[t]!));
  parts.push(Buffer.from([0xff, 0xff, 0xff, 0xff]));
  return new Uint8Array(Buffer.concat(parts));
}

/** A run: one partition, its live coordinator, and the members the clients were told about. */
class Run {
  readonly dir = join(tempDir('fjord-group-replay-'), '__consumer_offsets-0');
  readonly files = new NodeFileAccess();
  readonly clock = new ManualClock();
  readonly settings: GroupSettings = groupSettings({
    initialRebalanceDelayMs: 0,
    offsetMetadataMaxBytes: 16,
    offsetsRetentionMs: 60_000,
    offsetsRetentionCheckIntervalMs: 15_000,
  });
  readonly warnings: string[] = [];
  readonly log = PartitionLog.open(this.files, this.dir, COMPACTED, { nowMs: this.clock.now(), trustedOnDisk: true });
  readonly live = this.coordinator(this.clock);
  readonly members: KnownMember[] = [];

  constructor() {
    this.live.load();
  }

  coordinator(clock: ManualClock): GroupCoordinator {
    return new GroupCoordinator(this.log, this.settings, clock, (level, message) => {
      if (level !== 'info') this.warnings.push(message);
    });
  }

  async apply(o: Op): Promise<void> {
    switch (o.kind) {
      case 'join':
        return this.join(GROUPS[o.group]!, '', o.topics);
      case 'rejoin': {
        const m = this.member(o.member);
        if (m !== undefined) this.join(m.groupId, m.memberId, o.topics ?? m.topics);
        return;
      }
      case 'sync':
        return this.sync(o.member);
      case 'heartbeat': {
        const m = this.member(o.member);
        if (m !== undefined) this.live.heartbeat({ groupId: m.groupId, memberId: m.memberId, groupInstanceId: null, generationId: m.generation });
        return;
      }
      case 'leave': {
        const m = this.member(o.member);
        if (m !== undefined) this.live.leave({ groupId: m.groupId, members: [{ memberId: m.memberId, groupInstanceId: null }] });
        return;
      }
      case 'memberCommit': {
        const m = this.member(o.member);
        if (m !== undefined) this.live.commit({ ...commitOf(m.groupId, o.offsets), memberId: m.memberId, generationId: m.generation });
        return;
      }
      case 'outsideCommit':
        this.live.commit(commitOf(GROUPS[o.group]!, o.offsets));
        return;
      case 'deleteGroup':
        this.live.deleteGroup(GROUPS[o.group]!);
        return;
      case 'deleteOffsets':
        this.live.deleteOffsets({ groupId: GROUPS[o.group]!, partitions: o.partitions.map((p) => ({ topic: TOPICS[p.topic]!, partition: p.partition })) });
        return;
      case 'expire':
        this.live.expireOffsets();
        return;
      case 'time':
        this.clock.advance(o.ms);
        return;
    }
  }

  private member(at: number): KnownMember | undefined {
    return this.members.length === 0 ? undefined : this.members[at % this.members.length];
  }

  private join(groupId: string, memberId: string, topics: number[]): void {
    const request = joinRequest({ groupId, memberId, rebalanceTimeoutMs: 20_000, protocols: [{ name: 'range', metadata: subscription(topics) }] });
    void Promise.resolve(this.live.join(request)).then((result) => this.joined(groupId, topics, result));
  }

  private joined(groupId: string, topics: number[], result: JoinResult): void {
    if (result.errorCode !== ErrorCode.NONE || result.memberId === '') return;
    let m = this.members.find((k) => k.memberId === result.memberId);
    if (m === undefined) {
      m = { groupId, memberId: result.memberId, topics, generation: -1, leads: null };
      this.members.push(m);
    }
    m.topics = topics;
    m.generation = result.generationId;
    m.leads = result.leader === result.memberId ? result.members.map((x) => x.memberId) : null;
  }

  private sync(at: number): void {
    const m = this.member(at);
    if (m === undefined) return;
    const assignments = (m.leads ?? []).map((memberId) => ({ memberId, assignment: bytes(`${memberId}@${m.generation}`) }));
    void Promise.resolve(this.live.sync(syncRequest(m.memberId, m.generation, { groupId: m.groupId, assignments })));
  }
}

function commitOf(groupId: string, list: Offsets): CommitRequest {
  const offsets = list.map((o) => ({ topic: TOPICS[o.topic]!, partition: o.partition, offset: o.offset, leaderEpoch: 1, metadata: o.metadata }));
  return { groupId, memberId: '', groupInstanceId: null, generationId: -1, offsets };
}

/** Stored groups with plain arrays for bytes, in a fixed order, for comparison. */
function plain(groups: StoredGroup[]): unknown[] {
  return [...groups]
    .sort((a, b) => a.groupId.localeCompare(b.groupId))
    .map((g) => ({
      groupId: g.groupId,
      metadata:
        g.metadata === null
          ? null
          : { ...g.metadata, members: g.metadata.members.map((m) => ({ ...m, subscription: [...m.subscription], assignment: [...m.assignment] })) },
      offsets: [...g.offsets].sort((a, b) => `${a.topic}-${a.partition}`.localeCompare(`${b.topic}-${b.partition}`)),
    }));
}

/** What the group's last metadata record says about its members, and what a description shows of them. */
function storedMembers(metadata: NonNullable<StoredGroup['metadata']>): unknown[] {
  return metadata.members
    .map((m) => ({ memberId: m.memberId, metadata: [...m.subscription], assignment: [...m.assignment] }))
    .sort((a, b) => a.memberId.localeCompare(b.memberId));
}

function describedMembers(coordinator: GroupCoordinator, groupId: string): unknown[] {
  return coordinator
    .describe(groupId)
    .members.map((m) => ({ memberId: m.memberId, metadata: [...m.metadata], assignment: [...m.assignment] }))
    .sort((a, b) => a.memberId.localeCompare(b.memberId));
}

/** How much of the interesting ground the runs reached (printed, and a floor asserted). */
const reached = { storedGroups: 0, restoredMembers: 0, liveStableGroups: 0, committedOffsets: 0, refusedWithStoredState: 0 };

function checkRebuilt(run: Run): void {
  const rebuilt = run.coordinator(new ManualClock(run.clock.now()));
  rebuilt.load();
  expect(plain(rebuilt.storedGroups())).toEqual(plain(run.live.storedGroups()));
  for (const groupId of GROUPS) {
    expect(rebuilt.fetchOffsets({ groupId, partitions: null }).offsets.sort(byPartition)).toEqual(
      run.live.fetchOffsets({ groupId, partitions: null }).offsets.sort(byPartition),
    );
  }
  for (const stored of rebuilt.storedGroups()) {
    if (stored.metadata === null) continue;
    // The rebuilt coordinator restored the members of the last metadata record (Stable), or none (Empty).
    const restored = stored.metadata.members.length > 0 && stored.metadata.protocolName !== null;
    expect(rebuilt.describe(stored.groupId).state).toBe(restored ? 'Stable' : 'Empty');
    if (restored) expect(describedMembers(rebuilt, stored.groupId)).toEqual(storedMembers(stored.metadata));
    if (restored) reached.restoredMembers += stored.metadata.members.length;
  }
  reached.storedGroups += rebuilt.storedGroups().length;
  reached.committedOffsets += rebuilt.storedGroups().reduce((n, g) => n + g.offsets.length, 0);
  // A live Stable group has stored exactly its members: what a reload would restore is what serves now.
  for (const stored of run.live.storedGroups()) {
    const live = run.live.describe(stored.groupId);
    if (live.state !== 'Stable') continue;
    expect(stored.metadata).not.toBeNull();
    expect(live.protocolName).toBe(stored.metadata!.protocolName);
    expect(describedMembers(run.live, stored.groupId)).toEqual(storedMembers(stored.metadata!));
    reached.liveStableGroups++;
  }
  rebuilt.close();
}

function byPartition(a: { topic: string; partition: number }, b: { topic: string; partition: number }): number {
  return `${a.topic}-${a.partition}`.localeCompare(`${b.topic}-${b.partition}`);
}

describe('GroupCoordinator replay', () => {
  it('rebuilds from the log exactly the state the live path reached, and a refused write changes nothing', async () => {
    const seed = seedFor('group coordinator replay');
    await fc.assert(
      fc.asyncProperty(steps, async (run) => {
        const r = new Run();
        try {
          for (const { op: o, refused } of run) {
            if (!refused) {
              await r.apply(o);
              await settle();
              continue;
            }
            const before = plain(r.live.storedGroups());
            const endBefore = r.log.logEndOffset;
            r.log.updateConfig(REFUSING);
            await r.apply(o);
            await settle();
            r.log.updateConfig(COMPACTED);
            expect(r.log.logEndOffset).toBe(endBefore);
            expect(plain(r.live.storedGroups())).toEqual(before);
            if (before.length > 0) reached.refusedWithStoredState++;
          }
          checkRebuilt(r);
          expect(r.warnings.filter((w) => w.includes('unreadable'))).toEqual([]);
        } finally {
          r.live.close();
          r.log.close(r.clock.now());
        }
      }),
      { seed, numRuns: 80 },
    );
    console.log('group coordinator replay reached', reached);
    for (const count of Object.values(reached)) expect(count).toBeGreaterThan(0);
  });
});
