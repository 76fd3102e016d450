// Topic changes in the cluster state: create (replicas spread by assignReplicas over the live brokers, or as
// given), delete, add partitions, replace a topic's config overrides, reassign a partition's replicas. Any registered broker may make them, as a
// Kafka broker forwards them to its controller: each write is one etcd transaction guarded by the writer's fence
// (the controller's term, or else the broker's registration) and by the topic's own existence, so two brokers
// racing on one name leave one topic. Partition leaders and ISRs stay the controller's (controller.ts). Main thread.
import type { Namespace } from 'etcd3';
import type { Logger } from 'pino';
import type { ClusterStateView } from './cluster-state-view.js';
import { createTopic, deleteTopic, writeAssignment, writeReassignment, writeTopicRecord, type WriteResult } from './cluster-state-writes.js';
import type { BrokerRegistration, TopicRecord } from './etcd-keys.js';
import type { Fence } from './fence.js';
import type { TopicChangeResult } from './membership.js';
import { type AssignableBroker, AssignmentError, assignReplicas } from './replica-assignment.js';

export type TopicAdminResult = TopicChangeResult;
type TopicAdminRefusal = Extract<TopicChangeResult, { ok: false }>;

export interface NewTopic {
  partitionCount: number;
  replicationFactor: number;
  configs: Record<string, string>;
  /** Explicit replicas per partition (CreateTopics' assignments); replicationFactor and partitionCount then follow from it. */
  replicaAssignment?: number[][];
}

export interface TopicAdminInputs {
  ns: Namespace;
  /** The fence this writer's writes go under; null while it has none (not registered, no longer controller). */
  fence(): Fence | null;
  /** The fence was found gone by a write: the role it stood for is lost. */
  onFenced(): void;
  liveBrokers(): ReadonlyMap<number, BrokerRegistration>;
  /** null before this broker joined. */
  view(): ClusterStateView | null;
  newTopicId(): string;
  logger: Logger;
}

export class TopicAdmin {
  constructor(private readonly inputs: TopicAdminInputs) {}

  async createTopic(name: string, request: NewTopic): Promise<TopicAdminResult> {
    const fence = this.inputs.fence();
    if (fence === null) return notController();
    const replicas = this.replicasFor(request);
    if (!Array.isArray(replicas)) return replicas;
    const record: TopicRecord = { topicId: this.inputs.newTopicId(), partitionCount: replicas.length, configs: request.configs };
    const result = await createTopic(this.inputs.ns, fence, name, record, { replicas });
    if (result.ok) this.inputs.logger.info({ topic: name, partitions: replicas.length, replicas }, 'topic created');
    return this.outcome(result, name);
  }

  async deleteTopic(name: string): Promise<TopicAdminResult> {
    const fence = this.inputs.fence();
    if (fence === null) return notController();
    const result = await deleteTopic(this.inputs.ns, fence, name);
    if (result.ok) this.inputs.logger.info({ topic: name }, 'topic deleted');
    return this.outcome(result, name);
  }

  /** Adds partitions up to `totalCount` (CreatePartitions), spread like new ones, or as `newAssignment` lists them. */
  async createPartitions(name: string, totalCount: number, newAssignment?: number[][]): Promise<TopicAdminResult> {
    const fence = this.inputs.fence();
    if (fence === null) return notController();
    const assignment = this.inputs.view()?.assignments.get(name);
    if (assignment === undefined) return { ok: false, kind: 'unknown-topic', message: `topic ${name} does not exist` };
    const existing = assignment.value.replicas;
    const added = totalCount - existing.length;
    if (added <= 0) return { ok: false, kind: 'invalid-partitions', message: `topic ${name} has ${existing.length} partitions; it can only grow` };
    const replicationFactor = existing[0]?.length ?? 1;
    const replicas = this.replicasFor({ partitionCount: added, replicationFactor, configs: {}, replicaAssignment: newAssignment }, existing.length);
    if (!Array.isArray(replicas)) return replicas;
    const result = await writeAssignment(this.inputs.ns, fence, name, { replicas: [...existing, ...replicas] }, assignment.modRevision);
    // The new partitions get their states from the controller's pass the assignment change asks for.
    if (result.ok) this.inputs.logger.info({ topic: name, partitions: totalCount }, 'partitions added');
    return this.outcome(result, name);
  }

  /** Replaces a topic's config overrides (AlterConfigs, IncrementalAlterConfigs); the brokers apply them as they see the change. */
  async setConfigs(name: string, configs: Record<string, string>): Promise<TopicAdminResult> {
    const fence = this.inputs.fence();
    if (fence === null) return notController();
    const topic = this.inputs.view()?.topics.get(name);
    if (topic === undefined) return { ok: false, kind: 'unknown-topic', message: `topic ${name} does not exist` };
    const result = await writeTopicRecord(this.inputs.ns, fence, name, { ...topic.value, configs }, topic.modRevision);
    return this.outcome(result, name);
  }

  /**
   * Starts moving a partition to `target` (a change of target keeps the replicas it had when the first move
   * began), or with null moves it back to those (a cancel); the controller steps it (reassignment-pass.ts).
   */
  async reassign(topic: string, partition: number, target: number[] | null): Promise<TopicAdminResult> {
    const fence = this.inputs.fence();
    const view = this.inputs.view();
    if (fence === null || view === null) return notController();
    const replicas = view.assignments.get(topic)?.value.replicas[partition];
    if (replicas === undefined) return { ok: false, kind: 'unknown-topic', message: `${topic}-${partition} does not exist` };
    const pending = view.reassignments.get(`${topic}/${partition}`)?.value;
    if (target === null && pending === undefined)
      return { ok: false, kind: 'no-reassignment', message: `no reassignment of ${topic}-${partition} is under way` };
    const original = pending?.original ?? replicas;
    const next = target ?? original;
    const live = this.inputs.liveBrokers();
    const problem = checkedAssignment([next]);
    if (!Array.isArray(problem)) return problem;
    const unknown = next.find((id) => !live.has(id));
    if (unknown !== undefined) return { ok: false, kind: 'invalid-replica-assignment', message: `broker ${unknown} is not a live broker of the cluster` };
    // Already there with nothing under way: as Kafka, nothing to do.
    if (pending === undefined && next.length === replicas.length && next.every((id, i) => replicas[i] === id)) return { ok: true, revision: view.revision };
    const result = await writeReassignment(this.inputs.ns, fence, topic, partition, { target: [...next], original: [...original] });
    if (result.ok) this.inputs.logger.info({ topic, partition, from: replicas, to: next, cancel: target === null }, 'reassignment requested');
    return this.outcome(result, topic);
  }

  private replicasFor(request: NewTopic, firstPartition = 0): number[][] | TopicAdminRefusal {
    if (request.replicaAssignment !== undefined) return checkedAssignment(request.replicaAssignment);
    const brokers: AssignableBroker[] = [...this.inputs.liveBrokers().values()].map((b) => ({ nodeId: b.nodeId, rack: b.rack }));
    try {
      return assignReplicas(brokers, { partitionCount: request.partitionCount, replicationFactor: request.replicationFactor, firstPartition });
    } catch (error) {
      if (!(error instanceof AssignmentError)) throw error;
      const kind = error.kind === 'partitions' ? 'invalid-partitions' : error.kind === 'racks' ? 'invalid-replica-assignment' : 'invalid-replication-factor';
      return { ok: false, kind, message: error.message };
    }
  }

  private outcome(result: WriteResult, name: string): TopicAdminResult {
    if (result.ok) return result;
    if (result.reason === 'fenced') {
      this.inputs.onFenced();
      return notController();
    }
    if (result.reason === 'exists') return { ok: false, kind: 'topic-exists', message: `topic ${name} already exists` };
    if (result.reason === 'conflict') return { ok: false, kind: 'not-controller', message: `topic ${name} changed meanwhile; try again` };
    return { ok: false, kind: 'unknown-topic', message: `topic ${name} does not exist` };
  }
}

function notController(): TopicAdminRefusal {
  return {
    ok: false,
    kind: 'not-controller',
    message: 'this broker cannot change the cluster state now (not registered in etcd, or no longer the controller)',
  };
}

/** An explicit assignment: every partition the same number of distinct, non-negative replica ids. */
function checkedAssignment(assignment: number[][]): number[][] | TopicAdminRefusal {
  const size = assignment[0]?.length ?? 0;
  for (const replicas of assignment) {
    if (
      replicas.length === 0 ||
      replicas.length !== size ||
      new Set(replicas).size !== replicas.length ||
      replicas.some((id) => !Number.isInteger(id) || id < 0)
    ) {
      return { ok: false, kind: 'invalid-replica-assignment', message: 'every partition needs the same number of distinct broker ids' };
    }
  }
  if (assignment.length === 0) return { ok: false, kind: 'invalid-partitions', message: 'no partitions in the assignment' };
  return assignment;
}
