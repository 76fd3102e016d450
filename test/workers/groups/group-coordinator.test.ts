// GroupCoordinator on a real __consumer_offsets PartitionLog in a temp dir: commits written before they
// are acknowledged and replayed after reopening, group metadata replay, tombstones of DeleteGroups,
// OffsetDelete and offset expiry, the offset metadata limit, unreadable records at load; and round trips
// of the group record layouts (fast-check). Test-only.
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CommitRequest, GroupDescription, GroupSettings, JoinResult } from '../../../src/shared/group-protocol.js';
import { ErrorCode } from '../../../src/shared/kafka-error-codes.js';
import { buildRecordBatch, type ProducedRecord } from '../../../src/shared/record-batch-codec.js';
import { FaultInjectingFileAccess } from '../../../workers/io/fault-injecting-file-access.js';
import { NodeFileAccess } from '../../../workers/io/file-access.js';
import { GroupCoordinator } from '../../../workers/groups/group-coordinator.js';
import {
  decodeGroupValue,
  decodeKey,
  decodeOffsetValue,
  encodeGroupKey,
  encodeGroupValue,
  encodeOffsetKey,
  encodeOffsetValue,
  type GroupValue,
  type OffsetValue,
} from '../../../workers/groups/group-records.js';
import { PartitionLog } from '../../../workers/log/partition-log.js';
import { tempDir } from '../../helpers/temp-dir.js';
import { logConfig, readAll, seedFor } from '../log/log-test-kit.js';
import { Answer, bytes, groupSettings, joinRequest, ManualClock, settle, syncRequest, text } from './group-test-kit.js';

/** One __consumer_offsets partition with its coordinator, which can be closed and reopened (or crash). */
class OffsetsPartition {
  readonly files = new FaultInjectingFileAccess(new NodeFileAccess());
  readonly dir = join(tempDir('fjord-groups-'), '__consumer_offsets-0');
  readonly clock = new ManualClock();
  readonly reports: Array<{ level: string; message: string }> = [];
  readonly settings: GroupSettings;
  log!: PartitionLog;
  coordinator!: GroupCoordinator;

  constructor(overrides: Partial<GroupSettings> = {}) {
    this.settings = groupSettings({ initialRebalanceDelayMs: 0, ...overrides });
    this.open(true);
  }

  private open(trustedOnDisk: boolean): void {
    this.log = PartitionLog.open(this.files, this.dir, logConfig({ cleanupPolicy: 'compact' }), { nowMs: this.clock.now(), trustedOnDisk });
    this.coordinator = new GroupCoordinator(this.log, this.settings, this.clock, (level, message) => this.reports.push({ level, message }));
    this.coordinator.load();
  }

  /** Clean close and reopen: every group is rebuilt by replaying the partition. */
  reopen(): void {
    this.coordinator.close();
    this.log.close(this.clock.now());
    this.open(true);
  }

  /** The process dies without closing anything; the partition is recovered at reopen. */
  crashAndReopen(): void {
    this.coordinator.close();
    this.log.abandon();
    this.open(false);
  }

  warnings(): string[] {
    return this.reports.filter((r) => r.level === 'warn').map((r) => r.message);
  }

  append(records: ProducedRecord[]): void {
    const batch = buildRecordBatch(records, { baseTimestamp: this.clock.now() });
    expect(this.log.append(batch, 0, batch.length, 'client', this.clock.now())).toBe(ErrorCode.NONE);
  }

  close(): void {
    this.coordinator.close();
    this.log.close(this.clock.now());
  }
}

function outsideCommit(groupId: string, offsets: Array<{ topic: string; partition: number; offset: number; metadata?: string | null }>): CommitRequest {
  return {
    groupId,
    memberId: '',
    groupInstanceId: null,
    generationId: -1,
    offsets: offsets.map((o) => ({ topic: o.topic, partition: o.partition, offset: o.offset, leaderEpoch: 4, metadata: o.metadata ?? null })),
  };
}

function committed(p: OffsetsPartition, groupId: string): Array<[string, number, number, string]> {
  return p.coordinator
    .fetchOffsets({ groupId, partitions: null })
    .offsets.map((o): [string, number, number, string] => [o.topic, o.partition, o.offset, o.metadata])
    .sort((a, b) => (a[0] + a[1]).localeCompare(b[0] + b[1]));
}

/** Two members join, the leader assigns, the group is Stable; returns the join answers (leader first). */
async function stableGroup(p: OffsetsPartition, groupId: string): Promise<JoinResult[]> {
  const subscription = (topics: string[]) => {
    // ConsumerProtocolSubscription v0: int16 version · topics[] string · bytes userData (here null).
    const parts = [Buffer.from([0, 0]), Buffer.alloc(4)];
    parts[1]!.writeInt32BE(topics.length);
    for (const t of topics) parts.push(Buffer.from([0, t.length]), Buffer.from(t));
    parts.push(Buffer.from([0xff, 0xff, 0xff, 0xff]));
    return new Uint8Array(Buffer.concat(parts));
  };
  const request = (clientId: string) =>
    joinRequest({
      groupId,
      clientId,
      sessionTimeoutMs: 10_000,
      rebalanceTimeoutMs: 20_000,
      protocols: [{ name: 'range', metadata: subscription(['orders']) }],
    });
  const first = new Answer(p.coordinator.join(request('c1')));
  await settle();
  const second = new Answer(p.coordinator.join(request('c2')));
  const again = new Answer(p.coordinator.join({ ...request('c1'), memberId: first.get().memberId }));
  await settle();
  const results = [again.get(), second.get()].sort((a) => (a.leader === a.memberId ? -1 : 1));
  const [leader, follower] = results as [JoinResult, JoinResult];
  expect([leader.generationId, follower.generationId]).toEqual([2, 2]);
  const assignments = leader.members.map((m) => ({ memberId: m.memberId, assignment: bytes(`assignment-of-${m.memberId}`) }));
  const syncs = [
    new Answer(p.coordinator.sync(syncRequest(follower.memberId, 2, { groupId }))),
    new Answer(p.coordinator.sync(syncRequest(leader.memberId, 2, { groupId, assignments }))),
  ];
  await settle();
  for (const s of syncs) expect(s.get().errorCode).toBe(ErrorCode.NONE);
  expect(p.coordinator.describe(groupId).state).toBe('Stable');
  return results;
}

describe('offset commits', () => {
  it('are in the log when acknowledged, and come back after a clean reopen or a crash', () => {
    const p = new OffsetsPartition();
    const errors = p.coordinator.commit(
      outsideCommit('g', [
        { topic: 'orders', partition: 0, offset: 10, metadata: 'first' },
        { topic: 'orders', partition: 1, offset: 20, metadata: null },
        { topic: 'payments', partition: 0, offset: 30, metadata: 'x' },
      ]),
    );
    expect(errors.map((e) => e.errorCode)).toEqual([ErrorCode.NONE, ErrorCode.NONE, ErrorCode.NONE]);
    // Acknowledged means written: the records are in the partition now, in Kafka's layout.
    const records = readAll(p.log, 0, 64 * 1024, 'log-end');
    expect(records.map((r) => decodeKey(r.key!))).toEqual([
      { kind: 'offset', groupId: 'g', topic: 'orders', partition: 0 },
      { kind: 'offset', groupId: 'g', topic: 'orders', partition: 1 },
      { kind: 'offset', groupId: 'g', topic: 'payments', partition: 0 },
    ]);
    expect(decodeOffsetValue(records[1]!.value!)).toEqual({ offset: 20, leaderEpoch: 4, metadata: '', commitTimestamp: p.clock.now() });
    p.clock.advance(1_000);
    p.coordinator.commit(outsideCommit('g', [{ topic: 'orders', partition: 0, offset: 11, metadata: 'second' }]));
    const expected = [
      ['orders', 0, 11, 'second'],
      ['orders', 1, 20, ''],
      ['payments', 0, 30, 'x'],
    ];
    expect(committed(p, 'g')).toEqual(expected);

    p.reopen();
    expect(committed(p, 'g')).toEqual(expected);
    expect(p.coordinator.fetchOffsets({ groupId: 'g', partitions: [{ topic: 'orders', partition: 9 }] }).offsets[0]).toMatchObject({
      offset: -1,
      metadata: '',
    });
    p.crashAndReopen();
    expect(committed(p, 'g')).toEqual(expected);
    p.close();
  });

  it('are not acknowledged nor applied when the write fails', () => {
    const p = new OffsetsPartition();
    p.coordinator.commit(outsideCommit('g', [{ topic: 'orders', partition: 0, offset: 1 }]));
    const endBefore = p.log.logEndOffset;
    p.files.failUnder(p.dir, 'EIO');
    const errors = p.coordinator.commit(outsideCommit('g', [{ topic: 'orders', partition: 0, offset: 2 }]));
    expect(errors.map((e) => e.errorCode)).toEqual([ErrorCode.KAFKA_STORAGE_ERROR]);
    expect(p.reports.some((r) => r.level === 'error')).toBe(true);
    expect(committed(p, 'g')).toEqual([['orders', 0, 1, '']]);
    p.files.heal();
    expect(p.log.logEndOffset).toBe(endBefore);
    p.crashAndReopen();
    expect(committed(p, 'g')).toEqual([['orders', 0, 1, '']]);
    p.close();
  });

  it('answers OFFSET_METADATA_TOO_LARGE past offset.metadata.max.bytes, writing nothing for that partition', () => {
    const p = new OffsetsPartition({ offsetMetadataMaxBytes: 8 });
    const endBefore = p.log.logEndOffset;
    // The limit counts UTF-8 bytes: four 'é' are 8 bytes, five are 10.
    const refused = p.coordinator.commit(outsideCommit('g', [{ topic: 'orders', partition: 0, offset: 5, metadata: 'ééééé' }]));
    expect(refused.map((e) => e.errorCode)).toEqual([ErrorCode.OFFSET_METADATA_TOO_LARGE]);
    expect(p.log.logEndOffset).toBe(endBefore);
    expect(committed(p, 'g')).toEqual([]);

    const mixed = p.coordinator.commit(
      outsideCommit('g', [
        { topic: 'orders', partition: 0, offset: 6, metadata: 'éééé' },
        { topic: 'orders', partition: 1, offset: 7, metadata: '123456789' },
      ]),
    );
    expect(mixed.map((e) => e.errorCode)).toEqual([ErrorCode.NONE, ErrorCode.OFFSET_METADATA_TOO_LARGE]);
    expect(p.log.logEndOffset).toBe(endBefore + 1);
    p.reopen();
    expect(committed(p, 'g')).toEqual([['orders', 0, 6, 'éééé']]);
    p.close();
  });

  it('from a member are checked against its generation, and from outside only while the group is empty', async () => {
    const p = new OffsetsPartition();
    const [leader] = await stableGroup(p, 'g');
    const fromOutside = p.coordinator.commit(outsideCommit('g', [{ topic: 'orders', partition: 0, offset: 1 }]));
    expect(fromOutside.map((e) => e.errorCode)).toEqual([ErrorCode.UNKNOWN_MEMBER_ID]);
    const member = (generationId: number): CommitRequest => ({
      ...outsideCommit('g', [{ topic: 'orders', partition: 0, offset: 3 }]),
      memberId: leader!.memberId,
      generationId,
    });
    expect(p.coordinator.commit(member(1)).map((e) => e.errorCode)).toEqual([ErrorCode.ILLEGAL_GENERATION]);
    expect(p.coordinator.commit(member(2)).map((e) => e.errorCode)).toEqual([ErrorCode.NONE]);
    // A generation of a group that does not exist: Kafka 3.9's classic coordinator answers ILLEGAL_GENERATION.
    expect(p.coordinator.commit({ ...member(2), groupId: 'unknown-group' }).map((e) => e.errorCode)).toEqual([ErrorCode.ILLEGAL_GENERATION]);
    expect(committed(p, 'g')).toEqual([['orders', 0, 3, '']]);
    p.close();
  });
});

describe('group metadata replay', () => {
  it('restores a Stable group with its members and assignments, whose sessions then run', async () => {
    const p = new OffsetsPartition();
    const [leader, follower] = await stableGroup(p, 'g');
    const plain = (d: GroupDescription) => ({ ...d, members: d.members.map((m) => ({ ...m, metadata: [...m.metadata], assignment: [...m.assignment] })) });
    const before = plain(p.coordinator.describe('g'));
    p.reopen();
    const after = p.coordinator.describe('g');
    expect(plain(after)).toEqual(before);
    expect(after.members.map((m) => [m.memberId, text(m.assignment)]).sort()).toEqual(
      [leader!.memberId, follower!.memberId].map((id) => [id, `assignment-of-${id}`]).sort(),
    );
    // The members carry on in generation 2 without rejoining.
    expect(p.coordinator.heartbeat({ groupId: 'g', memberId: follower!.memberId, groupInstanceId: null, generationId: 2 })).toBe(ErrorCode.NONE);
    const sync = await p.coordinator.sync(syncRequest(follower!.memberId, 2));
    expect([sync.errorCode, text(sync.assignment)]).toEqual([ErrorCode.NONE, `assignment-of-${follower!.memberId}`]);
    // Sessions were started at load: the leader, silent since, is gone after its session timeout.
    p.clock.advance(9_000);
    expect(p.coordinator.heartbeat({ groupId: 'g', memberId: follower!.memberId, groupInstanceId: null, generationId: 2 })).toBe(ErrorCode.NONE);
    p.clock.advance(1_000);
    expect(p.coordinator.describe('g').members.map((m) => m.memberId)).toEqual([follower!.memberId]);
    expect(p.coordinator.describe('g').state).toBe('PreparingRebalance');
    // Nobody rejoins: after the rebalance timeout the group is Empty in generation 3, and stays so on reload.
    p.clock.advance(20_000);
    expect(p.coordinator.describe('g')).toMatchObject({ state: 'Empty', members: [] });
    p.reopen();
    expect(p.coordinator.describe('g')).toMatchObject({ state: 'Empty', members: [], protocolType: 'consumer' });
    const rejoin = await p.coordinator.join(joinRequest({ groupId: 'g' }));
    expect(rejoin.generationId).toBe(4);
    p.close();
  });

  it('answers NOT_COORDINATOR to members waiting when the partition closes', async () => {
    const p = new OffsetsPartition({ initialRebalanceDelayMs: 3_000 });
    const waiting = p.coordinator.join(joinRequest({ groupId: 'g' }));
    p.coordinator.close();
    expect((await waiting).errorCode).toBe(ErrorCode.NOT_COORDINATOR);
    p.log.close(p.clock.now());
  });
});

describe('tombstones', () => {
  it('of DeleteGroups and OffsetDelete are replayed as deletions', async () => {
    const p = new OffsetsPartition();
    p.coordinator.commit(outsideCommit('gone', [{ topic: 'orders', partition: 0, offset: 1 }]));
    p.coordinator.commit(
      outsideCommit('kept', [
        { topic: 'orders', partition: 0, offset: 2 },
        { topic: 'orders', partition: 1, offset: 3 },
        { topic: 'audit', partition: 0, offset: 4 },
      ]),
    );
    await stableGroup(p, 'busy');
    p.coordinator.commit(outsideCommit('busy-offsets', [{ topic: 'orders', partition: 0, offset: 5 }]));

    expect(p.coordinator.deleteGroup('busy')).toBe(ErrorCode.NON_EMPTY_GROUP);
    expect(p.coordinator.deleteGroup('never-was')).toBe(ErrorCode.GROUP_ID_NOT_FOUND);
    expect(p.coordinator.deleteGroup('gone')).toBe(ErrorCode.NONE);
    // A deleted group id used again starts from nothing.
    p.coordinator.commit(outsideCommit('reborn', [{ topic: 'orders', partition: 0, offset: 6 }]));
    expect(p.coordinator.deleteGroup('reborn')).toBe(ErrorCode.NONE);
    p.coordinator.commit(outsideCommit('reborn', [{ topic: 'orders', partition: 1, offset: 7 }]));
    const deleted = p.coordinator.deleteOffsets({
      groupId: 'kept',
      partitions: [
        { topic: 'orders', partition: 0 },
        { topic: 'orders', partition: 7 },
      ],
    });
    expect(deleted).toEqual({
      errorCode: ErrorCode.NONE,
      partitions: [
        { topic: 'orders', partition: 0, errorCode: ErrorCode.NONE },
        { topic: 'orders', partition: 7, errorCode: ErrorCode.NONE },
      ],
    });
    // A live consumer group's subscribed topics keep their offsets.
    const subscribed = p.coordinator.deleteOffsets({
      groupId: 'busy',
      partitions: [
        { topic: 'orders', partition: 0 },
        { topic: 'other', partition: 0 },
      ],
    });
    expect(subscribed.partitions.map((x) => x.errorCode)).toEqual([ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC, ErrorCode.NONE]);

    const check = () => {
      expect(committed(p, 'gone')).toEqual([]);
      expect(committed(p, 'kept')).toEqual([
        ['audit', 0, 4, ''],
        ['orders', 1, 3, ''],
      ]);
      expect(committed(p, 'reborn')).toEqual([['orders', 1, 7, '']]);
      expect(
        p.coordinator
          .list()
          .map((g) => g.groupId)
          .sort(),
      ).toEqual(['busy', 'busy-offsets', 'kept', 'reborn']);
    };
    check();
    p.reopen();
    check();
    expect(p.warnings()).toEqual([]);
    p.close();
  });

  it('of offset expiry are replayed as deletions, for groups empty longer than the retention', () => {
    const p = new OffsetsPartition({ offsetsRetentionMs: 60_000, offsetsRetentionCheckIntervalMs: 10_000 });
    p.coordinator.commit(
      outsideCommit('stale', [
        { topic: 'orders', partition: 0, offset: 1 },
        { topic: 'orders', partition: 1, offset: 2 },
      ]),
    );
    p.coordinator.commit(outsideCommit('mixed', [{ topic: 'orders', partition: 0, offset: 3 }]));
    p.clock.setNow(p.clock.now() + 50_000);
    p.coordinator.commit(outsideCommit('mixed', [{ topic: 'orders', partition: 1, offset: 4 }]));
    // At 60 s nothing is older than the retention yet.
    p.clock.setNow(p.clock.now() + 10_000);
    expect(p.coordinator.expireOffsets()).toBe(0);
    p.clock.setNow(p.clock.now() + 1);
    expect(p.coordinator.expireOffsets()).toBe(2 + 1);
    const check = () => {
      expect(committed(p, 'stale')).toEqual([]);
      expect(committed(p, 'mixed')).toEqual([['orders', 1, 4, '']]);
      expect(p.coordinator.list().map((g) => g.groupId)).toEqual(['mixed']);
    };
    check();
    p.reopen();
    check();
    p.close();
  });

  it('of offset expiry go by commit time for standalone consumers, across reloads', () => {
    // A group that only stores offsets (no members ever) loses them once the retention has passed
    // since their commit, as in Kafka; a reload in between does not restart the count.
    const p = new OffsetsPartition({ offsetsRetentionMs: 60_000, offsetsRetentionCheckIntervalMs: 1_000_000 });
    p.coordinator.commit(outsideCommit('standalone', [{ topic: 'orders', partition: 0, offset: 1 }]));
    p.clock.setNow(p.clock.now() + 30_000);
    p.reopen();
    p.clock.setNow(p.clock.now() + 30_000);
    expect(p.coordinator.expireOffsets()).toBe(0);
    p.clock.setNow(p.clock.now() + 1);
    expect(p.coordinator.expireOffsets()).toBe(1);
    p.reopen();
    expect(committed(p, 'standalone')).toEqual([]);
    expect(p.coordinator.list()).toEqual([]);
    p.close();
  });

  it('of offset expiry wait for a consumer group to be empty for the retention', async () => {
    const p = new OffsetsPartition({ offsetsRetentionMs: 60_000, offsetsRetentionCheckIntervalMs: 1_000_000 });
    const [leader, follower] = await stableGroup(p, 'g');
    const commit: CommitRequest = { ...outsideCommit('g', [{ topic: 'orders', partition: 0, offset: 8 }]), memberId: leader!.memberId, generationId: 2 };
    expect(p.coordinator.commit(commit).map((e) => e.errorCode)).toEqual([ErrorCode.NONE]);
    for (let t = 0; t < 120_000; t += 5_000) {
      p.clock.advance(5_000);
      for (const m of [leader!, follower!]) p.coordinator.heartbeat({ groupId: 'g', memberId: m.memberId, groupInstanceId: null, generationId: 2 });
    }
    // Stable for two minutes with a two-minute-old commit: nothing expires.
    expect(p.coordinator.expireOffsets()).toBe(0);
    p.coordinator.leave({ groupId: 'g', members: [leader!, follower!].map((m) => ({ memberId: m.memberId, groupInstanceId: null })) });
    expect(p.coordinator.describe('g').state).toBe('Empty');
    p.clock.setNow(p.clock.now() + 60_000);
    expect(p.coordinator.expireOffsets()).toBe(0);
    p.reopen();
    p.clock.setNow(p.clock.now() + 1);
    expect(p.coordinator.expireOffsets()).toBe(1);
    expect(committed(p, 'g')).toEqual([]);
    p.close();
  });

  it("of offset expiry drop a Stable consumer group's old offsets of topics no member subscribes to", async () => {
    const p = new OffsetsPartition({ offsetsRetentionMs: 60_000, offsetsRetentionCheckIntervalMs: 1_000_000 });
    const [leader, follower] = await stableGroup(p, 'g');
    const commit: CommitRequest = {
      ...outsideCommit('g', [
        { topic: 'orders', partition: 0, offset: 8 },
        { topic: 'audit', partition: 0, offset: 9 },
      ]),
      memberId: leader!.memberId,
      generationId: 2,
    };
    expect(p.coordinator.commit(commit).map((e) => e.errorCode)).toEqual([ErrorCode.NONE, ErrorCode.NONE]);
    for (let t = 0; t < 65_000; t += 5_000) {
      p.clock.advance(5_000);
      for (const m of [leader!, follower!]) p.coordinator.heartbeat({ groupId: 'g', memberId: m.memberId, groupInstanceId: null, generationId: 2 });
    }
    expect(p.coordinator.expireOffsets()).toBe(1);
    expect(committed(p, 'g').map((o) => o[0])).toEqual(['orders']);
    p.reopen();
    expect(committed(p, 'g').map((o) => o[0])).toEqual(['orders']);
    p.close();
  });

  it('of offset expiry are written by the periodic check started at load', () => {
    const p = new OffsetsPartition({ offsetsRetentionMs: 60_000, offsetsRetentionCheckIntervalMs: 10_000 });
    p.coordinator.commit(outsideCommit('stale', [{ topic: 'orders', partition: 0, offset: 1 }]));
    p.clock.advance(70_000);
    expect(committed(p, 'stale')).toEqual([]);
    expect(p.reports.some((r) => r.level === 'info' && r.message.includes('expired 1'))).toBe(true);
    p.crashAndReopen();
    expect(committed(p, 'stale')).toEqual([]);
    expect(p.coordinator.list()).toEqual([]);
    p.close();
  });
});

describe('load', () => {
  it('skips an unreadable record with a warning and replays the rest', () => {
    const p = new OffsetsPartition();
    const offset = (value: number): Buffer => encodeOffsetValue({ offset: value, leaderEpoch: 1, metadata: '', commitTimestamp: p.clock.now() });
    p.append([
      { key: encodeOffsetKey('g', 'orders', 0), value: offset(100) },
      { key: encodeOffsetKey('g', 'orders', 1), value: Buffer.from([0, 3, 0, 0]) }, // a value cut short
      { key: encodeGroupKey('g'), value: Buffer.from([0, 99, 1, 2, 3]) }, // a group value version Fjord does not read
      { key: Buffer.from([0]), value: offset(1) }, // a key cut short
      { key: Buffer.from([0, 7, 0, 0]), value: offset(1) }, // a key of another kind: not ours, ignored
      { key: encodeOffsetKey('g', 'orders', 2), value: offset(102) },
    ]);
    p.append([{ key: encodeOffsetKey('h', 'orders', 0), value: offset(200) }]);
    p.reopen();
    expect(committed(p, 'g')).toEqual([
      ['orders', 0, 100, ''],
      ['orders', 2, 102, ''],
    ]);
    expect(committed(p, 'h')).toEqual([['orders', 0, 200, '']]);
    expect(p.warnings()).toHaveLength(3);
    expect(p.warnings().every((w) => w.includes('skipped an unreadable record'))).toBe(true);
    p.close();
  });
});

describe('group records', () => {
  const text16 = fc.string({ unit: 'binary', maxLength: 40 });
  const nullableText = fc.option(text16, { nil: null });
  const someBytes = fc.uint8Array({ maxLength: 64 });
  const int32 = fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });
  const int64 = fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER });

  it('round-trip keys and values, null strings and empty bytes included', () => {
    const seed = seedFor('group records');
    const offsetValue: fc.Arbitrary<OffsetValue> = fc.record({ offset: int64, leaderEpoch: int32, metadata: text16, commitTimestamp: int64 });
    const groupValue: fc.Arbitrary<GroupValue> = fc.record({
      protocolType: text16,
      generationId: int32,
      protocolName: nullableText,
      leader: nullableText,
      stateTimestamp: int64,
      members: fc.array(
        fc.record({
          memberId: text16,
          groupInstanceId: nullableText,
          clientId: text16,
          clientHost: text16,
          rebalanceTimeoutMs: int32,
          sessionTimeoutMs: int32,
          subscription: fc.oneof(fc.constant(new Uint8Array(0)), someBytes),
          assignment: fc.oneof(fc.constant(new Uint8Array(0)), someBytes),
        }),
        { maxLength: 5 },
      ),
    });
    fc.assert(
      fc.property(text16, text16, int32, offsetValue, groupValue, (groupId, topic, partition, offsetV, groupV) => {
        expect(decodeKey(encodeOffsetKey(groupId, topic, partition))).toEqual({ kind: 'offset', groupId, topic, partition });
        expect(decodeKey(encodeGroupKey(groupId))).toEqual({ kind: 'group', groupId });
        expect(decodeOffsetValue(encodeOffsetValue(offsetV))).toEqual(offsetV);
        const decoded = decodeGroupValue(encodeGroupValue(groupV));
        expect({ ...decoded, members: decoded.members.map(plainBytes) }).toEqual({ ...groupV, members: groupV.members.map(plainBytes) });
      }),
      { seed, numRuns: 300 },
    );
  });

  it('are laid out as Kafka writes them', () => {
    expect(encodeOffsetKey('g', 't', 3).toString('hex')).toBe('0001' + '000167' + '000174' + '00000003');
    expect(encodeGroupKey('g').toString('hex')).toBe('0002' + '000167');
    expect(encodeOffsetValue({ offset: 5, leaderEpoch: 2, metadata: '', commitTimestamp: 9 }).toString('hex')).toBe(
      '0003' + '0000000000000005' + '00000002' + '0000' + '0000000000000009',
    );
    // A version 1 value (offset · metadata · commit timestamp · expire timestamp) reads without an epoch.
    const v1 = Buffer.from('0001' + '000000000000002a' + '00026d64' + '0000000000000063' + '00000000000003e7', 'hex');
    expect(decodeOffsetValue(v1)).toEqual({ offset: 42, leaderEpoch: -1, metadata: 'md', commitTimestamp: 99 });
    const empty = encodeGroupValue({ protocolType: 'consumer', generationId: 1, protocolName: null, leader: null, stateTimestamp: 7, members: [] });
    expect(empty.toString('hex')).toBe(`00030008${Buffer.from('consumer').toString('hex')}00000001ffffffff000000000000000700000000`);
  });
});

function plainBytes<T extends { subscription: Uint8Array; assignment: Uint8Array }>(m: T): T & { subscription: number[]; assignment: number[] } {
  return { ...m, subscription: [...m.subscription], assignment: [...m.assignment] } as T & { subscription: number[]; assignment: number[] };
}
