// CreateTopics: checks each topic (name, partition count, replication factor 1 on this single broker, configs),
// then creates it or, with validateOnly, only checks; -1 partitions / replication factor = broker defaults. From
// v5 each result echoes the partitions, replication factor and effective configs. Runs on the main thread.
import { ErrorCode, KafkaError } from '../../shared/kafka-error-codes.js';
import { defineHandler, type RequestOfKey } from '../api-handler.js';
import type { BrokerContext } from '../broker-context.js';
import { attempt, eachNamedOnce, type ErrorFields, fieldsOf, refuseAssignments } from './admin-results.js';
import { topicConfigViews } from './config-resources.js';

type CreatableTopic = RequestOfKey<19>['body']['topics'][number];
type EchoedConfig = { name: string; value: string | null; readOnly: boolean; configSource: number; isSensitive: boolean };
type TopicResult = ErrorFields & { name: string; numPartitions?: number; replicationFactor?: number; configs?: EchoedConfig[] };

const BROKER_DEFAULT = -1;
const REPLICATION_FACTOR = 1;

export const createTopicsHandler = defineHandler({
  apiKey: 19,
  minVersion: 0,
  maxVersion: 5,
  async handle(ctx, request) {
    const { topics, validateOnly } = request.body;
    const results = await eachNamedOnce(
      topics,
      (topic) => topic.name,
      (topic) => createOne(ctx, topic, validateOnly),
      (topic, error): TopicResult => ({ name: topic.name, ...error }),
    );
    return { throttleTimeMs: 0, topics: results };
  },
});

async function createOne(ctx: BrokerContext, topic: CreatableTopic, validateOnly: boolean): Promise<TopicResult> {
  const name = topic.name;
  const partitions = topic.numPartitions === BROKER_DEFAULT ? ctx.config.numPartitions : topic.numPartitions;
  const outcome = await attempt(async () => {
    const overrides = overridesOf(topic.configs);
    ctx.topics.validateCreate(name, partitions, overrides);
    checkReplication(topic);
    if (!validateOnly) await ctx.topics.createTopic(name, partitions, overrides);
    return overrides;
  });
  if (!outcome.ok) {
    ctx.logger.debug({ topic: name, error: outcome.errorMessage }, 'topic creation refused');
    return { name, ...fieldsOf(outcome) };
  }
  if (!validateOnly) ctx.logger.info({ topic: name, partitions, overrides: outcome.value }, 'topic created');
  const configs = topicConfigViews(ctx, outcome.value).map(({ name, value, readOnly, configSource, isSensitive }) => ({
    name,
    value,
    readOnly,
    configSource,
    isSensitive,
  }));
  return { name, ...fieldsOf(outcome), numPartitions: partitions, replicationFactor: REPLICATION_FACTOR, configs };
}

/** The request's config entries as overrides; a null value is refused, as Kafka does. */
function overridesOf(configs: CreatableTopic['configs']): Record<string, string> {
  const overrides: Record<string, string> = {};
  for (const { name, value } of configs) {
    if (value === null) throw new KafkaError(ErrorCode.INVALID_REQUEST, `config ${name} has a null value`);
    overrides[name] = value;
  }
  return overrides;
}

function checkReplication(topic: CreatableTopic): void {
  const factor = topic.replicationFactor;
  if (factor !== BROKER_DEFAULT && factor !== REPLICATION_FACTOR) {
    throw new KafkaError(ErrorCode.INVALID_REPLICATION_FACTOR, `replication factor must be 1 (or -1 for the default) on this single broker, got ${factor}`);
  }
  refuseAssignments(topic.assignments);
}
