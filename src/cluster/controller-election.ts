// Controller election over etcd's election recipe (the etcd3 client's Campaign and ElectionObserver under
// election/controller/): each broker campaigns with its own lease, the candidate whose key is oldest is the
// controller, and a controller whose lease is lost (revoked, expired, not renewed) stops being controller.
// Its fence (the election key and its create revision) guards every controller write. Main thread.
import { EventEmitter } from 'node:events';
import type { Campaign, ElectionObserver, Namespace } from 'etcd3';
import { ELECTION_NAME } from './etcd-keys.js';
import type { Fence } from './fence.js';

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
  const key = `election/${ELECTION_NAME}/${leaseId}`;
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

/** Who the controller is, kept current by etcd's election observer; for Metadata and DescribeCluster. */
export class ControllerObserver extends EventEmitter<ControllerObserverEvents> {
  private constructor(private readonly observer: ElectionObserver) {
    super();
    observer.on('change', (value) => this.emit('change', parseNodeId(value)));
    observer.on('error', (error) => this.emit('error', error));
  }

  static async observe(ns: Namespace): Promise<ControllerObserver> {
    return new ControllerObserver(await ns.election(ELECTION_NAME).observe());
  }

  get controllerId(): number | null {
    return parseNodeId(this.observer.leader());
  }

  close(): Promise<void> {
    return this.observer.cancel();
  }
}

function parseNodeId(value: string | undefined): number | null {
  if (value === undefined) return null;
  const id = Number(value);
  return Number.isSafeInteger(id) && id >= 0 ? id : null;
}
