// Controller election over etcd's election recipe (the etcd3 client's Campaign under election/controller/, and
// ControllerObserver following the candidates' keys): each broker campaigns with its own lease, the candidate whose key is oldest is the
// controller, and a controller whose lease is lost (revoked, expired, not renewed) stops being controller.
// Its fence (the election key and its create revision) guards every controller write. Main thread.
import { EventEmitter } from 'node:events';
import type { Campaign, Namespace } from 'etcd3';
import { ELECTION_NAME } from './etcd-keys.js';
import type { Fence } from './fence.js';
import { type KeyChange, type PrefixWatch, watchPrefix } from './prefix-watch.js';

/** The candidates' keys: election/controller/<lease id>, as etcd3's Election names them. */
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
    /** The election key's lease (etcd's decimal int64 text). */
    readonly leaseId: string,
    /** Guards the controller's writes: they commit only while this term's election key exists. */
    readonly fence: Fence,
    private readonly campaign: Campaign,
  ) {
    super();
  }

  get isController(): boolean {
    return this.lostReason === null;
  }

  /** Steps down: revokes the election lease, so the next candidate is elected at once. */
  async resign(): Promise<void> {
    this.markLost(new Error('resigned'));
    await this.campaign.resign();
  }

  markLost(reason: Error): void {
    if (this.lostReason !== null) return;
    this.lostReason = reason;
    this.emit('lost', reason);
  }
}

/**
 * Campaigns for controller with a lease of `ttlSeconds`; resolves when this broker is elected. The campaign
 * waits as long as another controller lives; `withdraw` revokes the lease whether elected or not.
 */
export function campaignForController(ns: Namespace, nodeId: number, ttlSeconds: number): { elected: Promise<ControllerTerm>; withdraw(): Promise<void> } {
  const campaign = ns.election(ELECTION_NAME, ttlSeconds).campaign(String(nodeId));
  let term: ControllerTerm | null = null;
  const elected = new Promise<ControllerTerm>((resolve, reject) => {
    campaign.on('error', (error) => (term === null ? reject(error) : term.markLost(error)));
    campaign.on('elected', () => {
      void startTerm(ns, nodeId, campaign).then((started) => {
        term = started;
        resolve(started);
      }, reject);
    });
  });
  return { elected, withdraw: () => campaign.resign() };
}

async function startTerm(ns: Namespace, nodeId: number, campaign: Campaign): Promise<ControllerTerm> {
  const absoluteKey = await campaign.getCampaignKey();
  const leaseId = absoluteKey.slice(absoluteKey.lastIndexOf('/') + 1);
  const key = `${CANDIDATES_PREFIX}${leaseId}`;
  const read = await ns.get(key).exec();
  const kv = read.kvs[0];
  if (kv === undefined) throw new Error(`controller election key ${key} vanished before the term began`);
  return new ControllerTerm(nodeId, leaseId, { key, createRevision: BigInt(kv.create_revision) }, campaign);
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

  static async observe(ns: Namespace): Promise<ControllerObserver> {
    const observer = new ControllerObserver();
    observer.watch = await watchPrefix(ns, CANDIDATES_PREFIX, {
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
