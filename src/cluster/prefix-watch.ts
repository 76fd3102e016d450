// Reads every key under one prefix and then watches it from the next revision, so the caller sees one snapshot
// followed by every later change exactly once and in etcd's revision order (a change made between the read and
// the watch is never missed: the watch starts at the read's revision + 1). Main thread.
import type { Watcher } from 'etcd3';
import type { ClusterEtcd } from './etcd-client.js';

/** One key's new value (null: deleted) at the etcd revision that changed it. */
export interface KeyChange {
  key: string;
  value: string | null;
  modRevision: bigint;
  /** The revision that created the key (0 for a delete). */
  createRevision: bigint;
}

export interface PrefixWatch {
  revision: bigint;
  cancel(): Promise<void>;
}

export interface PrefixWatchHandlers {
  /** Every key under the prefix at `revision`; called once, before any onChanges. */
  onSnapshot(snapshot: KeyChange[], revision: bigint): void;
  /** The changes of one etcd watch response, in revision order; called in order, one call at a time. */
  onChanges(changes: KeyChange[]): void;
  /** The watch ended (e.g. its start revision was compacted away): read the snapshot again. */
  onError(error: Error): void;
}

/** What a watch needs of the client: its namespace, and the register of open watches that close() cancels. */
export type WatchScope = Pick<ClusterEtcd, 'ns' | 'watches'>;

export async function watchPrefix(etcd: WatchScope, prefix: string, handlers: PrefixWatchHandlers): Promise<PrefixWatch> {
  const { ns, watches } = etcd;
  const read = await ns.getAll().prefix(prefix).exec();
  const revision = BigInt(read.header.revision);
  const snapshot = read.kvs.map((kv) => ({
    key: kv.key.toString(),
    value: kv.value.toString(),
    modRevision: BigInt(kv.mod_revision),
    createRevision: BigInt(kv.create_revision),
  }));
  handlers.onSnapshot(snapshot, revision);
  let lastRevision = revision;
  const watcher: Watcher = await watches.start(
    ns
      .watch()
      .prefix(prefix)
      .startRevision((revision + 1n).toString()),
  );
  watcher.on('data', (response) => {
    const changes: KeyChange[] = [];
    for (const event of response.events) {
      const modRevision = BigInt(event.kv.mod_revision);
      // etcd3 resumes a broken watch after the last revision it delivered; an older event would be a replay.
      if (modRevision < lastRevision) continue;
      lastRevision = modRevision;
      const put = event.type === 'Put';
      changes.push({
        key: event.kv.key.toString(),
        value: put ? event.kv.value.toString() : null,
        modRevision,
        createRevision: put ? BigInt(event.kv.create_revision) : 0n,
      });
    }
    if (changes.length > 0) handlers.onChanges(changes);
  });
  // etcd3 emits `error` when etcd has ended the watch (it is then no longer attached).
  watcher.on('error', (error) => {
    watches.ended(watcher);
    handlers.onError(error);
  });
  return { revision, cancel: () => watches.cancel(watcher) };
}
