// The partitions one worker owns, by slot number (the index the main thread puts in every data-path
// frame), and the log dirs this worker has seen fail. Runs in a partition worker.
import type { PartitionLog } from './log/partition-log.js';

export interface OwnedPartition {
  readonly slot: number;
  readonly topic: string;
  readonly partition: number;
  readonly logDir: string;
  /** null once the partition's log dir went offline. */
  log: PartitionLog | null;
}

export class PartitionTable {
  private readonly slots: Array<OwnedPartition | undefined> = [];
  readonly offlineDirs = new Set<string>();

  get(slot: number): OwnedPartition | undefined {
    return this.slots[slot];
  }

  add(owned: OwnedPartition): void {
    if (this.slots[owned.slot] !== undefined) throw new Error(`partition slot ${owned.slot} is already in use`);
    this.slots[owned.slot] = owned;
  }

  remove(slot: number): void {
    this.slots[slot] = undefined;
  }

  *all(): IterableIterator<OwnedPartition> {
    for (const owned of this.slots) if (owned !== undefined) yield owned;
  }

  *online(): IterableIterator<OwnedPartition & { log: PartitionLog }> {
    for (const owned of this.all()) if (owned.log !== null) yield owned as OwnedPartition & { log: PartitionLog };
  }

  inDir(logDir: string): OwnedPartition[] {
    return [...this.all()].filter((owned) => owned.logDir === logDir);
  }
}
