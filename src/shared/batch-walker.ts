// Walks the record batches of a segment file in large chunks, handing each batch's header (or, when
// asked, the whole batch) to a visitor; stops at the first bytes that are not a whole batch (a torn or
// malformed tail). The one segment walker: partition workers use it for index rebuilds, offset and timestamp
// lookups and crash recovery (also in piscina recovery and cleaner jobs), and `fjord dump-segment` on the
// main thread reads segment files with it. Segment layout: batches back to back (src/shared/record-batch.ts).
import { BATCH_HEADER_BYTES, BatchField, LOG_OVERHEAD_BYTES } from './record-batch.js';

/** Positional reads of an open file: a worker's FileAccess (so tests inject faults), or node:fs for tools. */
export interface PositionalReader {
  /** Reads up to `length` bytes at file `position` into buf[offset ..]; returns the bytes read, 0 at the end of the file. */
  read(fd: number, buf: Uint8Array, offset: number, length: number, position: number): number;
}

/** Bytes of batches copied out per round by forEachBatchCopy (a single larger batch makes a round of its own). */
const COPY_ROUND_BYTES_MAX = 8 * 1024 * 1024;

/** Return from a visitor: keep walking, or stop before moving past this batch. */
export enum Visit {
  CONTINUE = 0,
  STOP = 1,
}

/** `buf[at ..]` holds the batch that starts at file `position` (its header always; all of it when whole batches were asked for). */
export type BatchVisitor = (buf: Buffer, at: number, position: number, batchBytes: number) => Visit;

export type WalkEnd = 'end' | 'stopped' | 'torn';

export class BatchWalker {
  /** Why the last walk ended: reached `end`, the visitor stopped, or a batch was cut short or malformed. */
  lastEnd: WalkEnd = 'end';
  private scratch: Buffer;

  constructor(
    private readonly files: PositionalReader,
    scratchBytes = 1024 * 1024,
  ) {
    this.scratch = Buffer.allocUnsafe(scratchBytes);
  }

  /**
   * Visits batches from `from` until `end` (file positions). Returns the position where walking ended:
   * `end`, the start of the batch the visitor stopped at, or the start of a torn / malformed batch.
   */
  walk(fd: number, from: number, end: number, wholeBatches: boolean, visit: BatchVisitor): number {
    let chunkStart = from;
    let chunkBytes = 0;
    let position = from;
    while (position < end) {
      const at = position - chunkStart;
      if (at + LOG_OVERHEAD_BYTES > chunkBytes) {
        chunkStart = position;
        chunkBytes = this.fill(fd, position, end, 0);
        if (chunkBytes < LOG_OVERHEAD_BYTES) return this.ended('torn', position);
        continue;
      }
      const batchBytes = this.scratch.readInt32BE(at + BatchField.BATCH_LENGTH) + LOG_OVERHEAD_BYTES;
      if (batchBytes < BATCH_HEADER_BYTES || position + batchBytes > end) return this.ended('torn', position);
      const neededBytes = wholeBatches ? batchBytes : BATCH_HEADER_BYTES;
      if (chunkBytes - at < neededBytes) {
        // A chunk that starts at this batch and could hold it but does not: the file is shorter than `end`.
        if (chunkStart === position && this.scratch.length >= neededBytes) return this.ended('torn', position);
        chunkStart = position;
        chunkBytes = this.fill(fd, position, end, neededBytes);
        continue;
      }
      if (visit(this.scratch, at, position, batchBytes) === Visit.STOP) return this.ended('stopped', position);
      position += batchBytes;
    }
    return this.ended('end', position);
  }

  /**
   * Calls `visit` with a copy of each whole batch from `from` until `end`, in order; the copies are taken in
   * rounds (up to COPY_ROUND_BYTES_MAX), so the visitor may await between batches. Returns where walking ended,
   * as walk() does: `end`, the batch the visitor stopped at, or the start of a torn / malformed batch.
   */
  // biome-ignore lint/suspicious/noConfusingVoidType: a visitor that returns nothing means "go on"
  async forEachBatchCopy(fd: number, from: number, end: number, visit: (batch: Buffer) => Promise<Visit | void> | Visit | void): Promise<number> {
    let position = from;
    while (position < end) {
      const round: Buffer[] = [];
      let roundBytes = 0;
      const roundEnd = this.walk(fd, position, end, true, (buf, at, _position, batchBytes) => {
        if (roundBytes > 0 && roundBytes + batchBytes > COPY_ROUND_BYTES_MAX) return Visit.STOP;
        round.push(Buffer.from(buf.subarray(at, at + batchBytes)));
        roundBytes += batchBytes;
        return Visit.CONTINUE;
      });
      const roundEndedBy = this.lastEnd;
      for (const batch of round) {
        if ((await visit(batch)) === Visit.STOP) return this.ended('stopped', position);
        position += batch.length;
      }
      if (roundEndedBy !== 'stopped') return this.ended(roundEndedBy, roundEnd);
    }
    return this.ended('end', position);
  }

  /** Reads up to the scratch size (grown to `atLeast` for one big batch) from `position`, bounded by `end`. */
  private fill(fd: number, position: number, end: number, atLeast: number): number {
    if (atLeast > this.scratch.length) this.scratch = Buffer.allocUnsafe(atLeast);
    const want = Math.min(this.scratch.length, end - position);
    let got = 0;
    while (got < want) {
      const n = this.files.read(fd, this.scratch, got, want - got, position + got);
      if (n === 0) break;
      got += n;
    }
    return got;
  }

  private ended(why: WalkEnd, position: number): number {
    this.lastEnd = why;
    return position;
  }
}
