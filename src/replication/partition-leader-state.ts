// What a leader knows about one partition it leads: its epoch, the assigned replicas, the ISR, each follower's
// log end offset and when it was last caught up (Kafka's Replica.updateFetchState), and from these the high
// watermark's next value and the ISR's next membership. Pure state: the replica manager does the I/O and
// applies what this computes. Main thread.

export interface LeaderAssignment {
  leaderEpoch: number;
  /** Replica ids in the ISR, this broker included. */
  isr: readonly number[];
  /** Every assigned replica id, this broker included. */
  replicas: readonly number[];
}

interface FollowerProgress {
  /** -1 until its first fetch in this epoch. */
  logEndOffset: number;
  lastCaughtUpMs: number;
  /** The leader's log end offset and the time at its previous fetch (Kafka's lastCaughtUpTimeMs rule). */
  lastFetchLeaderLogEndOffset: number;
  lastFetchMs: number;
}

export class PartitionLeaderState {
  readonly leaderEpoch: number;
  replicas: readonly number[];
  isr: readonly number[];
  /** The high watermark as last set in the worker. */
  highWatermark: number;
  /** The leader's own log end offset, as last seen (fetches and ISR checks read it). */
  leaderLogEndOffset: number;
  /** The ISR the cluster state last gave (null: none given since leading began); followed when it differs. */
  stateIsr: readonly number[] | null = null;
  /** An ISR change is being written (onIsrChange): no other starts until it is applied. */
  isrChangePending = false;
  /** Set when leadership ends: pending work for it is dropped. */
  resigned = false;
  private readonly followers = new Map<number, FollowerProgress>();

  constructor(
    readonly topic: string,
    readonly partition: number,
    readonly nodeId: number,
    assignment: LeaderAssignment,
    /** Where this epoch starts in the log: a follower below it cannot join the ISR. */
    readonly epochStartOffset: number,
    highWatermark: number,
    nowMs: number,
  ) {
    this.leaderEpoch = assignment.leaderEpoch;
    this.replicas = [...assignment.replicas];
    this.isr = [...new Set([nodeId, ...assignment.isr])];
    this.highWatermark = highWatermark;
    this.leaderLogEndOffset = epochStartOffset;
    // As Kafka's makeLeader: followers in the ISR count as caught up now, so none is dropped before it could fetch.
    for (const id of this.replicas)
      if (id !== nodeId) this.followers.set(id, { logEndOffset: -1, lastCaughtUpMs: nowMs, lastFetchLeaderLogEndOffset: -1, lastFetchMs: nowMs });
  }

  /** Whether the leader alone makes a record committed (the high watermark follows its log end in the worker). */
  get alone(): boolean {
    return this.isr.length === 1;
  }

  /**
   * The assignment changed under the same leader epoch (a reassignment widened or narrowed it): new replicas start
   * unknown (they join the ISR once caught up), replicas no longer assigned are forgotten.
   */
  setReplicas(replicas: readonly number[], nowMs: number): void {
    this.replicas = [...replicas];
    for (const id of replicas)
      if (id !== this.nodeId && !this.followers.has(id))
        this.followers.set(id, { logEndOffset: -1, lastCaughtUpMs: nowMs, lastFetchLeaderLogEndOffset: -1, lastFetchMs: nowMs });
    for (const id of [...this.followers.keys()]) if (!replicas.includes(id)) this.followers.delete(id);
  }

  /** Messages the furthest-behind follower lacks (the leader's log end minus its log end; one not fetched yet counts from 0). */
  get maxFollowerLag(): number {
    let lag = 0;
    for (const f of this.followers.values()) lag = Math.max(lag, this.leaderLogEndOffset - Math.max(f.logEndOffset, 0));
    return lag;
  }

  isReplica(id: number): boolean {
    return id !== this.nodeId && this.followers.has(id);
  }

  /** A follower fetched from `fetchOffset` (its log end) while the leader's log ended at `leaderLogEndOffset`. */
  recordFetch(id: number, fetchOffset: number, leaderLogEndOffset: number, nowMs: number): void {
    const f = this.followers.get(id);
    if (f === undefined) return;
    if (fetchOffset >= leaderLogEndOffset) f.lastCaughtUpMs = Math.max(f.lastCaughtUpMs, nowMs);
    else if (fetchOffset >= f.lastFetchLeaderLogEndOffset) f.lastCaughtUpMs = Math.max(f.lastCaughtUpMs, f.lastFetchMs);
    f.logEndOffset = fetchOffset;
    f.lastFetchLeaderLogEndOffset = leaderLogEndOffset;
    f.lastFetchMs = nowMs;
    this.leaderLogEndOffset = Math.max(this.leaderLogEndOffset, leaderLogEndOffset);
  }

  /** The minimum log end offset over the ISR's followers (null: the leader is alone, or a follower has not fetched yet). */
  highWatermarkCandidate(): number | null {
    if (this.alone) return null;
    let min = Number.POSITIVE_INFINITY;
    for (const id of this.isr) {
      if (id === this.nodeId) continue;
      const end = this.followers.get(id)?.logEndOffset ?? -1;
      if (end < 0) return null;
      min = Math.min(min, end);
    }
    return min;
  }

  /**
   * The ISR this partition should have now: followers not caught up with the leader's log end for longer than
   * `lagMaxMs` leave; a follower out of it whose log end reached the high watermark and this epoch's start joins,
   * if `eligible` (in a cluster: its broker is live; a dead broker's last fetch must not bring it back). Null when
   * it should stay as it is.
   */
  nextIsr(nowMs: number, lagMaxMs: number, eligible: (id: number) => boolean = () => true): number[] | null {
    const next = this.isr.filter((id) => id === this.nodeId || this.isCaughtUp(id, nowMs, lagMaxMs));
    for (const id of this.replicas) if (!next.includes(id) && !this.isr.includes(id) && this.mayJoin(id) && eligible(id)) next.push(id);
    const changed = next.length !== this.isr.length || next.some((id) => !this.isr.includes(id));
    return changed ? next : null;
  }

  private isCaughtUp(id: number, nowMs: number, lagMaxMs: number): boolean {
    const f = this.followers.get(id);
    if (f === undefined) return false;
    return f.logEndOffset === this.leaderLogEndOffset || nowMs - f.lastCaughtUpMs <= lagMaxMs;
  }

  /** Caught up with the high watermark and this epoch's start; a leader alone moves its watermark with its log end, so that is the bar then. */
  private mayJoin(id: number): boolean {
    const f = this.followers.get(id);
    const bar = this.alone ? Math.max(this.highWatermark, this.leaderLogEndOffset) : this.highWatermark;
    return f !== undefined && f.logEndOffset >= 0 && f.logEndOffset >= bar && f.logEndOffset >= this.epochStartOffset;
  }
}
