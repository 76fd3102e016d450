// CreateTopics v0-7: checks each topic as Kafka's controller does (name, existence, configs, then either a manual
// replica assignment or the partition count and replication factor, -1 meaning the broker defaults), then creates
// it (in a cluster: in etcd's state, replicas over the live brokers) or, with validateOnly, only checks and answers
// as if created. From v5 each result echoes the partitions,
// replication factor and effective configs; from v7 the new topic's id. Runs on the main thread.
import { newTopicId } from '../../metadata/standalone-metadata.js';
import { ZERO_UUID } from '../../protocol/codec/reader.js';
import { ErrorCode, KafkaError } from '../../shared/kafka-error-codes.js';
import { defineHandler, type RequestOfKey } from '../api-handler.js';
import type { BrokerContext } from '../broker-context.js';
import { attempt, eachNamedOnce, type ErrorFields, fieldsOf } from './admin-results.js';
import { changeClusterTopics, registeredBrokerIds } from '../cluster-topic-changes.js';
import { topicConfigViews } from './config-resources.js';
import { partitionsOfAssignment } from './replica-assignments.js';

type CreatableTopic = RequestOfKey<19>['body']['topics'][number];
type EchoedConfig = { name: string; value: string | null; readOnly: boolean; configSource: number; isSensitive: boolean };
type TopicResult = ErrorFields & { name: string; topicId?: string; numPartitions?: number; replicationFactor?: number; configs?: EchoedConfig[] };
type Layout = { partitions: number; replicationFactor: number };

const BROKER_DEFAULT = -1;

export const createTopicsHandler = defineHandler({
  apiKey: 19,
  minVersion: 0,
  maxVersion: 7,
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
  const outcome = await attempt(async () => {
    const overrides = overridesOf(topic.configs);
    const cluster = ctx.membership.clusterTopics;
    if (cluster === null) ctx.topics.validateNewTopic(name, overrides);
    else if (cluster.topic(name) !== undefined) throw new KafkaError(ErrorCode.TOPIC_ALREADY_EXISTS, `Topic '${name}' already exists.`);
    const layout = layoutOf(ctx, topic);
    if (cluster === null) ctx.topics.validateCreate(name, layout.partitions, overrides);
    else ctx.topics.validateShape(name, layout.partitions, overrides);
    // As Kafka's controller, validateOnly answers with the id the topic would have had.
    if (validateOnly) return { overrides, layout, topicId: newTopicId() };
    if (cluster === null) return { overrides, layout, topicId: (await ctx.topics.createTopic(name, layout.partitions, overrides)).topicId };
    const request = { partitionCount: layout.partitions, replicationFactor: layout.replicationFactor, configs: overrides };
    const replicaAssignment = topic.assignments.length > 0 ? replicasOf(topic.assignments) : undefined;
    await changeClusterTopics(cluster, () => cluster.createTopic(name, { ...request, replicaAssignment }));
    return { overrides, layout, topicId: cluster.topic(name)?.topicId ?? ZERO_UUID };
  });
  if (!outcome.ok) {
    ctx.logger.debug({ topic: name, error: outcome.errorMessage }, 'topic creation refused');
    return { name, ...fieldsOf(outcome) };
  }
  const { overrides, layout, topicId } = outcome.value;
  if (!validateOnly) ctx.logger.info({ topic: name, partitions: layout.partitions, overrides }, 'topic created');
  const configs = topicConfigViews(ctx, overrides).map(({ name, value, readOnly, configSource, isSensitive }) => ({
    name,
    value,
    readOnly,
    configSource,
    isSensitive,
  }));
  return { name, ...fieldsOf(outcome), topicId, numPartitions: layout.partitions, replicationFactor: layout.replicationFactor, configs };
}

/** The request's config entries as overrides; null values are refused, as Kafka does. */
function overridesOf(configs: CreatableTopic['configs']): Record<string, string> {
  const nulls = configs.filter((c) => c.value === null).map((c) => c.name);
  if (nulls.length > 0) throw new KafkaError(ErrorCode.INVALID_CONFIG, `Null value not supported for topic configs: ${nulls.join(',')}`);
  return Object.fromEntries(configs.map(({ name, value }) => [name, value!]));
}

/** Partition count and replication factor: from a manual assignment, or the request's (-1: broker defaults). */
function layoutOf(ctx: BrokerContext, topic: CreatableTopic): Layout {
  const registered = registeredBrokerIds(ctx.membership);
  if (topic.assignments.length > 0) {
    if (topic.replicationFactor !== BROKER_DEFAULT) {
      throw new KafkaError(ErrorCode.INVALID_REQUEST, 'A manual partition assignment was specified, but replication factor was not set to -1.');
    }
    if (topic.numPartitions !== BROKER_DEFAULT) {
      throw new KafkaError(ErrorCode.INVALID_REQUEST, 'A manual partition assignment was specified, but numPartitions was not set to -1.');
    }
    return partitionsOfAssignment(topic.assignments, registered);
  }
  if (topic.replicationFactor < BROKER_DEFAULT || topic.replicationFactor === 0) {
    throw new KafkaError(ErrorCode.INVALID_REPLICATION_FACTOR, 'Replication factor must be larger than 0, or -1 to use the default value.');
  }
  if (topic.numPartitions < BROKER_DEFAULT || topic.numPartitions === 0) {
    throw new KafkaError(ErrorCode.INVALID_PARTITIONS, 'Number of partitions was set to an invalid non-positive value.');
  }
  const replicationFactor = topic.replicationFactor === BROKER_DEFAULT ? ctx.config.defaultReplicationFactor : topic.replicationFactor;
  if (replicationFactor > registered.length) {
    throw new KafkaError(
      ErrorCode.INVALID_REPLICATION_FACTOR,
      `Unable to replicate the partition ${replicationFactor} time(s): The target replication factor of ${replicationFactor} cannot be reached because only ${registered.length} broker(s) are registered.`,
    );
  }
  return { partitions: topic.numPartitions === BROKER_DEFAULT ? ctx.config.numPartitions : topic.numPartitions, replicationFactor };
}

/** A checked manual assignment as replica lists in partition order. */
function replicasOf(assignments: CreatableTopic['assignments']): number[][] {
  return [...assignments].sort((a, b) => a.partitionIndex - b.partitionIndex).map((a) => [...a.brokerIds]);
}
