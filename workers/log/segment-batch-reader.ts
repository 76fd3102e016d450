// Reads every whole batch of a sealed segment file, in order, for a consumer that may need to await
// between batches (the log cleaner decompresses). Reads in rounds of whole batches through a BatchWalker
// and hands each batch over as its own copy. Runs in the log cleaner's piscina job.
import type { FileAccess } from '../io/file-access.js';
import { type BatchWalker, Visit } from './batch-walker.js';

/** Bytes of batches copied out per round (a single larger batch makes a round of its own). */
const ROUND_BYTES_MAX = 8 * 1024 * 1024;

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
    let position = 0;
    while (position < sizeBytes) {
      const round: Buffer[] = [];
      let roundBytes = 0;
      position = walker.walk(fd, position, sizeBytes, true, (buf, at, _position, batchBytes) => {
        if (roundBytes > 0 && roundBytes + batchBytes > ROUND_BYTES_MAX) return Visit.STOP;
        round.push(Buffer.from(buf.subarray(at, at + batchBytes)));
        roundBytes += batchBytes;
        return Visit.CONTINUE;
      });
      if (walker.lastEnd === 'torn') throw new Error(`${path}: torn or malformed batch at position ${position}`);
      for (const batch of round) await visit(batch);
    }
  } finally {
    files.close(fd);
  }
}
