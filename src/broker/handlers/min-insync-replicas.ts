// acks=all for Produce, as Kafka's leader does it: before the append, a partition whose ISR is smaller than its
// min.insync.replicas answers NOT_ENOUGH_REPLICAS and nothing is written; after it, the answer waits until the
// high watermark passes the batch (every in-sync replica has it: replicas.waitForCommit) or the request's
// timeout (REQUEST_TIMED_OUT), and is NOT_ENOUGH_REPLICAS_AFTER_APPEND when the ISR shrank below the minimum
// meanwhile, and NOT_LEADER_OR_FOLLOWER when this broker's etcd lease may have expired. A partition this broker leads alone (standalone, or given no replicated role) is committed once
// written: its ISR is itself; one that stopped being led here while the batch was appended answers NOT_LEADER_OR_FOLLOWER.
// Main thread.
import { ErrorCode } from '../../shared/kafka-error-codes.js';
import type { BrokerContext } from '../broker-context.js';
import { ANY_LEADER_EPOCH } from '../partition-leadership.js';

const ACKS_ALL = -1;

type Problem = { code: number; message: string };

function isrOf(ctx: BrokerContext, topic: string, partition: number): readonly number[] {
  return ctx.replicas?.isrOf(topic, partition) ?? [ctx.nodeId];
}

function tooFew(code: number, isr: readonly number[], minInsync: number, topic: string, partition: number): Problem {
  const message = `The size of the current ISR ${isr.length} is insufficient to satisfy the min.isr requirement of ${minInsync} for partition ${topic}-${partition}; in-sync replica broker ids: ${isr.join(',')}`;
  return { code, message };
}

/** Why an acks=all produce to topic-partition cannot be taken before anything is written, or null. Unknown topics are left to the append. */
export function notEnoughReplicasProblem(ctx: BrokerContext, topic: string, partition: number, acks: number): Problem | null {
  if (acks !== ACKS_ALL || ctx.topics.topic(topic) === undefined) return null;
  const minInsync = ctx.topics.configOf(topic).minInsyncReplicas;
  const isr = isrOf(ctx, topic, partition);
  return isr.length >= minInsync ? null : tooFew(ErrorCode.NOT_ENOUGH_REPLICAS, isr, minInsync, topic, partition);
}

/** For acks=all after a successful append ending at `lastOffset`: waits for the ISR to have it; null when committed. */
export async function awaitCommitted(ctx: BrokerContext, topic: string, partition: number, lastOffset: number, timeoutMs: number): Promise<Problem | null> {
  if (ctx.replicas === null) return null;
  if (ctx.replicas.isrOf(topic, partition) === undefined) {
    // Led nowhere here: never given a replicated role (its ISR is itself), or it stopped leading while the batch was
    // being appended (the state made it a follower): then no replica is known to have it, and nothing is confirmed.
    const code = ctx.leadership.leaderProblem(topic, partition, ANY_LEADER_EPOCH);
    return code === ErrorCode.NONE ? null : { code, message: `this broker stopped leading ${topic}-${partition} before the records were committed` };
  }
  const code = await ctx.replicas.waitForCommit(topic, partition, lastOffset, timeoutMs);
  if (code !== ErrorCode.NONE) {
    const message = code === ErrorCode.REQUEST_TIMED_OUT ? `not every in-sync replica of ${topic}-${partition} had the records within ${timeoutMs} ms` : '';
    return { code, message };
  }
  // A leader whose etcd lease may have expired may have been replaced: it acknowledges nothing (the client retries
  // at the leader it finds next; an idempotent producer's retry is not stored twice).
  if (!ctx.membership.mayAcknowledge()) {
    return {
      code: ErrorCode.NOT_LEADER_OR_FOLLOWER,
      message: `this broker cannot confirm it still leads ${topic}-${partition}: its etcd lease may have expired`,
    };
  }
  const minInsync = ctx.topics.configOf(topic).minInsyncReplicas;
  const isr = isrOf(ctx, topic, partition);
  return isr.length >= minInsync ? null : tooFew(ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND, isr, minInsync, topic, partition);
}
