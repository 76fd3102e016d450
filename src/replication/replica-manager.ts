// This broker's replicas: which partitions it leads (with their ISR and followers' progress) and which it
// follows from which leader (one ReplicaFetcher per leader broker). The controller wiring calls becomeLeader
// and becomeFollower; the replication listener asks it for leaderships and reports follower fetches; acks=all
// waits on waitForCommit. It moves a leader's high watermark to the minimum log end offset over the ISR,
// shrinks the ISR for followers not caught up for replica.lag.time.max.ms and expands it when they catch up,
// writing each change through onIsrChange before applying it. The worker owning a partition stays its only
// writer: every change goes through the engine's control calls. Main thread.
import type { Logger } from 'pino';
import type { DataWaiters } from '../broker/data-waiters.js';
import { epochProblem, type PartitionLeadership, StandaloneLeadership } from '../broker/partition-leadership.js';
import type { PartitionEngine } from '../engine/partition-engine.js';
import { partitionKey } from '../engine/log-dirs.js';
import { ErrorCode, KafkaError } from '../shared/kafka-error-codes.js';
import type { FetchServingDeps } from './fetch-serving.js';
import type { LeaderAddress } from './leader-connection.js';
import { type LeaderAssignment, PartitionLeaderState } from './partition-leader-state.js';
import { ReplicaFetcher } from './replica-fetcher.js';
import type { TlsMaterial } from '../network/tls-material.js';

export type { LeaderAssignment } from './partition-leader-state.js';

export interface FollowerAssignment {
  leaderEpoch: number;
  leaderId: number;
  leaderAddress: LeaderAddress;
}

/** Writes a partition's next ISR where the cluster keeps it (etcd); the leader applies it once this resolves. */
export type IsrChangeWriter = (topic: string, partition: number, nextIsr: number[]) => Promise<void>;

export interface ReplicaManagerOptions {
  nodeId: number;
  clusterId: () => string;
  engine: PartitionEngine;
  waiters: DataWaiters;
  logger: Logger;
  replicaLagTimeMaxMs: number;
  /** Default: the change is applied at once (nothing to write to). */
  onIsrChange?: IsrChangeWriter;
  /** fjord.replication.security.protocol=SSL: the TLS material followers connect to leaders with; default plaintext. */
  tls?: TlsMaterial | null;
  /** The follower's registration epoch, sent with each fetch; -1 until membership provides one. */
  replicaEpoch?: number;
  /**
   * In a cluster the state gives every partition its role: one given none (yet) is not led here
   * (NOT_LEADER_OR_FOLLOWER). Default false: led as on a standalone broker until given a role.
   */
  rolesFromCluster?: boolean;
  /** Whether a replica's broker may join an ISR (in a cluster: it is live). Default: every replica may. */
  isLive?: (nodeId: number) => boolean;
}

interface CommitWaiter {
  offset: number;
  resolve: (errorCode: number) => void;
  timer: NodeJS.Timeout;
}

export class ReplicaManager implements FetchServingDeps, PartitionLeadership {
  readonly engine: PartitionEngine;
  readonly waiters: DataWaiters;
  private readonly leaders = new Map<string, PartitionLeaderState>();
  private readonly hwUpdating = new Set<PartitionLeaderState>();
  private readonly hwDirty = new Set<PartitionLeaderState>();
  private readonly commitWaiters = new Map<string, Set<CommitWaiter>>();
  private readonly fetchers = new Map<number, ReplicaFetcher>();
  /** Partitions with a role here other than leader (followed, or stopped): their last known leader epoch. */
  private readonly notLedEpochs = new Map<string, number>();
  /** Partitions given no role yet (nothing assigned them one): led as on a standalone broker. */
  private readonly unassigned = new StandaloneLeadership();
  private readonly isrTimer: NodeJS.Timeout;
  private isrCheckRunning = false;
  private readonly logger: Logger;
  /** Where ISR changes are written before they apply (the controller wiring sets it to its etcd write; tests too). */
  onIsrChange: IsrChangeWriter | null;
  /** ISR changes applied since start, for /metrics (Kafka's IsrShrinksPerSec / IsrExpandsPerSec). */
  readonly isrChanges = { shrinks: 0, expands: 0 };

  constructor(private readonly options: ReplicaManagerOptions) {
    this.onIsrChange = options.onIsrChange ?? null;
    this.engine = options.engine;
    this.waiters = options.waiters;
    this.logger = options.logger.child({ component: 'replication' });
    // Kafka checks every half of replica.lag.time.max.ms.
    this.isrTimer = setInterval(() => void this.checkIsrs(), Math.max(5, Math.floor(options.replicaLagTimeMaxMs / 2)));
    this.isrTimer.unref();
  }

  /** This broker leads the partition from now on at `leaderEpoch` (assigned in its log from the log end). */
  async becomeLeader(topic: string, partition: number, assignment: LeaderAssignment): Promise<void> {
    this.resign(topic, partition);
    await this.stopFollowing(topic, partition);
    const current = await this.engine.replicaState(topic, partition);
    if (assignment.leaderEpoch < current.leaderEpoch)
      throw new KafkaError(
        ErrorCode.FENCED_LEADER_EPOCH,
        `${topic}-${partition}: leader epoch ${assignment.leaderEpoch} is below the log's ${current.leaderEpoch}`,
      );
    const { nodeId } = this.options;
    if (!assignment.replicas.includes(nodeId))
      throw new Error(`${topic}-${partition}: node ${nodeId} leads but is not among the replicas ${assignment.replicas}`);
    await this.engine.setLeaderEpoch(topic, partition, assignment.leaderEpoch);
    const alone = new Set([nodeId, ...assignment.isr]).size === 1;
    const state = await this.engine.setSoleReplica(topic, partition, alone);
    const started = new PartitionLeaderState(topic, partition, nodeId, assignment, state.logEndOffset, state.highWatermark, Date.now());
    this.leaders.set(partitionKey(topic, partition), started);
    this.notLedEpochs.delete(partitionKey(topic, partition));
    this.logger.info(
      { partition: `${topic}-${partition}`, leaderEpoch: assignment.leaderEpoch, isr: started.isr, logEndOffset: state.logEndOffset },
      'leading',
    );
    this.waiters.notify(topic, partition);
  }

  /** This broker follows the partition from `leaderId` at `leaderEpoch`; its log is fetched from its own log end. */
  async becomeFollower(topic: string, partition: number, assignment: FollowerAssignment): Promise<void> {
    // Clients are sent on from now (NOT_LEADER_OR_FOLLOWER), before the log changes role.
    this.resign(topic, partition);
    this.notLedEpochs.set(partitionKey(topic, partition), assignment.leaderEpoch);
    await this.stopFollowing(topic, partition);
    const state = await this.engine.setSoleReplica(topic, partition, false);
    let fetcher = this.fetchers.get(assignment.leaderId);
    const { host, port } = assignment.leaderAddress;
    if (fetcher !== undefined && (fetcher.leaderAddress.host !== host || fetcher.leaderAddress.port !== port)) fetcher.retarget({ host, port });
    if (fetcher === undefined) {
      const tls = this.options.tls ?? null;
      const identity = {
        nodeId: this.options.nodeId,
        replicaEpoch: this.options.replicaEpoch ?? -1,
        clusterId: this.options.clusterId,
        tls: () => tls?.current ?? null,
      };
      fetcher = new ReplicaFetcher(assignment.leaderId, { host, port }, identity, this.engine, this.logger);
      this.fetchers.set(assignment.leaderId, fetcher);
    }
    fetcher.add(topic, partition, assignment.leaderEpoch, state);
    this.logger.info({ partition: `${topic}-${partition}`, leaderEpoch: assignment.leaderEpoch, leader: assignment.leaderId }, 'following');
  }

  /** The partition is neither led nor followed here any more (deleted, or moved away); settles once its fetching has. */
  stopReplica(topic: string, partition: number): Promise<void> {
    this.notLedEpochs.set(partitionKey(topic, partition), this.leaderEpoch(topic, partition));
    this.resign(topic, partition);
    return this.stopFollowing(topic, partition);
  }

  /**
   * The request path's question (src/broker/partition-leadership.ts): a partition led here is checked against its
   * leader epoch, one followed (or stopped) here is NOT_LEADER_OR_FOLLOWER, one never given a role is led as on a
   * standalone broker.
   */
  leaderProblem(topic: string, partition: number, currentLeaderEpoch: number): number {
    const key = partitionKey(topic, partition);
    const led = this.leaders.get(key);
    if (led !== undefined) return epochProblem(currentLeaderEpoch, led.leaderEpoch);
    if (this.notLedEpochs.has(key) || this.options.rolesFromCluster === true) return ErrorCode.NOT_LEADER_OR_FOLLOWER;
    return this.unassigned.leaderProblem(topic, partition, currentLeaderEpoch);
  }

  leaderEpoch(topic: string, partition: number): number {
    const key = partitionKey(topic, partition);
    return this.leaders.get(key)?.leaderEpoch ?? this.notLedEpochs.get(key) ?? this.unassigned.leaderEpoch();
  }

  leadershipOf(topic: string, partition: number): PartitionLeaderState | undefined {
    return this.leaders.get(partitionKey(topic, partition));
  }

  /** The partitions this broker leads as a replicated leader, with their replicas and ISR (for /metrics). */
  leaderships(): IterableIterator<PartitionLeaderState> {
    return this.leaders.values();
  }

  /** The ISR of a partition this broker leads (undefined otherwise). */
  isrOf(topic: string, partition: number): readonly number[] | undefined {
    return this.leadershipOf(topic, partition)?.isr;
  }

  /** The fetcher following partitions from `leaderId`, if any (tests and stats). */
  fetcherOf(leaderId: number): ReplicaFetcher | undefined {
    return this.fetchers.get(leaderId);
  }

  /**
   * What acks=all waits on: NONE once the high watermark passes `offset` (every ISR member has it),
   * REQUEST_TIMED_OUT after `timeoutMs`, NOT_LEADER_OR_FOLLOWER when this broker does not lead (or stops leading).
   */
  async waitForCommit(topic: string, partition: number, offset: number, timeoutMs: number): Promise<number> {
    const leadership = this.leadershipOf(topic, partition);
    if (leadership === undefined) return ErrorCode.NOT_LEADER_OR_FOLLOWER;
    if (leadership.highWatermark > offset) return ErrorCode.NONE;
    // Alone in its ISR, the worker moves the high watermark with every append: ask it.
    if (leadership.alone && (await this.engine.offsets(topic, partition)).highWatermark > offset) return ErrorCode.NONE;
    if (leadership.resigned) return ErrorCode.NOT_LEADER_OR_FOLLOWER;
    if (leadership.highWatermark > offset) return ErrorCode.NONE;
    const key = partitionKey(topic, partition);
    return new Promise((resolve) => {
      const waiter: CommitWaiter = {
        offset,
        resolve: (code) => {
          clearTimeout(waiter.timer);
          this.commitWaiters.get(key)?.delete(waiter);
          resolve(code);
        },
        timer: setTimeout(() => waiter.resolve(ErrorCode.REQUEST_TIMED_OUT), timeoutMs),
      };
      const set = this.commitWaiters.get(key) ?? new Set<CommitWaiter>();
      this.commitWaiters.set(key, set);
      set.add(waiter);
    });
  }

  /** The replication listener: a follower fetched (fetch-serving.ts). Moves the high watermark and the ISR. */
  followerFetched(leadership: PartitionLeaderState, replicaId: number, fetchOffset: number, leaderLogEndOffset: number): void {
    if (leadership.resigned) return;
    leadership.recordFetch(replicaId, fetchOffset, leaderLogEndOffset, Date.now());
    this.advanceHighWatermark(leadership);
    const next = leadership.isrChangePending ? null : leadership.nextIsr(Date.now(), this.options.replicaLagTimeMaxMs, this.options.isLive);
    if (next !== null) void this.changeIsr(leadership, next);
  }

  /** Sets the high watermark in the worker to the minimum over the ISR, one call at a time per partition. */
  private advanceHighWatermark(leadership: PartitionLeaderState): void {
    if (this.hwUpdating.has(leadership)) {
      this.hwDirty.add(leadership);
      return;
    }
    const target = leadership.highWatermarkCandidate();
    if (target === null || target <= leadership.highWatermark) return;
    this.hwUpdating.add(leadership);
    const { topic, partition } = leadership;
    this.engine.setHighWatermark(topic, partition, target).then(
      (state) => {
        this.hwUpdating.delete(leadership);
        if (leadership.resigned) return;
        this.highWatermarkMoved(leadership, state.highWatermark);
        if (this.hwDirty.delete(leadership)) this.advanceHighWatermark(leadership);
      },
      (error: unknown) => {
        this.hwUpdating.delete(leadership);
        this.hwDirty.delete(leadership);
        this.logger.warn({ partition: `${topic}-${partition}`, err: (error as Error).message }, 'could not move the high watermark');
      },
    );
  }

  /** Commit waiters at or below the new high watermark resolve, and consumer fetches long-polling on the partition wake. */
  private highWatermarkMoved(leadership: PartitionLeaderState, highWatermark: number): void {
    if (highWatermark <= leadership.highWatermark) return;
    leadership.highWatermark = highWatermark;
    const waiters = this.commitWaiters.get(partitionKey(leadership.topic, leadership.partition));
    if (waiters !== undefined) for (const waiter of [...waiters]) if (waiter.offset < highWatermark) waiter.resolve(ErrorCode.NONE);
    this.waiters.notifyCommitted(leadership.topic, leadership.partition);
  }

  /**
   * The cluster state changed the ISR (or the replicas: a reassignment) of a partition led here at the same leader
   * epoch (the controller took out a follower whose broker died; or this leader's own write, seen back): applied as
   * the leader's, the ISR once no change of its own is being written.
   */
  updateIsr(topic: string, partition: number, isr: readonly number[], replicas?: readonly number[]): void {
    const leadership = this.leadershipOf(topic, partition);
    if (leadership === undefined) return;
    if (replicas !== undefined && replicas.join() !== leadership.replicas.join()) leadership.setReplicas(replicas, Date.now());
    leadership.stateIsr = [...isr];
    if (!leadership.isrChangePending) void this.followStateIsr(leadership);
  }

  /** Applies the ISR the cluster state holds, if it differs from the leader's (the leader stays in it). */
  private async followStateIsr(leadership: PartitionLeaderState): Promise<void> {
    const wanted = leadership.stateIsr;
    if (wanted === null || leadership.resigned || sameIsr(wanted, leadership.isr) || !wanted.includes(this.options.nodeId)) return;
    leadership.isrChangePending = true;
    try {
      await this.applyIsr(leadership, [...wanted]);
    } catch (error) {
      this.logger.warn({ partition: `${leadership.topic}-${leadership.partition}`, isr: wanted, err: (error as Error).message }, 'ISR change not applied');
    } finally {
      leadership.isrChangePending = false;
    }
  }

  /** Writes the next ISR (onIsrChange), then applies it. */
  private async changeIsr(leadership: PartitionLeaderState, wanted: number[]): Promise<void> {
    const { topic, partition } = leadership;
    leadership.isrChangePending = true;
    let next = wanted;
    // A leader alone in its ISR moves the high watermark with every append, past what it last told this object.
    // Before another replica joins, the watermark stops (sole mode off) and the join is decided again on the real
    // one: a follower behind it would otherwise count as having records acknowledged without it.
    const widening = leadership.alone && next.length > 1;
    try {
      if (widening) {
        const stopped = await this.engine.setSoleReplica(topic, partition, false);
        leadership.highWatermark = Math.max(leadership.highWatermark, stopped.highWatermark);
        const still = leadership.nextIsr(Date.now(), this.options.replicaLagTimeMaxMs, this.options.isLive);
        if (still === null || still.length === 1) {
          await this.stayAlone(leadership);
          return;
        }
        next = still;
      }
      await this.onIsrChange?.(topic, partition, next);
      if (leadership.resigned) return;
      // Written: the state holds it now (an older state ISR seen meanwhile must not undo it).
      if (leadership.stateIsr !== null) leadership.stateIsr = next;
      await this.applyIsr(leadership, next);
    } catch (error) {
      this.logger.warn({ partition: `${topic}-${partition}`, nextIsr: next, err: (error as Error).message }, 'ISR change not applied');
      if (widening) await this.stayAlone(leadership);
    } finally {
      leadership.isrChangePending = false;
    }
    // The state may have moved on meanwhile (the controller's change, or the refusal's reason).
    await this.followStateIsr(leadership);
  }

  /** A widening that did not happen: a leader still alone moves the high watermark with its log end again. */
  private async stayAlone(leadership: PartitionLeaderState): Promise<void> {
    if (leadership.resigned || !leadership.alone) return;
    const resumed = await this.engine.setSoleReplica(leadership.topic, leadership.partition, true).catch(() => null);
    if (resumed !== null) this.highWatermarkMoved(leadership, resumed.highWatermark);
  }

  /** Makes `next` the leader's ISR: leaving or joining the sole-replica mode in the worker in the safe order. */
  private async applyIsr(leadership: PartitionLeaderState, next: number[]): Promise<void> {
    const { topic, partition } = leadership;
    const previous = leadership.isr;
    if (leadership.alone && next.length > 1) {
      // Leaving sole mode first: the high watermark the worker holds (its log end) is where the computed one starts.
      const state = await this.engine.setSoleReplica(topic, partition, false);
      leadership.highWatermark = Math.max(leadership.highWatermark, state.highWatermark);
      leadership.isr = next;
    } else if (!leadership.alone && next.length === 1) {
      leadership.isr = next;
      const state = await this.engine.setSoleReplica(topic, partition, true);
      this.highWatermarkMoved(leadership, state.highWatermark);
    } else {
      leadership.isr = next;
    }
    if (next.length < previous.length) this.isrChanges.shrinks++;
    else if (next.length > previous.length) this.isrChanges.expands++;
    this.logger.info({ partition: `${topic}-${partition}`, from: previous, to: next }, next.length < previous.length ? 'ISR shrunk' : 'ISR changed');
    this.advanceHighWatermark(leadership);
  }

  /** Every half lag time: the leader's log end is read again and followers not caught up for too long leave the ISR. */
  private async checkIsrs(): Promise<void> {
    if (this.isrCheckRunning) return;
    this.isrCheckRunning = true;
    try {
      for (const leadership of [...this.leaders.values()]) {
        if (leadership.isrChangePending || leadership.alone) continue;
        try {
          const state = await this.engine.replicaState(leadership.topic, leadership.partition);
          leadership.leaderLogEndOffset = Math.max(leadership.leaderLogEndOffset, state.logEndOffset);
        } catch {
          continue;
        }
        const next =
          leadership.isrChangePending || leadership.resigned ? null : leadership.nextIsr(Date.now(), this.options.replicaLagTimeMaxMs, this.options.isLive);
        if (next !== null) await this.changeIsr(leadership, next);
      }
    } finally {
      this.isrCheckRunning = false;
    }
  }

  private resign(topic: string, partition: number): void {
    const key = partitionKey(topic, partition);
    const leadership = this.leaders.get(key);
    if (leadership === undefined) return;
    leadership.resigned = true;
    this.leaders.delete(key);
    // Not led here until told otherwise (a becomeLeader that fails halfway leaves it so, never led as standalone).
    this.notLedEpochs.set(key, leadership.leaderEpoch);
    for (const waiter of [...(this.commitWaiters.get(key) ?? [])]) waiter.resolve(ErrorCode.NOT_LEADER_OR_FOLLOWER);
    this.commitWaiters.delete(key);
    this.waiters.notify(topic, partition);
  }

  /** Drops the partition from its fetcher (a fetcher left with none stops); settles once what it was applying is done. */
  private stopFollowing(topic: string, partition: number): Promise<void> {
    const applying: Promise<void>[] = [];
    for (const [leaderId, fetcher] of this.fetchers) {
      const removed = fetcher.remove(topic, partition);
      if (removed === null) continue;
      applying.push(removed);
      if (fetcher.size > 0) continue;
      this.fetchers.delete(leaderId);
      void fetcher.stop();
    }
    return Promise.all(applying).then(() => undefined);
  }

  /** Stops every fetcher and gives up every leadership (shutdown). */
  async stop(): Promise<void> {
    clearInterval(this.isrTimer);
    const fetchers = [...this.fetchers.values()];
    this.fetchers.clear();
    await Promise.all(fetchers.map((f) => f.stop()));
    this.resignAll();
  }

  /** Gives up every leadership here (controlled shutdown): produces are sent on, commit waits end NOT_LEADER_OR_FOLLOWER. */
  resignAll(): void {
    for (const leadership of [...this.leaders.values()]) this.resign(leadership.topic, leadership.partition);
  }
}

function sameIsr(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((id) => b.includes(id));
}
