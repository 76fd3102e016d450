// Broker membership in etcd: a broker registers under brokers/<nodeId> with its lease (live while the lease
// lives), and anyone can watch the set of live brokers (added/removed in etcd's order). Main thread.
import { EventEmitter } from 'node:events';
import type { Namespace } from 'etcd3';
import { BROKERS_PREFIX, type BrokerRegistration, brokerKey, decodeBrokerRegistration, encodeRecord } from './etcd-keys.js';
import type { Fence } from './fence.js';
import type { LeaseGuard } from './lease-guard.js';
import { type KeyChange, type PrefixWatch, type WatchScope, watchPrefix } from './prefix-watch.js';

export class DuplicateBrokerError extends Error {}

export interface RegisteredBroker {
  registration: BrokerRegistration;
  /** Guards writes only this broker may make while it is registered (e.g. its ISR changes as a leader). */
  fence: Fence;
  /** Deletes the registration now (controlled shutdown); the lease stays with its owner. */
  deregister(): Promise<void>;
}

/**
 * Puts brokers/<nodeId> bound to the lease, only if no live broker holds that id (Kafka refuses a second broker
 * with the same node.id the same way). A restarted broker whose old lease has not expired yet gets
 * DuplicateBrokerError and may wait for the old registration's `removed` event.
 */
export async function registerBroker(ns: Namespace, lease: LeaseGuard, registration: BrokerRegistration): Promise<RegisteredBroker> {
  const key = brokerKey(registration.nodeId);
  const result = await ns
    .if(key, 'Create', '==', 0)
    .then(ns.put(key).value(encodeRecord(registration)).lease(lease.leaseId))
    .commit();
  if (!result.succeeded) throw new DuplicateBrokerError(`broker ${registration.nodeId} is already registered in etcd`);
  const fence: Fence = { key, createRevision: BigInt(result.header.revision) };
  return {
    registration,
    fence,
    deregister: async () => {
      await ns.if(key, 'Create', '==', fence.createRevision.toString()).then(ns.delete().key(key)).commit();
    },
  };
}

export interface LiveBrokersEvents {
  added: [broker: BrokerRegistration];
  removed: [nodeId: number];
  /** A registration that does not decode (written by hand, or by another version): ignored, the watch goes on. */
  invalid: [error: Error];
  /** The watch ended for good: watch again. */
  error: [error: Error];
}

/** The live brokers, kept current by a watch of brokers/. Events come in etcd's revision order. */
export class LiveBrokers extends EventEmitter<LiveBrokersEvents> {
  readonly brokers = new Map<number, BrokerRegistration>();
  private watch: PrefixWatch | null = null;

  static async watch(etcd: WatchScope): Promise<LiveBrokers> {
    const live = new LiveBrokers();
    live.watch = await watchPrefix(etcd, BROKERS_PREFIX, {
      onSnapshot: (snapshot) => {
        for (const change of snapshot) live.applyOne(change, false);
      },
      onChanges: (changes) => live.apply(changes),
      onError: (error) => live.emit('error', error),
    });
    return live;
  }

  async close(): Promise<void> {
    await this.watch?.cancel();
  }

  private apply(changes: KeyChange[]): void {
    for (const change of changes) this.applyOne(change, true);
  }

  private applyOne(change: KeyChange, announce: boolean): void {
    const nodeId = Number(change.key.slice(BROKERS_PREFIX.length));
    if (!Number.isSafeInteger(nodeId)) return;
    if (change.value === null) {
      if (this.brokers.delete(nodeId) && announce) this.emit('removed', nodeId);
      return;
    }
    let broker: BrokerRegistration;
    try {
      broker = decodeBrokerRegistration(change.key, change.value);
    } catch (error) {
      // A broker with an unreadable registration is not live to us.
      this.emit('invalid', error as Error);
      if (this.brokers.delete(nodeId) && announce) this.emit('removed', nodeId);
      return;
    }
    const known = this.brokers.has(nodeId);
    this.brokers.set(nodeId, broker);
    if (!known && announce) this.emit('added', broker);
  }
}
