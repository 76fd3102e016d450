// DeleteTopics (by name): removes each topic's partitions and files and forgets it, so the name can be
// created again at once; long-polling fetches on it are woken to see it gone. Runs on the main thread.
import { ErrorCode } from '../../shared/kafka-error-codes.js';
import { defineHandler } from '../api-handler.js';
import type { BrokerContext } from '../broker-context.js';
import { attempt, eachNamedOnce } from './admin-results.js';

export const deleteTopicsHandler = defineHandler({
  apiKey: 20,
  minVersion: 0,
  maxVersion: 4,
  async handle(ctx, request) {
    const responses = await eachNamedOnce(
      request.body.topicNames,
      (name) => name,
      async (name) => ({ name, errorCode: await deleteOne(ctx, name) }),
      (name, error) => ({ name, errorCode: error.errorCode }),
    );
    return { throttleTimeMs: 0, responses };
  },
});

async function deleteOne(ctx: BrokerContext, name: string): Promise<number> {
  const partitions = ctx.topics.topic(name)?.partitions ?? 0;
  const outcome = await attempt(() => ctx.topics.deleteTopic(name));
  if (!outcome.ok) {
    ctx.logger.debug({ topic: name, error: outcome.errorMessage }, 'topic deletion refused');
    return outcome.errorCode;
  }
  for (let p = 0; p < partitions; p++) ctx.waiters.notify(name, p);
  ctx.logger.info({ topic: name, partitions }, 'topic deleted');
  return ErrorCode.NONE;
}
