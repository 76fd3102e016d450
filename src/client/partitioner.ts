// Picks a partition for each record as Kafka's default partitioner does: an explicit partition wins, a key
// goes to murmur2(key) % partitions, records without a key stick to one partition for a whole batch and the
// next batch moves to another (KIP-480's sticky partitioning). Runs on the caller's main thread.
import { partitionForKey } from './murmur2.js';

export class DefaultPartitioner {
  /** topic → the partition keyless records go to until the current batch is sent. */
  private readonly sticky = new Map<string, number>();

  /** `random` is injectable so tests can pin the sticky choices. */
  constructor(private readonly random: () => number = Math.random) {}

  partition(topic: string, key: Uint8Array | null, partitions: number): number {
    if (key !== null) return partitionForKey(key, partitions);
    let chosen = this.sticky.get(topic);
    if (chosen === undefined || chosen >= partitions) {
      chosen = Math.floor(this.random() * partitions);
      this.sticky.set(topic, chosen);
    }
    return chosen;
  }

  /** A batch of `topic` went out: keyless records move on to another partition. */
  batchSent(topic: string, partitions: number): void {
    const previous = this.sticky.get(topic);
    if (previous === undefined || partitions < 2) return;
    const next = Math.floor(this.random() * (partitions - 1));
    this.sticky.set(topic, next >= previous ? next + 1 : next);
  }
}
