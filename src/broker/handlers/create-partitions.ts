// CreatePartitions: raises a topic's partition count (never lowers it); validateOnly only checks. A manual
// assignment of the added partitions is checked as Kafka's controller does (one broker list per added
// partition, registered brokers only: on a standalone broker this node) and the partitions then placed here or,
// in a cluster, on the brokers it names (else spread over the live brokers like a new topic's).
// Runs on the main thread.
import { defineHandler } from '../api-handler.js';
import type { BrokerContext } from '../broker-context.js';
import { checkPartitionIncrease } from '../../metadata/topic-manager.js';
import { attempt, eachNamedOnce, type ErrorFields, fieldsOf } from './admin-results.js';
import { changeClusterTopics, registeredBrokerIds } from '../cluster-topic-changes.js';
import { checkAddedAssignments } from './replica-assignments.js';

type Wanted = { name: string; count: number; assignments: ReadonlyArray<{ brokerIds: readonly number[] }> | null };

/** Every partition of a standalone broker's topics has one replica. */
const REPLICATION_FACTOR = 1;

export const createPartitionsHandler = defineHandler({
  apiKey: 37,
  minVersion: 0,
  maxVersion: 3,
  async handle(ctx, request) {
    const { topics, validateOnly } = request.body;
    const results = await eachNamedOnce(
      topics,
      (topic) => topic.name,
      async (topic) => ({ name: topic.name, ...(await raiseCount(ctx, topic, validateOnly)) }),
      (topic, error) => ({ name: topic.name, ...error }),
    );
    return { throttleTimeMs: 0, results };
  },
});

async function raiseCount(ctx: BrokerContext, topic: Wanted, validateOnly: boolean): Promise<ErrorFields> {
  // An empty list is taken as no assignment (Kafka would refuse it): @platformatic/kafka sends [] when none is given.
  const assignments = topic.assignments !== null && topic.assignments.length > 0 ? topic.assignments : null;
  const cluster = ctx.membership.clusterTopics;
  const outcome = await attempt(async () => {
    if (cluster === null) {
      const checkAdded = (added: number) => assignments !== null && checkAddedAssignments(assignments, added, [ctx.nodeId], REPLICATION_FACTOR);
      return ctx.topics.createPartitions(topic.name, topic.count, validateOnly, checkAdded);
    }
    const current = cluster.topic(topic.name)?.partitionCount;
    checkPartitionIncrease(topic.name, current, topic.count);
    const replicationFactor = cluster.partition(topic.name, 0)?.replicas.length ?? 1;
    if (assignments !== null) checkAddedAssignments(assignments, topic.count - current!, registeredBrokerIds(ctx.membership), replicationFactor);
    if (validateOnly) return;
    await changeClusterTopics(cluster, () =>
      cluster.createPartitions(
        topic.name,
        topic.count,
        assignments?.map((a) => [...a.brokerIds]),
      ),
    );
  });
  if (outcome.ok && !validateOnly) ctx.logger.info({ topic: topic.name, partitions: topic.count }, 'partitions added');
  if (!outcome.ok) ctx.logger.debug({ topic: topic.name, error: outcome.errorMessage }, 'partition increase refused');
  return fieldsOf(outcome);
}
