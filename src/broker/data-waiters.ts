// Long-poll purgatory for fetches: a fetch that has fewer than min_bytes waits here until an append to
// one of its partitions completes (appends all pass through the main thread) or max_wait_ms runs out.
// Bounded: beyond maxWaiters a fetch answers at once with what it has. Runs on the main thread.
import { partitionKey } from '../engine/log-dirs.js';

interface Waiter {
  keys: string[];
  timer: NodeJS.Timeout;
  wake: () => void;
}

export class DataWaiters {
  private readonly byPartition = new Map<string, Set<Waiter>>();
  /** Appends completed per partition since start-up (notify calls). */
  private readonly appends = new Map<string, number>();
  private waiting = 0;

  constructor(private readonly maxWaiters: number) {}

  get size(): number {
    return this.waiting;
  }

  /**
   * How many appends have completed on these partitions so far. A fetch takes this before it reads and passes
   * it to wait(), so an append that lands while the read is in flight wakes it instead of being missed.
   */
  appendsOn(partitions: ReadonlyArray<{ topic: string; partition: number }>): number {
    let total = 0;
    for (const p of partitions) total += this.appends.get(partitionKey(p.topic, p.partition)) ?? 0;
    return total;
  }

  /**
   * Resolves true when one of the partitions receives data (at once if it already has since `appendsBefore`,
   * from appendsOn), false when `timeoutMs` passes or there is no room to wait. Never rejects.
   */
  wait(partitions: ReadonlyArray<{ topic: string; partition: number }>, timeoutMs: number, appendsBefore?: number): Promise<boolean> {
    if (timeoutMs <= 0 || this.waiting >= this.maxWaiters || partitions.length === 0) return Promise.resolve(false);
    if (appendsBefore !== undefined && this.appendsOn(partitions) !== appendsBefore) return Promise.resolve(true);
    return new Promise((resolve) => {
      const keys = partitions.map((p) => partitionKey(p.topic, p.partition));
      const finish = (woken: boolean): void => {
        clearTimeout(waiter.timer);
        this.remove(waiter);
        resolve(woken);
      };
      const waiter: Waiter = { keys, timer: setTimeout(() => finish(false), timeoutMs), wake: () => finish(true) };
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

  /** Data arrived on a partition: wake every fetch waiting on it. */
  notify(topic: string, partition: number): void {
    const key = partitionKey(topic, partition);
    this.appends.set(key, (this.appends.get(key) ?? 0) + 1);
    const set = this.byPartition.get(key);
    if (set === undefined) return;
    for (const waiter of [...set]) waiter.wake();
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
