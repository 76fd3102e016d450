// Hands out producer ids for InitProducerId on a standalone broker: ids come from blocks reserved in a
// small file (fsynced before use), so an id is never given twice, even across a crash. Runs on the main thread.
//
// File `fjord-producer-ids` in the metadata dir: one line, the first id not yet reserved.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomicSync } from '../shared/atomic-file.js';

export const PRODUCER_ID_FILE = 'fjord-producer-ids';
const BLOCK_SIZE = 1000;

export class ProducerIdAllocator {
  private next: number;
  private reservedUpTo: number;

  constructor(private readonly dir: string) {
    const path = join(dir, PRODUCER_ID_FILE);
    const stored = existsSync(path) ? Number(readFileSync(path, 'utf8').trim()) : 0;
    if (!Number.isSafeInteger(stored) || stored < 0) throw new Error(`producer id file ${path} is corrupt; it must hold one non-negative integer`);
    this.next = stored;
    this.reservedUpTo = stored;
  }

  /** A fresh producer id (epoch 0 is the caller's). */
  allocate(): number {
    if (this.next >= this.reservedUpTo) this.reserve(this.next + BLOCK_SIZE);
    return this.next++;
  }

  private reserve(upTo: number): void {
    writeFileAtomicSync(join(this.dir, PRODUCER_ID_FILE), `${upTo}\n`);
    this.reservedUpTo = upTo;
  }
}
