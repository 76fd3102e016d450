// One etcd lease kept alive by the etcd3 client, and this process's own, conservative view of it: the lease is
// surely alive until the last acknowledged keep-alive's send time plus the TTL etcd granted. A broker stops
// acting on what the lease guards (leading partitions, registration) once that moment passes, even while etcd
// is unreachable, so it stops before etcd can expire the lease and hand its role to another broker. Main thread.
import { EventEmitter } from 'node:events';
import type { Lease, Namespace } from 'etcd3';

export interface LeaseGuardEvents {
  /** The lease is gone (revoked, expired, or not renewed in time); emitted once. */
  lost: [reason: Error];
}

export class LeaseGuard extends EventEmitter<LeaseGuardEvents> {
  /** The lease id as etcd's decimal int64 text. */
  readonly leaseId: string;
  private readonly lease: Lease;
  private readonly nowMs: () => number;
  private safeUntilMs: number;
  private lastFiredAtMs: number;
  private lostReason: Error | null = null;

  private constructor(lease: Lease, leaseId: string, ttlSeconds: number, grantedAtMs: number, nowMs: () => number) {
    super();
    this.lease = lease;
    this.leaseId = leaseId;
    this.nowMs = nowMs;
    this.safeUntilMs = grantedAtMs + ttlSeconds * 1000;
    this.lastFiredAtMs = grantedAtMs;
    lease.on('keepaliveFired', () => (this.lastFiredAtMs = this.nowMs()));
    lease.on('keepaliveSucceeded', (res) => (this.safeUntilMs = this.lastFiredAtMs + Number(res.TTL) * 1000));
    lease.on('lost', (err) => this.markLost(err));
  }

  /** Grants a lease with the TTL in whole seconds (etcd's unit, at least 1) and starts keeping it alive. */
  static async grant(ns: Namespace, ttlSeconds: number, nowMs: () => number = Date.now): Promise<LeaseGuard> {
    if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1) throw new RangeError(`lease TTL must be a whole number of seconds >= 1, got ${ttlSeconds}`);
    const requestedAtMs = nowMs();
    const lease = ns.lease(ttlSeconds);
    const leaseId = await lease.grant();
    return new LeaseGuard(lease, leaseId, ttlSeconds, requestedAtMs, nowMs);
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
