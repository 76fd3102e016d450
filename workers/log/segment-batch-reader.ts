// Reads every whole batch of a sealed segment file, in order, for a consumer that may need to await
// between batches (the log cleaner decompresses): each batch handed over as its own copy, read in rounds
// through the shared BatchWalker. Runs in the log cleaner's piscina job.
import type { FileAccess } from '../io/file-access.js';
import type { BatchWalker } from '../../src/shared/batch-walker.js';

/** Calls `visit` for each batch in the first `sizeBytes` of the file at `path`. Throws at a torn or malformed batch. */
export async function forEachBatchIn(
  files: FileAccess,
  walker: BatchWalker,
  path: string,
  sizeBytes: number,
  visit: (batch: Buffer) => Promise<void> | void,
): Promise<void> {
  const fd = files.openReadOnly(path);
  try {
    const position = await walker.forEachBatchCopy(fd, 0, sizeBytes, visit);
    if (walker.lastEnd === 'torn') throw new Error(`${path}: torn or malformed batch at position ${position}`);
  } finally {
    files.close(fd);
  }
}
