// Metadata: the live brokers, cluster id and controller (ctx.membership), and topics (all, by name, or by id)
// with their partitions: this broker's own topics when standalone, the cluster state's (leader, leader epoch,
// replicas, ISR, offline replicas) in a cluster; auto-creates topics when the request (always, before v4) and
// auto.create.topics.enable allow it. In v0 an
// empty topic list asks for every topic (as Kafka's MetadataRequest.isAllTopics). Runs on the main thread.
import type { PartitionPlacement } from '../../cluster/membership.js';
import { standaloneReplicaState } from '../../metadata/replica-state.js';
import { OFFSETS_TOPIC } from '../../shared/group-protocol.js';
import { ErrorCode, KafkaError } from '../../shared/kafka-error-codes.js';
import { defineHandler } from '../api-handler.js';
import type { BrokerContext } from '../broker-context.js';
import { changeClusterTopics } from '../cluster-topic-changes.js';

type TopicAnswer = { errorCode: number; name: string | null; topicId: string; isInternal: boolean; partitions: PartitionAnswer[] };
type PartitionAnswer = {
  errorCode: number;
  partitionIndex: number;
  leaderId: number;
  leaderEpoch: number;
  replicaNodes: number[];
  isrNodes: number[];
  offlineReplicas: number[];
};

const ZERO_TOPIC_ID = 'AAAAAAAAAAAAAAAAAAAAAA';

export const metadataHandler = defineHandler({
  apiKey: 3,
  minVersion: 0,
  maxVersion: 12,
  async handle(ctx, request, connection) {
    const { topics, allowAutoTopicCreation } = request.body;
    const allTopics = topics === null || (topics.length === 0 && request.header.apiVersion === 0);
    const mayCreate = allowAutoTopicCreation && ctx.config.autoCreateTopics;
    const answers: TopicAnswer[] = [];
    if (allTopics) {
      for (const name of topicNames(ctx)) answers.push(describeTopic(ctx, name));
    } else {
      for (const wanted of topics ?? []) answers.push(await answerFor(ctx, wanted.name, wanted.topicId, mayCreate));
    }
    return {
      throttleTimeMs: 0,
      brokers: ctx.membership.liveBrokers(connection.listenerName),
      clusterId: ctx.membership.clusterId,
      controllerId: ctx.membership.controllerId(),
      topics: answers,
    };
  },
});

/** The topics clients are told of: the cluster's, or this broker's own when standalone. */
function topicNames(ctx: BrokerContext): string[] {
  return ctx.membership.clusterTopics?.topicNames() ?? ctx.topics.topicNames();
}

function topicOf(ctx: BrokerContext, name: string): { topicId: string; partitions: number } | undefined {
  const cluster = ctx.membership.clusterTopics;
  if (cluster === null) return ctx.topics.topic(name);
  const topic = cluster.topic(name);
  return topic === undefined ? undefined : { topicId: topic.topicId, partitions: topic.partitionCount };
}

async function answerFor(ctx: BrokerContext, name: string | null, topicId: string, mayCreate: boolean): Promise<TopicAnswer> {
  if (name === null) {
    const byId = topicNames(ctx).find((n) => topicOf(ctx, n)?.topicId === topicId);
    return byId === undefined ? failed(ErrorCode.UNKNOWN_TOPIC_ID, null, topicId) : describeTopic(ctx, byId);
  }
  if (topicOf(ctx, name) !== undefined) return describeTopic(ctx, name);
  if (!mayCreate) return failed(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, name);
  try {
    await createTopic(ctx, name);
    ctx.logger.info({ topic: name, partitions: ctx.config.numPartitions }, 'topic auto-created');
  } catch (error) {
    if (!(error instanceof KafkaError)) throw error;
    if (error.code !== ErrorCode.TOPIC_ALREADY_EXISTS) return failed(error.code, name);
  }
  return describeTopic(ctx, name);
}

/** Auto-creation: the broker's default partition count and (in a cluster) replication factor. */
async function createTopic(ctx: BrokerContext, name: string): Promise<void> {
  const cluster = ctx.membership.clusterTopics;
  if (cluster === null) {
    await ctx.topics.createTopic(name, ctx.config.numPartitions);
    return;
  }
  ctx.topics.validateShape(name, ctx.config.numPartitions, {});
  const request = { partitionCount: ctx.config.numPartitions, replicationFactor: ctx.config.defaultReplicationFactor, configs: {} };
  await changeClusterTopics(cluster, () => cluster.createTopic(name, request));
}

function describeTopic(ctx: BrokerContext, name: string): TopicAnswer {
  const record = topicOf(ctx, name);
  if (record === undefined) return failed(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, name);
  if (ctx.membership.clusterTopics !== null) return describeClusterTopic(ctx, name, record);
  const online = new Map(
    ctx.engine
      .partitions()
      .filter((p) => p.topic === name)
      .map((p) => [p.partition, p.online]),
  );
  const partitions = Array.from({ length: record.partitions }, (_, partitionIndex): PartitionAnswer => {
    const state = standaloneReplicaState(ctx.nodeId, online.get(partitionIndex) ?? false);
    return partitionAnswer(partitionIndex, { ...state, leaderEpoch: ctx.leadership.leaderEpoch(name, partitionIndex) });
  });
  return { errorCode: ErrorCode.NONE, name, topicId: record.topicId, isInternal: name === OFFSETS_TOPIC, partitions };
}

/** A topic as the cluster state places it; a partition with no live leader answers LEADER_NOT_AVAILABLE. */
function describeClusterTopic(ctx: BrokerContext, name: string, record: { topicId: string; partitions: number }): TopicAnswer {
  const cluster = ctx.membership.clusterTopics!;
  const partitions = Array.from({ length: record.partitions }, (_, partitionIndex): PartitionAnswer => {
    const placement = cluster.partition(name, partitionIndex);
    return partitionAnswer(partitionIndex, placement ?? { leader: -1, leaderEpoch: -1, replicas: [], isr: [], offline: [] });
  });
  return { errorCode: ErrorCode.NONE, name, topicId: record.topicId, isInternal: name === OFFSETS_TOPIC, partitions };
}

function partitionAnswer(partitionIndex: number, placement: PartitionPlacement): PartitionAnswer {
  const { leader, leaderEpoch, replicas, isr, offline } = placement;
  return {
    errorCode: leader === -1 ? ErrorCode.LEADER_NOT_AVAILABLE : ErrorCode.NONE,
    partitionIndex,
    leaderId: leader,
    leaderEpoch,
    replicaNodes: [...replicas],
    isrNodes: [...isr],
    offlineReplicas: [...offline],
  };
}

function failed(errorCode: number, name: string | null, topicId = ZERO_TOPIC_ID): TopicAnswer {
  return { errorCode, name, topicId, isInternal: false, partitions: [] };
}
