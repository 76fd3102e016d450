// Long-poll purgatory for fetches: a fetch that has fewer than min_bytes waits here until one of its partitions
// changes (appends all pass through the main thread) or max_wait_ms runs out. Two kinds of fetch wait: a
// consumer's reads up to the high watermark, so it wakes on appends and on high watermark moves; a follower's reads
// up to the log end, so it wakes on appends only (a high watermark move gives it nothing to read, and waking it
// made leader and followers trade empty fetches). Bounded: beyond maxWaiters a fetch answers at once with what
// it has. Runs on the main thread.
import { partitionKey } from '../engine/log-dirs.js';

/** What a fetch reads up to: the high watermark (consumers) or the log end (followers). */
export type ReadsUpTo = 'highWatermark' | 'logEnd';

interface Waiter {
  keys: string[];
  readsUpTo: ReadsUpTo;
  timer: NodeJS.Timeout;
  wake: () => void;
}

export class DataWaiters {
  private readonly byPartition = new Map<string, Set<Waiter>>();
  /** Changes per partition since start-up that a fetch reading up to the log end sees (notify calls). */
  private readonly logEndChanges = new Map<string, number>();
  /** The same for a fetch reading up to the high watermark (notify and notifyCommitted calls). */
  private readonly committedChanges = new Map<string, number>();
  private waiting = 0;

  constructor(private readonly maxWaiters: number) {}

  get size(): number {
    return this.waiting;
  }

  /**
   * How many changes a fetch reading up to `readsUpTo` wakes for have happened on these partitions so far. A fetch
   * takes this before it reads and passes it to wait(), so a change that lands while the read is in flight wakes
   * it instead of being missed.
   */
  appendsOn(partitions: ReadonlyArray<{ topic: string; partition: number }>, readsUpTo: ReadsUpTo = 'highWatermark'): number {
    const counts = readsUpTo === 'logEnd' ? this.logEndChanges : this.committedChanges;
    let total = 0;
    for (const p of partitions) total += counts.get(partitionKey(p.topic, p.partition)) ?? 0;
    return total;
  }

  /**
   * Resolves true when one of the partitions changes in a way a fetch reading up to `readsUpTo` sees (at once if
   * one has since `appendsBefore`, from appendsOn with the same `readsUpTo`), false when `timeoutMs` passes or there
   * is no room to wait. Never rejects.
   */
  wait(
    partitions: ReadonlyArray<{ topic: string; partition: number }>,
    timeoutMs: number,
    appendsBefore?: number,
    readsUpTo: ReadsUpTo = 'highWatermark',
  ): Promise<boolean> {
    if (timeoutMs <= 0 || this.waiting >= this.maxWaiters || partitions.length === 0) return Promise.resolve(false);
    if (appendsBefore !== undefined && this.appendsOn(partitions, readsUpTo) !== appendsBefore) return Promise.resolve(true);
    return new Promise((resolve) => {
      const keys = partitions.map((p) => partitionKey(p.topic, p.partition));
      const finish = (woken: boolean): void => {
        clearTimeout(waiter.timer);
        this.remove(waiter);
        resolve(woken);
      };
      const waiter: Waiter = { keys, readsUpTo, timer: setTimeout(() => finish(false), timeoutMs), wake: () => finish(true) };
      this.waiting++;
      for (const key of keys) {
        let set = this.byPartition.get(key);
        if (set === undefined) {
          set = new Set();
          this.byPartition.set(key, set);
        }
        set.add(waiter);
      }
    });
  }

  /** Data arrived on a partition (or its leadership or existence changed): wake every fetch waiting on it. */
  notify(topic: string, partition: number): void {
    this.changed(topic, partition, true);
  }

  /** A partition's high watermark moved, its log end did not: wake the fetches reading up to the high watermark. */
  notifyCommitted(topic: string, partition: number): void {
    this.changed(topic, partition, false);
  }

  private changed(topic: string, partition: number, logEndToo: boolean): void {
    const key = partitionKey(topic, partition);
    this.committedChanges.set(key, (this.committedChanges.get(key) ?? 0) + 1);
    if (logEndToo) this.logEndChanges.set(key, (this.logEndChanges.get(key) ?? 0) + 1);
    const set = this.byPartition.get(key);
    if (set === undefined) return;
    for (const waiter of [...set]) if (logEndToo || waiter.readsUpTo === 'highWatermark') waiter.wake();
  }

  /** Wakes everyone (shutdown). */
  wakeAll(): void {
    for (const set of [...this.byPartition.values()]) for (const waiter of [...set]) waiter.wake();
  }

  private remove(waiter: Waiter): void {
    let removed = false;
    for (const key of waiter.keys) {
      const set = this.byPartition.get(key);
      if (set?.delete(waiter)) removed = true;
      if (set?.size === 0) this.byPartition.delete(key);
    }
    if (removed) this.waiting--;
  }
}
