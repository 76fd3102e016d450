// This broker's copy of the cluster state (topics, assignments, partition states), kept by one watch of state/
// and changed only by applying etcd's changes in revision order; each applied change is announced in that same
// order, which is what the broker's metadata cache and partition leadership follow. Main thread.
import { EventEmitter } from 'node:events';
import type { Versioned } from './cluster-state-writes.js';
import {
  ASSIGNMENTS_PREFIX,
  type AssignmentRecord,
  decodeAssignmentRecord,
  decodePartitionStateRecord,
  decodeReassignmentRecord,
  decodeTopicRecord,
  PARTITIONS_PREFIX,
  type PartitionStateRecord,
  REASSIGNMENTS_PREFIX,
  type ReassignmentRecord,
  STATE_PREFIX,
  TOPICS_PREFIX,
  type TopicRecord,
} from './etcd-keys.js';
import { type KeyChange, type PrefixWatch, type WatchScope, watchPrefix } from './prefix-watch.js';

export type ClusterStateChange =
  | { kind: 'topic'; topic: string; value: TopicRecord | null; modRevision: bigint }
  | { kind: 'assignment'; topic: string; value: AssignmentRecord | null; modRevision: bigint }
  | { kind: 'partition'; topic: string; partition: number; value: PartitionStateRecord | null; modRevision: bigint }
  | { kind: 'reassignment'; topic: string; partition: number; value: ReassignmentRecord | null; modRevision: bigint };

export interface ClusterStateViewEvents {
  /** One change, after it is applied; in etcd's revision order. */
  change: [change: ClusterStateChange];
  /** A value that does not decode (skipped), or the watch ended. */
  error: [error: Error];
}

export class ClusterStateView extends EventEmitter<ClusterStateViewEvents> {
  readonly topics = new Map<string, Versioned<TopicRecord>>();
  readonly assignments = new Map<string, Versioned<AssignmentRecord>>();
  /** Keyed by `${topic}/${partition}`. */
  readonly partitions = new Map<string, Versioned<PartitionStateRecord>>();
  /** Reassignments under way, keyed by `${topic}/${partition}`. */
  readonly reassignments = new Map<string, Versioned<ReassignmentRecord>>();
  /** The etcd revision this view reflects: every change up to it is applied. */
  revision = 0n;
  private watch: PrefixWatch | null = null;
  private readonly revisionWaiters: Array<{ revision: bigint; resolve: () => void }> = [];

  static async watch(etcd: WatchScope): Promise<ClusterStateView> {
    const view = new ClusterStateView();
    view.watch = await watchPrefix(etcd, STATE_PREFIX, {
      onSnapshot: (snapshot, revision) => {
        for (const change of snapshot) view.applyOne(change, false);
        view.revision = revision;
      },
      onChanges: (changes) => view.apply(changes),
      onError: (error) => view.emit('error', error),
    });
    return view;
  }

  partition(topic: string, partition: number): Versioned<PartitionStateRecord> | undefined {
    return this.partitions.get(`${topic}/${partition}`);
  }

  /** Resolves once the view has applied every change up to `revision`: the revision of a write under state/ (a write elsewhere may never be seen here). */
  waitForRevision(revision: bigint): Promise<void> {
    if (this.revision >= revision) return Promise.resolve();
    return new Promise((resolve) => this.revisionWaiters.push({ revision, resolve }));
  }

  async close(): Promise<void> {
    await this.watch?.cancel();
  }

  private apply(changes: KeyChange[]): void {
    for (const change of changes) {
      this.applyOne(change, true);
      this.revision = change.modRevision;
    }
    for (let i = this.revisionWaiters.length - 1; i >= 0; i--) {
      const waiter = this.revisionWaiters[i]!;
      if (waiter.revision > this.revision) continue;
      this.revisionWaiters.splice(i, 1);
      waiter.resolve();
    }
  }

  private applyOne(change: KeyChange, announce: boolean): void {
    let decoded: ClusterStateChange | null;
    try {
      decoded = decodeChange(change);
    } catch (error) {
      this.emit('error', error as Error);
      return;
    }
    if (decoded === null) return;
    if (decoded.kind === 'topic') store(this.topics, decoded.topic, decoded.value, decoded.modRevision);
    else if (decoded.kind === 'assignment') store(this.assignments, decoded.topic, decoded.value, decoded.modRevision);
    else if (decoded.kind === 'partition') store(this.partitions, `${decoded.topic}/${decoded.partition}`, decoded.value, decoded.modRevision);
    else store(this.reassignments, `${decoded.topic}/${decoded.partition}`, decoded.value, decoded.modRevision);
    if (announce) this.emit('change', decoded);
  }
}

function store<T>(map: Map<string, Versioned<T>>, key: string, value: T | null, modRevision: bigint): void {
  if (value === null) map.delete(key);
  else map.set(key, { value, modRevision });
}

function decodeChange(change: KeyChange): ClusterStateChange | null {
  const { key, value, modRevision } = change;
  if (key.startsWith(TOPICS_PREFIX)) {
    return { kind: 'topic', topic: key.slice(TOPICS_PREFIX.length), value: value === null ? null : decodeTopicRecord(key, value), modRevision };
  }
  if (key.startsWith(ASSIGNMENTS_PREFIX)) {
    const topic = key.slice(ASSIGNMENTS_PREFIX.length);
    return { kind: 'assignment', topic, value: value === null ? null : decodeAssignmentRecord(key, value), modRevision };
  }
  for (const [prefix, kind] of [
    [PARTITIONS_PREFIX, 'partition'],
    [REASSIGNMENTS_PREFIX, 'reassignment'],
  ] as const) {
    if (!key.startsWith(prefix)) continue;
    const rest = key.slice(prefix.length);
    const slash = rest.lastIndexOf('/');
    const partition = Number(rest.slice(slash + 1));
    if (slash <= 0 || !Number.isSafeInteger(partition) || partition < 0) return null;
    const topic = rest.slice(0, slash);
    if (kind === 'partition') return { kind, topic, partition, value: value === null ? null : decodePartitionStateRecord(key, value), modRevision };
    return { kind, topic, partition, value: value === null ? null : decodeReassignmentRecord(key, value), modRevision };
  }
  return null;
}
