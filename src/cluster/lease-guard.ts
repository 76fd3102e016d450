// One etcd lease kept alive by the etcd3 client, and this process's own, conservative view of it: the lease is
// surely alive until the send time of the last answered keep-alive plus the TTL etcd answered with (answers come
// in request order on a keep-alive stream, so each answer is matched to its own request's send time). A broker stops
// acting on what the lease guards (leading partitions, registration) once that moment passes, even while etcd
// is unreachable, so it stops before etcd can expire the lease and hand its role to another broker. Main thread.
import { EventEmitter } from 'node:events';
import type { Lease, Namespace } from 'etcd3';

export interface LeaseGuardEvents {
  /** The lease is gone (revoked, expired, or not renewed in time); emitted once. */
  lost: [reason: Error];
}

export class LeaseGuard extends EventEmitter<LeaseGuardEvents> {
  private readonly lease: Lease;
  private readonly nowMs: () => number;
  private id = '';
  private safeUntilMs: number;
  /** Send times of the keep-alives on the current stream not answered yet: etcd answers each, in order. */
  private readonly unansweredFiredAtMs: number[] = [];
  private lostReason: Error | null = null;

  private constructor(lease: Lease, ttlSeconds: number, requestedAtMs: number, nowMs: () => number) {
    super();
    this.lease = lease;
    this.nowMs = nowMs;
    this.safeUntilMs = requestedAtMs + ttlSeconds * 1000;
    // A new stream: the keep-alives sent on a broken one get no answer.
    lease.on('keepaliveEstablished', () => this.unansweredFiredAtMs.splice(0));
    lease.on('keepaliveFired', () => this.unansweredFiredAtMs.push(this.nowMs()));
    lease.on('keepaliveSucceeded', (res) => {
      const firedAtMs = this.unansweredFiredAtMs.shift();
      if (firedAtMs !== undefined) this.safeUntilMs = Math.max(this.safeUntilMs, firedAtMs + Number(res.TTL) * 1000);
    });
    lease.on('lost', (err) => this.markLost(err));
  }

  /** Grants a lease with the TTL in whole seconds (etcd's unit, at least 1) and starts keeping it alive. */
  static async grant(ns: Namespace, ttlSeconds: number, nowMs: () => number = Date.now): Promise<LeaseGuard> {
    if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1) throw new RangeError(`lease TTL must be a whole number of seconds >= 1, got ${ttlSeconds}`);
    // The guard listens before the grant completes, so it sees the first keep-alive (sent right after it).
    const guard = new LeaseGuard(ns.lease(ttlSeconds), ttlSeconds, nowMs(), nowMs);
    guard.id = await guard.lease.grant();
    return guard;
  }

  /** The lease id as etcd's decimal int64 text. */
  get leaseId(): string {
    return this.id;
  }

  /** The etcd3 lease, to put keys bound to it. */
  get raw(): Lease {
    return this.lease;
  }

  /** True while this process can be sure etcd still holds the lease. */
  isSurelyAlive(): boolean {
    return this.lostReason === null && this.nowMs() < this.safeUntilMs;
  }

  /** Until when (this process's clock, ms) the lease is surely alive, as of the last acknowledged keep-alive. */
  get surelyAliveUntilMs(): number {
    return this.lostReason === null ? this.safeUntilMs : 0;
  }

  get lost(): boolean {
    return this.lostReason !== null;
  }

  /** Gives the lease back: every key bound to it is deleted at once. */
  async revoke(): Promise<void> {
    if (this.lostReason !== null) return;
    this.markLost(new Error('lease revoked by its owner'));
    await this.lease.revoke();
  }

  private markLost(reason: Error): void {
    if (this.lostReason !== null) return;
    this.lostReason = reason;
    this.safeUntilMs = 0;
    this.emit('lost', reason);
  }
}
