// Fetch: reads whole batches per partition from the owning workers, honours max_bytes (the first
// partition with data always gets at least one whole batch) and partition_max_bytes, and long-polls up
// to max_wait_ms for min_bytes, woken as soon as a produce lands on one of its partitions. Fetched bytes sit
// in pooled buffers (src/buffer-pool.ts) handed back once the response is encoded. Sessions are
// not kept: every response carries session id 0, which clients accept as "full fetches". Counts the
// bytes and records returned per topic. Runs on the main thread.
import type { FetchOutcome } from '../../engine/worker-handle.js';
import { ErrorCode } from '../../shared/kafka-error-codes.js';
import { defineHandler, type RequestOfKey } from '../api-handler.js';
import type { BrokerContext } from '../broker-context.js';
import { largeBuffers } from '../../buffer-pool.js';

type FetchRequest = RequestOfKey<1>['body'];
type Wanted = { topic: string; partition: number; fetchOffset: number; partitionMaxBytes: number };

export const fetchHandler = defineHandler({
  apiKey: 1,
  minVersion: 4,
  maxVersion: 12,
  async handle(ctx, request) {
    const body = request.body;
    const wanted: Wanted[] = body.topics.flatMap((t) => t.partitions.map((p) => ({ topic: t.topic, partition: p.partition, fetchOffset: p.fetchOffset, partitionMaxBytes: p.partitionMaxBytes })));
    const deadline = Date.now() + Math.max(0, body.maxWaitMs);
    let appendsBeforeRead = ctx.waiters.appendsOn(wanted);
    let outcomes = await readAll(ctx, wanted, body);
    while (!enough(outcomes, body.minBytes) && Date.now() < deadline) {
      if (!(await ctx.waiters.wait(wanted, deadline - Date.now(), appendsBeforeRead))) break;
      for (const outcome of outcomes) largeBuffers.release(outcome.records);
      appendsBeforeRead = ctx.waiters.appendsOn(wanted);
      outcomes = await readAll(ctx, wanted, body);
    }
    countReturned(ctx, wanted, outcomes);
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      sessionId: 0,
      responses: body.topics.map((t) => ({
        topic: t.topic,
        partitions: t.partitions.map((p) => {
          const outcome = outcomes[wanted.findIndex((w) => w.topic === t.topic && w.partition === p.partition)]!;
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
  /** The records were copied into the response frame: their pooled buffers go back. */
  afterEncode(response) {
    for (const topic of response.responses ?? []) for (const partition of topic.partitions ?? []) if (partition.records) largeBuffers.release(partition.records);
  },
});

/** Reads every partition in parallel, then keeps batches in request order until max_bytes is used up. */
async function readAll(ctx: BrokerContext, wanted: Wanted[], body: FetchRequest): Promise<FetchOutcome[]> {
  const outcomes = await Promise.all(wanted.map((w) => ctx.engine.fetch(w.topic, w.partition, w.fetchOffset, Math.min(w.partitionMaxBytes, body.maxBytes))));
  let budget = body.maxBytes;
  let anyData = false;
  for (const outcome of outcomes) {
    const size = outcome.records.length;
    if (size === 0) continue;
    if (anyData && size > budget) {
      largeBuffers.release(outcome.records);
      outcome.records = EMPTY;
      continue;
    }
    anyData = true;
    budget = Math.max(0, budget - size);
  }
  return outcomes;
}

const EMPTY = Buffer.alloc(0);

function countReturned(ctx: BrokerContext, wanted: Wanted[], outcomes: FetchOutcome[]): void {
  for (let i = 0; i < wanted.length; i++) {
    const records = outcomes[i]!.records;
    if (records.length > 0) ctx.meters.fetched(wanted[i]!.topic, records);
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
