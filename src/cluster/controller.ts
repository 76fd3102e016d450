// The controller's duties while this broker holds a ControllerTerm: creating and deleting topics and adding
// partitions (replicas spread by assignReplicas over the live brokers), and keeping every partition led — after
// a broker dies or returns, and whenever it takes office — by Kafka's election rules (partition-election.ts),
// each change a compare-and-swap fenced by the term, so a deposed controller changes nothing. Passes over the
// partitions run one at a time; a change seen during a pass asks for another. Main thread.
import type { Namespace } from 'etcd3';
import type { Logger } from 'pino';
import type { ClusterStateView } from './cluster-state-view.js';
import { createTopic, deleteTopic, swapPartitionState, writeAssignment, type WriteResult } from './cluster-state-writes.js';
import type { ControllerTerm } from './controller-election.js';
import type { BrokerRegistration, PartitionStateRecord, TopicRecord } from './etcd-keys.js';
import { NO_LEADER, nextPartitionState, preferredLeaderState } from './partition-election.js';
import { type AssignableBroker, AssignmentError, assignReplicas } from './replica-assignment.js';

/** Compare-and-swap attempts on one partition before a pass leaves it to the next one. */
const SWAP_ATTEMPTS = 5;

export interface ControllerOptions {
  /** unclean.leader.election.enable for a topic (its override, else the broker default). */
  uncleanLeaderElection(topic: string): boolean;
  newTopicId(): string;
  logger: Logger;
}

/** Why a topic operation was refused, in Kafka's terms (the handler maps `kind` to an error code). */
export type ControllerRefusal = {
  ok: false;
  kind: 'not-controller' | 'topic-exists' | 'unknown-topic' | 'invalid-replication-factor' | 'invalid-partitions' | 'invalid-replica-assignment';
  message: string;
};
export type ControllerResult = { ok: true; revision: bigint } | ControllerRefusal;

export interface NewTopic {
  partitionCount: number;
  replicationFactor: number;
  configs: Record<string, string>;
  /** Explicit replicas per partition (CreateTopics' assignments); replicationFactor and partitionCount then follow from it. */
  replicaAssignment?: number[][];
}

/**
 * What the controller reads, through getters: the owner may replace a watch that ended (the live brokers, the
 * state view) with a new one while the controller runs.
 */
export interface ControllerInputs {
  liveBrokers(): ReadonlyMap<number, BrokerRegistration>;
  view(): ClusterStateView;
  /** Calls `onChange` whenever a broker comes or goes or a topic or assignment changes; returns the unsubscribe. */
  subscribe(onChange: () => void): () => void;
}

export class Controller {
  private stopped = false;
  private passRunning: Promise<void> | null = null;
  private passWanted = false;
  private unsubscribe: () => void = () => {};

  constructor(
    private readonly ns: Namespace,
    private readonly term: ControllerTerm,
    private readonly inputs: ControllerInputs,
    private readonly options: ControllerOptions,
  ) {}

  private get view(): ClusterStateView {
    return this.inputs.view();
  }

  /** Takes office: one pass over every partition now, and another whenever brokers come or go or topics change. */
  start(): void {
    this.unsubscribe = this.inputs.subscribe(() => this.requestPass());
    this.term.once('lost', () => this.stop());
    this.requestPass();
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.unsubscribe();
  }

  /** Resolves when no pass is running or wanted (tests, and callers that want the cluster settled). */
  async settled(): Promise<void> {
    while (this.passRunning !== null) await this.passRunning;
  }

  private requestPass(): void {
    if (this.stopped) return;
    this.passWanted = true;
    this.passRunning ??= this.runPasses().finally(() => {
      this.passRunning = null;
    });
  }

  private async runPasses(): Promise<void> {
    while (this.passWanted && !this.stopped) {
      this.passWanted = false;
      try {
        await this.pass();
      } catch (error) {
        // etcd unreachable for now: the next change (or the next term) tries again.
        this.options.logger.warn({ err: error }, 'controller pass failed; the next change retries');
      }
    }
  }

  /** Every partition checked against the live brokers; partitions of an assignment without a state get one. */
  private async pass(): Promise<void> {
    const live = new Set(this.inputs.liveBrokers().keys());
    let lastRevision = 0n;
    for (const [topic, assignment] of this.view.assignments) {
      const unclean = this.options.uncleanLeaderElection(topic);
      for (let partition = 0; partition < assignment.value.replicas.length && !this.stopped; partition++) {
        const replicas = assignment.value.replicas[partition]!;
        const decide = (current: PartitionStateRecord | null): PartitionStateRecord | null =>
          current === null ? firstState(replicas, live) : nextPartitionState({ current, replicas, live, uncleanLeaderElection: unclean });
        const revision = await this.swapUntilSettled(topic, partition, decide);
        if (revision > lastRevision) lastRevision = revision;
      }
    }
    // The next pass starts from a view that holds this pass's writes.
    if (lastRevision > 0n) await this.view.waitForRevision(lastRevision);
  }

  /** Applies `decide` to the partition's state until a swap commits or nothing is to change; the revision written, or 0. */
  private async swapUntilSettled(
    topic: string,
    partition: number,
    decide: (current: PartitionStateRecord | null) => PartitionStateRecord | null,
  ): Promise<bigint> {
    let known = this.view.partition(topic, partition) ?? null;
    for (let attempt = 0; attempt < SWAP_ATTEMPTS && !this.stopped; attempt++) {
      const next = decide(known?.value ?? null);
      if (next === null) return 0n;
      const result = await swapPartitionState(this.ns, this.term.fence, topic, partition, known?.modRevision ?? null, next);
      if (result.ok) {
        this.logChange(topic, partition, known?.value ?? null, next);
        return result.revision;
      }
      if (result.reason === 'fenced') {
        this.term.markLost(new Error('controller fence lost'));
        return 0n;
      }
      if (result.reason !== 'conflict') return 0n;
      known = result.current;
    }
    return 0n;
  }

  private logChange(topic: string, partition: number, before: PartitionStateRecord | null, after: PartitionStateRecord): void {
    const fields = { topic, partition, leader: after.leader, leaderEpoch: after.leaderEpoch, isr: after.isr };
    if (after.leader === NO_LEADER) this.options.logger.warn({ ...fields, lastIsr: after.isr }, 'partition offline: no live in-sync replica');
    else if (before === null || before.leader !== after.leader) this.options.logger.info(fields, 'partition leader elected');
    else this.options.logger.info(fields, 'partition ISR changed by the controller');
  }

  // ---- topic operations ------------------------------------------------------------------------------------

  async createTopic(name: string, request: NewTopic): Promise<ControllerResult> {
    if (!this.term.isController) return notController();
    const replicas = this.replicasFor(request);
    if (!Array.isArray(replicas)) return replicas;
    const record: TopicRecord = { topicId: this.options.newTopicId(), partitionCount: replicas.length, configs: request.configs };
    const result = await createTopic(this.ns, this.term.fence, name, record, { replicas });
    if (result.ok) this.options.logger.info({ topic: name, partitions: replicas.length, replicas }, 'topic created');
    return this.outcome(result, name);
  }

  async deleteTopic(name: string): Promise<ControllerResult> {
    if (!this.term.isController) return notController();
    const result = await deleteTopic(this.ns, this.term.fence, name);
    if (result.ok) this.options.logger.info({ topic: name }, 'topic deleted');
    return this.outcome(result, name);
  }

  /** Adds partitions up to `totalCount` (CreatePartitions), spread like new ones, or as `newAssignment` lists them. */
  async createPartitions(name: string, totalCount: number, newAssignment?: number[][]): Promise<ControllerResult> {
    if (!this.term.isController) return notController();
    const assignment = this.view.assignments.get(name);
    if (assignment === undefined) return { ok: false, kind: 'unknown-topic', message: `topic ${name} does not exist` };
    const existing = assignment.value.replicas;
    const added = totalCount - existing.length;
    if (added <= 0) return { ok: false, kind: 'invalid-partitions', message: `topic ${name} has ${existing.length} partitions; it can only grow` };
    const replicationFactor = existing[0]?.length ?? 1;
    const replicas = this.replicasFor({ partitionCount: added, replicationFactor, configs: {}, replicaAssignment: newAssignment }, existing.length);
    if (!Array.isArray(replicas)) return replicas;
    const result = await writeAssignment(this.ns, this.term.fence, name, { replicas: [...existing, ...replicas] });
    // The new partitions get their states from the pass the assignment change asks for.
    return this.outcome(result, name);
  }

  /** Preferred-leader election for the given partitions (all when omitted): the ones whose leader changed. */
  async electPreferredLeaders(
    partitions?: Array<{ topic: string; partition: number }>,
  ): Promise<Array<{ topic: string; partition: number; changed: boolean }>> {
    const live = new Set(this.inputs.liveBrokers().keys());
    const wanted = partitions ?? [...this.view.assignments].flatMap(([topic, a]) => a.value.replicas.map((_, partition) => ({ topic, partition })));
    const results: Array<{ topic: string; partition: number; changed: boolean }> = [];
    for (const { topic, partition } of wanted) {
      const replicas = this.view.assignments.get(topic)?.value.replicas[partition];
      const revision =
        replicas === undefined || !this.term.isController
          ? 0n
          : await this.swapUntilSettled(topic, partition, (current) => (current === null ? null : preferredLeaderState(current, replicas, live)));
      results.push({ topic, partition, changed: revision > 0n });
    }
    return results;
  }

  private replicasFor(request: NewTopic, firstPartition = 0): number[][] | ControllerRefusal {
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

  private outcome(result: WriteResult, name: string): ControllerResult {
    if (result.ok) return result;
    if (result.reason === 'fenced') {
      this.term.markLost(new Error('controller fence lost'));
      return notController();
    }
    if (result.reason === 'exists') return { ok: false, kind: 'topic-exists', message: `topic ${name} already exists` };
    return { ok: false, kind: 'unknown-topic', message: `topic ${name} does not exist` };
  }
}

function notController(): ControllerRefusal {
  return { ok: false, kind: 'not-controller', message: 'this broker is no longer the controller' };
}

/** A new partition's first state: the first live assigned replica leads (epoch 0), the live replicas are the ISR. */
function firstState(replicas: readonly number[], live: ReadonlySet<number>): PartitionStateRecord {
  const isr = replicas.filter((id) => live.has(id));
  return { leader: isr[0] ?? NO_LEADER, leaderEpoch: 0, isr: isr.length > 0 ? isr : [...replicas] };
}

/** An explicit assignment: every partition the same number of distinct, non-negative replica ids. */
function checkedAssignment(assignment: number[][]): number[][] | ControllerRefusal {
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
