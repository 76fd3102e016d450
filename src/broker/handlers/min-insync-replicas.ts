// min.insync.replicas for Produce: an acks=all write needs at least that many in-sync replicas, and a
// standalone broker has exactly one (itself), so a topic asking for more answers NOT_ENOUGH_REPLICAS before
// anything is written, as Kafka's leader does. Main thread.
import { STANDALONE_REPLICAS } from '../../config/broker-config.js';
import { ErrorCode } from '../../shared/kafka-error-codes.js';
import type { BrokerContext } from '../broker-context.js';

const ACKS_ALL = -1;

/** Why an acks=all produce to topic-partition cannot be taken, or null. Unknown topics are left to the append. */
export function notEnoughReplicasProblem(ctx: BrokerContext, topic: string, partition: number, acks: number): { code: number; message: string } | null {
  if (acks !== ACKS_ALL || ctx.topics.topic(topic) === undefined) return null;
  const minInsync = ctx.topics.configOf(topic).minInsyncReplicas;
  if (STANDALONE_REPLICAS >= minInsync) return null;
  return {
    code: ErrorCode.NOT_ENOUGH_REPLICAS,
    message: `The size of the current ISR ${STANDALONE_REPLICAS} is insufficient to satisfy the min.isr requirement of ${minInsync} for partition ${topic}-${partition}; in-sync replica broker ids: ${ctx.nodeId}`,
  };
}
