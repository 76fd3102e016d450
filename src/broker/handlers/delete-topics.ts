// DeleteTopics, by name (v0–5) or by name or topic id (v6): removes each topic's partitions and files and
// forgets it (in a cluster: from etcd's state, and every broker deletes its replicas), so the name can be created
// again at once; long-polling fetches on it are woken to see it gone.
// Answers carry Kafka's error messages from v5 and the topic id from v6. Runs on the main thread.
import { ZERO_UUID } from '../../protocol/codec/reader.js';
import { OFFSETS_TOPIC } from '../../shared/group-protocol.js';
import { ErrorCode, KafkaError } from '../../shared/kafka-error-codes.js';
import { defineHandler } from '../api-handler.js';
import type { BrokerContext } from '../broker-context.js';
import { attempt, type ErrorFields, eachNamedOnce, NO_ERROR } from './admin-results.js';
import { changeClusterTopics } from '../cluster-topic-changes.js';

interface DeleteAnswer extends ErrorFields {
  name: string | null;
  topicId: string;
}

/** A v6 entry resolved to a name, or answered already (nothing named, both named, an unknown id). */
type Resolved = { name: string; topicId: string } | { answer: DeleteAnswer };

export const deleteTopicsHandler = defineHandler({
  apiKey: 20,
  minVersion: 0,
  maxVersion: 6,
  async handle(ctx, request) {
    const { topicNames, topics } = request.body;
    const resolved: Resolved[] = [...topicNames.map((name) => ({ name, topicId: ZERO_UUID })), ...topics.map((t) => resolve(ctx, t.name, t.topicId))];
    const early = resolved.flatMap((r) => ('answer' in r ? [r.answer] : []));
    const named = resolved.flatMap((r) => ('answer' in r ? [] : [r]));
    const responses = await eachNamedOnce(
      named,
      (entry) => entry.name,
      (entry) => deleteOne(ctx, entry.name, entry.topicId),
      (entry, error): DeleteAnswer => ({ name: entry.name, topicId: entry.topicId, ...error }),
    );
    return { throttleTimeMs: 0, responses: [...early, ...responses] };
  },
});

/** As Kafka's controller: exactly one of name and id; an id names a topic that exists. */
function resolve(ctx: BrokerContext, name: string | null, topicId: string): Resolved {
  const refuse = (errorCode: number, errorMessage: string): Resolved => ({ answer: { name, topicId, errorCode, errorMessage } });
  if (name === null && topicId === ZERO_UUID) return refuse(ErrorCode.INVALID_REQUEST, 'Neither topic name nor id were specified.');
  if (name !== null && topicId !== ZERO_UUID) return refuse(ErrorCode.INVALID_REQUEST, 'You may not specify both topic name and topic id.');
  if (name !== null) return { name, topicId };
  const byId = topicIdsByName(ctx).find(([, id]) => id === topicId)?.[0];
  return byId === undefined ? refuse(ErrorCode.UNKNOWN_TOPIC_ID, `Topic id ${topicId} not found.`) : { name: byId, topicId };
}

/** Every topic's name and id: the cluster's, or this broker's own when standalone. */
function topicIdsByName(ctx: BrokerContext): Array<[string, string]> {
  const cluster = ctx.membership.clusterTopics;
  if (cluster !== null) return cluster.topicNames().map((n) => [n, cluster.topic(n)?.topicId ?? ZERO_UUID]);
  return ctx.topics.topicNames().map((n) => [n, ctx.topics.topic(n)?.topicId ?? ZERO_UUID]);
}

async function deleteOne(ctx: BrokerContext, name: string, askedId: string): Promise<DeleteAnswer> {
  const cluster = ctx.membership.clusterTopics;
  const record = cluster === null ? ctx.topics.topic(name) : cluster.topic(name);
  const topicId = record?.topicId ?? askedId;
  const outcome = await attempt(async () => {
    if (cluster === null) return ctx.topics.deleteTopic(name);
    if (name === OFFSETS_TOPIC) throw new KafkaError(ErrorCode.INVALID_TOPIC_EXCEPTION, `${OFFSETS_TOPIC} is internal and cannot be deleted`);
    await changeClusterTopics(cluster, () => cluster.deleteTopic(name));
  });
  if (!outcome.ok) {
    ctx.logger.debug({ topic: name, error: outcome.errorMessage }, 'topic deletion refused');
    return { name, topicId, errorCode: outcome.errorCode, errorMessage: outcome.errorMessage };
  }
  const partitions = record === undefined ? 0 : 'partitions' in record ? record.partitions : record.partitionCount;
  for (let p = 0; p < partitions; p++) ctx.waiters.notify(name, p);
  ctx.logger.info({ topic: name, partitions }, 'topic deleted');
  return { name, topicId, ...NO_ERROR };
}
