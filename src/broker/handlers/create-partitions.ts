// CreatePartitions: raises a topic's partition count (never lowers it); validateOnly only checks. Manual
// replica assignments are refused: Fjord places partitions itself. Runs on the main thread.
import { defineHandler } from '../api-handler.js';
import type { BrokerContext } from '../broker-context.js';
import { attempt, eachNamedOnce, type ErrorFields, fieldsOf, refuseAssignments } from './admin-results.js';

type Wanted = { name: string; count: number; assignments: readonly unknown[] | null };

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
  const outcome = await attempt(() => {
    refuseAssignments(topic.assignments);
    return ctx.topics.createPartitions(topic.name, topic.count, validateOnly);
  });
  if (outcome.ok && !validateOnly) ctx.logger.info({ topic: topic.name, partitions: topic.count }, 'partitions added');
  if (!outcome.ok) ctx.logger.debug({ topic: topic.name, error: outcome.errorMessage }, 'partition increase refused');
  return fieldsOf(outcome);
}
