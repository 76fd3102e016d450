// A follower's fetch loop towards one leader broker: one connection, one ReplicaFetch at a time for every
// partition this broker follows from that leader, the returned batches appended as they are (a replica
// append keeps the leader's offsets and bytes), the leader's high watermark taken (bounded by this log's
// end), and on a diverging epoch the divergent tail truncated (divergence.ts) before fetching again.
// Reconnects with doubling backoff; holds at most one response at a time. Main thread.
import type { SecureContextOptions } from 'node:tls';
import type { Logger } from 'pino';
import type { PartitionEngine } from '../engine/partition-engine.js';
import { partitionKey } from '../engine/log-dirs.js';
import { ErrorCode, errorName } from '../shared/kafka-error-codes.js';
import { BATCH_HEADER_BYTES, BatchField, baseOffsetAt, batchSizeAt, lastOffsetAt } from '../shared/record-batch.js';
import type { ReplicaLogState } from '../shared/worker-protocol.js';
import { truncationOffsetOf } from './divergence.js';
import { type LeaderAddress, LeaderConnection } from './leader-connection.js';
import type { ReplicaFetchPartitionResult } from './messages.js';
import {
  FOLLOWER_BACKOFF_MS_MAX,
  FOLLOWER_BACKOFF_MS_MIN,
  FOLLOWER_FETCH_BYTES,
  FOLLOWER_FETCH_MIN_BYTES,
  FOLLOWER_FETCH_WAIT_MS,
  FOLLOWER_PARTITION_FETCH_BYTES,
  FOLLOWER_RESPONSE_GRACE_MS,
} from './replication-limits.js';

export interface FetcherIdentity {
  nodeId: number;
  /** The follower's registration epoch (its etcd lease revision once membership is wired); -1 until then. */
  replicaEpoch: number;
  clusterId: () => string;
  /** The TLS material to connect to leaders with (fjord.replication.security.protocol=SSL, as now), or null: plaintext. */
  tls: () => SecureContextOptions | null;
}

/** One partition this broker follows from the fetcher's leader. */
interface FollowedPartition {
  topic: string;
  partition: number;
  leaderEpoch: number;
  fetchOffset: number;
  /** This log's start: a log with nothing stored (start = end) may restart at a leader's batch that begins below it. */
  logStartOffset: number;
  lastFetchedEpoch: number;
  highWatermark: number;
  /** The partition sits out fetches until then (an error answered for it, e.g. the leader not there yet). */
  retryAtMs: number;
  /** Refusals in a row: the pause before the next try doubles with each, from 50 ms up to 2 s. */
  refusals: number;
  /** Its answer being applied (append, high watermark, truncation): a change of role waits for it. */
  busy: Promise<void> | null;
}

export class ReplicaFetcher {
  private readonly partitions = new Map<string, FollowedPartition>();
  private connection: LeaderConnection | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;
  private backoffMs = FOLLOWER_BACKOFF_MS_MIN;
  /** Wakes the loop when it idles (no partitions, or backing off). */
  private wake: (() => void) | null = null;
  /** Fetch rounds that completed (tests and stats). */
  rounds = 0;

  constructor(
    readonly leaderId: number,
    private address: LeaderAddress,
    private readonly identity: FetcherIdentity,
    private readonly engine: PartitionEngine,
    private readonly logger: Logger,
  ) {}

  get size(): number {
    return this.partitions.size;
  }

  /** Follows a partition from this leader at `leaderEpoch`, from the log state `state` (its log end and latest epoch). */
  add(topic: string, partition: number, leaderEpoch: number, state: ReplicaLogState): void {
    this.partitions.set(partitionKey(topic, partition), {
      topic,
      partition,
      leaderEpoch,
      fetchOffset: state.logEndOffset,
      logStartOffset: state.logStartOffset,
      lastFetchedEpoch: state.leaderEpoch,
      highWatermark: state.highWatermark,
      retryAtMs: 0,
      refusals: 0,
      busy: null,
    });
    this.start();
    this.wakeUp();
  }

  /** Where the leader's replication listener is. */
  get leaderAddress(): LeaderAddress {
    return this.address;
  }

  /** The leader moved to another address (it restarted): the next round connects there. */
  retarget(address: LeaderAddress): void {
    this.address = { ...address };
    this.connection?.close();
    this.wakeUp();
  }

  /**
   * Stops following a partition (null: it was not followed here). The promise settles once what was being applied
   * to its log from the last answer is done, so that a new role's first change comes after the last replicated one
   * (appends travel on the ring, role changes on the control channel: nothing else orders them).
   */
  remove(topic: string, partition: number): Promise<void> | null {
    const key = partitionKey(topic, partition);
    const p = this.partitions.get(key);
    if (p === undefined) return null;
    this.partitions.delete(key);
    return p.busy ?? Promise.resolve();
  }

  has(topic: string, partition: number): boolean {
    return this.partitions.has(partitionKey(topic, partition));
  }

  private start(): void {
    if (this.running !== null || this.stopped) return;
    this.running = this.loop().finally(() => {
      this.running = null;
      // A partition added while the loop was ending: it runs again.
      if (this.partitions.size > 0) this.start();
    });
  }

  /** Ends the loop and the connection; resolves once the round under way has finished. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.connection?.close();
    this.wakeUp();
    await this.running;
  }

  private async loop(): Promise<void> {
    while (!this.stopped && this.partitions.size > 0) {
      try {
        const connection = await this.connected();
        const due = this.duePartitions();
        if (due.length === 0) {
          await this.idle(this.nextRetryMs());
          continue;
        }
        const response = await connection.fetch(this.fetchRequest(due), FOLLOWER_FETCH_WAIT_MS + FOLLOWER_RESPONSE_GRACE_MS);
        // Partitions are applied side by side (each its own worker calls, in order); the next fetch waits for all,
        // and only then does the response's frame (its records are views of it) go back.
        const once = new Map(response.partitions.map((result) => [partitionKey(result.topic, result.partition), result]));
        const applied = await Promise.allSettled([...once.values()].map((result) => this.apply(result, due)));
        connection.release(response);
        const failed = applied.find((outcome) => outcome.status === 'rejected');
        if (failed !== undefined) throw failed.reason;
        this.rounds++;
        this.backoffMs = FOLLOWER_BACKOFF_MS_MIN;
      } catch (error) {
        if (this.stopped) break;
        this.connection?.close();
        this.connection = null;
        this.logger.warn(
          { leader: this.leaderId, address: `${this.address.host}:${this.address.port}`, err: (error as Error).message },
          'replica fetch failed; reconnecting',
        );
        await this.idle(this.backoffMs);
        this.backoffMs = Math.min(this.backoffMs * 2, FOLLOWER_BACKOFF_MS_MAX);
      }
    }
    this.connection?.close();
    this.connection = null;
  }

  private async connected(): Promise<LeaderConnection> {
    if (this.connection !== null && !this.connection.closed) return this.connection;
    const { nodeId, clusterId } = this.identity;
    this.connection = await LeaderConnection.open(this.address, clusterId(), nodeId, this.leaderId, FOLLOWER_RESPONSE_GRACE_MS, this.identity.tls());
    return this.connection;
  }

  private duePartitions(): FollowedPartition[] {
    const now = Date.now();
    return [...this.partitions.values()].filter((p) => p.retryAtMs <= now);
  }

  private nextRetryMs(): number {
    let soonest = Number.POSITIVE_INFINITY;
    for (const p of this.partitions.values()) soonest = Math.min(soonest, p.retryAtMs);
    return Math.max(0, soonest - Date.now());
  }

  private fetchRequest(due: FollowedPartition[]) {
    return {
      replicaId: this.identity.nodeId,
      replicaEpoch: this.identity.replicaEpoch,
      maxWaitMs: FOLLOWER_FETCH_WAIT_MS,
      minBytes: FOLLOWER_FETCH_MIN_BYTES,
      maxBytes: FOLLOWER_FETCH_BYTES,
      partitions: due.map((p) => ({
        topic: p.topic,
        partition: p.partition,
        fetchOffset: p.fetchOffset,
        lastFetchedEpoch: p.lastFetchedEpoch,
        currentLeaderEpoch: p.leaderEpoch,
        maxBytes: FOLLOWER_PARTITION_FETCH_BYTES,
      })),
    };
  }

  /** One partition's answer; ignored when the partition was dropped or re-added (another epoch) since it was asked. */
  private async apply(result: ReplicaFetchPartitionResult, asked: FollowedPartition[]): Promise<void> {
    const p = this.partitions.get(partitionKey(result.topic, result.partition));
    if (p === undefined || !asked.includes(p)) return;
    const work = this.handle(p, result);
    p.busy = work.catch(() => undefined);
    try {
      await work;
    } finally {
      p.busy = null;
    }
  }

  private async handle(p: FollowedPartition, result: ReplicaFetchPartitionResult): Promise<void> {
    if (result.errorCode !== ErrorCode.NONE) return this.failed(p, result);
    p.refusals = 0;
    if (result.divergingEpoch !== null) return this.truncate(p, result);
    if (result.records.length > 0) {
      const outcome = await this.appendStraddling(p, result.records);
      if (outcome.errorCode !== ErrorCode.NONE) {
        this.logger.error(
          { partition: `${p.topic}-${p.partition}`, error: errorName(outcome.errorCode), message: outcome.errorMessage },
          'replicated batches refused',
        );
        return this.resync(p, FOLLOWER_BACKOFF_MS_MAX);
      }
      this.advance(p, result.records);
    }
    // Only upwards, as Kafka's follower (maybeUpdateHighWatermark): a new leader's may trail what this log knew.
    const highWatermark = Math.min(result.highWatermark, p.fetchOffset);
    if (highWatermark > p.highWatermark) {
      const state = await this.engine.setHighWatermark(p.topic, p.partition, highWatermark);
      p.highWatermark = state.highWatermark;
    }
  }

  /**
   * Appends the leader's batches. A log with nothing stored that started at the leader's log start may get a first
   * batch beginning below it (the leader's log start moved inside a batch, by DeleteRecords): as Kafka does, it
   * restarts at that batch's base offset and appends again.
   */
  private async appendStraddling(p: FollowedPartition, records: Buffer) {
    const outcome = await this.engine.append(p.topic, p.partition, records, true);
    if (outcome.errorCode === ErrorCode.NONE || p.fetchOffset !== p.logStartOffset || records.length < BATCH_HEADER_BYTES) return outcome;
    const firstBase = baseOffsetAt(records, 0);
    if (firstBase >= p.fetchOffset || lastOffsetAt(records, 0) < p.fetchOffset) return outcome;
    this.take(p, await this.engine.truncateFullyAndStartAt(p.topic, p.partition, firstBase));
    return this.engine.append(p.topic, p.partition, records, true);
  }

  /** After an append: the fetch goes on after the last batch, with that batch's epoch. */
  private advance(p: FollowedPartition, records: Buffer): void {
    let at = 0;
    let last = 0;
    while (at < records.length) {
      last = at;
      at += batchSizeAt(records, at);
    }
    p.fetchOffset = lastOffsetAt(records, last) + 1;
    p.lastFetchedEpoch = records.readInt32BE(last + BatchField.PARTITION_LEADER_EPOCH);
  }

  /** The leader says this log diverges: cut the divergent tail, then fetch again from the new log end. */
  private async truncate(p: FollowedPartition, result: ReplicaFetchPartitionResult): Promise<void> {
    const diverging = result.divergingEpoch!;
    const own = await this.engine.endOffsetForEpoch(p.topic, p.partition, -1, diverging.epoch);
    const offset = truncationOffsetOf(diverging, own, { logEndOffset: p.fetchOffset, highWatermark: p.highWatermark });
    this.logger.info({ partition: `${p.topic}-${p.partition}`, divergingEpoch: diverging, from: p.fetchOffset, to: offset }, 'truncating a divergent tail');
    await this.engine.truncateTo(p.topic, p.partition, offset);
    await this.resync(p, 0);
  }

  /** Takes the log's own offsets and latest epoch again (after a truncation or a refused append). */
  private async resync(p: FollowedPartition, delayMs: number): Promise<void> {
    this.take(p, await this.engine.replicaState(p.topic, p.partition));
    p.retryAtMs = Date.now() + delayMs;
  }

  private take(p: FollowedPartition, state: ReplicaLogState): void {
    p.fetchOffset = state.logEndOffset;
    p.logStartOffset = state.logStartOffset;
    p.lastFetchedEpoch = state.leaderEpoch;
    p.highWatermark = state.highWatermark;
  }

  private async failed(p: FollowedPartition, result: ReplicaFetchPartitionResult): Promise<void> {
    // Out of range beyond the leader's end: this log holds what the leader lost; back to the leader's end (Kafka's rule).
    if (result.errorCode === ErrorCode.OFFSET_OUT_OF_RANGE && result.logEndOffset >= 0 && p.fetchOffset > result.logEndOffset) {
      await this.engine.truncateTo(p.topic, p.partition, result.logEndOffset);
      return this.resync(p, 0);
    }
    // Below the leader's log start: what this log would need is deleted there; start afresh where the leader's begins.
    if (result.errorCode === ErrorCode.OFFSET_OUT_OF_RANGE && result.logStartOffset > p.fetchOffset) {
      this.logger.info({ partition: `${p.topic}-${p.partition}`, from: p.fetchOffset, to: result.logStartOffset }, "restarting below the leader's log start");
      this.take(p, await this.engine.truncateFullyAndStartAt(p.topic, p.partition, result.logStartOffset));
      return;
    }
    this.logger.debug(
      { partition: `${p.topic}-${p.partition}`, leader: this.leaderId, error: errorName(result.errorCode) },
      'replica fetch refused for a partition',
    );
    // A new leader refuses until it has taken its role (milliseconds): try again soon, then less and less often.
    p.refusals++;
    p.retryAtMs = Date.now() + Math.min(FOLLOWER_BACKOFF_MS_MIN * 2 ** (p.refusals - 1), FOLLOWER_BACKOFF_MS_MAX);
  }

  private idle(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, Math.min(ms, FOLLOWER_BACKOFF_MS_MAX));
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    }).finally(() => (this.wake = null));
  }

  private wakeUp(): void {
    this.wake?.();
  }
}
