// ElectLeaders: preferred (type 0) or unclean (type 1) election of the listed partitions' leaders (null: every
// partition), answered as Kafka's controller does. In a cluster only the controller elects (ctx.membership); another
// broker answers NOT_CONTROLLER. A standalone broker is every partition's only, preferred, in-sync replica:
// ELECTION_NOT_NEEDED. Other election types: INVALID_REQUEST. The answer comes once the new leaders are written to
// etcd (timeoutMs is not used). Runs on the main thread.
import type { ElectionOutcome, ElectionType, LeaderElection, PartitionRef } from '../../cluster/membership.js';
import type { ElectLeadersRequest } from '../../protocol/messages/elect-leaders.js';
import { ErrorCode } from '../../shared/kafka-error-codes.js';
import { defineHandler } from '../api-handler.js';
import { type ErrorFields, NO_ERROR } from './admin-results.js';
import type { BrokerContext } from '../broker-context.js';

/** Kafka's election type codes. */
const ELECTION_TYPES: ReadonlyMap<number, ElectionType> = new Map([
  [0, 'preferred'],
  [1, 'unclean'],
]);

const NOT_CONTROLLER_MESSAGE = 'this broker is not the controller';

type PartitionAnswer = { partitionId: number; errorCode: number; errorMessage: string | null };
type TopicAnswer = { topic: string; partitionResult: PartitionAnswer[] };

function answerOf(type: ElectionType, outcome: ElectionOutcome): ErrorFields {
  switch (outcome) {
    case 'elected':
      return NO_ERROR;
    case 'not-needed':
      return {
        errorCode: ErrorCode.ELECTION_NOT_NEEDED,
        errorMessage: type === 'preferred' ? 'the preferred replica already leads the partition' : 'a live in-sync replica leads the partition',
      };
    case 'not-available':
      return type === 'preferred'
        ? { errorCode: ErrorCode.PREFERRED_LEADER_NOT_AVAILABLE, errorMessage: 'the preferred replica is not live or not in the ISR' }
        : { errorCode: ErrorCode.ELIGIBLE_LEADERS_NOT_AVAILABLE, errorMessage: 'no replica of the partition is live' };
    case 'unknown-partition':
      return { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: 'the partition does not exist' };
    case 'not-controller':
      return { errorCode: ErrorCode.NOT_CONTROLLER, errorMessage: NOT_CONTROLLER_MESSAGE };
  }
}

export const electLeadersHandler = defineHandler({
  apiKey: 43,
  minVersion: 0,
  maxVersion: 2,
  async handle(ctx, request) {
    const { electionType, topicPartitions } = request.body;
    const all = topicPartitions === null;
    const wanted = all ? everyPartition(ctx) : listedOnce(topicPartitions);
    const type = ELECTION_TYPES.get(electionType);
    if (type === undefined) return refused(ErrorCode.INVALID_REQUEST, `unknown election type ${electionType}`, all ? [] : wanted);
    const known = wanted.filter((p) => exists(ctx, p));
    const elections = ctx.membership.electLeaders(type, known);
    if (elections === null) return refused(ErrorCode.NOT_CONTROLLER, NOT_CONTROLLER_MESSAGE, all ? [] : wanted);
    const results = new Map((await elections).map((e) => [key(e), e]));
    const answers: LeaderElection[] = wanted.map((p) => results.get(key(p)) ?? { ...p, outcome: 'unknown-partition' });
    // Asked for every partition, Kafka leaves out those that needed no election.
    const reported = all ? answers.filter((a) => a.outcome !== 'not-needed') : answers;
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, replicaElectionResults: group(reported.map((e) => ({ ...e, answer: answerOf(type, e.outcome) }))) };
  },
});

/** The request's partitions, each once (a topic or partition listed twice is one election). */
function listedOnce(topics: NonNullable<ElectLeadersRequest['topicPartitions']>): PartitionRef[] {
  const seen = new Map<string, PartitionRef>();
  for (const { topic, partitions } of topics) for (const partition of partitions) seen.set(key({ topic, partition }), { topic, partition });
  return [...seen.values()];
}

function everyPartition(ctx: BrokerContext): PartitionRef[] {
  const cluster = ctx.membership.clusterTopics;
  const names = cluster?.topicNames() ?? ctx.topics.topicNames();
  return names.flatMap((topic) => Array.from({ length: partitionCountOf(ctx, topic) }, (_, partition) => ({ topic, partition })));
}

function partitionCountOf(ctx: BrokerContext, topic: string): number {
  const cluster = ctx.membership.clusterTopics;
  return (cluster === null ? ctx.topics.topic(topic)?.partitions : cluster.topic(topic)?.partitionCount) ?? 0;
}

function exists(ctx: BrokerContext, { topic, partition }: PartitionRef): boolean {
  return partition >= 0 && partition < partitionCountOf(ctx, topic);
}

function key({ topic, partition }: PartitionRef): string {
  return `${partition}:${topic}`;
}

/** Every listed partition answered with one error, which is also the top-level error (v1+). */
function refused(errorCode: number, errorMessage: string | null, partitions: readonly PartitionRef[]) {
  return { throttleTimeMs: 0, errorCode, replicaElectionResults: group(partitions.map((p) => ({ ...p, answer: { errorCode, errorMessage } }))) };
}

/** Answers grouped by topic, in the order topics first appear. */
function group(answers: ReadonlyArray<PartitionRef & { answer: ErrorFields }>): TopicAnswer[] {
  const topics = new Map<string, PartitionAnswer[]>();
  for (const { topic, partition, answer } of answers) {
    const list = topics.get(topic) ?? [];
    list.push({ partitionId: partition, ...answer });
    topics.set(topic, list);
  }
  return [...topics].map(([topic, partitionResult]) => ({ topic, partitionResult }));
}
