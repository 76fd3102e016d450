// ElectLeaders: preferred-leader election for the listed partitions (null: every partition), answered as Kafka's
// controller does. In a cluster only the controller elects (ctx.membership); another broker answers NOT_CONTROLLER.
// A standalone broker is every partition's only, preferred replica: ELECTION_NOT_NEEDED. Unclean elections (type 1)
// are refused with INVALID_REQUEST. The answer comes once the new leaders are written to etcd (timeoutMs is not
// used). Runs on the main thread.
import type { PartitionRef, PreferredElection, PreferredElectionOutcome } from '../../cluster/membership.js';
import type { ElectLeadersRequest } from '../../protocol/messages/elect-leaders.js';
import { ErrorCode } from '../../shared/kafka-error-codes.js';
import { defineHandler } from '../api-handler.js';
import type { BrokerContext } from '../broker-context.js';

const PREFERRED = 0;
const UNCLEAN = 1;

type PartitionAnswer = { partitionId: number; errorCode: number; errorMessage: string | null };
type TopicAnswer = { topic: string; partitionResult: PartitionAnswer[] };

const ANSWERS: Readonly<Record<PreferredElectionOutcome, { errorCode: number; errorMessage: string | null }>> = {
  elected: { errorCode: ErrorCode.NONE, errorMessage: null },
  'not-needed': { errorCode: ErrorCode.ELECTION_NOT_NEEDED, errorMessage: 'the preferred replica already leads the partition' },
  'preferred-not-available': {
    errorCode: ErrorCode.PREFERRED_LEADER_NOT_AVAILABLE,
    errorMessage: 'the preferred replica is not live or not in the ISR',
  },
  'unknown-partition': { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: 'the partition does not exist' },
  'not-controller': { errorCode: ErrorCode.NOT_CONTROLLER, errorMessage: 'this broker is not the controller' },
};

export const electLeadersHandler = defineHandler({
  apiKey: 43,
  minVersion: 0,
  maxVersion: 2,
  async handle(ctx, request) {
    const { electionType, topicPartitions } = request.body;
    const all = topicPartitions === null;
    const wanted = all ? everyPartition(ctx) : listedOnce(topicPartitions);
    if (electionType !== PREFERRED) {
      const message = electionType === UNCLEAN ? 'unclean leader election through ElectLeaders is not supported' : `unknown election type ${electionType}`;
      return refused(ErrorCode.INVALID_REQUEST, message, all ? [] : wanted);
    }
    const known = wanted.filter((p) => exists(ctx, p));
    const elections = ctx.membership.electPreferredLeaders(known);
    if (elections === null) return refused(ErrorCode.NOT_CONTROLLER, ANSWERS['not-controller'].errorMessage, all ? [] : wanted);
    const results = new Map((await elections).map((e) => [key(e), e]));
    const answers: PreferredElection[] = wanted.map((p) => results.get(key(p)) ?? { ...p, outcome: 'unknown-partition' });
    // Asked for every partition, Kafka leaves out those that needed no election.
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, replicaElectionResults: byTopic(all ? answers.filter((a) => a.outcome !== 'not-needed') : answers) };
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

function byTopic(elections: readonly PreferredElection[]): TopicAnswer[] {
  return group(elections.map((e) => ({ ...e, answer: ANSWERS[e.outcome] })));
}

/** Answers grouped by topic, in the order topics first appear. */
function group(answers: ReadonlyArray<PartitionRef & { answer: { errorCode: number; errorMessage: string | null } }>): TopicAnswer[] {
  const topics = new Map<string, PartitionAnswer[]>();
  for (const { topic, partition, answer } of answers) {
    const list = topics.get(topic) ?? [];
    list.push({ partitionId: partition, ...answer });
    topics.set(topic, list);
  }
  return [...topics].map(([topic, partitionResult]) => ({ topic, partitionResult }));
}
