// Writes to the cluster state in etcd (etcd-keys.ts, state/), each one transaction: topic creation and deletion,
// replica assignment and reassignments (guarded by the writer's fence), partition state (leader, leader epoch, ISR) by
// compare-and-swap on the key's mod revision, guarded by the writer's fence (the controller's, or a leader's own
// registration for its ISR changes). Main thread.
import type { Namespace } from 'etcd3';
import {
  type AssignmentRecord,
  assignmentKey,
  decodePartitionStateRecord,
  encodeRecord,
  type PartitionStateRecord,
  partitionKey,
  type ReassignmentRecord,
  reassignmentKey,
  type TopicRecord,
  topicKey,
  topicPartitionsPrefix,
  topicReassignmentsPrefix,
} from './etcd-keys.js';
import { type Fence, guardedBy } from './fence.js';

/** etcd's default --max-txn-ops: a transaction holds at most this many operations. */
export const ETCD_TXN_OPS_MAX = 128;

export interface Versioned<T> {
  value: T;
  modRevision: bigint;
}

export type WriteResult =
  | { ok: true; revision: bigint }
  /** The fence key is gone: the writer lost its role; it must stop writing. */
  | { ok: false; reason: 'fenced' }
  /** The key was not at the expected revision (another writer won); `current` is what is there now. */
  | { ok: false; reason: 'conflict'; current: Versioned<PartitionStateRecord> | null }
  | { ok: false; reason: 'exists' | 'missing' };

async function fenceHolds(ns: Namespace, fence: Fence | null): Promise<boolean> {
  if (fence === null) return true;
  const kv = (await ns.get(fence.key).exec()).kvs[0];
  return kv !== undefined && BigInt(kv.create_revision) === fence.createRevision;
}

/**
 * Creates a topic: the topic record and its assignment in one transaction that commits only if the topic does
 * not exist, so a controller that dies mid-way leaves the topic whole or absent. Each partition starts with its
 * first assigned replica as leader, epoch 0, the assignment as ISR; the states that do not fit in that
 * transaction follow in further fenced ones (a partition with no state yet has no leader).
 */
export async function createTopic(ns: Namespace, fence: Fence, name: string, topic: TopicRecord, assignment: AssignmentRecord): Promise<WriteResult> {
  if (assignment.replicas.length !== topic.partitionCount)
    throw new Error(`topic ${name}: ${assignment.replicas.length} assignments for ${topic.partitionCount} partitions`);
  const states = assignment.replicas.map((replicas, partition) => ns.put(partitionKey(name, partition)).value(encodeRecord(initialState(replicas))));
  const first = states.slice(0, ETCD_TXN_OPS_MAX - 2);
  const created = await guardedBy(ns.if(topicKey(name), 'Create', '==', 0), fence)
    .then(ns.put(topicKey(name)).value(encodeRecord(topic)), ns.put(assignmentKey(name)).value(encodeRecord(assignment)), ...first)
    .commit();
  if (!created.succeeded) return (await fenceHolds(ns, fence)) ? { ok: false, reason: 'exists' } : { ok: false, reason: 'fenced' };
  const createRevision = created.header.revision;
  let revision = BigInt(createRevision);
  for (let from = first.length; from < states.length; from += ETCD_TXN_OPS_MAX - 1) {
    const more = await guardedBy(ns.if(topicKey(name), 'Create', '==', createRevision), fence)
      .then(...states.slice(from, from + ETCD_TXN_OPS_MAX - 1))
      .commit();
    if (!more.succeeded) return { ok: false, reason: 'fenced' };
    revision = BigInt(more.header.revision);
  }
  return { ok: true, revision };
}

function initialState(replicas: number[]): PartitionStateRecord {
  return { leader: replicas[0]!, leaderEpoch: 0, isr: [...replicas] };
}

/** Deletes a topic with its assignment and partition states, in one fenced transaction. */
export async function deleteTopic(ns: Namespace, fence: Fence, name: string): Promise<WriteResult> {
  const result = await guardedBy(ns.if(topicKey(name), 'Create', '>', 0), fence)
    .then(
      ns.delete().key(topicKey(name)),
      ns.delete().key(assignmentKey(name)),
      ns.delete().prefix(topicPartitionsPrefix(name)),
      ns.delete().prefix(topicReassignmentsPrefix(name)),
    )
    .commit();
  if (result.succeeded) return { ok: true, revision: BigInt(result.header.revision) };
  return (await fenceHolds(ns, fence)) ? { ok: false, reason: 'missing' } : { ok: false, reason: 'fenced' };
}

/**
 * Replaces a topic's replica assignment (added partitions, reassignment), fenced by the writer; with
 * `expectedModRevision`, only if the assignment is still the one read at it (two writers cannot both add).
 */
export async function writeAssignment(
  ns: Namespace,
  fence: Fence,
  name: string,
  assignment: AssignmentRecord,
  expectedModRevision?: bigint,
): Promise<WriteResult> {
  const key = assignmentKey(name);
  const compare = expectedModRevision === undefined ? ns.if(topicKey(name), 'Create', '>', 0) : ns.if(key, 'Mod', '==', expectedModRevision.toString());
  const result = await guardedBy(compare, fence)
    .then(ns.put(key).value(encodeRecord(assignment)))
    .commit();
  if (result.succeeded) return { ok: true, revision: BigInt(result.header.revision) };
  if (!(await fenceHolds(ns, fence))) return { ok: false, reason: 'fenced' };
  return expectedModRevision === undefined ? { ok: false, reason: 'missing' } : { ok: false, reason: 'conflict', current: null };
}

/** Replaces a topic's record (its config overrides) if it is still the one read at `expectedModRevision`. */
export async function writeTopicRecord(ns: Namespace, fence: Fence, name: string, topic: TopicRecord, expectedModRevision: bigint): Promise<WriteResult> {
  const result = await guardedBy(ns.if(topicKey(name), 'Mod', '==', expectedModRevision.toString()), fence)
    .then(ns.put(topicKey(name)).value(encodeRecord(topic)))
    .commit();
  if (result.succeeded) return { ok: true, revision: BigInt(result.header.revision) };
  return (await fenceHolds(ns, fence)) ? { ok: false, reason: 'conflict', current: null } : { ok: false, reason: 'fenced' };
}

/** Starts (or changes the target of) a partition's reassignment, or with null ends it; only while the topic exists. */
export async function writeReassignment(
  ns: Namespace,
  fence: Fence,
  topic: string,
  partition: number,
  record: ReassignmentRecord | null,
): Promise<WriteResult> {
  const key = reassignmentKey(topic, partition);
  const change = record === null ? ns.delete().key(key) : ns.put(key).value(encodeRecord(record));
  const result = await guardedBy(ns.if(topicKey(topic), 'Create', '>', 0), fence)
    .then(change)
    .commit();
  if (result.succeeded) return { ok: true, revision: BigInt(result.header.revision) };
  return (await fenceHolds(ns, fence)) ? { ok: false, reason: 'missing' } : { ok: false, reason: 'fenced' };
}

/**
 * Ends a reassignment in one transaction: the topic's assignment (the partition on its target replicas) and the
 * partition's state (ISR within them, a leader among them) replace the ones read at the given revisions, and the
 * reassignment record goes; a conflict on either leaves all three as they were.
 */
export async function completeReassignment(
  ns: Namespace,
  fence: Fence,
  topic: string,
  partition: number,
  assignment: Versioned<AssignmentRecord>,
  state: Versioned<PartitionStateRecord>,
): Promise<WriteResult> {
  const result = await guardedBy(
    ns.if(assignmentKey(topic), 'Mod', '==', assignment.modRevision.toString()).and(partitionKey(topic, partition), 'Mod', '==', state.modRevision.toString()),
    fence,
  )
    .then(
      ns.put(assignmentKey(topic)).value(encodeRecord(assignment.value)),
      ns.put(partitionKey(topic, partition)).value(encodeRecord(state.value)),
      ns.delete().key(reassignmentKey(topic, partition)),
    )
    .commit();
  if (result.succeeded) return { ok: true, revision: BigInt(result.header.revision) };
  return (await fenceHolds(ns, fence)) ? { ok: false, reason: 'conflict', current: null } : { ok: false, reason: 'fenced' };
}

export async function readPartitionState(ns: Namespace, topic: string, partition: number): Promise<Versioned<PartitionStateRecord> | null> {
  const kv = (await ns.get(partitionKey(topic, partition)).exec()).kvs[0];
  if (kv === undefined) return null;
  const key = partitionKey(topic, partition);
  return { value: decodePartitionStateRecord(key, kv.value.toString()), modRevision: BigInt(kv.mod_revision) };
}

/**
 * Compare-and-swap of one partition's state: commits only if the key is still at `expectedModRevision` (null:
 * the key must not exist) and the fence holds. On a conflict the caller gets the current state to decide again.
 */
export async function swapPartitionState(
  ns: Namespace,
  fence: Fence | null,
  topic: string,
  partition: number,
  expectedModRevision: bigint | null,
  next: PartitionStateRecord,
): Promise<WriteResult> {
  const key = partitionKey(topic, partition);
  const compare = expectedModRevision === null ? ns.if(key, 'Create', '==', 0) : ns.if(key, 'Mod', '==', expectedModRevision.toString());
  const result = await guardedBy(compare, fence)
    .then(ns.put(key).value(encodeRecord(next)))
    .else(ns.get(key))
    .commit();
  if (result.succeeded) return { ok: true, revision: BigInt(result.header.revision) };
  if (!(await fenceHolds(ns, fence))) return { ok: false, reason: 'fenced' };
  const kv = result.responses[0]?.response_range?.kvs[0];
  const current = kv === undefined ? null : { value: decodePartitionStateRecord(key, kv.value.toString()), modRevision: BigInt(kv.mod_revision) };
  return { ok: false, reason: 'conflict', current };
}
