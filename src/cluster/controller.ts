// The controller's duties while this broker holds a ControllerTerm: creating and deleting topics and adding
// partitions (replicas spread by assignReplicas over the live brokers), and keeping every partition led — after
// a broker dies or returns, and whenever it takes office — by Kafka's election rules (partition-election.ts),
// each change a compare-and-swap fenced by the term, so a deposed controller changes nothing; it moves partition
// reassignments on (reassignment-pass.ts). Passes over the partitions run one at a time; a change seen during a pass
// asks for another. Preferred-leader elections: asked for (ElectLeaders) and, with auto.leader.rebalance.enable,
// every leader.imbalance.check.interval.seconds for the brokers leader-imbalance.ts finds out of balance; the timer
// ends with the term. Main thread.
import type { Namespace } from 'etcd3';
import type { Logger } from 'pino';
import type { ClusterStateView } from './cluster-state-view.js';
import { swapPartitionState } from './cluster-state-writes.js';
import type { ControllerTerm } from './controller-election.js';
import type { BrokerRegistration, PartitionStateRecord } from './etcd-keys.js';
import { partitionsToRebalance, type PlacedPartition } from './leader-imbalance.js';
import type { ElectionOutcome, ElectionType, LeaderElection, PartitionRef } from './membership.js';
import { electionByRequest, NO_LEADER, nextPartitionState } from './partition-election.js';
import { advanceReassignments } from './reassignment-pass.js';
import { type NewTopic, TopicAdmin, type TopicAdminResult } from './topic-admin.js';

/** Compare-and-swap attempts on one partition before a pass leaves it to the next one. */
const SWAP_ATTEMPTS = 5;

export interface ControllerOptions {
  /** unclean.leader.election.enable for a topic (its override, else the broker default). */
  uncleanLeaderElection(topic: string): boolean;
  newTopicId(): string;
  /** Automatic leader rebalancing (auto.leader.rebalance.enable); null: off. */
  leaderRebalance: LeaderRebalanceSettings | null;
  logger: Logger;
}

export interface LeaderRebalanceSettings {
  /** leader.imbalance.check.interval.seconds, in ms. */
  checkIntervalMs: number;
  /** leader.imbalance.per.broker.percentage. */
  imbalancePercentage: number;
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
  private rebalanceTimer: NodeJS.Timeout | null = null;
  private rebalancing = false;
  private readonly topics: TopicAdmin;

  constructor(
    private readonly ns: Namespace,
    private readonly term: ControllerTerm,
    private readonly inputs: ControllerInputs,
    private readonly options: ControllerOptions,
  ) {
    this.topics = new TopicAdmin({
      ns,
      fence: () => (term.isController ? term.fence : null),
      onFenced: () => term.markLost(new Error('controller fence lost')),
      liveBrokers: () => inputs.liveBrokers(),
      view: () => inputs.view(),
      newTopicId: options.newTopicId,
      logger: options.logger,
    });
  }

  private get view(): ClusterStateView {
    return this.inputs.view();
  }

  /** Takes office: one pass over every partition now, and another whenever brokers come or go or topics change. */
  start(): void {
    this.unsubscribe = this.inputs.subscribe(() => this.requestPass());
    this.term.once('lost', () => this.stop());
    this.requestPass();
    const rebalance = this.options.leaderRebalance;
    if (rebalance !== null) this.rebalanceTimer = setInterval(() => void this.rebalance(rebalance), rebalance.checkIntervalMs).unref();
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.unsubscribe();
    if (this.rebalanceTimer !== null) clearInterval(this.rebalanceTimer);
    this.rebalanceTimer = null;
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

  /** Every partition checked against the live brokers (partitions of an assignment without a state get one), then every reassignment moved on. */
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
    const moved = this.stopped ? 0n : await advanceReassignments(this.ns, this.term.fence, this.view, live, this.options.logger);
    if (moved === 'fenced') return this.term.markLost(new Error('controller fence lost'));
    if (moved > lastRevision) lastRevision = moved;
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

  // ---- topic operations: the TopicAdmin under this term's fence ---------------------------------------------

  createTopic(name: string, request: NewTopic): Promise<TopicAdminResult> {
    return this.topics.createTopic(name, request);
  }

  deleteTopic(name: string): Promise<TopicAdminResult> {
    return this.topics.deleteTopic(name);
  }

  /** Adds partitions up to `totalCount` (CreatePartitions), spread like new ones, or as `newAssignment` lists them. */
  createPartitions(name: string, totalCount: number, newAssignment?: number[][]): Promise<TopicAdminResult> {
    return this.topics.createPartitions(name, totalCount, newAssignment);
  }

  /**
   * Elections of the given partitions' leaders (all when omitted), preferred or unclean (partition-election.ts
   * `electionByRequest`). Resolves once this broker's view holds the changes.
   */
  async electLeaders(type: ElectionType, partitions?: readonly PartitionRef[]): Promise<LeaderElection[]> {
    const live = new Set(this.inputs.liveBrokers().keys());
    const results: LeaderElection[] = [];
    let lastRevision = 0n;
    for (const { topic, partition } of partitions ?? this.placedPartitions()) {
      const replicas = this.view.assignments.get(topic)?.value.replicas[partition];
      if (replicas === undefined) {
        results.push({ topic, partition, outcome: 'unknown-partition' });
        continue;
      }
      let outcome = 'not-available' as ElectionOutcome;
      const decide = (current: PartitionStateRecord | null): PartitionStateRecord | null => {
        const decision = current === null ? { next: null, outcome: 'not-available' as const } : electionByRequest(type, current, replicas, live);
        outcome = decision.next !== null ? 'elected' : decision.outcome;
        return decision.next;
      };
      const revision = this.term.isController ? await this.swapUntilSettled(topic, partition, decide) : 0n;
      // Not written: the term ended, or others kept changing the partition (it is left as it is).
      if (revision === 0n && (outcome === 'elected' || !this.term.isController)) outcome = this.term.isController ? 'not-available' : 'not-controller';
      if (revision > lastRevision) lastRevision = revision;
      results.push({ topic, partition, outcome });
    }
    if (lastRevision > 0n) await this.view.waitForRevision(lastRevision);
    return results;
  }

  /** Every partition of the state: its assignment and its state. */
  private placedPartitions(): PlacedPartition[] {
    return [...this.view.assignments].flatMap(([topic, assignment]) =>
      assignment.value.replicas.map((replicas, partition) => ({ topic, partition, replicas, state: this.view.partition(topic, partition)?.value })),
    );
  }

  /** One automatic rebalancing check (skipped while the last one still runs): the imbalanced brokers' partitions back to them. */
  private async rebalance(settings: LeaderRebalanceSettings): Promise<void> {
    if (this.rebalancing || this.stopped) return;
    this.rebalancing = true;
    try {
      const wanted = partitionsToRebalance(this.placedPartitions(), new Set(this.inputs.liveBrokers().keys()), settings.imbalancePercentage);
      if (wanted.length === 0) return;
      this.options.logger.info({ partitions: wanted.length }, 'leader imbalance above leader.imbalance.per.broker.percentage: electing preferred leaders');
      await this.electLeaders('preferred', wanted);
    } catch (error) {
      this.options.logger.warn({ err: error }, 'automatic leader rebalancing failed; the next check retries');
    } finally {
      this.rebalancing = false;
    }
  }
}

/** A new partition's first state: the first live assigned replica leads (epoch 0), the live replicas are the ISR. */
function firstState(replicas: readonly number[], live: ReadonlySet<number>): PartitionStateRecord {
  const isr = replicas.filter((id) => live.has(id));
  return { leader: isr[0] ?? NO_LEADER, leaderEpoch: 0, isr: isr.length > 0 ? isr : [...replicas] };
}
