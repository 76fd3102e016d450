// The offset-commit load of bench/offset-commit.ts: one OffsetCommit v8 request per group encoded once
// (the offsets patched into a copy per send), sent as fast as answered with N in flight per connection (the
// product's closed loop, src/perf), each group always on the same connection so its commits reach the
// coordinator in the order sent; then OffsetFetch v8+ checks that every group's last commit is what the
// coordinator holds. Runs on the bench's main thread.
//
// Offsets sent: commit number k (1, 2, …) of a group sets partition slot i to k × OFFSET_STRIDE + i.
import type { BrokerConnection } from '../../src/client/broker-connection.js';
import type { KafkaConnection } from '../../src/client/kafka-connection.js';
import { runClosedLoop } from '../../src/perf/closed-loop.js';
import { LOAD_CLIENT_ID } from '../../src/perf/load-connections.js';
import type { LatencySummary } from '../../src/perf/stats.js';
import { decodeResponse, encodeRequest } from '../../src/protocol/api-registry.js';
import { errorName } from '../../src/shared/kafka-error-codes.js';

export const COMMIT_VERSION = 8;
/** OffsetFetch with a list of groups. */
const FETCH_VERSION_MIN = 8;
/** Greater than any partition count a commit carries, so each slot's offsets stay distinct. */
const OFFSET_STRIDE = 1000;
/** Placeholder offsets in the template, found once to learn where each int64 sits in the frame. */
const SENTINEL_BASE = 0x0f1e_2d3c_4b00;
/** Groups per OffsetFetch v8 request when checking. */
const FETCH_GROUPS_PER_REQUEST = 50;
const METADATA = '';

/** Who commits: an admin tool (generation -1, no member id; the group must be empty) or the group's member. */
export interface Committer {
  generationId: number;
  memberId: string;
}

export const ADMIN: Committer = { generationId: -1, memberId: '' };

export interface CommitGroup {
  readonly groupId: string;
  readonly connection: KafkaConnection;
  /** The whole request frame with sentinel offsets. */
  readonly template: Buffer;
  /** Where partition slot i's int64 offset sits in the frame. */
  readonly offsetAt: readonly number[];
  /** Commits sent so far (the last one sent is the one the coordinator must hold). */
  sent: number;
}

export interface CommitTarget {
  topic: string;
  partitions: readonly number[];
}

export function buildCommitGroup(groupId: string, connection: KafkaConnection, target: CommitTarget, committer: Committer): CommitGroup {
  if (target.partitions.length >= OFFSET_STRIDE) throw new RangeError(`at most ${OFFSET_STRIDE - 1} partitions per commit`);
  const template = encodeRequest(8, COMMIT_VERSION, 0, LOAD_CLIENT_ID, {
    groupId,
    generationIdOrMemberEpoch: committer.generationId,
    memberId: committer.memberId,
    groupInstanceId: null,
    topics: [
      {
        name: target.topic,
        partitions: target.partitions.map((partitionIndex, i) => ({
          partitionIndex,
          committedOffset: SENTINEL_BASE + i,
          committedLeaderEpoch: -1,
          committedMetadata: METADATA,
        })),
      },
    ],
  });
  const offsetAt = target.partitions.map((_, i) => {
    const sentinel = Buffer.alloc(8);
    sentinel.writeBigInt64BE(BigInt(SENTINEL_BASE + i));
    const at = template.indexOf(sentinel);
    if (at < 0 || template.lastIndexOf(sentinel) !== at) throw new Error(`OffsetCommit template: offset slot ${i} not found exactly once`);
    return at;
  });
  return { groupId, connection, template, offsetAt, sent: 0 };
}

export function offsetOf(commitNumber: number, slot: number): number {
  return commitNumber * OFFSET_STRIDE + slot;
}

/** A fresh frame for the group's next commit (a copy: frames sent earlier may still sit in the socket). */
function nextFrame(group: CommitGroup): Buffer {
  const frame = Buffer.allocUnsafe(group.template.length);
  group.template.copy(frame);
  const commitNumber = ++group.sent;
  for (let i = 0; i < group.offsetAt.length; i++) {
    const offset = offsetOf(commitNumber, i);
    const at = group.offsetAt[i]!;
    frame.writeUInt32BE(Math.floor(offset / 2 ** 32), at);
    frame.writeUInt32BE(offset >>> 0, at + 4);
  }
  return frame;
}

function checkCommitResponse(frame: Buffer): void {
  const { body } = decodeResponse(8, COMMIT_VERSION, frame);
  for (const topic of body.topics) {
    for (const p of topic.partitions) if (p.errorCode !== 0) throw new Error(`OffsetCommit ${topic.name}-${p.partitionIndex}: ${errorName(p.errorCode)}`);
  }
}

export interface CommitLoadOptions {
  inFlightPerConnection: number;
  durationMaxMs: number;
  commitsMax: number;
}

export interface CommitResult {
  commits: number;
  partitionOffsets: number;
  elapsedMs: number;
  latency: LatencySummary;
}

/** Keeps inFlightPerConnection commits outstanding on each connection (its groups round-robin) until a bound. */
export async function commitAsFastAsAnswered(groups: readonly CommitGroup[], options: CommitLoadOptions): Promise<CommitResult> {
  const byConnection = new Map<KafkaConnection, { own: CommitGroup[]; next: number }>();
  for (const g of groups) {
    const entry = byConnection.get(g.connection) ?? { own: [], next: 0 };
    entry.own.push(g);
    byConnection.set(g.connection, entry);
  }
  const partitionsPerCommit = groups[0]!.offsetAt.length;
  const result = await runClosedLoop(
    [...byConnection.keys()],
    (connection, onResponse) => {
      const entry = byConnection.get(connection)!;
      connection.sendFrame(nextFrame(entry.own[entry.next++ % entry.own.length]!), onResponse);
    },
    checkCommitResponse,
    { requestsMax: options.commitsMax, durationMaxMs: options.durationMaxMs, inFlightPerConnection: options.inFlightPerConnection },
  );
  return { commits: result.requests, partitionOffsets: result.requests * partitionsPerCommit, elapsedMs: result.elapsedMs, latency: result.latency };
}

/** OffsetFetch (v8+) of every group: each partition must hold the group's last commit. Returns offsets checked. */
export async function verifyLastCommits(connection: BrokerConnection, groups: readonly CommitGroup[], target: CommitTarget): Promise<number> {
  let checked = 0;
  for (let first = 0; first < groups.length; first += FETCH_GROUPS_PER_REQUEST) {
    const chunk = groups.slice(first, first + FETCH_GROUPS_PER_REQUEST);
    const { body: answer } = await connection.call(
      9,
      { groups: chunk.map((g) => ({ groupId: g.groupId, topics: [{ name: target.topic, partitionIndexes: [...target.partitions] }] })), requireStable: false },
      { minVersion: FETCH_VERSION_MIN },
    );
    chunk.forEach((group, g) => {
      const fetched = answer.groups[g];
      if (fetched?.groupId !== group.groupId || fetched.errorCode !== 0)
        throw new Error(`OffsetFetch ${group.groupId}: ${errorName(fetched?.errorCode ?? -1)}`);
      const partitions = fetched.topics.find((t) => t.name === target.topic)?.partitions ?? [];
      target.partitions.forEach((partition, slot) => {
        const p = partitions.find((x) => x.partitionIndex === partition);
        const expected = offsetOf(group.sent, slot);
        if (p === undefined || p.errorCode !== 0 || p.committedOffset !== expected || p.metadata !== METADATA) {
          throw new Error(
            `${group.groupId} ${target.topic}-${partition}: committed ${p?.committedOffset} (error ${p?.errorCode}), expected ${expected} from commit ${group.sent}`,
          );
        }
        checked++;
      });
    });
  }
  return checked;
}
