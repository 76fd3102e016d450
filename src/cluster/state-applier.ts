// This broker's part of the cluster state, applied: its copy of every topic (TopicManager: id, partition count,
// configs), the partitions assigned to it created in its engine, and their replica roles given to the replica
// manager — leader at the state's leader epoch (with the state's ISR), follower of the state's leader at its
// replication listener, or neither (offline, leader not live yet, moved away, or its log dir here failed). A __consumer_offsets partition's
// group coordinator runs only while it is led here. Topics the state no longer has are deleted here. Work is
// done in passes over the whole state, one at a time; every change of the state or of the live brokers asks for
// another, and a pass that failed (a disk error, a leader epoch refused) is retried a second later. Main thread.
import type { Logger } from 'pino';
import type { PartitionEngine } from '../engine/partition-engine.js';
import type { TopicManager } from '../metadata/topic-manager.js';
import type { ReplicaManager } from '../replication/replica-manager.js';
import { OFFSETS_TOPIC } from '../shared/group-protocol.js';
import type { ClusterStateView } from './cluster-state-view.js';
import type { PartitionStateRecord } from './etcd-keys.js';
import { NO_LEADER } from './partition-election.js';

/** Pause before a failed pass is tried again. */
const RETRY_MS = 1_000;

export interface StateApplierInputs {
  nodeId: number;
  view(): ClusterStateView | null;
  /** A live broker's replication listener, null while it is not live (or has none). */
  replicationAddressOf(nodeId: number): { host: string; port: number } | null;
  /** Calls `onChange` on every change of the state or the live brokers; returns the unsubscribe. */
  subscribe(onChange: () => void): () => void;
  topics: TopicManager;
  engine: PartitionEngine;
  replicas: ReplicaManager;
  logger: Logger;
}

/** The role last given to a partition here: what the next pass compares the state with. */
interface AppliedRole {
  role: 'leader' | 'follower' | 'none';
  leaderEpoch: number;
  leader: number;
  /** The leader's replication listener a follower fetches from ("host:port"). */
  address: string;
}

export class StateApplier {
  private readonly roles = new Map<string, AppliedRole>();
  /** The view's revision when the last pass that finished whole began. */
  private appliedRevision = -1n;
  private readonly revisionWaiters: Array<{ revision: bigint; resolve: () => void }> = [];
  private passRunning: Promise<void> | null = null;
  private passWanted = false;
  private retryTimer: NodeJS.Timeout | null = null;
  private stopped = false;
  private unsubscribe: () => void = () => {};

  constructor(private readonly inputs: StateApplierInputs) {}

  start(): void {
    this.unsubscribe = this.inputs.subscribe(() => this.requestPass());
    this.requestPass();
  }

  /** Stops asking for passes and waits for the running one; roles given stay as they are (the replica manager stops next). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe();
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    while (this.passRunning !== null) await this.passRunning;
    for (const waiter of this.revisionWaiters.splice(0)) waiter.resolve();
  }

  /** Resolves once a pass that saw the state at `revision` or later has finished (read your writes). */
  appliedUpTo(revision: bigint): Promise<void> {
    if (this.appliedRevision >= revision || this.stopped) return Promise.resolve();
    return new Promise((resolve) => this.revisionWaiters.push({ revision, resolve }));
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
      const view = this.inputs.view();
      if (view === null) return;
      const revision = view.revision;
      if (await this.pass(view)) this.markApplied(revision);
      else this.retryLater();
    }
  }

  private retryLater(): void {
    if (this.retryTimer !== null || this.stopped) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.requestPass();
    }, RETRY_MS);
    this.retryTimer.unref();
  }

  private markApplied(revision: bigint): void {
    if (revision > this.appliedRevision) this.appliedRevision = revision;
    for (let i = this.revisionWaiters.length - 1; i >= 0; i--) {
      const waiter = this.revisionWaiters[i]!;
      if (waiter.revision > this.appliedRevision) continue;
      this.revisionWaiters.splice(i, 1);
      waiter.resolve();
    }
  }

  /** One pass over the whole state; false if some part of it could not be applied (retried later). */
  private async pass(view: ClusterStateView): Promise<boolean> {
    const { topics, nodeId } = this.inputs;
    let whole = true;
    const attempt = async (what: Record<string, unknown>, step: () => Promise<void>): Promise<void> => {
      try {
        await step();
      } catch (error) {
        whole = false;
        this.inputs.logger.warn({ ...what, err: (error as Error).message }, 'could not apply the cluster state here; retrying in a second');
      }
    };
    for (const name of topics.topicNames()) {
      const record = view.topics.get(name)?.value;
      if (record === undefined || record.topicId !== topics.topic(name)?.topicId) await attempt({ topic: name }, () => this.forget(name));
    }
    for (const [name, { value: record }] of view.topics) {
      const assignment = view.assignments.get(name)?.value;
      if (assignment === undefined) continue;
      const copied = { topicId: record.topicId, partitions: assignment.replicas.length, configs: record.configs };
      let mirrored = true;
      await attempt({ topic: name }, async () => {
        mirrored = false;
        await topics.mirrorTopic(name, copied);
        mirrored = true;
      });
      if (!mirrored) continue;
      for (let partition = 0; partition < assignment.replicas.length && !this.stopped; partition++) {
        const replicas = assignment.replicas[partition]!;
        await attempt({ topic: name, partition }, async () => {
          if (!replicas.includes(nodeId)) return this.giveNoRole(name, partition, -1);
          await topics.createLocalPartition(name, partition);
          // A replica in an offline log dir neither leads nor follows (its leadership was handed over).
          if (!this.inputs.engine.isOnline(name, partition)) return this.giveNoRole(name, partition, -2);
          await this.applyRole(name, partition, replicas, view.partition(name, partition)?.value);
        });
      }
    }
    return whole;
  }

  /** A topic the state no longer has (or has with another id): its roles end, then its partitions here are deleted. */
  private async forget(name: string): Promise<void> {
    for (const key of [...this.roles.keys()]) {
      if (!key.startsWith(`${name}/`) || key.slice(name.length + 1).includes('/')) continue;
      await this.inputs.replicas.stopReplica(name, Number(key.slice(name.length + 1)));
      this.roles.delete(key);
    }
    this.inputs.logger.info({ topic: name }, 'topic no longer in the cluster state: its partitions here are deleted');
    await this.inputs.topics.forgetTopic(name);
  }

  private async applyRole(topic: string, partition: number, replicas: readonly number[], state: PartitionStateRecord | undefined): Promise<void> {
    const { nodeId, replicas: manager } = this.inputs;
    const key = `${topic}/${partition}`;
    const previous = this.roles.get(key);
    if (state === undefined || state.leader === NO_LEADER) return this.giveNoRole(topic, partition, state?.leaderEpoch ?? -1);
    const { leader, leaderEpoch, isr } = state;
    if (leader === nodeId) {
      if (previous?.role === 'leader' && previous.leaderEpoch === leaderEpoch) return manager.updateIsr(topic, partition, isr);
      await manager.becomeLeader(topic, partition, { leaderEpoch, replicas, isr });
      manager.updateIsr(topic, partition, isr);
      this.roles.set(key, { role: 'leader', leaderEpoch, leader, address: '' });
      if (topic === OFFSETS_TOPIC) await this.inputs.engine.setCoordinating(topic, partition, true);
      return;
    }
    const address = this.inputs.replicationAddressOf(leader);
    const addressText = address === null ? '' : `${address.host}:${address.port}`;
    const sameLeadership = previous?.role === 'follower' && previous.leaderEpoch === leaderEpoch && previous.leader === leader;
    // Following already: kept while the leader's registration is away for a moment (its fetcher retries).
    if (sameLeadership && (previous.address === addressText || address === null)) return;
    // The leader is not live (yet), or has no replication listener: not led here; followed once it registers.
    if (address === null) return this.giveNoRole(topic, partition, leaderEpoch);
    if (topic === OFFSETS_TOPIC) await this.inputs.engine.setCoordinating(topic, partition, false);
    await manager.becomeFollower(topic, partition, { leaderEpoch, leaderId: leader, leaderAddress: address });
    this.roles.set(key, { role: 'follower', leaderEpoch, leader, address: addressText });
  }

  /** Neither led nor followed here (offline, leader not live, moved away): clients are sent on; any coordinator stops. */
  private async giveNoRole(topic: string, partition: number, leaderEpoch: number): Promise<void> {
    const key = `${topic}/${partition}`;
    const previous = this.roles.get(key);
    if (previous?.role === 'none' && previous.leaderEpoch === leaderEpoch) return;
    if (topic === OFFSETS_TOPIC && this.inputs.engine.has(topic, partition)) await this.inputs.engine.setCoordinating(topic, partition, false);
    await this.inputs.replicas.stopReplica(topic, partition);
    this.roles.set(key, { role: 'none', leaderEpoch, leader: NO_LEADER, address: '' });
  }
}
