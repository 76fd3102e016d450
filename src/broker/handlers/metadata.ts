// Metadata: the live brokers, cluster id and controller (ctx.membership), and topics (all, by name, or by id)
// with their partitions, from this broker's own topics (in a cluster too, until topics are placed through etcd);
// auto-creates topics when the request (always, before v4) and auto.create.topics.enable allow it. In v0 an
// empty topic list asks for every topic (as Kafka's MetadataRequest.isAllTopics). Runs on the main thread.
import { standaloneReplicaState } from '../../metadata/replica-state.js';
import { OFFSETS_TOPIC } from '../../shared/group-protocol.js';
import { ErrorCode, KafkaError } from '../../shared/kafka-error-codes.js';
import { defineHandler } from '../api-handler.js';
import type { BrokerContext } from '../broker-context.js';

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
  async handle(ctx, request) {
    const { topics, allowAutoTopicCreation } = request.body;
    const allTopics = topics === null || (topics.length === 0 && request.header.apiVersion === 0);
    const mayCreate = allowAutoTopicCreation && ctx.config.autoCreateTopics;
    const answers: TopicAnswer[] = [];
    if (allTopics) {
      for (const name of ctx.topics.topicNames()) answers.push(describeTopic(ctx, name));
    } else {
      for (const wanted of topics ?? []) answers.push(await answerFor(ctx, wanted.name, wanted.topicId, mayCreate));
    }
    return {
      throttleTimeMs: 0,
      brokers: ctx.membership.liveBrokers(),
      clusterId: ctx.membership.clusterId,
      controllerId: ctx.membership.controllerId(),
      topics: answers,
    };
  },
});

async function answerFor(ctx: BrokerContext, name: string | null, topicId: string, mayCreate: boolean): Promise<TopicAnswer> {
  if (name === null) {
    const byId = ctx.topics.topicNames().find((n) => ctx.topics.topic(n)!.topicId === topicId);
    return byId === undefined ? failed(ErrorCode.UNKNOWN_TOPIC_ID, null, topicId) : describeTopic(ctx, byId);
  }
  if (ctx.topics.topic(name) !== undefined) return describeTopic(ctx, name);
  if (!mayCreate) return failed(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, name);
  try {
    await ctx.topics.createTopic(name, ctx.config.numPartitions);
    ctx.logger.info({ topic: name, partitions: ctx.config.numPartitions }, 'topic auto-created');
  } catch (error) {
    if (!(error instanceof KafkaError)) throw error;
    if (error.code !== ErrorCode.TOPIC_ALREADY_EXISTS) return failed(error.code, name);
  }
  return describeTopic(ctx, name);
}

function describeTopic(ctx: BrokerContext, name: string): TopicAnswer {
  const record = ctx.topics.topic(name)!;
  const online = new Map(
    ctx.engine
      .partitions()
      .filter((p) => p.topic === name)
      .map((p) => [p.partition, p.online]),
  );
  const partitions = Array.from({ length: record.partitions }, (_, partitionIndex): PartitionAnswer => {
    const state = standaloneReplicaState(ctx.nodeId, online.get(partitionIndex) ?? false);
    return {
      errorCode: state.leader === -1 ? ErrorCode.LEADER_NOT_AVAILABLE : ErrorCode.NONE,
      partitionIndex,
      leaderId: state.leader,
      leaderEpoch: ctx.leadership.leaderEpoch(name, partitionIndex),
      replicaNodes: [...state.replicas],
      isrNodes: [...state.isr],
      offlineReplicas: [...state.offline],
    };
  });
  return { errorCode: ErrorCode.NONE, name, topicId: record.topicId, isInternal: name === OFFSETS_TOPIC, partitions };
}

function failed(errorCode: number, name: string | null, topicId = ZERO_TOPIC_ID): TopicAnswer {
  return { errorCode, name, topicId, isInternal: false, partitions: [] };
}
