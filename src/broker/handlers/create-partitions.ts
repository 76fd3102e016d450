// CreatePartitions: raises a topic's partition count (never lowers it); validateOnly only checks. A manual
// assignment of the added partitions is checked as Kafka's controller does (one broker list per added
// partition, registered brokers only: on a standalone broker this node) and the partitions then placed here.
// Runs on the main thread.
import { defineHandler } from '../api-handler.js';
import type { BrokerContext } from '../broker-context.js';
import { attempt, eachNamedOnce, type ErrorFields, fieldsOf } from './admin-results.js';
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
  const { assignments } = topic;
  // An empty list is taken as no assignment (Kafka would refuse it): @platformatic/kafka sends [] when none is given.
  const checkAdded = (added: number): void => {
    if (assignments !== null && assignments.length > 0) checkAddedAssignments(assignments, added, [ctx.nodeId], REPLICATION_FACTOR);
  };
  const outcome = await attempt(() => ctx.topics.createPartitions(topic.name, topic.count, validateOnly, checkAdded));
  if (outcome.ok && !validateOnly) ctx.logger.info({ topic: topic.name, partitions: topic.count }, 'partitions added');
  if (!outcome.ok) ctx.logger.debug({ topic: topic.name, error: outcome.errorMessage }, 'partition increase refused');
  return fieldsOf(outcome);
}
