// Hands out producer ids for InitProducerId: ids come from blocks reserved where they cannot be handed out
// twice, even across a crash — a standalone broker's small file (fsynced before use), or in a cluster a counter
// in etcd every broker reserves from (src/cluster/producer-id-blocks.ts), so two brokers never give one id to two
// producers (a new leader would take one for the other's retries). Runs on the main thread.
//
// File `fjord-producer-ids` in the metadata dir (standalone): one line, the first id not yet reserved.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomicSync } from '../shared/atomic-file.js';

export const PRODUCER_ID_FILE = 'fjord-producer-ids';
const BLOCK_SIZE = 1000;

/** Reserves `size` ids nobody else will hand out; resolves with the first of them. */
export type ProducerIdBlockSource = (size: number) => Promise<number>;

export class ProducerIdAllocator {
  private next = 0;
  private end = 0;
  private reserving: Promise<void> | null = null;

  constructor(private readonly reserveBlock: ProducerIdBlockSource) {}

  /** A fresh producer id (epoch 0 is the caller's); callers at the same time share one block reservation. */
  async allocate(): Promise<number> {
    while (this.next >= this.end) {
      this.reserving ??= this.reserveBlock(BLOCK_SIZE)
        .then((first) => {
          this.next = first;
          this.end = first + BLOCK_SIZE;
        })
        .finally(() => {
          this.reserving = null;
        });
      await this.reserving;
    }
    return this.next++;
  }
}

/** A standalone broker's blocks: the file's id is the first of the block, the file then names its end. */
export function producerIdFile(dir: string): ProducerIdBlockSource {
  const path = join(dir, PRODUCER_ID_FILE);
  return async (size) => {
    const stored = existsSync(path) ? Number(readFileSync(path, 'utf8').trim()) : 0;
    if (!Number.isSafeInteger(stored) || stored < 0) throw new Error(`producer id file ${path} is corrupt; it must hold one non-negative integer`);
    writeFileAtomicSync(path, `${stored + size}\n`);
    return stored;
  };
}
