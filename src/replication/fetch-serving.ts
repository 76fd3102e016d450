// The leader's side of ReplicaFetch: for each partition, checks that this broker leads it at the follower's
// current leader epoch and that the follower's log does not diverge from this one (divergence.ts), reads
// from the follower's log end up to this log's end (a replica read), and tells the replica manager where the
// follower is; waits up to maxWaitMs for data when there is less than minBytes (the broker's data waiters, as a
// fetch reading up to the log end: woken by appends, not by high watermark moves). Records read are held against the connection's response
// memory until the response is encoded. Main thread.
import { largeBuffers } from '../buffer-pool.js';
import type { DataWaiters } from '../broker/data-waiters.js';
import type { PartitionEngine } from '../engine/partition-engine.js';
import type { ConnectionMemory } from '../network/response-memory.js';
import { ErrorCode, kafkaErrorFrom } from '../shared/kafka-error-codes.js';
import { divergingEpochOf } from './divergence.js';
import type { ReplicaFetch, ReplicaFetchPartition, ReplicaFetchPartitionResult } from './messages.js';
import type { PartitionLeaderState } from './partition-leader-state.js';

export interface FetchServingDeps {
  engine: PartitionEngine;
  waiters: DataWaiters;
  leadershipOf(topic: string, partition: number): PartitionLeaderState | undefined;
  /** A follower fetched from `fetchOffset` while this log ended at `leaderLogEndOffset`. */
  followerFetched(leadership: PartitionLeaderState, replicaId: number, fetchOffset: number, leaderLogEndOffset: number): void;
}

const EMPTY = Buffer.alloc(0);

/**
 * Answers one ReplicaFetch. `encode` turns the results into the response frame while the records are still held:
 * records it lends to the frame (`lend` said yes: they are then held against the connection's memory, and go back
 * once the socket has written them) stay out of the pool; the others go back right after it.
 */
export async function serveReplicaFetch<T>(
  request: ReplicaFetch,
  memory: ConnectionMemory,
  deps: FetchServingDeps,
  encode: (partitions: ReplicaFetchPartitionResult[], lend: (records: Buffer) => boolean) => T,
): Promise<T> {
  const deadline = Date.now() + request.maxWaitMs;
  const wanted = request.partitions;
  let appendsBefore = deps.waiters.appendsOn(wanted, 'logEnd');
  let waited = false;
  for (;;) {
    const granted = await memory.grant(Math.min(request.maxBytes, sumOf(wanted)));
    const results = await readAll(request, granted, deps);
    const bytes = results.reduce((sum, r) => sum + r.records.length, 0);
    const answerNow = waited || bytes >= request.minBytes || results.some((r) => r.errorCode !== ErrorCode.NONE || r.divergingEpoch !== null);
    if (answerNow || Date.now() >= deadline) return encodeLending(results, memory, granted, encode);
    giveBack(results, memory, granted);
    // Woken once (new data, or a change of leadership) or timed out: the next read is the answer.
    await deps.waiters.wait(wanted, deadline - Date.now(), appendsBefore, 'logEnd');
    waited = true;
    appendsBefore = deps.waiters.appendsOn(wanted, 'logEnd');
  }
}

async function readAll(request: ReplicaFetch, grantedBytes: number, deps: FetchServingDeps): Promise<ReplicaFetchPartitionResult[]> {
  let room = grantedBytes;
  const results: ReplicaFetchPartitionResult[] = [];
  // One at a time: each read takes what is left of the granted room.
  for (const p of request.partitions) {
    const result = await readOne(request, p, room, deps);
    room = Math.max(0, room - result.records.length);
    results.push(result);
  }
  return results;
}

async function readOne(request: ReplicaFetch, p: ReplicaFetchPartition, roomBytes: number, deps: FetchServingDeps): Promise<ReplicaFetchPartitionResult> {
  const leadership = deps.leadershipOf(p.topic, p.partition);
  const epochCode = leaderEpochCheck(leadership, p.currentLeaderEpoch);
  if (epochCode !== ErrorCode.NONE || leadership === undefined) return failed(p, epochCode);
  if (!leadership.isReplica(request.replicaId)) return failed(p, ErrorCode.NOT_LEADER_OR_FOLLOWER);
  try {
    // The follower's last epoch is this leader's: it ends at the log end, so only a fetch beyond it (out of range) can be wrong.
    if (p.lastFetchedEpoch !== leadership.leaderEpoch && p.lastFetchedEpoch >= 0) {
      const leaderEnd = await deps.engine.endOffsetForEpoch(p.topic, p.partition, -1, p.lastFetchedEpoch);
      const diverging = divergingEpochOf(p.lastFetchedEpoch, p.fetchOffset, leaderEnd);
      if (diverging !== null) {
        const offsets = await deps.engine.offsets(p.topic, p.partition);
        return { ...position(p), errorCode: ErrorCode.NONE, ...offsets, divergingEpoch: diverging, records: EMPTY };
      }
    }
  } catch (error) {
    return failed(p, kafkaErrorFrom(error)?.code ?? ErrorCode.UNKNOWN_SERVER_ERROR);
  }
  if (roomBytes === 0 || p.maxBytes === 0) return positionOnly(request, p, leadership, deps);
  const outcome = await deps.engine.fetch(p.topic, p.partition, p.fetchOffset, Math.min(p.maxBytes, roomBytes), true);
  const { errorCode, highWatermark, logStartOffset, logEndOffset } = outcome;
  if (errorCode !== ErrorCode.NONE) {
    largeBuffers.release(outcome.records);
    // Out of range: the follower needs this log's start and end to know which way to go.
    const offsets = errorCode === ErrorCode.OFFSET_OUT_OF_RANGE ? await deps.engine.offsets(p.topic, p.partition).catch(() => null) : null;
    return { ...position(p), errorCode, highWatermark, logStartOffset, logEndOffset, ...offsets, divergingEpoch: null, records: EMPTY };
  }
  deps.followerFetched(leadership, request.replicaId, p.fetchOffset, logEndOffset);
  // The high watermark the manager holds may be newer than the one read (this very fetch may have moved it).
  const hw = Math.max(highWatermark, leadership.highWatermark);
  return { ...position(p), errorCode, highWatermark: Math.min(hw, logEndOffset), logStartOffset, logEndOffset, divergingEpoch: null, records: outcome.records };
}

/** No room for records (memory short, or none asked for): the follower's position still counts, and it gets the offsets. */
async function positionOnly(
  request: ReplicaFetch,
  p: ReplicaFetchPartition,
  leadership: PartitionLeaderState,
  deps: FetchServingDeps,
): Promise<ReplicaFetchPartitionResult> {
  try {
    const offsets = await deps.engine.offsets(p.topic, p.partition);
    if (p.fetchOffset < offsets.logStartOffset || p.fetchOffset > offsets.logEndOffset) return { ...failed(p, ErrorCode.OFFSET_OUT_OF_RANGE), ...offsets };
    deps.followerFetched(leadership, request.replicaId, p.fetchOffset, offsets.logEndOffset);
    return { ...position(p), errorCode: ErrorCode.NONE, ...offsets, divergingEpoch: null, records: EMPTY };
  } catch (error) {
    return failed(p, kafkaErrorFrom(error)?.code ?? ErrorCode.UNKNOWN_SERVER_ERROR);
  }
}

/** Kafka's checks of a follower's current leader epoch: not the leader, older (fenced), newer (unknown to us yet). */
function leaderEpochCheck(leadership: PartitionLeaderState | undefined, currentLeaderEpoch: number): number {
  if (leadership === undefined) return ErrorCode.NOT_LEADER_OR_FOLLOWER;
  if (currentLeaderEpoch < 0 || currentLeaderEpoch === leadership.leaderEpoch) return ErrorCode.NONE;
  return currentLeaderEpoch < leadership.leaderEpoch ? ErrorCode.FENCED_LEADER_EPOCH : ErrorCode.UNKNOWN_LEADER_EPOCH;
}

function position(p: ReplicaFetchPartition): { topic: string; partition: number } {
  return { topic: p.topic, partition: p.partition };
}

function failed(p: ReplicaFetchPartition, errorCode: number): ReplicaFetchPartitionResult {
  return { ...position(p), errorCode, highWatermark: -1, logStartOffset: -1, logEndOffset: -1, divergingEpoch: null, records: EMPTY };
}

function sumOf(partitions: readonly ReplicaFetchPartition[]): number {
  return partitions.reduce((sum, p) => sum + p.maxBytes, 0);
}

/** Encodes the answer: the memory granted for reading goes back, and each lent record set holds its own instead. */
function encodeLending<T>(
  results: ReplicaFetchPartitionResult[],
  memory: ConnectionMemory,
  grantedBytes: number,
  encode: (partitions: ReplicaFetchPartitionResult[], lend: (records: Buffer) => boolean) => T,
): T {
  memory.release(grantedBytes);
  const lent = new Set<Buffer>();
  const lend = (records: Buffer): boolean => {
    if (lent.has(records) || !memory.tryHold(largeBuffers.heldBytesOf(records))) return false;
    lent.add(records);
    return true;
  };
  try {
    return encode(results, lend);
  } catch (error) {
    for (const records of lent) memory.release(largeBuffers.heldBytesOf(records));
    lent.clear();
    throw error;
  } finally {
    for (const r of results) if (r.records.length > 0 && !lent.has(r.records)) largeBuffers.release(r.records);
  }
}

/** The records go back to the pool, and the memory granted for them to the connection. */
function giveBack(results: ReplicaFetchPartitionResult[], memory: ConnectionMemory, grantedBytes: number): void {
  for (const r of results) if (r.records.length > 0) largeBuffers.release(r.records);
  memory.release(grantedBytes);
}
