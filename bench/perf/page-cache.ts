// Page-cache priming for the perf tool, as bench/segment-append.ts does: write and delete a file as large as
// the coming run, so the run reuses just-freed pages instead of faulting in pages the VM's balloon driver gave
// back to the host (see docs/benchmarks.md, "Priming"). Runs on the bench's main thread.
import { closeSync, openSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';

const BLOCK_BYTES = 1024 * 1024;

export function primePageCache(dir: string, bytes: number): void {
  const block = Buffer.alloc(BLOCK_BYTES, 0x5a);
  const path = join(dir, 'prime.tmp');
  const fd = openSync(path, 'wx');
  try {
    for (let written = 0; written < bytes; written += BLOCK_BYTES) writeSync(fd, block);
  } finally {
    closeSync(fd);
    unlinkSync(path);
  }
}
