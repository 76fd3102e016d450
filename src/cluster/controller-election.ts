// Controller election, the campaign recipe over etcd: each broker puts a candidate key election/controller/<lease id>
// bound to a lease of its own, and the candidate whose key is oldest (lowest create revision) is the controller;
// ControllerObserver follows the same keys for everyone else. A controller whose lease is lost (revoked, expired,
// not renewed) stops being controller. Its fence (the candidate key and its create revision) guards every
// controller write. (etcd3's Campaign is not used: a candidate that resigns while waiting leaves its watch open
// for good.) Main thread.
import { EventEmitter } from 'node:events';
import type { Lease } from 'etcd3';
import { ELECTION_NAME } from './etcd-keys.js';
import type { Fence } from './fence.js';
import { type KeyChange, type PrefixWatch, type WatchScope, watchPrefix } from './prefix-watch.js';

/** The candidates' keys: election/controller/<lease id>. */
const CANDIDATES_PREFIX = `election/${ELECTION_NAME}/`;

export interface ControllerTermEvents {
  /** This broker is no longer controller; emitted once. */
  lost: [reason: Error];
}

/** One stretch of time during which this broker is the controller. */
export class ControllerTerm extends EventEmitter<ControllerTermEvents> {
  private lostReason: Error | null = null;

  constructor(
    readonly nodeId: number,
    /** The candidate key's lease (etcd's decimal int64 text). */
    readonly leaseId: string,
    /** Guards the controller's writes: they commit only while this term's candidate key exists. */
    readonly fence: Fence,
    private readonly giveUpLease: () => Promise<void>,
  ) {
    super();
  }

  get isController(): boolean {
    return this.lostReason === null;
  }

  /** Steps down: revokes the candidate's lease, so the next candidate is elected at once. */
  async resign(): Promise<void> {
    this.markLost(new Error('resigned'));
    await this.giveUpLease();
  }

  markLost(reason: Error): void {
    if (this.lostReason !== null) return;
    this.lostReason = reason;
    this.emit('lost', reason);
  }
}

export interface ControllerCandidate {
  /** Resolves when this broker is elected; rejects when the campaign fails first (its lease lost, etcd gone); neither once withdrawn. */
  readonly elected: Promise<ControllerTerm>;
  /** Revokes the lease (the candidate key goes with it) and stops waiting, elected or not. Idempotent. */
  withdraw(): Promise<void>;
}

/**
 * Campaigns for controller with a lease of `ttlSeconds`: resolves `elected` once no older candidate is left. The
 * campaign waits as long as another controller lives.
 */
export function campaignForController(etcd: WatchScope, nodeId: number, ttlSeconds: number): ControllerCandidate {
  const { ns } = etcd;
  const lease: Lease = ns.lease(ttlSeconds);
  let withdrawn: Promise<void> | null = null;
  let watch: PrefixWatch | null = null;
  let term: ControllerTerm | null = null;
  const withdraw = (): Promise<void> =>
    (withdrawn ??= (async () => {
      await Promise.all([watch?.cancel(), lease.revoke()]);
    })());

  const elected = new Promise<ControllerTerm>((resolve, reject) => {
    // A candidate that withdrew before it was elected is never elected, and does not fail either.
    const fail = (error: Error) => {
      if (term !== null) term.markLost(error);
      else if (withdrawn === null) reject(error);
    };
    lease.on('lost', fail);
    const campaign = async () => {
      const leaseId = await lease.grant();
      const key = `${CANDIDATES_PREFIX}${leaseId}`;
      const put = await ns
        .if(key, 'Create', '==', 0)
        .then(ns.put(key).value(String(nodeId)).lease(leaseId))
        .commit();
      // A lease id is never reused, so the key is new; its create revision is the put's revision.
      if (!put.succeeded) throw new Error(`controller candidate key ${key} already existed`);
      const fence: Fence = { key, createRevision: BigInt(put.header.revision) };
      if (withdrawn !== null) return;
      const candidates = new Map<string, bigint>();
      let won = false;
      let decided = false;
      // Elected: the watch is no longer needed, and is cancelled before the term begins.
      const takeOffice = async () => {
        await watch!.cancel();
        if (withdrawn !== null) return;
        term = new ControllerTerm(nodeId, leaseId, fence, withdraw);
        resolve(term);
      };
      const look = (changes: KeyChange[]) => {
        for (const change of changes) {
          if (change.value === null) candidates.delete(change.key);
          else candidates.set(change.key, change.createRevision);
        }
        if (decided) return;
        if (!candidates.has(key)) {
          decided = true;
          fail(new Error(`controller candidate key ${key} was deleted (its lease expired) before the election`));
          return;
        }
        for (const createRevision of candidates.values()) if (createRevision < fence.createRevision) return;
        decided = true;
        won = true;
        if (watch !== null) takeOffice().catch(fail);
      };
      watch = await watchPrefix(etcd, CANDIDATES_PREFIX, {
        onSnapshot: look,
        onChanges: look,
        onError: (error) => {
          if (!decided) fail(error);
        },
      });
      // Decided by the snapshot, before the watch existed.
      if (won) await takeOffice();
      else if (decided || withdrawn !== null) await watch.cancel();
    };
    campaign().catch(fail);
  });
  return { elected, withdraw };
}

export interface ControllerObserverEvents {
  /** The controller changed: its node id, or null while there is none. */
  change: [controllerId: number | null];
  error: [error: Error];
}

/**
 * Who the controller is, for Metadata and DescribeCluster: the candidate whose election key is oldest (lowest create
 * revision), as the campaign recipe elects it, kept current by a snapshot-then-watch of the candidates. (etcd3's
 * ElectionObserver is not used: when several candidates appear in one watch response it follows the newest one.)
 */
export class ControllerObserver extends EventEmitter<ControllerObserverEvents> {
  /** Election key → the candidate's create revision and node id. */
  private readonly candidates = new Map<string, { createRevision: bigint; nodeId: number | null }>();
  private current: number | null = null;
  private watch: PrefixWatch | null = null;

  static async observe(etcd: WatchScope): Promise<ControllerObserver> {
    const observer = new ControllerObserver();
    observer.watch = await watchPrefix(etcd, CANDIDATES_PREFIX, {
      onSnapshot: (snapshot) => observer.apply(snapshot),
      onChanges: (changes) => observer.apply(changes),
      onError: (error) => observer.emit('error', error),
    });
    return observer;
  }

  get controllerId(): number | null {
    return this.current;
  }

  async close(): Promise<void> {
    await this.watch?.cancel();
  }

  private apply(changes: KeyChange[]): void {
    for (const { key, value, createRevision } of changes) {
      if (value === null) this.candidates.delete(key);
      else this.candidates.set(key, { createRevision, nodeId: parseNodeId(value) });
    }
    let oldest: { createRevision: bigint; nodeId: number | null } | null = null;
    for (const candidate of this.candidates.values()) if (oldest === null || candidate.createRevision < oldest.createRevision) oldest = candidate;
    const next = oldest?.nodeId ?? null;
    if (next === this.current) return;
    this.current = next;
    this.emit('change', next);
  }
}

function parseNodeId(value: string | undefined): number | null {
  if (value === undefined) return null;
  const id = Number(value);
  return Number.isSafeInteger(id) && id >= 0 ? id : null;
}
