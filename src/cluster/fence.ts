// A fencing token: a key that exists only while its holder holds its role (the controller's election key, a
// broker's registration), named by the revision that created it. A write guarded by a fence commits only if
// that very key still exists, so a holder that lost its lease can no longer write. Main thread.
import type { ComparatorBuilder } from 'etcd3';

export interface Fence {
  /** The key, relative to the cluster root (etcd-keys.ts). */
  key: string;
  /** The revision that created it: a new key with the same name after a loss has another one. */
  createRevision: bigint;
}

/** Adds "the fence key still exists, created at its revision" to a transaction's conditions. */
export function guardedBy(txn: ComparatorBuilder, fence: Fence | null): ComparatorBuilder {
  return fence === null ? txn : txn.and(fence.key, 'Create', '==', fence.createRevision.toString());
}
