// Per-partition group answers: flattening a request's topics → partitions into (topic, partition) pairs,
// regrouping per-partition results into the response's topics in request order, and telling which
// partitions exist. Main thread.
import type { TopicPartitionRef } from '../../../shared/group-protocol.js';
import type { BrokerContext } from '../../broker-context.js';

export function flattenPartitions<P>(topics: ReadonlyArray<{ name: string; partitions: readonly P[] }>, indexOf: (p: P) => number): TopicPartitionRef[] {
  return topics.flatMap((t) => t.partitions.map((p) => ({ topic: t.name, partition: indexOf(p) })));
}

/** Groups results by topic, keeping the order in which topics and partitions first appear. */
export function byTopic<R extends TopicPartitionRef, A>(results: readonly R[], answer: (r: R) => A): Array<{ name: string; partitions: A[] }> {
  const topics = new Map<string, A[]>();
  for (const r of results) {
    const list = topics.get(r.topic) ?? [];
    list.push(answer(r));
    topics.set(r.topic, list);
  }
  return [...topics].map(([name, partitions]) => ({ name, partitions }));
}

export function partitionExists(ctx: BrokerContext, ref: TopicPartitionRef): boolean {
  const record = ctx.topics.topic(ref.topic);
  return record !== undefined && ref.partition >= 0 && ref.partition < record.partitions;
}
