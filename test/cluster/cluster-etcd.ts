// Shared by the cluster tests: one real etcd per test file and a fresh cluster namespace (own root key) per
// client, so tests in one file never see each other's keys. Test helper.
import { once } from 'node:events';
import type { EventEmitter } from 'node:events';
import { afterAll } from 'vitest';
import { type ClusterEtcd, openClusterEtcd } from '../../src/cluster/etcd-client.js';

const opened: ClusterEtcd[] = [];
afterAll(() => {
  for (const etcd of opened.splice(0)) etcd.close();
});

let clusters = 0;
export function newClusterName(): string {
  clusters += 1;
  return `test-${process.pid}-${clusters}`;
}

/** A client of the cluster `clusterName` on these endpoints; closed when the file ends. */
export function connect(endpoints: string[], clusterName: string): ClusterEtcd {
  const etcd = openClusterEtcd({ endpoints, clusterName });
  opened.push(etcd);
  return etcd;
}

/** Revokes a lease from etcd's side, as its expiry would: every key bound to it goes at once. */
export async function revokeLease(etcd: ClusterEtcd, leaseId: string): Promise<void> {
  await etcd.client.leaseClient.leaseRevoke({ ID: leaseId });
}

/** The arguments of the next `event` the emitter emits. */
export function nextEvent<T extends unknown[]>(emitter: EventEmitter, event: string): Promise<T> {
  return once(emitter, event) as Promise<T>;
}
