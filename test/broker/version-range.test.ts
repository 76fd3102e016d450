// The widened version ranges against a real in-process broker, with requests shaped as old and new clients
// send them: ListOffsets v0 (old-style offsets) and v7–v10 (largest timestamp, local and tiered sentinels),
// Metadata v0, OffsetCommit v0/v1/v9 read back by OffsetFetch v0/v1/v9, the newest FindCoordinator, JoinGroup,
// LeaveGroup, ListGroups, ApiVersions, DeleteTopics and InitProducerId, ApiVersions v0 pipelined with Metadata
// v0 in one socket write, and unsupported versions / unknown API keys closing the connection, counted per API.
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrokerHandle } from '../../src/broker.js';
import { decodeResponse, encodeRequest } from '../../src/protocol/api-registry.js';
import { compressRecords, Codec } from '../../src/shared/compression/record-compression.js';
import { ErrorCode } from '../../src/shared/kafka-error-codes.js';
import { BATCH_HEADER_BYTES, rebuildBatch } from '../../src/shared/record-batch.js';
import { buildRecordBatch } from '../../src/shared/record-batch-codec.js';
import { sampleValue, scrape } from '../observability/prometheus-text.js';
import { RawClient } from './raw-client.js';
import { startTestBroker } from './test-broker.js';

let broker: BrokerHandle;
let client: RawClient;

beforeAll(async () => {
  broker = await startTestBroker({ 'group.initial.rebalance.delay.ms': '0', 'offsets.topic.num.partitions': '2', 'auto.create.topics.enable': 'true' });
  client = await RawClient.connect(broker.address.host, broker.address.port);
  await broker.topics.createTopic('orders', 2);
});

afterAll(async () => {
  client?.close();
  await broker?.stop();
});

/** Records with the given timestamps (values v0, v1, ...), as one batch, compressed with `codec` if given. */
async function batchAt(timestamps: number[], codec: number = Codec.NONE): Promise<Buffer> {
  const plain = buildRecordBatch(timestamps.map((timestamp, i) => ({ key: null, value: Buffer.from(`v${i}`), timestamp })));
  if (codec === Codec.NONE) return plain;
  return rebuildBatch(plain, await compressRecords(codec, plain.subarray(BATCH_HEADER_BYTES)), codec);
}

async function produce(topic: string, partition: number, records: Buffer): Promise<number> {
  const answer = await client.call(0, 9, {
    transactionalId: null,
    acks: -1,
    timeoutMs: 5000,
    topicData: [{ name: topic, partitionData: [{ index: partition, records }] }],
  });
  const result = answer.responses[0]!.partitionResponses[0]!;
  expect(result.errorCode).toBe(ErrorCode.NONE);
  return result.baseOffset;
}

async function listOffset(version: number, topic: string, partition: number, timestamp: number) {
  const answer = await client.call(2, version, {
    replicaId: -1,
    isolationLevel: 0,
    topics: [{ name: topic, partitions: [{ partitionIndex: partition, currentLeaderEpoch: -1, timestamp, maxNumOffsets: 1 }] }],
    timeoutMs: 1000,
  });
  return answer.topics[0]!.partitions[0]!;
}

describe('ListOffsets', () => {
  it('v7 MAX_TIMESTAMP names the record with the largest timestamp, whatever the order, compressed or not', async () => {
    await broker.topics.createTopic('stamps', 1);
    const t = Date.now() - 60_000;
    expect(await listOffset(7, 'stamps', 0, -3)).toMatchObject({ errorCode: 0, offset: -1, timestamp: -1 });
    // Offsets 0–2: the largest (t+5000) is the middle record; offset 3 is older.
    await produce('stamps', 0, await batchAt([t + 1000, t + 5000, t + 3000]));
    await produce('stamps', 0, await batchAt([t + 2000]));
    expect(await listOffset(7, 'stamps', 0, -3)).toMatchObject({ errorCode: 0, offset: 1, timestamp: t + 5000 });
    // Offsets 4–7, gzip: t+6000 first at offset 5 (and again at 6).
    await produce('stamps', 0, await batchAt([t + 4000, t + 6000, t + 6000, t + 500], Codec.GZIP));
    await produce('stamps', 0, await batchAt([t + 100, t + 200], Codec.LZ4));
    expect(await listOffset(10, 'stamps', 0, -3)).toMatchObject({ errorCode: 0, offset: 5, timestamp: t + 6000, leaderEpoch: 0 });
    // Before v7 the sentinel is not defined: UNSUPPORTED_VERSION for that partition, as Kafka.
    expect(await listOffset(6, 'stamps', 0, -3)).toMatchObject({ errorCode: ErrorCode.UNSUPPORTED_VERSION, offset: -1 });
  });

  it('by time: the first record at or after it (its own timestamp), in the first batch whose largest reaches it', async () => {
    const t = Date.now() - 60_000;
    await broker.topics.createTopic('by-time', 1);
    await produce('by-time', 0, await batchAt([t + 1000, t + 5000, t + 3000]));
    await produce('by-time', 0, await batchAt([t + 2000]));
    await produce('by-time', 0, await batchAt([t + 4000, t + 6000, t + 500], Codec.SNAPPY));
    // Kafka's searchForTimestamp: batch 0 reaches t+1500 and its first record at or after it is offset 1.
    expect(await listOffset(1, 'by-time', 0, t + 1500)).toMatchObject({ errorCode: 0, offset: 1, timestamp: t + 5000 });
    expect(await listOffset(4, 'by-time', 0, t + 1000)).toMatchObject({ errorCode: 0, offset: 0, timestamp: t + 1000, leaderEpoch: 0 });
    expect(await listOffset(9, 'by-time', 0, t + 5500)).toMatchObject({ errorCode: 0, offset: 5, timestamp: t + 6000 });
    expect(await listOffset(9, 'by-time', 0, t + 7000)).toMatchObject({ errorCode: 0, offset: -1, timestamp: -1 });
  });

  it('by time when the log start cuts a batch: records below the log start are skipped, the search goes on', async () => {
    const t = Date.now() - 60_000;
    await broker.topics.createTopic('straddle', 1);
    await produce('straddle', 0, await batchAt([t + 1000, t + 9000, t + 2000]));
    await produce('straddle', 0, await batchAt([t + 3000]));
    const deleted = await client.call(21, 2, { topics: [{ name: 'straddle', partitions: [{ partitionIndex: 0, offset: 2 }] }], timeoutMs: 1000 });
    expect(deleted.topics[0]!.partitions[0]!.lowWatermark).toBe(2);
    expect(await listOffset(5, 'straddle', 0, t + 1500)).toMatchObject({ offset: 2, timestamp: t + 2000 });
    expect(await listOffset(5, 'straddle', 0, t + 2500)).toMatchObject({ offset: 3, timestamp: t + 3000 });
    expect(await listOffset(5, 'straddle', 0, t + 5000)).toMatchObject({ errorCode: 0, offset: -1 });
  });

  it('v8 EARLIEST_LOCAL is the log start; v9 LATEST_TIERED is none (no remote storage), each refused before its version', async () => {
    await broker.topics.createTopic('local', 1);
    for (let i = 0; i < 3; i++) await produce('local', 0, await batchAt([Date.now()]));
    const deleted = await client.call(21, 2, { topics: [{ name: 'local', partitions: [{ partitionIndex: 0, offset: 1 }] }], timeoutMs: 1000 });
    expect(deleted.topics[0]!.partitions[0]!.errorCode).toBe(0);
    expect(await listOffset(8, 'local', 0, -4)).toMatchObject({ errorCode: 0, offset: 1, timestamp: -1 });
    expect(await listOffset(8, 'local', 0, -2)).toMatchObject({ errorCode: 0, offset: 1 });
    expect(await listOffset(9, 'local', 0, -5)).toMatchObject({ errorCode: 0, offset: -1, timestamp: -1, leaderEpoch: -1 });
    expect((await listOffset(7, 'local', 0, -4)).errorCode).toBe(ErrorCode.UNSUPPORTED_VERSION);
    expect((await listOffset(8, 'local', 0, -5)).errorCode).toBe(ErrorCode.UNSUPPORTED_VERSION);
    expect((await listOffset(10, 'local', 0, -6)).errorCode).toBe(ErrorCode.UNSUPPORTED_VERSION);
    expect((await listOffset(10, 'missing-topic', 0, -1)).errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  });

  it('v0 answers old-style offsets: segment starts and the log end, newest first, at most maxNumOffsets', async () => {
    // 100-byte segments: every produced batch rolls a new one.
    await broker.topics.createTopic('old-style', 1, { 'segment.bytes': '100' });
    for (let i = 0; i < 3; i++) await produce('old-style', 0, await batchAt([Date.now(), Date.now()]));
    const v0 = async (timestamp: number, maxNumOffsets: number, topic = 'old-style') => {
      const answer = await client.call(2, 0, { replicaId: -1, topics: [{ name: topic, partitions: [{ partitionIndex: 0, timestamp, maxNumOffsets }] }] });
      return answer.topics[0]!.partitions[0]!;
    };
    expect(await v0(-1, 10)).toMatchObject({ errorCode: 0, oldStyleOffsets: [6, 4, 2, 0] });
    expect((await v0(-1, 1)).oldStyleOffsets).toEqual([6]);
    expect((await v0(-2, 10)).oldStyleOffsets).toEqual([0]);
    // By time: segments last written at or before it. Long ago: none; in an hour: all of them.
    expect((await v0(1000, 10)).oldStyleOffsets).toEqual([]);
    expect((await v0(Date.now() + 3_600_000, 2)).oldStyleOffsets).toEqual([6, 4]);
    expect((await v0(-3, 1)).errorCode).toBe(ErrorCode.UNSUPPORTED_VERSION);
    expect((await v0(-1, 1, 'nowhere')).errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  });

  it('a partition asked twice in one request is INVALID_REQUEST each time (v1+)', async () => {
    const answer = await client.call(2, 5, {
      replicaId: -1,
      isolationLevel: 0,
      topics: [
        {
          name: 'orders',
          partitions: [
            { partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -1 },
            { partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -2 },
            { partitionIndex: 1, currentLeaderEpoch: -1, timestamp: -1 },
          ],
        },
      ],
    });
    expect(answer.topics[0]!.partitions.map((p) => p.errorCode)).toEqual([ErrorCode.INVALID_REQUEST, ErrorCode.INVALID_REQUEST, 0]);
  });
});

describe('Metadata v0', () => {
  it('an empty topic list is every topic; a named missing topic is auto-created (no flag before v4)', async () => {
    const all = await client.call(3, 0, { topics: [] });
    expect(all.brokers).toEqual([expect.objectContaining({ host: broker.address.host, port: broker.address.port })]);
    expect(all.topics.map((t) => t.name)).toEqual(expect.arrayContaining(['orders', 'stamps']));
    const created = await client.call(3, 0, { topics: [{ name: 'made-by-v0', topicId: 'AAAAAAAAAAAAAAAAAAAAAA' }] });
    expect(created.topics[0]).toMatchObject({ errorCode: 0, name: 'made-by-v0' });
    expect(broker.topics.topic('made-by-v0')).toBeDefined();
  });
});

describe('OffsetCommit v0, v1 and v9 with OffsetFetch v0, v1 and v9', () => {
  const fetchAt = async (version: number, groupId: string) => {
    if (version >= 8) {
      const answer = await client.call(9, version, {
        groups: [{ groupId, memberId: 'someone', memberEpoch: 7, topics: [{ name: 'orders', partitionIndexes: [0, 1] }] }],
        requireStable: false,
      });
      return answer.groups[0]!.topics[0]!.partitions.map((p) => [p.partitionIndex, p.committedOffset, p.metadata, p.errorCode]);
    }
    const answer = await client.call(9, version, { groupId, topics: [{ name: 'orders', partitionIndexes: [0, 1] }] });
    return answer.topics[0]!.partitions.map((p) => [p.partitionIndex, p.committedOffset, p.metadata, p.errorCode]);
  };

  it('v0 commits outside any generation; every OffsetFetch version reads it back', async () => {
    const committed = await client.call(8, 0, {
      groupId: 'zk-era',
      topics: [{ name: 'orders', partitions: [{ partitionIndex: 0, committedOffset: 42, committedMetadata: 'old' }] }],
    });
    expect(committed.topics[0]!.partitions).toEqual([{ partitionIndex: 0, errorCode: 0 }]);
    for (const version of [0, 1, 5, 9]) {
      expect(await fetchAt(version, 'zk-era')).toEqual([
        [0, 42, 'old', 0],
        [1, -1, '', 0],
      ]);
    }
  });

  it('v1 carries the generation and member of a live group, and a commit timestamp per partition', async () => {
    const join = (memberId: string) =>
      client.call(11, 1, {
        groupId: 'v1-group',
        sessionTimeoutMs: 10_000,
        rebalanceTimeoutMs: 10_000,
        memberId,
        protocolType: 'consumer',
        protocols: [{ name: 'range', metadata: Buffer.alloc(0) }],
      });
    const joined = await join('');
    expect(joined.errorCode).toBe(0);
    const synced = await client.call(14, 0, { groupId: 'v1-group', generationId: joined.generationId, memberId: joined.memberId, assignments: [] });
    expect(synced.errorCode).toBe(0);
    const commit = (version: number, generationIdOrMemberEpoch: number, memberId: string, committedOffset: number) =>
      client.call(8, version, {
        groupId: 'v1-group',
        generationIdOrMemberEpoch,
        memberId,
        topics: [{ name: 'orders', partitions: [{ partitionIndex: 1, committedOffset, commitTimestamp: Date.now() - 1000, committedMetadata: null }] }],
      });
    expect((await commit(1, joined.generationId, joined.memberId, 7)).topics[0]!.partitions[0]!.errorCode).toBe(0);
    expect((await commit(1, joined.generationId + 1, joined.memberId, 8)).topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.ILLEGAL_GENERATION);
    // With members, a v0 commit (no generation) is refused, as Kafka's coordinator refuses it.
    const outside = await client.call(8, 0, {
      groupId: 'v1-group',
      topics: [{ name: 'orders', partitions: [{ partitionIndex: 0, committedOffset: 1, committedMetadata: null }] }],
    });
    expect(outside.topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect((await commit(9, joined.generationId, joined.memberId, 9)).topics[0]!.partitions[0]!.errorCode).toBe(0);
    for (const version of [0, 1, 9]) {
      expect(await fetchAt(version, 'v1-group')).toEqual([
        [0, -1, '', 0],
        [1, 9, '', 0],
      ]);
    }
    // A generation of a group that does not exist: ILLEGAL_GENERATION (Kafka 3.9's classic coordinator).
    const gone = await client.call(8, 9, {
      groupId: 'no-such-group',
      generationIdOrMemberEpoch: 3,
      memberId: 'm',
      groupInstanceId: null,
      topics: [{ name: 'orders', partitions: [{ partitionIndex: 0, committedOffset: 1, committedLeaderEpoch: -1, committedMetadata: null }] }],
    });
    expect(gone.topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.ILLEGAL_GENERATION);
    await client.call(13, 5, { groupId: 'v1-group', members: [{ memberId: joined.memberId, groupInstanceId: null, reason: 'test over' }] });
  });
});

describe('the newest group versions', () => {
  it('FindCoordinator v6: groups found, share groups off (COORDINATOR_NOT_AVAILABLE; INVALID_REQUEST before v6)', async () => {
    const v6 = await client.call(10, 6, { keyType: 0, coordinatorKeys: ['g'] });
    expect(v6.coordinators[0]).toMatchObject({ key: 'g', errorCode: 0, nodeId: expect.any(Number), port: broker.address.port });
    expect((await client.call(10, 6, { keyType: 2, coordinatorKeys: ['g:t:0'] })).coordinators[0]!.errorCode).toBe(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    expect((await client.call(10, 5, { keyType: 2, coordinatorKeys: ['g:t:0'] })).coordinators[0]!.errorCode).toBe(ErrorCode.INVALID_REQUEST);
  });

  it('JoinGroup v9 tells a static leader rejoining a Stable group that it leads but must skip the assignment; v7 keeps the old answer', async () => {
    const join = (version: number, memberId: string) =>
      client.call(11, version, {
        groupId: 'static',
        sessionTimeoutMs: 10_000,
        rebalanceTimeoutMs: 10_000,
        memberId,
        groupInstanceId: 'instance-1',
        protocolType: 'consumer',
        protocols: [{ name: 'range', metadata: Buffer.from('meta') }],
        reason: 'starting',
      });
    const first = await join(9, '');
    expect(first).toMatchObject({ errorCode: 0, skipAssignment: false, leader: first.memberId });
    await client.call(14, 5, {
      groupId: 'static',
      generationId: first.generationId,
      memberId: first.memberId,
      groupInstanceId: 'instance-1',
      protocolType: 'consumer',
      protocolName: 'range',
      assignments: [{ memberId: first.memberId, assignment: Buffer.from('a') }],
    });
    // A restart (no member id): v9 gets the new id as leader, the members, and skipAssignment.
    const again = await join(9, '');
    expect(again).toMatchObject({ errorCode: 0, generationId: first.generationId, skipAssignment: true, leader: again.memberId });
    expect(again.memberId).not.toBe(first.memberId);
    expect(again.members.map((m) => m.groupInstanceId)).toEqual(['instance-1']);
    // Before v9: the leader id as it was and no members.
    const old = await join(7, '');
    expect(old).toMatchObject({ errorCode: 0, leader: again.memberId, members: [] });
    const left = await client.call(13, 5, { groupId: 'static', members: [{ memberId: old.memberId, groupInstanceId: 'instance-1', reason: 'done' }] });
    expect(left).toMatchObject({ errorCode: 0, members: [{ memberId: old.memberId, groupInstanceId: 'instance-1', errorCode: 0 }] });
  });

  it('ListGroups v5: every group is classic; a types filter without classic lists none', async () => {
    const list = async (typesFilter: string[]) => (await client.call(16, 5, { statesFilter: [], typesFilter })).groups;
    const all = await list([]);
    expect(all.length).toBeGreaterThan(0);
    expect(new Set(all.map((g) => g.groupType))).toEqual(new Set(['classic']));
    expect((await list(['Classic'])).length).toBe(all.length);
    expect(await list(['consumer', 'share'])).toEqual([]);
  });
});

describe('the newest admin versions', () => {
  it('DeleteTopics v6 deletes by name or by id, with Kafka messages for both or neither; v5 carries messages', async () => {
    await broker.topics.createTopic('by-id', 1);
    await broker.topics.createTopic('by-name', 1);
    const id = broker.topics.topic('by-id')!.topicId;
    const zero = 'AAAAAAAAAAAAAAAAAAAAAA';
    const answer = await client.call(20, 6, {
      topics: [
        { name: null, topicId: id },
        { name: 'by-name', topicId: zero },
        { name: null, topicId: zero },
        { name: 'orders', topicId: id },
        { name: null, topicId: 'AAAAAAAAAAAAAAAAAAAAAQ' },
      ],
      timeoutMs: 1000,
    });
    expect(answer.responses.map((r) => [r.name, r.errorCode, r.errorMessage])).toEqual(
      expect.arrayContaining([
        ['by-id', 0, null],
        ['by-name', 0, null],
        [null, ErrorCode.INVALID_REQUEST, 'Neither topic name nor id were specified.'],
        ['orders', ErrorCode.INVALID_REQUEST, 'You may not specify both topic name and topic id.'],
        [null, ErrorCode.UNKNOWN_TOPIC_ID, expect.any(String)],
      ]),
    );
    expect(answer.responses.find((r) => r.name === 'by-id')!.topicId).toBe(id);
    expect(broker.topics.topic('by-id')).toBeUndefined();
    expect(broker.topics.topic('orders')).toBeDefined();
    const v5 = await client.call(20, 5, { topicNames: ['never-was'], timeoutMs: 1000 });
    expect(v5.responses[0]).toMatchObject({ name: 'never-was', errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: expect.any(String) });
  });

  it('InitProducerId v5 and ApiVersions v4 answer; ApiVersions advertises the widened ranges', async () => {
    const ids = await client.call(22, 5, { transactionalId: null, transactionTimeoutMs: 60_000, producerId: -1, producerEpoch: -1 });
    expect(ids).toMatchObject({ errorCode: 0, producerEpoch: 0 });
    const { errorCode, apiKeys } = await client.call(18, 4, { clientSoftwareName: 'raw', clientSoftwareVersion: '1' });
    expect(errorCode).toBe(0);
    const ranges = Object.fromEntries(apiKeys.map((k) => [k.apiKey, [k.minVersion, k.maxVersion]]));
    expect(ranges).toMatchObject({
      2: [0, 10],
      3: [0, 12],
      8: [0, 9],
      9: [0, 9],
      10: [0, 6],
      11: [0, 9],
      13: [0, 5],
      16: [0, 5],
      18: [0, 4],
      20: [0, 6],
      22: [0, 5],
    });
  });
});

/** Frames read from one socket until `count` have arrived (each without its size prefix). */
function framesFrom(bytes: Buffer[], count: number): Buffer[] | null {
  let buffered = Buffer.concat(bytes);
  const frames: Buffer[] = [];
  while (buffered.length >= 4 && buffered.length >= 4 + buffered.readInt32BE(0)) {
    frames.push(buffered.subarray(4, 4 + buffered.readInt32BE(0)));
    buffered = buffered.subarray(4 + buffered.readInt32BE(0));
  }
  return frames.length >= count ? frames : null;
}

/** Writes `bytes` in one write on a new connection; resolves with `count` frames, or with what came before the close. */
function exchange(bytes: Buffer, count: number): Promise<{ frames: Buffer[]; closed: boolean }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: broker.address.host, port: broker.address.port });
    const chunks: Buffer[] = [];
    socket.on('connect', () => socket.write(bytes));
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      const frames = framesFrom(chunks, count);
      if (frames !== null) {
        socket.destroy();
        resolve({ frames, closed: false });
      }
    });
    socket.on('close', () => resolve({ frames: framesFrom(chunks, 0) ?? [], closed: true }));
    socket.on('error', reject);
  });
}

describe('one connection, several requests in one write', () => {
  it('ApiVersions v0 then Metadata v0 (a probing client): both answered, in order, each decodable', async () => {
    const probe = Buffer.concat([encodeRequest(18, 0, 101, 'prober', {}), encodeRequest(3, 0, 102, 'prober', { topics: [] })]);
    const { frames } = await exchange(probe, 2);
    const versions = decodeResponse(18, 0, frames[0]!);
    expect(versions.correlationId).toBe(101);
    expect(versions.body.errorCode).toBe(0);
    expect(versions.body.apiKeys.find((k) => k.apiKey === 3)).toEqual({ apiKey: 3, minVersion: 0, maxVersion: 12 });
    const metadata = decodeResponse(3, 0, frames[1]!);
    expect(metadata.correlationId).toBe(102);
    expect(metadata.body.brokers[0]).toMatchObject({ host: broker.address.host, port: broker.address.port });
    expect(metadata.body.topics.map((t) => t.name)).toEqual(expect.arrayContaining(['orders']));
  });

  it('an unknown API key or a version the codec cannot read closes the connection and is counted per API in /metrics', async () => {
    // int32 size · int16 apiKey 4000 · int16 version 0 · int32 correlation id · int16 client id (null)
    const unknown = Buffer.from('0000000a0fa0000000000007ffff', 'hex');
    // Metadata v13 with the same header layout (v9+ request header: plus an empty tag section).
    const tooNew = Buffer.from('0000000b0003000d00000008ffff00', 'hex');
    for (const frame of [unknown, unknown, tooNew]) {
      const { frames, closed } = await exchange(frame, 1);
      expect([frames.length, closed]).toEqual([0, true]);
    }
    const families = await scrape(`http://127.0.0.1:${broker.http!.port}`);
    expect(sampleValue(families, 'fjord_client_unsupported_requests_total', { kind: 'unknown-api', api_key: '4000' })).toBe(2);
    expect(sampleValue(families, 'fjord_client_unsupported_requests_total', { kind: 'unsupported-version', api_key: '3' })).toBe(1);
  });
});
