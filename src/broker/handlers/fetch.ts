// Fetch: reads whole batches per partition from the owning workers, honours max_bytes (the first
// partition with data always gets at least one whole batch) and partition_max_bytes, and long-polls up
// to max_wait_ms for min_bytes, woken as soon as a produce lands on one of its partitions. Fetched bytes sit
// in pooled buffers (src/buffer-pool.ts); large ones are lent to the response frame uncopied and handed back
// once the socket has written them, small ones once the response is encoded. All are held against the
// response memory (src/network/response-memory.ts): a read asks for room first, and what finds none is not
// read (the partition answers with its offsets and no records) or not kept. Sessions are not kept: every
// response carries session id 0, which clients accept as "full fetches". Counts the bytes and records
// returned per topic. v0-3 answer the old message format (v0-1 magic 0, v2-3 magic 1), converted down by the
// owning worker (workers/legacy-formats.ts); v13+ name topics by id (unknown ids answer UNKNOWN_TOPIC_ID).
// The tagged fields of features this single broker lacks (current leader, node endpoints, replica state and
// directory) keep their defaults, as a Kafka 3.9 broker leading every partition answers. Runs on the main thread.
import type { FetchOutcome } from '../../engine/worker-handle.js';
import type { ConnectionMemory } from '../../network/response-memory.js';
import { ErrorCode, KafkaError } from '../../shared/kafka-error-codes.js';
import { defineHandler, type RequestOfKey } from '../api-handler.js';
import type { BrokerContext } from '../broker-context.js';
import { BufferPool, largeBuffers } from '../../buffer-pool.js';
import { countLegacyMessages } from '../../shared/legacy-message.js';
import { CURRENT_MAGIC } from '../../shared/record-batch.js';
import { TopicIds } from '../topic-ids.js';

type FetchRequest = RequestOfKey<1>['body'];
/**
 * `refusal`: the error the partition answers without a read, or NONE — UNKNOWN_TOPIC_ID for a v13+ topic id that
 * names no topic (topic ''), UNSUPPORTED_COMPRESSION_TYPE for a zstd topic fetched below v10 (as Kafka's KafkaApis).
 */
type Wanted = { topic: string; partition: number; fetchOffset: number; partitionMaxBytes: number; refusal: number };

/** Fetch v0-1 read message format v0, v2-3 v1; v4+ record batches as stored. */
function magicFor(version: number): number {
  return version <= 1 ? 0 : version <= 3 ? 1 : CURRENT_MAGIC;
}
const FIRST_TOPIC_ID_VERSION = 13;
const topicIdsOf = new WeakMap<BrokerContext['topics'], TopicIds>();

export const fetchHandler = defineHandler({
  apiKey: 1,
  minVersion: 0,
  maxVersion: 17,
  async handle(ctx, request, connection) {
    const body = request.body;
    const memory = connection.responseMemory;
    const names = topicNames(ctx, body, request.header.apiVersion);
    const refusals = names.map((name) => refusalFor(ctx, name, request.header.apiVersion));
    const wanted: Wanted[] = body.topics.flatMap((t, i) =>
      t.partitions.map((p) => ({
        topic: names[i] ?? '',
        partition: p.partition,
        fetchOffset: p.fetchOffset,
        partitionMaxBytes: p.partitionMaxBytes,
        refusal: refusals[i] !== ErrorCode.NONE ? refusals[i]! : ctx.leadership.leaderProblem(names[i]!, p.partition, p.currentLeaderEpoch),
      })),
    );
    const toMagic = magicFor(request.header.apiVersion);
    const deadline = Date.now() + Math.max(0, body.maxWaitMs);
    let appendsBeforeRead = ctx.waiters.appendsOn(wanted);
    let outcomes = await readAll(ctx, memory, wanted, body, toMagic);
    while (!enough(outcomes, body.minBytes) && Date.now() < deadline) {
      if (!(await ctx.waiters.wait(wanted, deadline - Date.now(), appendsBeforeRead))) break;
      for (const outcome of outcomes) giveBack(memory, outcome.records);
      appendsBeforeRead = ctx.waiters.appendsOn(wanted);
      outcomes = await readAll(ctx, memory, wanted, body, toMagic);
    }
    countReturned(ctx, wanted, outcomes, toMagic);
    // wanted (and outcomes) list the partitions in request order, a repeated one each time: every outcome is answered, and so given back.
    let next = 0;
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      sessionId: 0,
      responses: body.topics.map((t) => ({
        topic: t.topic,
        topicId: t.topicId,
        partitions: t.partitions.map((p) => {
          const outcome = outcomes[next++]!;
          return {
            partitionIndex: p.partition,
            errorCode: outcome.errorCode,
            highWatermark: outcome.highWatermark,
            lastStableOffset: outcome.highWatermark,
            logStartOffset: outcome.logStartOffset,
            abortedTransactions: outcome.errorCode === ErrorCode.NONE ? [] : null,
            preferredReadReplica: -1,
            records: outcome.records,
          };
        }),
      })),
    };
  },
  /** Records in pooled buffers go into the response frame uncopied; the connection gives them back once written. */
  lends(response) {
    const lent = new Set<Buffer>();
    for (const topic of response.responses ?? [])
      for (const partition of topic.partitions ?? []) if (partition.records && BufferPool.mayBePooled(partition.records)) lent.add(partition.records);
    return lent;
  },
  /** Records copied into the response frame: their buffers and the memory they held go back (lent ones are the frame's now). */
  afterEncode(response, connection, lent) {
    for (const topic of response.responses ?? [])
      for (const partition of topic.partitions ?? [])
        if (partition.records && !lent.has(partition.records)) giveBack(connection.responseMemory, partition.records);
  },
});

/**
 * Reads the partitions within max_bytes as Kafka does (in request order, each from what max_bytes has left, the
 * first partition with data getting at least one whole batch), but in parallel: a round asks every partition
 * still waiting for its share of what is left, in order; the partitions whose turn found nothing left wait for
 * the next round, which gives them what the round's reads did not use (a partition with little or no new data
 * leaves its share to the ones after it, as in Kafka's sequential reads). Partitions never read are answered
 * with their offsets. Each round's reads also ask the response memory for room: a partition granted nothing
 * gets only its offsets. Keeps batches in request order until max_bytes is used up or the memory has no room.
 */
async function readAll(ctx: BrokerContext, memory: ConnectionMemory, wanted: Wanted[], body: FetchRequest, toMagic: number): Promise<FetchOutcome[]> {
  const outcomes: FetchOutcome[] = new Array(wanted.length);
  const state = { maxBytesLeft: body.maxBytes, anyData: false };
  let waiting = wanted.map((_, i) => i);
  while (waiting.length > 0 && state.maxBytesLeft > 0) waiting = await readRound(ctx, memory, wanted, waiting, outcomes, state, toMagic);
  await Promise.all(waiting.map(async (i) => (outcomes[i] = await offsetsOnly(ctx, wanted[i]!))));
  return outcomes;
}

/** One round of readAll over the partitions `waiting` (request order); returns those whose turn found max_bytes used up. */
async function readRound(
  ctx: BrokerContext,
  memory: ConnectionMemory,
  wanted: Wanted[],
  waiting: number[],
  outcomes: FetchOutcome[],
  state: { maxBytesLeft: number; anyData: boolean },
  toMagic: number,
): Promise<number[]> {
  const later: number[] = [];
  const reads: Array<{ i: number; cap: number }> = [];
  let left = state.maxBytesLeft;
  for (const i of waiting) {
    const w = wanted[i]!;
    if (w.refusal !== ErrorCode.NONE || w.partitionMaxBytes <= 0) reads.push({ i, cap: 0 });
    else if (left <= 0) later.push(i);
    else {
      reads.push({ i, cap: Math.min(w.partitionMaxBytes, left) });
      left -= reads.at(-1)!.cap;
    }
  }
  // Until this response holds records it may wait for the connection's earlier responses to be written; once it
  // holds some, waiting for them to be written would never end, so it takes only the room there is now.
  const askedBytes = reads.reduce((sum, read) => sum + read.cap, 0);
  let grantedBytes = state.anyData ? memory.grantNow(askedBytes) : await memory.grant(askedBytes);
  const reservedBytes = grantedBytes;
  for (const read of reads) {
    const asked = read.cap;
    read.cap = Math.min(asked, grantedBytes);
    grantedBytes -= read.cap;
    if (asked > 0 && read.cap === 0) memory.budget.shortPartitions++;
  }
  const answers = await Promise.all(
    reads.map(({ i, cap }) => {
      const w = wanted[i]!;
      if (w.refusal !== ErrorCode.NONE) return Promise.resolve(refused(w.refusal));
      // Once the response holds records no read of this round is its first with data: none may exceed its share.
      return cap > 0 ? ctx.engine.fetch(w.topic, w.partition, w.fetchOffset, cap, false, toMagic, state.anyData) : offsetsOnly(ctx, w);
    }),
  );
  memory.release(reservedBytes);
  // `reads` is in request order, so batches are kept in request order.
  reads.forEach(({ i }, k) => {
    outcomes[i] = answers[k]!;
    keepWithinMaxBytes(memory, outcomes[i], wanted[i]!.partitionMaxBytes, state);
  });
  return later;
}

/**
 * Keeps a partition's records if they fit its own limit and what max_bytes has left (the first partition with
 * data always fits: a worker answers a first batch larger than the limit whole) and the memory holds them.
 */
function keepWithinMaxBytes(
  memory: ConnectionMemory,
  outcome: FetchOutcome,
  partitionMaxBytes: number,
  state: { maxBytesLeft: number; anyData: boolean },
): void {
  const size = outcome.records.length;
  if (size === 0) return;
  const fits = !state.anyData || (size <= state.maxBytesLeft && size <= partitionMaxBytes);
  if (!fits || !memory.tryHold(largeBuffers.heldBytesOf(outcome.records))) {
    if (fits) memory.budget.shortPartitions++;
    largeBuffers.release(outcome.records);
    outcome.records = EMPTY;
    return;
  }
  state.anyData = true;
  state.maxBytesLeft = Math.max(0, state.maxBytesLeft - size);
}

/** A partition read no records for want of memory: its offsets (a control-plane call, no data), or its error. */
async function offsetsOnly(ctx: BrokerContext, w: Wanted): Promise<FetchOutcome> {
  try {
    const { logStartOffset, highWatermark, logEndOffset } = await ctx.engine.offsets(w.topic, w.partition);
    const inRange = w.fetchOffset >= logStartOffset && w.fetchOffset <= logEndOffset;
    return {
      errorCode: inRange ? ErrorCode.NONE : ErrorCode.OFFSET_OUT_OF_RANGE,
      errorMessage: '',
      highWatermark,
      logStartOffset,
      logEndOffset,
      records: EMPTY,
    };
  } catch (error) {
    const errorCode = error instanceof KafkaError ? error.code : ErrorCode.UNKNOWN_SERVER_ERROR;
    return { errorCode, errorMessage: (error as Error).message, highWatermark: -1, logStartOffset: -1, logEndOffset: -1, records: EMPTY };
  }
}

function refused(errorCode: number): FetchOutcome {
  return { errorCode, errorMessage: '', highWatermark: -1, logStartOffset: -1, logEndOffset: -1, records: EMPTY };
}

/** Fetch v10 is the first that may carry zstd (KIP-110): older fetches of a zstd topic are refused, as Kafka does. */
const FIRST_ZSTD_FETCH_VERSION = 10;

function refusalFor(ctx: BrokerContext, name: string | undefined, version: number): number {
  if (name === undefined) return ErrorCode.UNKNOWN_TOPIC_ID;
  if (version < FIRST_ZSTD_FETCH_VERSION && ctx.topics.topic(name) !== undefined && ctx.topics.configOf(name).compressionType === 'zstd') {
    return ErrorCode.UNSUPPORTED_COMPRESSION_TYPE;
  }
  return ErrorCode.NONE;
}

/** Topic names in request order: v0-12 name them; v13+ by id, undefined for an id no topic has. */
function topicNames(ctx: BrokerContext, body: FetchRequest, version: number): Array<string | undefined> {
  if (version < FIRST_TOPIC_ID_VERSION) return body.topics.map((t) => t.topic);
  let ids = topicIdsOf.get(ctx.topics);
  if (ids === undefined) {
    ids = new TopicIds(ctx.topics);
    topicIdsOf.set(ctx.topics, ids);
  }
  const lookup = ids;
  return body.topics.map((t) => lookup.nameOf(t.topicId));
}

function giveBack(memory: ConnectionMemory, records: Buffer): void {
  memory.release(largeBuffers.heldBytesOf(records));
  largeBuffers.release(records);
}

const EMPTY = Buffer.alloc(0);

function countReturned(ctx: BrokerContext, wanted: Wanted[], outcomes: FetchOutcome[], toMagic: number): void {
  for (let i = 0; i < wanted.length; i++) {
    const records = outcomes[i]!.records;
    if (records.length === 0) continue;
    if (toMagic === CURRENT_MAGIC) ctx.meters.fetched(wanted[i]!.topic, records);
    else ctx.meters.fetched(wanted[i]!.topic, records, countLegacyMessages(records));
  }
}

function enough(outcomes: FetchOutcome[], minBytes: number): boolean {
  let bytes = 0;
  for (const outcome of outcomes) {
    if (outcome.errorCode !== ErrorCode.NONE) return true;
    bytes += outcome.records.length;
  }
  return bytes >= Math.max(1, minBytes);
}
