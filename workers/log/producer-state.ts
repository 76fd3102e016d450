// Idempotent-producer state of one partition: per producer id, its epoch and the sequence ranges and
// offsets of its last five batches, to drop retried duplicates (answering with the original offsets)
// and refuse gaps. Rebuilt from batch headers on open and after recovery. Runs in a partition worker.
import { ErrorCode } from '../../src/shared/kafka-error-codes.js';
import { Attribute, BatchField, readInt64 } from '../../src/shared/record-batch.js';

/** Batches remembered per producer, as Kafka does (max.in.flight.requests.per.connection <= 5). */
export const BATCHES_PER_PRODUCER = 5;
const MAX_SEQUENCE = 0x7fff_ffff;

interface BatchRange {
  firstSequence: number;
  lastSequence: number;
  firstOffset: number;
  lastOffset: number;
}

interface ProducerEntry {
  epoch: number;
  batches: BatchRange[];
}

/** Outcome of checking a batch: append it, it is a duplicate of `duplicateOf`, or refuse with `errorCode`. */
export class SequenceCheck {
  errorCode: number = ErrorCode.NONE;
  errorMessage = '';
  /** First offset of the original batch when this one is a retry, else -1. */
  duplicateOf = -1;
}

export function lastSequenceOf(baseSequence: number, lastOffsetDelta: number): number {
  const last = baseSequence + lastOffsetDelta;
  return last > MAX_SEQUENCE ? last - MAX_SEQUENCE - 1 : last;
}

export class ProducerStateTable {
  private readonly producers = new Map<number, ProducerEntry>();

  get producerCount(): number {
    return this.producers.size;
  }

  /** Checks an idempotent batch against what the producer sent before; fills and returns `out`. */
  check(producerId: number, epoch: number, firstSequence: number, lastSequence: number, out: SequenceCheck): SequenceCheck {
    out.errorCode = ErrorCode.NONE;
    out.errorMessage = '';
    out.duplicateOf = -1;
    const entry = this.producers.get(producerId);
    if (entry === undefined) return out;
    if (epoch < entry.epoch) return refuse(out, ErrorCode.INVALID_PRODUCER_EPOCH, `producer ${producerId} epoch ${epoch} is older than ${entry.epoch}`);
    if (epoch > entry.epoch) {
      if (firstSequence !== 0)
        return refuse(out, ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER, `producer ${producerId} new epoch ${epoch} must start at sequence 0, got ${firstSequence}`);
      return out;
    }
    for (const batch of entry.batches) {
      if (batch.firstSequence === firstSequence && batch.lastSequence === lastSequence) {
        out.duplicateOf = batch.firstOffset;
        return out;
      }
    }
    const expected = nextSequence(entry.batches[entry.batches.length - 1]!.lastSequence);
    if (firstSequence !== expected) {
      return refuse(out, ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER, `producer ${producerId} sent sequence ${firstSequence}, expected ${expected}`);
    }
    return out;
  }

  /** Records the producer id, epoch and sequences of the stored batch at buf[at] (appends, replication, rebuilds). */
  recordStoredBatch(buf: Buffer, at: number): void {
    const producerId = readInt64(buf, at + BatchField.PRODUCER_ID);
    if (producerId < 0 || (buf.readInt16BE(at + BatchField.ATTRIBUTES) & Attribute.CONTROL) !== 0) return;
    const baseSequence = buf.readInt32BE(at + BatchField.BASE_SEQUENCE);
    const lastOffsetDelta = buf.readInt32BE(at + BatchField.LAST_OFFSET_DELTA);
    const firstOffset = readInt64(buf, at + BatchField.BASE_OFFSET);
    this.record(
      producerId,
      buf.readInt16BE(at + BatchField.PRODUCER_EPOCH),
      baseSequence,
      lastSequenceOf(baseSequence, lastOffsetDelta),
      firstOffset,
      firstOffset + lastOffsetDelta,
    );
  }

  /** Records an appended (or replayed) batch. */
  record(producerId: number, epoch: number, firstSequence: number, lastSequence: number, firstOffset: number, lastOffset: number): void {
    let entry = this.producers.get(producerId);
    if (entry === undefined || epoch !== entry.epoch) {
      entry = { epoch, batches: [] };
      this.producers.set(producerId, entry);
    }
    entry.batches.push({ firstSequence, lastSequence, firstOffset, lastOffset });
    if (entry.batches.length > BATCHES_PER_PRODUCER) entry.batches.shift();
  }

  /** Forgets batches at or after `offset` (tail truncation); producers left with none are dropped. */
  truncateFrom(offset: number): void {
    for (const [producerId, entry] of this.producers) {
      entry.batches = entry.batches.filter((b) => b.lastOffset < offset);
      if (entry.batches.length === 0) this.producers.delete(producerId);
    }
  }

  clear(): void {
    this.producers.clear();
  }

  /**
   * First offset of each producer's latest batch. The log cleaner keeps those batches (emptied if need be)
   * so a rebuild from the log still knows every producer's last sequence.
   */
  lastBatchOffsets(): number[] {
    return [...this.producers.values()].map((entry) => entry.batches[entry.batches.length - 1]!.firstOffset);
  }

  /** Plain data for the snapshot file written at a clean close. */
  toSnapshot(): Array<[number, number, BatchRange[]]> {
    return [...this.producers].map(([producerId, entry]) => [producerId, entry.epoch, entry.batches]);
  }

  /** Restores a snapshot; false (and an empty table) if it is not one. */
  loadSnapshot(snapshot: unknown): boolean {
    this.producers.clear();
    if (!Array.isArray(snapshot)) return false;
    for (const item of snapshot) {
      if (!Array.isArray(item) || item.length !== 3 || !Array.isArray(item[2])) return this.failLoad();
      const [producerId, epoch, batches] = item as [number, number, BatchRange[]];
      if (!Number.isSafeInteger(producerId) || !Number.isInteger(epoch) || batches.some((b) => !isBatchRange(b))) return this.failLoad();
      this.producers.set(producerId, { epoch, batches: batches.slice(-BATCHES_PER_PRODUCER) });
    }
    return true;
  }

  private failLoad(): false {
    this.producers.clear();
    return false;
  }
}

function isBatchRange(value: unknown): value is BatchRange {
  const b = value as BatchRange;
  return [b?.firstSequence, b?.lastSequence, b?.firstOffset, b?.lastOffset].every((n) => Number.isSafeInteger(n));
}

function nextSequence(sequence: number): number {
  return sequence === MAX_SEQUENCE ? 0 : sequence + 1;
}

function refuse(out: SequenceCheck, code: number, message: string): SequenceCheck {
  out.errorCode = code;
  out.errorMessage = message;
  return out;
}
