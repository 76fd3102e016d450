// The group coordinator at the protocol level, with requests shaped the way no single client library
// sends them: oldest and newest versions, two members on two connections, wrong generations, unknown and
// fenced members, bad group ids and timeouts, offsets for unknown topics, deletes, and a restart.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrokerHandle } from '../../src/broker.js';
import { offsetsPartitionOf } from '../../src/broker/group-router.js';
import { OFFSETS_TOPIC } from '../../src/shared/group-protocol.js';
import { ErrorCode } from '../../src/shared/kafka-error-codes.js';
import { buildRecordBatch } from '../../src/shared/record-batch-codec.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitUntil } from '../helpers/wait-until.js';
import { RawClient } from './raw-client.js';
import { startTestBroker } from './test-broker.js';

const SETTINGS = {
  'group.initial.rebalance.delay.ms': '0',
  'group.min.session.timeout.ms': '100',
  'offsets.topic.num.partitions': '4',
  'offset.metadata.max.bytes': '16',
};

let logDir: string;
let broker: BrokerHandle;
const clients: RawClient[] = [];

async function connect(): Promise<RawClient> {
  const client = await RawClient.connect(broker.address.host, broker.address.port);
  clients.push(client);
  return client;
}

beforeAll(async () => {
  logDir = tempDir('fjord-groups-');
  broker = await startTestBroker({ ...SETTINGS, 'log.dirs': logDir });
  await broker.topics.createTopic('orders', 3);
});

afterAll(async () => {
  for (const c of clients) c.close();
  await broker?.stop();
});

/** ConsumerProtocolSubscription v0: int16 version · topics[] string · userData bytes (null). */
function subscription(topics: string[]): Buffer {
  const parts = [Buffer.from([0, 0]), int32(topics.length)];
  for (const t of topics) parts.push(Buffer.from([t.length >> 8, t.length & 0xff]), Buffer.from(t));
  parts.push(int32(-1));
  return Buffer.concat(parts);
}

function int32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
}

const PROTOCOLS = [{ name: 'range', metadata: subscription(['orders']) }];

interface Joined {
  memberId: string;
  generationId: number;
  leader: string;
}

/** A v5 dynamic member's join: MEMBER_ID_REQUIRED first, then the real join with the id it was given. */
async function joinV5(client: RawClient, groupId: string, sessionTimeoutMs = 10_000, groupInstanceId: string | null = null) {
  const first = await client.call(11, 5, {
    groupId,
    sessionTimeoutMs,
    rebalanceTimeoutMs: 10_000,
    memberId: '',
    groupInstanceId,
    protocolType: 'consumer',
    protocols: PROTOCOLS,
  });
  if (groupInstanceId !== null) return first;
  expect(first.errorCode).toBe(ErrorCode.MEMBER_ID_REQUIRED);
  expect(first.memberId).not.toBe('');
  return client.call(11, 5, {
    groupId,
    sessionTimeoutMs,
    rebalanceTimeoutMs: 10_000,
    memberId: first.memberId,
    groupInstanceId,
    protocolType: 'consumer',
    protocols: PROTOCOLS,
  });
}

async function syncAsLeader(client: RawClient, groupId: string, joined: Joined, assignments: Array<{ memberId: string; assignment: Buffer }>) {
  return client.call(14, 5, {
    groupId,
    generationId: joined.generationId,
    memberId: joined.memberId,
    groupInstanceId: null,
    protocolType: 'consumer',
    protocolName: 'range',
    assignments,
  });
}

async function describeGroup(client: RawClient, groupId: string) {
  const { groups } = await client.call(15, 5, { groups: [groupId], includeAuthorizedOperations: false });
  return groups[0]!;
}

describe('FindCoordinator', () => {
  it('names this broker for groups at v0–v4 and creates the compacted, internal __consumer_offsets', async () => {
    const client = await connect();
    for (const version of [0, 1, 2, 3]) {
      const found = await client.call(10, version, { key: 'g-find', keyType: 0 });
      expect(found).toMatchObject({ errorCode: 0, nodeId: broker.config.nodeId, host: broker.address.host, port: broker.address.port });
    }
    const v4 = await client.call(10, 4, { keyType: 0, coordinatorKeys: ['a', 'b', ''] });
    expect(v4.coordinators.map((c) => [c.key, c.errorCode, c.port])).toEqual([
      ['a', 0, broker.address.port],
      ['b', 0, broker.address.port],
      ['', ErrorCode.INVALID_GROUP_ID, -1],
    ]);
    expect((await client.call(10, 1, { key: 'tx', keyType: 1 })).errorCode).toBe(ErrorCode.INVALID_REQUEST);
    expect(broker.topics.topic(OFFSETS_TOPIC)?.partitions).toBe(4);
    expect(broker.topics.configOf(OFFSETS_TOPIC).cleanupPolicy).toBe('compact');
    const metadata = await client.call(3, 9, { topics: [{ name: OFFSETS_TOPIC }], allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false });
    expect(metadata.topics[0]).toMatchObject({ name: OFFSETS_TOPIC, isInternal: true });
  });

  it('refuses produce to and deletion of __consumer_offsets', async () => {
    const client = await connect();
    await client.call(10, 0, { key: 'g-any' });
    const records = buildRecordBatch([{ key: Buffer.from('k'), value: Buffer.from('v') }]);
    const produced = await client.call(0, 7, {
      transactionalId: null,
      acks: -1,
      timeoutMs: 1000,
      topicData: [{ name: OFFSETS_TOPIC, partitionData: [{ index: 0, records }] }],
    });
    expect(produced.responses[0]!.partitionResponses[0]!.errorCode).toBe(ErrorCode.INVALID_TOPIC_EXCEPTION);
    const deleted = await client.call(20, 1, { topicNames: [OFFSETS_TOPIC], timeoutMs: 1000 });
    expect(deleted.responses[0]!.errorCode).toBe(ErrorCode.INVALID_TOPIC_EXCEPTION);
  });
});

describe('JoinGroup, SyncGroup, Heartbeat', () => {
  it('one member: MEMBER_ID_REQUIRED, generation 1 as leader, its assignment back, heartbeats', async () => {
    const client = await connect();
    const joined = await joinV5(client, 'solo');
    expect(joined).toMatchObject({ errorCode: 0, generationId: 1, protocolName: 'range', leader: joined.memberId });
    expect(joined.members).toEqual([{ memberId: joined.memberId, groupInstanceId: null, metadata: PROTOCOLS[0]!.metadata }]);
    const synced = await syncAsLeader(client, 'solo', joined, [{ memberId: joined.memberId, assignment: Buffer.from('p0,p1,p2') }]);
    expect(synced).toMatchObject({ errorCode: 0, protocolType: 'consumer', protocolName: 'range' });
    expect(Buffer.from(synced.assignment).toString()).toBe('p0,p1,p2');
    const beat = (generationId: number, memberId: string) => client.call(12, 4, { groupId: 'solo', generationId, memberId, groupInstanceId: null });
    expect((await beat(1, joined.memberId)).errorCode).toBe(0);
    expect((await beat(2, joined.memberId)).errorCode).toBe(ErrorCode.ILLEGAL_GENERATION);
    expect((await beat(1, 'stranger')).errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect((await client.call(12, 0, { groupId: 'nobody-here', generationId: 1, memberId: 'm' })).errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    const described = await describeGroup(client, 'solo');
    expect(described).toMatchObject({ errorCode: 0, groupState: 'Stable', protocolType: 'consumer', protocolData: 'range' });
    expect(described.members[0]).toMatchObject({ memberId: joined.memberId, clientId: 'fjord-raw-test', clientHost: '/127.0.0.1' });
  });

  it('JoinGroup v0 joins at once (no member id round trip)', async () => {
    const client = await connect();
    const joined = await client.call(11, 0, { groupId: 'old-style', sessionTimeoutMs: 10_000, memberId: '', protocolType: 'consumer', protocols: PROTOCOLS });
    expect(joined).toMatchObject({ errorCode: 0, generationId: 1 });
    expect(joined.memberId.startsWith('fjord-raw-test-')).toBe(true);
  });

  it('a second member triggers a rebalance: the first hears REBALANCE_IN_PROGRESS, rejoins, both get generation 2', async () => {
    const [a, b] = [await connect(), await connect()];
    const first = await joinV5(a, 'pair');
    await syncAsLeader(a, 'pair', first, [{ memberId: first.memberId, assignment: Buffer.from('all') }]);
    const bMemberId = (
      await b.call(11, 5, {
        groupId: 'pair',
        sessionTimeoutMs: 10_000,
        rebalanceTimeoutMs: 10_000,
        memberId: '',
        groupInstanceId: null,
        protocolType: 'consumer',
        protocols: PROTOCOLS,
      })
    ).memberId;
    const bJoin = b.call(11, 5, {
      groupId: 'pair',
      sessionTimeoutMs: 10_000,
      rebalanceTimeoutMs: 10_000,
      memberId: bMemberId,
      groupInstanceId: null,
      protocolType: 'consumer',
      protocols: PROTOCOLS,
    });
    await waitUntil(async () => (await describeGroup(a, 'pair')).groupState === 'PreparingRebalance', 'the rebalance to start');
    expect((await a.call(12, 4, { groupId: 'pair', generationId: 1, memberId: first.memberId, groupInstanceId: null })).errorCode).toBe(
      ErrorCode.REBALANCE_IN_PROGRESS,
    );
    const staleSync = await syncAsLeader(a, 'pair', first, []);
    expect(staleSync.errorCode).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    const aRejoin = await a.call(11, 5, {
      groupId: 'pair',
      sessionTimeoutMs: 10_000,
      rebalanceTimeoutMs: 10_000,
      memberId: first.memberId,
      groupInstanceId: null,
      protocolType: 'consumer',
      protocols: PROTOCOLS,
    });
    const bJoined = await bJoin;
    expect([aRejoin.generationId, bJoined.generationId]).toEqual([2, 2]);
    expect(aRejoin.leader).toBe(first.memberId);
    expect(aRejoin.members.map((m) => m.memberId).sort()).toEqual([first.memberId, bMemberId].sort());
    expect(bJoined.members).toEqual([]);
    const bSync = b.call(14, 3, { groupId: 'pair', generationId: 2, memberId: bMemberId, groupInstanceId: null, assignments: [] });
    const aSync = await syncAsLeader(a, 'pair', aRejoin, [
      { memberId: first.memberId, assignment: Buffer.from('a-part') },
      { memberId: bMemberId, assignment: Buffer.from('b-part') },
    ]);
    expect(Buffer.from(aSync.assignment).toString()).toBe('a-part');
    expect(Buffer.from((await bSync).assignment).toString()).toBe('b-part');
    expect((await syncAsLeader(a, 'pair', { ...aRejoin, generationId: 1 }, [])).errorCode).toBe(ErrorCode.ILLEGAL_GENERATION);
  });

  it('refuses bad group ids, session timeouts out of range and protocols the group does not share', async () => {
    const client = await connect();
    const join = (groupId: string, sessionTimeoutMs: number, protocolType = 'consumer', protocols = PROTOCOLS) =>
      client.call(11, 5, { groupId, sessionTimeoutMs, rebalanceTimeoutMs: 1000, memberId: '', groupInstanceId: null, protocolType, protocols });
    expect((await join('', 10_000)).errorCode).toBe(ErrorCode.INVALID_GROUP_ID);
    expect((await join('x'.repeat(250), 10_000)).errorCode).toBe(ErrorCode.INVALID_GROUP_ID);
    expect((await join('timeouts', 10)).errorCode).toBe(ErrorCode.INVALID_SESSION_TIMEOUT);
    expect((await join('timeouts', 1_900_000)).errorCode).toBe(ErrorCode.INVALID_SESSION_TIMEOUT);
    expect((await join('no-protocols', 10_000, 'consumer', [])).errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    const member = await joinV5(client, 'shared');
    expect(member.errorCode).toBe(0);
    expect((await join('shared', 10_000, 'connect')).errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    expect((await join('shared', 10_000, 'consumer', [{ name: 'roundrobin', metadata: Buffer.alloc(0) }])).errorCode).toBe(
      ErrorCode.INCONSISTENT_GROUP_PROTOCOL,
    );
    expect((await client.call(14, 0, { groupId: '', generationId: 1, memberId: 'm', assignments: [] })).errorCode).toBe(ErrorCode.INVALID_GROUP_ID);
    expect((await client.call(14, 0, { groupId: 'never-joined', generationId: 1, memberId: 'm', assignments: [] })).errorCode).toBe(
      ErrorCode.UNKNOWN_MEMBER_ID,
    );
  });

  it('metadata too large to store fails the sync (UNKNOWN_SERVER_ERROR, as Kafka) and the group recovers when the member rejoins smaller', async () => {
    const client = await connect();
    const huge = [{ name: 'range', metadata: Buffer.alloc(1_100_000, 1) }];
    const first = await client.call(11, 5, {
      groupId: 'bloated',
      sessionTimeoutMs: 10_000,
      rebalanceTimeoutMs: 10_000,
      memberId: '',
      groupInstanceId: null,
      protocolType: 'consumer',
      protocols: huge,
    });
    const joined = await client.call(11, 5, {
      groupId: 'bloated',
      sessionTimeoutMs: 10_000,
      rebalanceTimeoutMs: 10_000,
      memberId: first.memberId,
      groupInstanceId: null,
      protocolType: 'consumer',
      protocols: huge,
    });
    expect(joined.errorCode).toBe(0);
    expect((await syncAsLeader(client, 'bloated', joined, [{ memberId: joined.memberId, assignment: Buffer.from('a') }])).errorCode).toBe(
      ErrorCode.UNKNOWN_SERVER_ERROR,
    );
    expect((await describeGroup(client, 'bloated')).groupState).toBe('PreparingRebalance');
    const rejoined = await client.call(11, 5, {
      groupId: 'bloated',
      sessionTimeoutMs: 10_000,
      rebalanceTimeoutMs: 10_000,
      memberId: joined.memberId,
      groupInstanceId: null,
      protocolType: 'consumer',
      protocols: PROTOCOLS,
    });
    expect(rejoined).toMatchObject({ errorCode: 0, generationId: 2 });
    expect((await syncAsLeader(client, 'bloated', rejoined, [{ memberId: joined.memberId, assignment: Buffer.from('a') }])).errorCode).toBe(0);
    expect((await describeGroup(client, 'bloated')).groupState).toBe('Stable');
  });

  it('a member that stops heartbeating is removed after its session timeout; the group goes Empty', async () => {
    const client = await connect();
    const joined = await joinV5(client, 'sleepy', 300);
    await syncAsLeader(client, 'sleepy', joined, [{ memberId: joined.memberId, assignment: Buffer.from('x') }]);
    await waitUntil(async () => (await describeGroup(client, 'sleepy')).groupState === 'Empty', 'the member to time out', 10_000);
    expect((await describeGroup(client, 'sleepy')).members).toEqual([]);
  });
});

describe('static membership', () => {
  it('a restarted static member takes its place without a rebalance; its old member id is fenced', async () => {
    const client = await connect();
    const first = await joinV5(client, 'static', 10_000, 'instance-1');
    expect(first).toMatchObject({ errorCode: 0, generationId: 1 });
    await client.call(14, 5, {
      groupId: 'static',
      generationId: 1,
      memberId: first.memberId,
      groupInstanceId: 'instance-1',
      protocolType: 'consumer',
      protocolName: 'range',
      assignments: [{ memberId: first.memberId, assignment: Buffer.from('mine') }],
    });
    const again = await joinV5(client, 'static', 10_000, 'instance-1');
    expect(again).toMatchObject({ errorCode: 0, generationId: 1, leader: first.memberId, members: [] });
    expect(again.memberId).not.toBe(first.memberId);
    const synced = await client.call(14, 5, {
      groupId: 'static',
      generationId: 1,
      memberId: again.memberId,
      groupInstanceId: 'instance-1',
      protocolType: 'consumer',
      protocolName: 'range',
      assignments: [],
    });
    expect(Buffer.from(synced.assignment).toString()).toBe('mine');
    expect((await client.call(12, 4, { groupId: 'static', generationId: 1, memberId: first.memberId, groupInstanceId: 'instance-1' })).errorCode).toBe(
      ErrorCode.FENCED_INSTANCE_ID,
    );
    expect((await client.call(12, 4, { groupId: 'static', generationId: 1, memberId: again.memberId, groupInstanceId: 'instance-1' })).errorCode).toBe(0);
    const left = await client.call(13, 4, {
      groupId: 'static',
      members: [
        { memberId: '', groupInstanceId: 'instance-1' },
        { memberId: 'ghost', groupInstanceId: null },
      ],
    });
    expect(left.members.map((m) => m.errorCode)).toEqual([0, ErrorCode.UNKNOWN_MEMBER_ID]);
    expect((await describeGroup(client, 'static')).groupState).toBe('Empty');
  });
});

describe('offsets', () => {
  it('commits from a member and from an admin (generation -1) while empty; fetch at v1, v5 and v8', async () => {
    const client = await connect();
    const joined = await joinV5(client, 'committer');
    await syncAsLeader(client, 'committer', joined, []);
    const commit = (
      generationIdOrMemberEpoch: number,
      memberId: string,
      partitions: Array<{ partitionIndex: number; committedOffset: number; committedMetadata: string | null }>,
      name = 'orders',
    ) =>
      client.call(8, 8, {
        groupId: 'committer',
        generationIdOrMemberEpoch,
        memberId,
        groupInstanceId: null,
        topics: [{ name, partitions: partitions.map((p) => ({ ...p, committedLeaderEpoch: 3 })) }],
      });
    const ok = await commit(1, joined.memberId, [
      { partitionIndex: 0, committedOffset: 10, committedMetadata: 'm' },
      { partitionIndex: 1, committedOffset: 20, committedMetadata: 'x'.repeat(17) },
      { partitionIndex: 7, committedOffset: 1, committedMetadata: null },
    ]);
    expect(ok.topics[0]!.partitions.map((p) => p.errorCode)).toEqual([0, ErrorCode.OFFSET_METADATA_TOO_LARGE, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]);
    expect(
      (await commit(1, joined.memberId, [{ partitionIndex: 0, committedOffset: 1, committedMetadata: '' }], 'no-such-topic')).topics[0]!.partitions[0]!
        .errorCode,
    ).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    expect((await commit(5, joined.memberId, [{ partitionIndex: 0, committedOffset: 1, committedMetadata: '' }])).topics[0]!.partitions[0]!.errorCode).toBe(
      ErrorCode.ILLEGAL_GENERATION,
    );
    expect((await commit(1, 'stranger', [{ partitionIndex: 0, committedOffset: 1, committedMetadata: '' }])).topics[0]!.partitions[0]!.errorCode).toBe(
      ErrorCode.UNKNOWN_MEMBER_ID,
    );
    // An admin tool resetting offsets of a group with live members is refused.
    expect((await commit(-1, '', [{ partitionIndex: 0, committedOffset: 0, committedMetadata: '' }])).topics[0]!.partitions[0]!.errorCode).toBe(
      ErrorCode.UNKNOWN_MEMBER_ID,
    );

    const v1 = await client.call(9, 1, { groupId: 'committer', topics: [{ name: 'orders', partitionIndexes: [0, 1] }] });
    expect(v1.topics[0]!.partitions.map((p) => [p.partitionIndex, p.committedOffset, p.metadata])).toEqual([
      [0, 10, 'm'],
      [1, -1, ''],
    ]);
    const v5 = await client.call(9, 5, { groupId: 'committer', topics: null });
    expect(v5).toMatchObject({
      errorCode: 0,
      topics: [{ name: 'orders', partitions: [{ partitionIndex: 0, committedOffset: 10, committedLeaderEpoch: 3, metadata: 'm', errorCode: 0 }] }],
    });
    const v8 = await client.call(9, 8, {
      groups: [
        { groupId: 'committer', topics: null },
        { groupId: '', topics: [{ name: 'orders', partitionIndexes: [0] }] },
      ],
      requireStable: false,
    });
    expect(v8.groups.map((g) => [g.groupId, g.errorCode, g.topics.length])).toEqual([
      ['committer', 0, 1],
      ['', ErrorCode.INVALID_GROUP_ID, 1],
    ]);

    await client.call(13, 0, { groupId: 'committer', memberId: joined.memberId });
    expect((await commit(-1, '', [{ partitionIndex: 2, committedOffset: 30, committedMetadata: 'reset' }])).topics[0]!.partitions[0]!.errorCode).toBe(0);
    const after = await client.call(9, 5, { groupId: 'committer', topics: [{ name: 'orders', partitionIndexes: [2] }] });
    expect(after.topics[0]!.partitions[0]!.committedOffset).toBe(30);
  });

  it('OffsetDelete refuses topics live members subscribe to; DeleteGroups removes empty groups only', async () => {
    const client = await connect();
    const joined = await joinV5(client, 'deleter');
    await syncAsLeader(client, 'deleter', joined, []);
    await client.call(8, 2, {
      groupId: 'deleter',
      generationIdOrMemberEpoch: 1,
      memberId: joined.memberId,
      topics: [{ name: 'orders', partitions: [{ partitionIndex: 0, committedOffset: 4, committedMetadata: '' }] }],
    });
    const refused = await client.call(47, 0, { groupId: 'deleter', topics: [{ name: 'orders', partitions: [{ partitionIndex: 0 }] }] });
    expect(refused.topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC);
    expect((await client.call(42, 2, { groupsNames: ['deleter', 'unknown-group'] })).results.map((r) => r.errorCode)).toEqual([
      ErrorCode.NON_EMPTY_GROUP,
      ErrorCode.GROUP_ID_NOT_FOUND,
    ]);
    await client.call(13, 3, { groupId: 'deleter', members: [{ memberId: joined.memberId, groupInstanceId: null }] });
    const deletedOffset = await client.call(47, 0, { groupId: 'deleter', topics: [{ name: 'orders', partitions: [{ partitionIndex: 0 }] }] });
    expect(deletedOffset).toMatchObject({ errorCode: 0, topics: [{ name: 'orders', partitions: [{ partitionIndex: 0, errorCode: 0 }] }] });
    expect((await client.call(9, 5, { groupId: 'deleter', topics: null })).topics).toEqual([]);
    expect((await client.call(42, 0, { groupsNames: ['deleter'] })).results[0]!.errorCode).toBe(0);
    expect((await describeGroup(client, 'deleter')).groupState).toBe('Dead');
    expect((await client.call(47, 0, { groupId: 'deleter', topics: [] })).errorCode).toBe(ErrorCode.GROUP_ID_NOT_FOUND);
  });

  it('ListGroups v0 and v4 (filtered by state) list groups across every coordinator', async () => {
    const client = await connect();
    const v0 = await client.call(16, 0, {});
    expect(v0.groups.map((g) => g.groupId)).toEqual(expect.arrayContaining(['solo', 'pair', 'committer']));
    const stable = await client.call(16, 4, { statesFilter: ['Stable'] });
    expect(stable.groups.every((g) => g.groupState === 'Stable')).toBe(true);
    expect(stable.groups.map((g) => g.groupId)).toContain('solo');
    expect(stable.groups.map((g) => g.groupId)).not.toContain('committer');
  });
});

describe('across a restart', () => {
  it('committed offsets and a Stable group come back; the member keeps heartbeating in its generation', async () => {
    let client = await connect();
    const joined = await joinV5(client, 'survivor');
    await syncAsLeader(client, 'survivor', joined, [{ memberId: joined.memberId, assignment: Buffer.from('kept') }]);
    await client.call(8, 8, {
      groupId: 'survivor',
      generationIdOrMemberEpoch: 1,
      memberId: joined.memberId,
      groupInstanceId: null,
      topics: [{ name: 'orders', partitions: [{ partitionIndex: 1, committedOffset: 99, committedLeaderEpoch: -1, committedMetadata: 'before restart' }] }],
    });
    await broker.stop();
    broker = await startTestBroker({ ...SETTINGS, 'log.dirs': logDir });
    client = await connect();
    const fetched = await client.call(9, 5, { groupId: 'survivor', topics: [{ name: 'orders', partitionIndexes: [1] }] });
    expect(fetched.topics[0]!.partitions[0]).toMatchObject({ committedOffset: 99, metadata: 'before restart' });
    expect((await client.call(12, 4, { groupId: 'survivor', generationId: 1, memberId: joined.memberId, groupInstanceId: null })).errorCode).toBe(0);
    const described = await describeGroup(client, 'survivor');
    expect(described).toMatchObject({ groupState: 'Stable', protocolData: 'range' });
    expect(Buffer.from(described.members[0]!.memberAssignment).toString()).toBe('kept');
    expect((await describeGroup(client, 'deleter')).groupState).toBe('Dead');
  });
});

describe('when the worker owning a group dies', () => {
  it('the restarted worker rebuilds the group and its offsets by replaying the partition', async () => {
    const { launchBroker } = await import('../../src/broker.js');
    const { pino } = await import('pino');
    const crashing = await launchBroker({
      config: {
        ...SETTINGS,
        'log.dirs': tempDir('fjord-groups-crash-'),
        listeners: 'PLAINTEXT://127.0.0.1:0',
        'fjord.http.listener': 'http://127.0.0.1:0',
        'fjord.workers': '2',
      },
      logger: pino({ level: 'silent' }),
      faultInjection: true,
    });
    try {
      await crashing.topics.createTopic('orders', 1);
      const client = await RawClient.connect(crashing.address.host, crashing.address.port);
      clients.push(client);
      const joined = await joinV5(client, 'crash-proof');
      await syncAsLeader(client, 'crash-proof', joined, [{ memberId: joined.memberId, assignment: Buffer.from('a') }]);
      await client.call(8, 8, {
        groupId: 'crash-proof',
        generationIdOrMemberEpoch: 1,
        memberId: joined.memberId,
        groupInstanceId: null,
        topics: [{ name: 'orders', partitions: [{ partitionIndex: 0, committedOffset: 7, committedLeaderEpoch: -1, committedMetadata: '' }] }],
      });
      const partition = crashing.engine.partitions().find((p) => p.topic === OFFSETS_TOPIC && p.partition === offsetsPartitionOf('crash-proof', 4))!;
      const workerId = crashing.engine.workerIdOf(OFFSETS_TOPIC, partition.partition);
      const before = (await crashing.engine.stats()).workerRestarts;
      await crashing.engine.injectCrash(workerId);
      await waitUntil(async () => (await crashing.engine.stats()).workerRestarts > before, 'the worker restart');
      await waitUntil(
        async () => (await client.call(12, 4, { groupId: 'crash-proof', generationId: 1, memberId: joined.memberId, groupInstanceId: null })).errorCode === 0,
        'the group to be served again',
        10_000,
      );
      const fetched = await client.call(9, 5, { groupId: 'crash-proof', topics: [{ name: 'orders', partitionIndexes: [0] }] });
      expect(fetched.topics[0]!.partitions[0]!.committedOffset).toBe(7);
    } finally {
      await crashing.stop();
    }
  });
});

describe('__consumer_offsets under compaction', () => {
  it('the cleaner keeps only the last commit per key, and the coordinator rebuilds the same offsets from it', async () => {
    const dir = tempDir('fjord-groups-compacted-');
    const settings = {
      ...SETTINGS,
      'log.dirs': dir,
      'offsets.topic.num.partitions': '1',
      'offsets.topic.segment.bytes': '4096',
      'log.cleaner.backoff.ms': '50',
    };
    let compacting = await startTestBroker(settings);
    try {
      await compacting.topics.createTopic('orders', 2);
      let client = await RawClient.connect(compacting.address.host, compacting.address.port);
      clients.push(client);
      const commit = (partitionIndex: number, committedOffset: number) =>
        client.call(8, 8, {
          groupId: 'churn',
          generationIdOrMemberEpoch: -1,
          memberId: '',
          groupInstanceId: null,
          topics: [{ name: 'orders', partitions: [{ partitionIndex, committedOffset, committedLeaderEpoch: -1, committedMetadata: 'm' }] }],
        });
      for (let i = 1; i <= 400; i++) expect((await commit(i % 2, i)).topics[0]!.partitions[0]!.errorCode).toBe(0);
      const offsetsPartition = async () => (await compacting.engine.stats()).workers.flatMap((w) => w.partitions).find((p) => p.topic === OFFSETS_TOPIC)!;
      expect((await offsetsPartition()).logEndOffset).toBe(400);
      // 400 one-record batches of over 100 bytes each, of two keys, in ~4 KiB segments: once compacted (the cleaner
      // may already run while they are written), sealed segments keep at most the two last commits.
      await waitUntil(async () => (await offsetsPartition()).sizeBytes < (400 * 100) / 4, '__consumer_offsets to be compacted', 20_000);
      expect((await offsetsPartition()).logEndOffset).toBe(400);
      const before = await client.call(9, 5, { groupId: 'churn', topics: null });
      await compacting.stop();
      compacting = await startTestBroker(settings);
      client = await RawClient.connect(compacting.address.host, compacting.address.port);
      clients.push(client);
      const after = await client.call(9, 5, { groupId: 'churn', topics: null });
      const offsetsOf = (body: typeof after) =>
        body.topics.flatMap((t) => t.partitions.map((p) => [t.name, p.partitionIndex, p.committedOffset, p.metadata])).sort();
      expect(offsetsOf(after)).toEqual(offsetsOf(before));
      expect(offsetsOf(after)).toEqual([
        ['orders', 0, 400, 'm'],
        ['orders', 1, 399, 'm'],
      ]);
    } finally {
      await compacting.stop();
    }
  });
});
