// Test helper: for every API Fjord serves, one exchange per version that checks the answer means the right
// thing (a produced record is fetched back in the format the version requires, a commit is read back, a
// created topic appears, ...). Requests are written with Kafka's field names and sent through the schema
// connection, so nothing here goes through Fjord's codec. Runs in the test process.
import { pbkdf2Sync, randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import { buildRecordBatch, decodeRecordBatches } from '../../../src/shared/record-batch-codec.js';
import type { Value } from './kafka-json-codec.js';
import { buildMessageSet, readMessageSet } from './legacy-message-sets.js';
import type { SchemaConnection } from './schema-connection.js';

const ZERO_UUID = Buffer.alloc(16);
const MEMBER_ID_REQUIRED = 79;
const UNKNOWN_TOPIC_OR_PARTITION = 3;
const TOPIC_RESOURCE = 2;
const RESOURCE_NOT_FOUND = 91;
const UNACCEPTABLE_CREDENTIAL = 93;
const INVALID_REQUEST = 42;
const BASE_TIMESTAMP = Date.now() - 60_000;

export interface World {
  conn: SchemaConnection;
  /** What the broker's ApiVersions advertised: apiKey → [min, max]. */
  served: Map<number, [number, number]>;
  nodeId: number;
  port: number;
  logDir: string;
  /** One partition; Produce writes one record per version into it, Fetch and ListOffsets read them. */
  topic: string;
  topicId: Buffer;
  produced: Array<{ value: string; timestamp: number }>;
}

type Scenario = (world: World, version: number) => Promise<void>;

/** The newest version both sides serve: what a scenario uses for its set-up and read-back calls. */
function latest(world: World, apiKey: number): number {
  const range = world.served.get(apiKey);
  if (range === undefined) throw new Error(`the broker does not serve API ${apiKey}, which this scenario needs`);
  return range[1];
}

function call(world: World, apiKey: number, body: Value, version = latest(world, apiKey)): Promise<Value> {
  return world.conn.call(apiKey, version, body);
}

let names = 0;
function unique(prefix: string): string {
  return `conformance-${prefix}-${++names}`;
}

// Lists of decoded structs, typed loosely on purpose: the schema decides their fields.
const list = (value: unknown): Value[] => value as Value[];
const first = (value: unknown): Value => {
  const items = list(value);
  expect(items.length).toBeGreaterThan(0);
  return items[0]!;
};

export async function createTopic(world: World, name: string, partitions = 1): Promise<void> {
  const answer = await call(world, 19, {
    Topics: [{ Name: name, NumPartitions: partitions, ReplicationFactor: 1, Assignments: [], Configs: [] }],
    timeoutMs: 10_000,
    validateOnly: false,
  });
  expect(first(answer.Topics).ErrorCode).toBe(0);
}

async function metadataTopic(world: World, name: string): Promise<Value> {
  const answer = await call(world, 3, { Topics: [{ TopicId: ZERO_UUID, Name: name }], AllowAutoTopicCreation: false });
  return first(answer.Topics);
}

async function produceRecords(world: World, topic: string, values: string[]): Promise<void> {
  const batch = buildRecordBatch(values.map((v) => ({ key: null, value: Buffer.from(v) })));
  const answer = await call(world, 0, {
    TransactionalId: null,
    Acks: 1,
    TimeoutMs: 10_000,
    TopicData: [{ Name: topic, PartitionData: [{ Index: 0, Records: batch }] }],
  });
  expect(first(first(answer.Responses).PartitionResponses).ErrorCode).toBe(0);
}

async function commitOffset(world: World, group: string, offset: number, version = latest(world, 8)): Promise<void> {
  const answer = await call(
    world,
    8,
    {
      GroupId: group,
      GenerationIdOrMemberEpoch: -1,
      MemberId: '',
      GroupInstanceId: null,
      RetentionTimeMs: -1,
      Topics: [
        {
          Name: world.topic,
          Partitions: [{ PartitionIndex: 0, CommittedOffset: offset, CommittedLeaderEpoch: -1, CommitTimestamp: -1, CommittedMetadata: `m${offset}` }],
        },
      ],
    },
    version,
  );
  expect(first(first(answer.Topics).Partitions).ErrorCode).toBe(0);
}

/** The committed offset and metadata of partition 0 of the world's topic for `group`, read with OffsetFetch `version`. */
async function committed(world: World, group: string, version = latest(world, 9)): Promise<{ offset: bigint; metadata: unknown }> {
  const topics = [{ Name: world.topic, PartitionIndexes: [0] }];
  const body =
    version >= 8
      ? { Groups: [{ GroupId: group, MemberId: null, MemberEpoch: -1, Topics: topics }], RequireStable: false }
      : { GroupId: group, Topics: topics, RequireStable: false };
  const answer = await call(world, 9, body, version);
  const scope = version >= 8 ? first(answer.Groups) : answer;
  if (version >= 2) expect(scope.ErrorCode).toBe(0);
  const partition = first(first(scope.Topics).Partitions);
  expect(partition.ErrorCode).toBe(0);
  return { offset: partition.CommittedOffset as bigint, metadata: partition.Metadata };
}

/** ConsumerProtocolSubscription v0: int16 version | [string topics] (int32 count, int16-length strings) | bytes user data (null). */
function subscription(topic: string): Buffer {
  const name = Buffer.from(topic);
  const out = Buffer.alloc(2 + 4 + 2 + name.length + 4);
  out.writeInt16BE(0, 0);
  out.writeInt32BE(1, 2);
  out.writeInt16BE(name.length, 6);
  name.copy(out, 8);
  out.writeInt32BE(-1, 8 + name.length);
  return out;
}

/** ConsumerProtocolAssignment v0: int16 version | [topic (string) + [int32 partitions]] | bytes user data (null). */
function assignment(topic: string): Buffer {
  const name = Buffer.from(topic);
  const out = Buffer.alloc(2 + 4 + 2 + name.length + 4 + 4 + 4);
  let at = out.writeInt16BE(0, 0);
  at = out.writeInt32BE(1, at);
  at = out.writeInt16BE(name.length, at);
  at += name.copy(out, at);
  at = out.writeInt32BE(1, at);
  at = out.writeInt32BE(0, at);
  out.writeInt32BE(-1, at);
  return out;
}

/** A group with one member that joined (answering MEMBER_ID_REQUIRED with a second join, as clients do). */
async function joinAlone(world: World, group: string, version = latest(world, 11)): Promise<{ memberId: string; generationId: number; answer: Value }> {
  const body = {
    GroupId: group,
    SessionTimeoutMs: 30_000,
    RebalanceTimeoutMs: 30_000,
    MemberId: '',
    GroupInstanceId: null,
    ProtocolType: 'consumer',
    Protocols: [{ Name: 'range', Metadata: subscription(world.topic) }],
    Reason: null,
  };
  let answer = await call(world, 11, body, version);
  if (answer.ErrorCode === MEMBER_ID_REQUIRED) answer = await call(world, 11, { ...body, MemberId: answer.MemberId }, version);
  expect(answer.ErrorCode).toBe(0);
  return { memberId: answer.MemberId as string, generationId: answer.GenerationId as number, answer };
}

function syncAlone(world: World, group: string, member: { memberId: string; generationId: number }, version = latest(world, 14)): Promise<Value> {
  const body = {
    GroupId: group,
    GenerationId: member.generationId,
    MemberId: member.memberId,
    GroupInstanceId: null,
    ProtocolType: 'consumer',
    ProtocolName: 'range',
    Assignments: [{ MemberId: member.memberId, Assignment: assignment(world.topic) }],
  };
  return call(world, 14, body, version);
}

async function joinAndSync(world: World, group: string): Promise<{ memberId: string; generationId: number }> {
  const member = await joinAlone(world, group);
  expect((await syncAlone(world, group, member)).ErrorCode).toBe(0);
  return member;
}

async function describeTopicConfig(world: World, topic: string, key: string): Promise<Value> {
  const answer = await call(world, 32, {
    Resources: [{ ResourceType: TOPIC_RESOURCE, ResourceName: topic, ConfigurationKeys: [key] }],
    IncludeSynonyms: true,
    IncludeDocumentation: true,
  });
  const result = first(answer.Results);
  expect(result.ErrorCode).toBe(0);
  const config = list(result.Configs).find((c) => c.Name === key);
  expect(config, `${key} of ${topic}`).toBeDefined();
  return config!;
}

/** Produce v0–1 carry magic 0 message sets, v2 magic 1, v3+ record batches; each writes one record. */
const produce: Scenario = async (world, version) => {
  const value = `produce-v${version}`;
  const timestamp = BASE_TIMESTAMP + version;
  const message = { key: Buffer.from(`k${version}`), value: Buffer.from(value), timestamp };
  const records = version <= 1 ? buildMessageSet(0, [message]) : version === 2 ? buildMessageSet(1, [message]) : buildRecordBatch([message]);
  const answer = await call(
    world,
    0,
    { TransactionalId: null, Acks: 1, TimeoutMs: 10_000, TopicData: [{ Name: world.topic, PartitionData: [{ Index: 0, Records: records }] }] },
    version,
  );
  const topic = first(answer.Responses);
  expect(topic.Name).toBe(world.topic);
  const partition = first(topic.PartitionResponses);
  expect(partition.ErrorCode).toBe(0);
  expect(partition.BaseOffset).toBe(BigInt(world.produced.length));
  world.produced.push({ value, timestamp: version <= 1 ? -1 : timestamp });
};

/** Fetch v0–1 answer magic 0 message sets, v2–3 magic 1, v4+ record batches; v13+ name topics by id. */
const fetch: Scenario = async (world, version) => {
  const topicRef = version >= 13 ? { TopicId: world.topicId } : { Topic: world.topic };
  const answer = await call(
    world,
    1,
    {
      ReplicaId: -1,
      MaxWaitMs: 0,
      MinBytes: 0,
      MaxBytes: 1 << 20,
      IsolationLevel: 0,
      SessionId: 0,
      SessionEpoch: -1,
      Topics: [
        {
          ...topicRef,
          Partitions: [{ Partition: 0, CurrentLeaderEpoch: -1, FetchOffset: 0, LastFetchedEpoch: -1, LogStartOffset: -1, PartitionMaxBytes: 1 << 20 }],
        },
      ],
      ForgottenTopicsData: [],
      RackId: '',
    },
    version,
  );
  if (version >= 7) expect(answer.ErrorCode).toBe(0);
  const topic = first(answer.Responses);
  if (version >= 13) expect((topic.TopicId as Buffer).equals(world.topicId)).toBe(true);
  else expect(topic.Topic).toBe(world.topic);
  const partition = first(topic.Partitions);
  expect(partition.ErrorCode).toBe(0);
  expect(partition.HighWatermark).toBe(BigInt(world.produced.length));
  const records = partition.Records as Buffer;
  if (version <= 3) {
    const messages = readMessageSet(records);
    const magic = version <= 1 ? 0 : 1;
    expect(messages.map((m) => m.magic)).toEqual(world.produced.map(() => magic));
    expect(messages.map((m) => m.offset)).toEqual(world.produced.map((_, i) => BigInt(i)));
    expect(messages.map((m) => m.value?.toString())).toEqual(world.produced.map((p) => p.value));
    if (magic === 1) expect(messages.map((m) => Number(m.timestamp))).toEqual(world.produced.map((p) => p.timestamp));
  } else {
    const consumed = decodeRecordBatches(records);
    expect(consumed.map((r) => r.offset)).toEqual(world.produced.map((_, i) => i));
    expect(consumed.map((r) => r.value?.toString())).toEqual(world.produced.map((p) => p.value));
    expect(consumed.map((r) => r.timestamp)).toEqual(world.produced.map((p) => p.timestamp));
  }
};

/** Latest and earliest at every version (v0 in its old-style list); MAX_TIMESTAMP from v7, EARLIEST_LOCAL from v8. */
const listOffsets: Scenario = async (world, version) => {
  const ask = async (timestamp: number): Promise<Value> => {
    const answer = await call(
      world,
      2,
      {
        ReplicaId: -1,
        IsolationLevel: 0,
        Topics: [{ Name: world.topic, Partitions: [{ PartitionIndex: 0, CurrentLeaderEpoch: -1, Timestamp: timestamp, MaxNumOffsets: 1 }] }],
        TimeoutMs: 5_000,
      },
      version,
    );
    const partition = first(first(answer.Topics).Partitions);
    expect(partition.ErrorCode).toBe(0);
    return partition;
  };
  const end = BigInt(world.produced.length);
  expect(end).toBeGreaterThan(0n);
  if (version === 0) {
    expect((await ask(-1)).OldStyleOffsets).toEqual([end]);
    expect((await ask(-2)).OldStyleOffsets).toEqual([0n]);
    return;
  }
  expect((await ask(-1)).Offset).toBe(end);
  expect((await ask(-2)).Offset).toBe(0n);
  if (version >= 7) {
    const newest = Math.max(...world.produced.map((p) => p.timestamp));
    const at = world.produced.findIndex((p) => p.timestamp === newest);
    const max = await ask(-3);
    expect([max.Offset, max.Timestamp]).toEqual([BigInt(at), BigInt(newest)]);
  }
  if (version >= 8) expect((await ask(-4)).Offset).toBe(0n);
};

const metadata: Scenario = async (world, version) => {
  const answer = await call(world, 3, { Topics: [{ TopicId: ZERO_UUID, Name: world.topic }], AllowAutoTopicCreation: false }, version);
  expect(list(answer.Brokers).map((b) => [b.NodeId, b.Port])).toEqual([[world.nodeId, world.port]]);
  if (version >= 1) expect(answer.ControllerId).toBe(world.nodeId);
  const topic = first(answer.Topics);
  expect([topic.ErrorCode, topic.Name]).toEqual([0, world.topic]);
  if (version >= 10) expect((topic.TopicId as Buffer).equals(world.topicId)).toBe(true);
  const partition = first(topic.Partitions);
  expect([partition.ErrorCode, partition.PartitionIndex, partition.LeaderId, partition.ReplicaNodes, partition.IsrNodes]).toEqual([
    0,
    0,
    world.nodeId,
    [world.nodeId],
    [world.nodeId],
  ]);
};

const offsetCommit: Scenario = async (world, version) => {
  const group = unique(`commit-v${version}`);
  await commitOffset(world, group, 100 + version, version);
  expect(await committed(world, group)).toEqual({ offset: BigInt(100 + version), metadata: `m${100 + version}` });
};

const offsetFetch: Scenario = async (world, version) => {
  const group = unique(`fetch-v${version}`);
  await commitOffset(world, group, 7);
  expect(await committed(world, group, version)).toEqual({ offset: 7n, metadata: 'm7' });
  expect((await committed(world, unique('never-committed'), version)).offset).toBe(-1n);
};

const findCoordinator: Scenario = async (world, version) => {
  const group = unique(`coordinator-v${version}`);
  const answer = await call(world, 10, version >= 4 ? { KeyType: 0, CoordinatorKeys: [group] } : { Key: group, KeyType: 0 }, version);
  const coordinator = version >= 4 ? first(answer.Coordinators) : answer;
  if (version >= 4) expect(coordinator.Key).toBe(group);
  expect([coordinator.ErrorCode, coordinator.NodeId, coordinator.Port]).toEqual([0, world.nodeId, world.port]);
};

const joinGroup: Scenario = async (world, version) => {
  const { memberId, generationId, answer } = await joinAlone(world, unique(`join-v${version}`), version);
  expect(generationId).toBeGreaterThanOrEqual(1);
  expect(answer.Leader).toBe(memberId);
  expect(answer.ProtocolName).toBe('range');
  if (version >= 7) expect(answer.ProtocolType).toBe('consumer');
  const members = list(answer.Members);
  expect(members.map((m) => m.MemberId)).toEqual([memberId]);
  expect((members[0]!.Metadata as Buffer).equals(subscription(world.topic))).toBe(true);
};

const heartbeat: Scenario = async (world, version) => {
  const group = unique(`heartbeat-v${version}`);
  const member = await joinAndSync(world, group);
  const answer = await call(world, 12, { GroupId: group, GenerationId: member.generationId, MemberId: member.memberId, GroupInstanceId: null }, version);
  expect(answer.ErrorCode).toBe(0);
};

const leaveGroup: Scenario = async (world, version) => {
  const group = unique(`leave-v${version}`);
  const { memberId } = await joinAlone(world, group);
  const body =
    version >= 3 ? { GroupId: group, Members: [{ MemberId: memberId, GroupInstanceId: null, Reason: null }] } : { GroupId: group, MemberId: memberId };
  const answer = await call(world, 13, body, version);
  expect(answer.ErrorCode).toBe(0);
  if (version >= 3) expect(list(answer.Members).map((m) => [m.MemberId, m.ErrorCode])).toEqual([[memberId, 0]]);
  const described = first((await call(world, 15, { Groups: [group], IncludeAuthorizedOperations: false })).Groups);
  expect(described.GroupState).toBe('Empty');
};

const syncGroup: Scenario = async (world, version) => {
  const group = unique(`sync-v${version}`);
  const answer = await syncAlone(world, group, await joinAlone(world, group), version);
  expect(answer.ErrorCode).toBe(0);
  expect((answer.Assignment as Buffer).equals(assignment(world.topic))).toBe(true);
  if (version >= 5) expect([answer.ProtocolType, answer.ProtocolName]).toEqual(['consumer', 'range']);
};

const describeGroups: Scenario = async (world, version) => {
  const group = unique(`describe-v${version}`);
  const { memberId } = await joinAndSync(world, group);
  const described = first((await call(world, 15, { Groups: [group], IncludeAuthorizedOperations: false }, version)).Groups);
  expect([described.ErrorCode, described.GroupId, described.GroupState, described.ProtocolType, described.ProtocolData]).toEqual([
    0,
    group,
    'Stable',
    'consumer',
    'range',
  ]);
  const member = first(described.Members);
  expect(member.MemberId).toBe(memberId);
  expect(member.ClientId).toBe('conformance');
  expect((member.MemberAssignment as Buffer).equals(assignment(world.topic))).toBe(true);
};

const listGroups: Scenario = async (world, version) => {
  const group = unique(`list-v${version}`);
  await joinAndSync(world, group);
  const answer = await call(world, 16, { StatesFilter: [], TypesFilter: [] }, version);
  expect(answer.ErrorCode).toBe(0);
  const listed = list(answer.Groups).find((g) => g.GroupId === group);
  expect(listed?.ProtocolType).toBe('consumer');
  if (version >= 4) expect(listed?.GroupState).toBe('Stable');
  if (version >= 5) expect(listed?.GroupType).toBe('classic');
};

const apiVersions: Scenario = async (world, version) => {
  const answer = await call(world, 18, { ClientSoftwareName: 'fjord-conformance', ClientSoftwareVersion: '1.0' }, version);
  expect(answer.ErrorCode).toBe(0);
  const advertised = new Map(list(answer.ApiKeys).map((k) => [k.ApiKey as number, [k.MinVersion, k.MaxVersion]]));
  expect(advertised).toEqual(world.served);
};

const createTopics: Scenario = async (world, version) => {
  const name = unique(`create-v${version}`);
  const answer = await call(
    world,
    19,
    {
      Topics: [{ Name: name, NumPartitions: 2, ReplicationFactor: 1, Assignments: [], Configs: [{ Name: 'retention.ms', Value: '3600000' }] }],
      timeoutMs: 10_000,
      validateOnly: false,
    },
    version,
  );
  const topic = first(answer.Topics);
  expect([topic.Name, topic.ErrorCode]).toEqual([name, 0]);
  if (version >= 5) {
    expect([topic.NumPartitions, topic.ReplicationFactor]).toEqual([2, 1]);
    expect(list(topic.Configs).find((c) => c.Name === 'retention.ms')?.Value).toBe('3600000');
  }
  const described = await metadataTopic(world, name);
  expect(list(described.Partitions)).toHaveLength(2);
  if (version >= 7) expect((topic.TopicId as Buffer).equals(described.TopicId as Buffer)).toBe(true);
};

const deleteTopics: Scenario = async (world, version) => {
  const name = unique(`delete-v${version}`);
  await createTopic(world, name);
  const body = version >= 6 ? { Topics: [{ Name: name, TopicId: ZERO_UUID }], TimeoutMs: 10_000 } : { TopicNames: [name], TimeoutMs: 10_000 };
  const result = first((await call(world, 20, body, version)).Responses);
  expect([result.Name, result.ErrorCode]).toEqual([name, 0]);
  expect((await metadataTopic(world, name)).ErrorCode).toBe(UNKNOWN_TOPIC_OR_PARTITION);
};

const deleteRecords: Scenario = async (world, version) => {
  const name = unique(`delete-records-v${version}`);
  await createTopic(world, name);
  await produceRecords(world, name, ['a', 'b', 'c']);
  const answer = await call(world, 21, { Topics: [{ Name: name, Partitions: [{ PartitionIndex: 0, Offset: 2 }] }], TimeoutMs: 10_000 }, version);
  const partition = first(first(answer.Topics).Partitions);
  expect([partition.ErrorCode, partition.LowWatermark]).toEqual([0, 2n]);
};

const initProducerId: Scenario = async (world, version) => {
  const answer = await call(world, 22, { TransactionalId: null, TransactionTimeoutMs: 60_000, ProducerId: -1, ProducerEpoch: -1 }, version);
  expect(answer.ErrorCode).toBe(0);
  expect(answer.ProducerId as bigint).toBeGreaterThanOrEqual(0n);
  expect(answer.ProducerEpoch as number).toBeGreaterThanOrEqual(0);
};

/** The topic was written under the standalone leader epoch 0: it ends at the log end; epoch 1 is unknown (-1, -1). */
const offsetForLeaderEpoch: Scenario = async (world, version) => {
  const ask = async (leaderEpoch: number): Promise<Value> => {
    const answer = await call(
      world,
      23,
      { ReplicaId: -1, Topics: [{ Topic: world.topic, Partitions: [{ Partition: 0, CurrentLeaderEpoch: 0, LeaderEpoch: leaderEpoch }] }] },
      version,
    );
    const partition = first(first(answer.Topics).Partitions);
    expect([partition.ErrorCode, partition.Partition]).toEqual([0, 0]);
    return partition;
  };
  const end = BigInt(world.produced.length);
  expect(end).toBeGreaterThan(0n);
  const latest = await ask(0);
  expect(latest.EndOffset).toBe(end);
  if (version >= 1) expect(latest.LeaderEpoch).toBe(0);
  const unknown = await ask(1);
  expect(unknown.EndOffset).toBe(-1n);
  if (version >= 1) expect(unknown.LeaderEpoch).toBe(-1);
};

const describeConfigs: Scenario = async (world, version) => {
  const answer = await call(
    world,
    32,
    { Resources: [{ ResourceType: TOPIC_RESOURCE, ResourceName: world.topic, ConfigurationKeys: null }], IncludeSynonyms: true, IncludeDocumentation: true },
    version,
  );
  const result = first(answer.Results);
  expect([result.ErrorCode, result.ResourceName]).toEqual([0, world.topic]);
  const retention = list(result.Configs).find((c) => c.Name === 'retention.ms');
  expect(retention?.Value).toBe('604800000');
  expect(retention?.IsSensitive).toBe(false);
  const compression = list(result.Configs).find((c) => c.Name === 'compression.type');
  expect(compression?.Value).toBe('producer');
  // Kafka lists a default's synonym under the broker key that carries it: compression.type=producer (DEFAULT_CONFIG).
  if (version >= 1) expect(list(compression?.Synonyms).map((s) => [s.Name, s.Value, s.Source])).toEqual([['compression.type', 'producer', 5]]);
  if (version >= 3) {
    expect(retention?.ConfigType).toBe(5);
    expect(typeof retention?.Documentation).toBe('string');
  }
};

const alterConfigs: Scenario = async (world, version) => {
  const name = unique(`alter-v${version}`);
  await createTopic(world, name);
  const value = String(1_000_000 + version);
  const answer = await call(
    world,
    33,
    { Resources: [{ ResourceType: TOPIC_RESOURCE, ResourceName: name, Configs: [{ Name: 'retention.ms', Value: value }] }], ValidateOnly: false },
    version,
  );
  expect(first(answer.Responses).ErrorCode).toBe(0);
  expect((await describeTopicConfig(world, name, 'retention.ms')).Value).toBe(value);
};

/** Moving a partition into the dir it already lives in succeeds and changes nothing. */
const alterReplicaLogDirs: Scenario = async (world, version) => {
  const answer = await call(world, 34, { Dirs: [{ Path: world.logDir, Topics: [{ Name: world.topic, Partitions: [0] }] }] }, version);
  const topic = first(answer.Results);
  expect(topic.TopicName).toBe(world.topic);
  expect(list(topic.Partitions).map((p) => [p.PartitionIndex, p.ErrorCode])).toEqual([[0, 0]]);
};

const describeLogDirs: Scenario = async (world, version) => {
  const answer = await call(world, 35, { Topics: null }, version);
  if (version >= 3) expect(answer.ErrorCode).toBe(0);
  const dir = first(answer.Results);
  expect([dir.ErrorCode, dir.LogDir]).toEqual([0, world.logDir]);
  const topic = list(dir.Topics).find((t) => t.Name === world.topic);
  const partition = first(topic?.Partitions);
  expect(partition.PartitionIndex).toBe(0);
  expect(partition.PartitionSize as bigint).toBeGreaterThan(0n);
  expect(partition.IsFutureKey).toBe(false);
  if (version >= 4) {
    expect(dir.TotalBytes as bigint).toBeGreaterThan(0n);
    expect(dir.UsableBytes as bigint).toBeGreaterThan(0n);
  }
};

const createPartitions: Scenario = async (world, version) => {
  const name = unique(`partitions-v${version}`);
  await createTopic(world, name);
  const answer = await call(world, 37, { Topics: [{ Name: name, Count: 3, Assignments: null }], TimeoutMs: 10_000, ValidateOnly: false }, version);
  expect(first(answer.Results).ErrorCode).toBe(0);
  expect(list((await metadataTopic(world, name)).Partitions)).toHaveLength(3);
};

const deleteGroups: Scenario = async (world, version) => {
  const group = unique(`delete-group-v${version}`);
  await commitOffset(world, group, 5);
  const result = first((await call(world, 42, { GroupsNames: [group] }, version)).Results);
  expect([result.GroupId, result.ErrorCode]).toEqual([group, 0]);
  expect((await committed(world, group)).offset).toBe(-1n);
};

const ELECTION_NOT_NEEDED = 84;

const electLeaders: Scenario = async (world, version) => {
  // A standalone broker is each partition's only replica, its preferred one, and leads it already.
  const answer = await call(world, 43, { ElectionType: 0, TopicPartitions: [{ Topic: world.topic, Partitions: [0, 7] }], TimeoutMs: 10_000 }, version);
  if (version >= 1) expect(answer.ErrorCode).toBe(0);
  const topic = first(answer.ReplicaElectionResults);
  expect(topic.Topic).toBe(world.topic);
  expect(list(topic.PartitionResult).map((p) => [p.PartitionId, p.ErrorCode])).toEqual([
    [0, ELECTION_NOT_NEEDED],
    [7, UNKNOWN_TOPIC_OR_PARTITION],
  ]);
  // Every partition: those that needed no election are left out.
  expect(list((await call(world, 43, { ElectionType: 0, TopicPartitions: null, TimeoutMs: 10_000 }, version)).ReplicaElectionResults)).toEqual([]);
};

const incrementalAlterConfigs: Scenario = async (world, version) => {
  const name = unique(`incremental-v${version}`);
  await createTopic(world, name);
  const answer = await call(
    world,
    44,
    {
      Resources: [{ ResourceType: TOPIC_RESOURCE, ResourceName: name, Configs: [{ Name: 'retention.ms', ConfigOperation: 0, Value: '123456' }] }],
      ValidateOnly: false,
    },
    version,
  );
  expect(first(answer.Responses).ErrorCode).toBe(0);
  expect((await describeTopicConfig(world, name, 'retention.ms')).Value).toBe('123456');
};

const offsetDelete: Scenario = async (world, version) => {
  const group = unique(`offset-delete-v${version}`);
  await commitOffset(world, group, 3);
  const answer = await call(world, 47, { GroupId: group, Topics: [{ Name: world.topic, Partitions: [{ PartitionIndex: 0 }] }] }, version);
  expect(answer.ErrorCode).toBe(0);
  expect(first(first(answer.Topics).Partitions).ErrorCode).toBe(0);
  expect((await committed(world, group)).offset).toBe(-1n);
};

const describeCluster: Scenario = async (world, version) => {
  const answer = await call(world, 60, { IncludeClusterAuthorizedOperations: false, EndpointType: 1 }, version);
  expect(answer.ErrorCode).toBe(0);
  expect((answer.ClusterId as string).length).toBeGreaterThan(0);
  expect(answer.ControllerId).toBe(world.nodeId);
  expect(list(answer.Brokers).map((b) => [b.BrokerId, b.Port])).toEqual([[world.nodeId, world.port]]);
};

const alterPartitionReassignments: Scenario = async (world, version) => {
  // Standalone: the only replica is this broker; moving a partition onto it is nothing to do, elsewhere is refused.
  const answer = await call(
    world,
    45,
    {
      TimeoutMs: 10_000,
      Topics: [
        {
          Name: world.topic,
          Partitions: [
            { PartitionIndex: 0, Replicas: [world.nodeId] },
            { PartitionIndex: 9, Replicas: [world.nodeId] },
          ],
        },
      ],
    },
    version,
  );
  expect(answer.ErrorCode).toBe(0);
  expect(list(first(answer.Responses).Partitions).map((p) => [p.PartitionIndex, p.ErrorCode])).toEqual([
    [0, 0],
    [9, UNKNOWN_TOPIC_OR_PARTITION],
  ]);
};

const listPartitionReassignments: Scenario = async (world, version) => {
  const answer = await call(world, 46, { TimeoutMs: 10_000, Topics: null }, version);
  expect([answer.ErrorCode, list(answer.Topics).length]).toEqual([0, 0]);
};

/** A new SCRAM-SHA-256 credential for `user` (salt and SaltedPassword as a client computes them). */
async function upsertScramUser(world: World, user: string, iterations = 4096): Promise<Value> {
  const salt = randomBytes(32);
  const saltedPassword = pbkdf2Sync(`${user}-secret`, salt, iterations, 32, 'sha256');
  const upsertion = { Name: user, Mechanism: 1, Iterations: iterations, Salt: salt, SaltedPassword: saltedPassword };
  return call(world, 51, { Deletions: [], Upsertions: [upsertion] });
}

const describeUserScramCredentials: Scenario = async (world, version) => {
  const user = unique(`scram-describe-v${version}`);
  await upsertScramUser(world, user, 8192);
  const named = await call(world, 50, { Users: [{ Name: user }, { Name: `${user}-none` }] }, version);
  expect(named.ErrorCode).toBe(0);
  expect(list(named.Results).map((r) => [r.User, r.ErrorCode, list(r.CredentialInfos).map((c) => [c.Mechanism, c.Iterations])])).toEqual([
    [user, 0, [[1, 8192]]],
    [`${user}-none`, RESOURCE_NOT_FOUND, []],
  ]);
  const all = await call(world, 50, { Users: null }, version);
  expect(list(all.Results).some((r) => r.User === user && r.ErrorCode === 0)).toBe(true);
};

const alterUserScramCredentials: Scenario = async (world, version) => {
  const user = unique(`scram-alter-v${version}`);
  const upserted = await upsertScramUser(world, user);
  expect(list(upserted.Results).map((r) => [r.User, r.ErrorCode])).toEqual([[user, 0]]);
  const deleted = await call(
    world,
    51,
    {
      Deletions: [
        { Name: user, Mechanism: 1 },
        { Name: '', Mechanism: 1 },
      ],
      Upsertions: [],
    },
    version,
  );
  expect(list(deleted.Results).map((r) => [r.User, r.ErrorCode])).toEqual([
    [user, 0],
    ['', UNACCEPTABLE_CREDENTIAL],
  ]);
  expect(first((await call(world, 50, { Users: [{ Name: user }] })).Results).ErrorCode).toBe(RESOURCE_NOT_FOUND);
};

/** The conformance broker's listener is PLAINTEXT: Kafka answers SASL requests there with ILLEGAL_SASL_STATE, and goes on. */
const ILLEGAL_SASL_STATE = 34;

const saslHandshake: Scenario = async (world, version) => {
  const answer = await call(world, 17, { Mechanism: 'SCRAM-SHA-256' }, version);
  expect([answer.ErrorCode, list(answer.Mechanisms)]).toEqual([ILLEGAL_SASL_STATE, []]);
};

const saslAuthenticate: Scenario = async (world, version) => {
  const answer = await call(world, 36, { AuthBytes: Buffer.from('n,,n=user,r=abc') }, version);
  expect(answer.ErrorCode).toBe(ILLEGAL_SASL_STATE);
  expect((answer.AuthBytes as Buffer).length).toBe(0);
};

/** An ACL in Kafka's field names: ALLOW (3) READ (3) of a LITERAL (3) TOPIC (2) resource for `principal`. */
function topicAcl(topic: string, principal: string): Value {
  return { ResourceType: 2, ResourceName: topic, ResourcePatternType: 3, Principal: principal, Host: '*', Operation: 3, PermissionType: 3 };
}

/** DescribeAcls' filter for one literal topic's ACLs (operation and permission ANY = 1). */
function topicAclFilter(topic: string): Value {
  return { ResourceTypeFilter: 2, ResourceNameFilter: topic, PatternTypeFilter: 3, PrincipalFilter: null, HostFilter: null, Operation: 1, PermissionType: 1 };
}

async function describedTopicAcls(world: World, topic: string, version?: number): Promise<Value[]> {
  const answer = await call(world, 29, topicAclFilter(topic), version);
  expect([answer.ErrorCode, answer.ErrorMessage]).toEqual([0, null]);
  return list(answer.Resources).flatMap((r) => list(r.Acls).map((a) => ({ ...a, resource: `${r.ResourceType}:${r.ResourceName}:${r.PatternType ?? 3}` })));
}

const describeAcls: Scenario = async (world, version) => {
  const topic = unique(`acl-describe-v${version}`);
  expect(list((await call(world, 30, { Creations: [topicAcl(topic, 'User:alice'), topicAcl(topic, 'User:bob')] })).Results).map((r) => r.ErrorCode)).toEqual([
    0, 0,
  ]);
  expect(await describedTopicAcls(world, topic, version)).toEqual(
    ['User:alice', 'User:bob'].map((Principal) => ({ Principal, Host: '*', Operation: 3, PermissionType: 3, resource: `2:${topic}:3` })),
  );
};

const createAcls: Scenario = async (world, version) => {
  const topic = unique(`acl-create-v${version}`);
  const badCluster = { ...topicAcl('not-kafka-cluster', 'User:alice'), ResourceType: 4 };
  const answer = await call(world, 30, { Creations: [topicAcl(topic, 'User:alice'), badCluster] }, version);
  expect(list(answer.Results).map((r) => [r.ErrorCode, r.ErrorMessage])).toEqual([
    [0, null],
    [INVALID_REQUEST, 'The only valid name for the CLUSTER resource is kafka-cluster'],
  ]);
  expect((await describedTopicAcls(world, topic)).map((a) => a.Principal)).toEqual(['User:alice']);
};

const deleteAcls: Scenario = async (world, version) => {
  const topic = unique(`acl-delete-v${version}`);
  await call(world, 30, { Creations: [topicAcl(topic, 'User:alice')] });
  const answer = await call(world, 31, { Filters: [topicAclFilter(topic), { ...topicAclFilter(topic), ResourceTypeFilter: 0 }] }, version);
  const [matched, unknown] = list(answer.FilterResults);
  expect([matched!.ErrorCode, list(matched!.MatchingAcls).map((a) => [a.ErrorCode, a.ResourceType, a.ResourceName, a.Principal, a.Operation])]).toEqual([
    0,
    [[0, 2, topic, 'User:alice', 3]],
  ]);
  expect(unknown!.ErrorCode).toBe(INVALID_REQUEST);
  expect(await describedTopicAcls(world, topic)).toEqual([]);
};

/** By API key, in the order the test runs them (Produce fills the topic the later ones read). */
export const SCENARIOS: ReadonlyMap<number, Scenario> = new Map([
  [0, produce],
  [1, fetch],
  [2, listOffsets],
  [3, metadata],
  [8, offsetCommit],
  [9, offsetFetch],
  [10, findCoordinator],
  [11, joinGroup],
  [12, heartbeat],
  [13, leaveGroup],
  [14, syncGroup],
  [15, describeGroups],
  [16, listGroups],
  [17, saslHandshake],
  [18, apiVersions],
  [19, createTopics],
  [20, deleteTopics],
  [21, deleteRecords],
  [22, initProducerId],
  [23, offsetForLeaderEpoch],
  [32, describeConfigs],
  [33, alterConfigs],
  [34, alterReplicaLogDirs],
  [35, describeLogDirs],
  [36, saslAuthenticate],
  [37, createPartitions],
  [42, deleteGroups],
  [43, electLeaders],
  [44, incrementalAlterConfigs],
  [45, alterPartitionReassignments],
  [46, listPartitionReassignments],
  [47, offsetDelete],
  [50, describeUserScramCredentials],
  [51, alterUserScramCredentials],
  [29, describeAcls],
  [30, createAcls],
  [31, deleteAcls],
  [60, describeCluster],
]);
