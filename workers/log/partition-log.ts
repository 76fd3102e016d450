// The log of one partition: its segments, offsets (log start, high watermark, log end, recovery point),
// leader epochs (leader-epoch-cache.ts), append, read, roll, retention, head and tail truncation, flushing,
// checkpoints, and the hand-over points of the log cleaner (plan a job, swap its result in); opening and
// recovery are partition-log-loader.ts.
// Runs in the partition worker that owns the partition; nothing else touches its live files while it is
// open (a cleaner job reads sealed ones and writes .cleaned).
import type { FileAccess } from '../io/file-access.js';
import { ErrorCode, KafkaError } from '../../src/shared/kafka-error-codes.js';
import { deletesByRetention, isCompacted, type LogConfig } from '../../src/shared/topic-config.js';
import { BatchField, batchSizeAt, readInt64 } from '../../src/shared/record-batch.js';
import { lastSequenceOf, type ProducerStateTable, SequenceCheck } from './producer-state.js';
import { AppendInfo, type AppendOrigin, readReplicatedOffsets, stampBatches, validateBatches } from './batch-validator.js';
import { BatchWalker } from '../../src/shared/batch-walker.js';
import { EARLIEST_TIMESTAMP, LATEST_TIMESTAMP } from '../../src/shared/offset-lookup.js';
import type { DecompressedBatches } from './decompressed-batches.js';
import { LogSegment } from './log-segment.js';
import {
  commitCheckpointInBackground,
  discardCheckpointInBackground,
  EMPTY_CHECKPOINT,
  type PartitionCheckpoint,
  prepareCheckpointInBackground,
  writeCheckpoint,
} from './partition-checkpoint.js';
import type { EpochEntry, LeaderEpochCache } from './leader-epoch-cache.js';
import type { EpochEndOffset } from '../../src/shared/worker-protocol.js';
import { writeCleanerCheckpoint } from './cleaner-checkpoint.js';
import { type LoadedPartition, loadPartition, type LoadOptions, writeProducerSnapshot } from './partition-log-loader.js';
import { type PlannedCleaning, planCleaning } from './cleaning-plan.js';
import { KEY_MAP_BYTES_MAX } from './cleaner-key-map.js';
import type { CleanerOutcome } from './segment-cleaner.js';
import { dropCleanedAway, removeCleanedFiles, swapInCleanedSegment } from './segment-swap.js';

const LOOKUP_SCRATCH_BYTES = 64 * 1024;
/** A request's current leader epoch when its client has none (Kafka's RecordBatch.NO_PARTITION_LEADER_EPOCH): not checked. */
const NO_LEADER_EPOCH = -1;

/** A cleaner job handed out by planCleaning(), with what its result may be swapped in against. */
export interface CleaningPlan extends PlannedCleaning {
  /** The log's layout version when planned: any removal or truncation of segments since voids the plan. */
  layoutVersion: number;
}

/** Where a read may go: consumers stop at the high watermark, followers at the log end. */
export type ReadLimit = 'high-watermark' | 'log-end';

export interface PartitionLogOptions extends LoadOptions {
  /** Called when a background fsync (of a rolled segment) fails, so the dir can go offline. */
  onStorageFailure?: (error: unknown) => void;
}

export class PartitionLog {
  // The offsets, epoch, replica role and config are read through getters and changed only by this class's
  // intent-named methods, which keep logStartOffset <= highWatermark <= logEndOffset and recoveryPoint <= logEndOffset.
  #logStartOffset: number;
  #highWatermark: number;
  #recoveryPoint: number;
  /** Which leader epoch started at which offset: the one record of this replica's epochs, in its own file. */
  readonly #leaderEpochs: LeaderEpochCache;
  #soleReplica: boolean;
  #config: Readonly<LogConfig>;
  readonly lastAppend = new AppendInfo();
  private rolledFlushes: Promise<void> = Promise.resolve();
  private readonly onStorageFailure: ((error: unknown) => void) | undefined;
  private readonly producers: ProducerStateTable;
  private readonly sequenceCheck = new SequenceCheck();
  private unflushedMessages = 0;
  private lastFlushMs: number;
  /** What the checkpoint file holds, to tell whether it is out of date. */
  private written: PartitionCheckpoint = { ...EMPTY_CHECKPOINT, recoveryPoint: -1 };
  /** A checkpoint being written in the background; `superseded` once a newer one was written (or the log closed). */
  private backgroundCheckpoint: { superseded: boolean } | null = null;
  private readonly walker: BatchWalker;
  private segments: LogSegment[];
  /** The log cleaner's checkpoint: below this offset the log has been cleaned (compacted topics). */
  private cleanedOffset: number;
  /** Bumped whenever segments are removed, truncated or replaced, or the log closes: voids cleaning plans. */
  private layoutVersion = 0;
  #truncations = 0;

  private constructor(
    private readonly files: FileAccess,
    readonly dir: string,
    config: Readonly<LogConfig>,
    loaded: LoadedPartition,
    options: PartitionLogOptions,
  ) {
    this.#config = config;
    this.segments = loaded.segments;
    this.#logStartOffset = loaded.logStartOffset;
    this.#highWatermark = loaded.highWatermark;
    this.#recoveryPoint = loaded.recoveryPoint;
    this.#leaderEpochs = loaded.leaderEpochs;
    this.#soleReplica = loaded.soleReplica;
    this.producers = loaded.producers;
    this.cleanedOffset = loaded.cleanedOffset;
    this.onStorageFailure = options.onStorageFailure;
    this.walker = new BatchWalker(files, LOOKUP_SCRATCH_BYTES);
    this.lastFlushMs = options.nowMs;
  }

  /** Opens (or creates) the partition in `dir` (partition-log-loader.ts): after an unclean stop, validated and repaired from the recovery point on. */
  static open(files: FileAccess, dir: string, config: Readonly<LogConfig>, options: PartitionLogOptions): PartitionLog {
    const log = new PartitionLog(files, dir, config, loadPartition(files, dir, config, options), options);
    log.writeCheckpoint();
    return log;
  }

  /** The first offset a consumer may read; below it records are deleted (retention, DeleteRecords). */
  get logStartOffset(): number {
    return this.#logStartOffset;
  }

  /** Consumers read below this offset: everything under it is committed (on every in-sync replica). */
  get highWatermark(): number {
    return this.#highWatermark;
  }

  /** Everything below this offset is on disk (fsynced); recovery after an unclean stop validates from here. */
  get recoveryPoint(): number {
    return this.#recoveryPoint;
  }

  /**
   * The newest leader epoch this replica knows, the one it stamps client batches with (partitionLeaderEpoch) as
   * leader: the leader-epoch cache's latest. -1 only for a replica that has neither led nor stored a batch with
   * an epoch (a sole replica leads at epoch 0 from its first open).
   */
  get leaderEpoch(): number {
    return this.#leaderEpochs.latestEpoch;
  }

  /** The leader-epoch cache's entries, oldest first. */
  get leaderEpochEntries(): readonly EpochEntry[] {
    return this.#leaderEpochs.epochEntries;
  }

  /** OffsetForLeaderEpoch: the largest epoch <= `requestedEpoch` this log holds and where it ends (leader-epoch-cache.ts). */
  endOffsetForEpoch(requestedEpoch: number): EpochEndOffset {
    return this.#leaderEpochs.endOffsetFor(requestedEpoch, this.logEndOffset);
  }

  /**
   * Kafka's check of a request's current leader epoch against this replica's: FENCED_LEADER_EPOCH when the
   * request's is older, UNKNOWN_LEADER_EPOCH when it is newer; -1 (none) is not checked, any other value is.
   */
  requireCurrentLeaderEpoch(currentLeaderEpoch: number): void {
    if (currentLeaderEpoch === NO_LEADER_EPOCH || currentLeaderEpoch === this.leaderEpoch) return;
    const code = currentLeaderEpoch < this.leaderEpoch ? ErrorCode.FENCED_LEADER_EPOCH : ErrorCode.UNKNOWN_LEADER_EPOCH;
    throw new KafkaError(code, `${this.dir}: the request's leader epoch ${currentLeaderEpoch} is not the partition's ${this.leaderEpoch}`);
  }

  /** This broker holds the only replica: the high watermark follows the log end on every append. */
  get soleReplica(): boolean {
    return this.#soleReplica;
  }

  get config(): Readonly<LogConfig> {
    return this.#config;
  }

  /** How many times the tail was truncated since the log opened (a copy of the log, as a move makes, checks it). */
  get truncations(): number {
    return this.#truncations;
  }

  /** A topic config change (AlterConfigs): applies to the next append, roll, retention and cleaning. */
  updateConfig(config: Readonly<LogConfig>): void {
    this.#config = config;
  }

  /**
   * Moves the high watermark to `offset`, as the leader computes it from follower progress (or a test
   * does). It stays within [log start, log end].
   */
  setHighWatermark(offset: number): void {
    invariant(
      offset >= this.#logStartOffset && offset <= this.logEndOffset,
      () => `high watermark ${offset} outside [${this.#logStartOffset}, ${this.logEndOffset}]`,
    );
    this.#highWatermark = offset;
  }

  /**
   * Whether this replica alone makes a record committed (a standalone broker, or a leader whose ISR is itself
   * only): then the high watermark follows the log end, moved there at once. Otherwise (a leader with followers
   * in its ISR, or a follower) only setHighWatermark moves it, and a truncation assigns no epoch.
   */
  setSoleReplica(sole: boolean): void {
    this.#soleReplica = sole;
    if (sole) this.#highWatermark = this.logEndOffset;
  }

  /**
   * This replica leads the partition at `epoch` from the log end on (Kafka's makeLeader: epochs only grow): the
   * epoch's entry is written to the leader-epoch file before any batch is stamped with it.
   */
  assignLeaderEpoch(epoch: number): void {
    invariant(Number.isInteger(epoch) && epoch >= this.leaderEpoch, () => `leader epoch ${epoch} is below the current ${this.leaderEpoch}`);
    this.#leaderEpochs.assign(epoch, this.logEndOffset);
  }

  /**
   * A copy of another log (a move's future log, holding the same batches) takes its leader-epoch entries, so the
   * two answer OffsetForLeaderEpoch alike, epochs assigned with no batch written yet included.
   */
  copyLeaderEpochs(entries: readonly EpochEntry[]): void {
    for (const entry of entries) this.#leaderEpochs.assign(entry.epoch, entry.startOffset);
  }

  /**
   * Moves the log start up to `offset` (never down, never past the high watermark), and the first leader-epoch
   * entry with it; the caller checkpoints.
   */
  private advanceLogStart(offset: number): void {
    invariant(offset <= this.#highWatermark || offset <= this.#logStartOffset, () => `log start ${offset} beyond the high watermark ${this.#highWatermark}`);
    this.#logStartOffset = Math.max(this.#logStartOffset, offset);
    this.#leaderEpochs.truncateFromStart(this.#logStartOffset);
  }

  get logEndOffset(): number {
    return this.activeSegment.nextOffset;
  }

  get activeSegment(): LogSegment {
    return this.segments[this.segments.length - 1]!;
  }

  get sizeBytes(): number {
    let total = 0;
    for (const segment of this.segments) total += segment.sizeBytes;
    return total;
  }

  get segmentCount(): number {
    return this.segments.length;
  }

  /** Index in `segments` of the last segment whose base offset is <= offset, or -1. */
  private segmentIndexFor(offset: number): number {
    let low = 0;
    let high = this.segments.length - 1;
    let found = -1;
    while (low <= high) {
      const mid = (low + high) >>> 1;
      if (this.segments[mid]!.baseOffset <= offset) {
        found = mid;
        low = mid + 1;
      } else {
        high = mid - 1;
      }
    }
    return found;
  }

  /**
   * Validates, stamps and writes the batches in buf[at, at+length). Returns an error code; on success
   * `lastAppend` holds the assigned offsets. Nothing is written when validation fails. Compressed client
   * batches need their records decompressed beforehand into `decompressed`.
   */
  append(buf: Buffer, at: number, length: number, origin: AppendOrigin, nowMs: number, decompressed: DecompressedBatches | null = null): number {
    const info = this.lastAppend;
    const code = validateBatches(buf, at, length, this.config, origin, info, decompressed, nowMs);
    if (code !== ErrorCode.NONE) return code;
    if (origin === 'client') {
      if (this.isDuplicateOrRefused(buf, at, info)) return info.errorCode;
      const appendTime = this.config.messageTimestampType === 'LogAppendTime' ? nowMs : -1;
      stampBatches(buf, at, length, this.logEndOffset, this.leaderEpoch, appendTime, info);
    } else {
      if (readReplicatedOffsets(buf, at, length, info) !== ErrorCode.NONE) return info.errorCode;
      if (info.firstOffset < this.logEndOffset) {
        return info.fail(ErrorCode.CORRUPT_MESSAGE, `replicated offset ${info.firstOffset} is below the log end ${this.logEndOffset}`);
      }
    }
    this.assignBatchEpochs(buf, at, length);
    if (this.activeSegment.shouldRoll(length, info.lastOffset, this.config, nowMs)) this.roll(nowMs, info.firstOffset);
    this.activeSegment.append(buf, at, length, info, this.config.indexIntervalBytes);
    for (let position = at; position < at + length; position += batchSizeAt(buf, position)) this.producers.recordStoredBatch(buf, position);
    if (this.#soleReplica) this.#highWatermark = this.logEndOffset;
    this.unflushedMessages += info.recordCount;
    return ErrorCode.NONE;
  }

  /**
   * Records each batch whose leader epoch is not the latest in the leader-epoch cache (written before the batch,
   * as Kafka does, so the file never misses an epoch the log holds). A leader's stamped batches carry its latest
   * epoch already; a follower's replicated ones bring the leader's epochs.
   */
  private assignBatchEpochs(buf: Buffer, at: number, length: number): void {
    for (let position = at; position < at + length; position += batchSizeAt(buf, position)) {
      const epoch = buf.readInt32BE(position + BatchField.PARTITION_LEADER_EPOCH);
      if (epoch !== this.#leaderEpochs.latestEpoch) this.#leaderEpochs.assign(epoch, readInt64(buf, position + BatchField.BASE_OFFSET));
    }
  }

  /**
   * Idempotence: a client batch with a producer id is checked against that producer's recent sequences.
   * True when it must not be written: a retry (info.duplicate, firstOffset = the original's) or a refusal.
   */
  private isDuplicateOrRefused(buf: Buffer, at: number, info: AppendInfo): boolean {
    const producerId = readInt64(buf, at + BatchField.PRODUCER_ID);
    if (producerId < 0) return false;
    if (info.batchCount !== 1) {
      info.fail(ErrorCode.INVALID_RECORD, 'an idempotent produce carries exactly one batch per partition');
      return true;
    }
    const baseSequence = buf.readInt32BE(at + BatchField.BASE_SEQUENCE);
    const lastSequence = lastSequenceOf(baseSequence, buf.readInt32BE(at + BatchField.LAST_OFFSET_DELTA));
    const check = this.producers.check(producerId, buf.readInt16BE(at + BatchField.PRODUCER_EPOCH), baseSequence, lastSequence, this.sequenceCheck);
    if (check.errorCode !== ErrorCode.NONE) {
      info.fail(check.errorCode, check.errorMessage);
      return true;
    }
    if (check.duplicateOf < 0) return false;
    info.duplicate = true;
    info.firstOffset = check.duplicateOf;
    return true;
  }

  /** True when the flush policy (flush.messages / flush.ms) asks for an fsync now. */
  needsFlush(nowMs: number): boolean {
    if (this.unflushedMessages === 0) return false;
    return this.unflushedMessages >= this.config.flushMessages || nowMs - this.lastFlushMs >= this.config.flushMs;
  }

  /** fsyncs the active segment; everything appended so far is then below the recovery point. */
  flush(nowMs: number): void {
    this.activeSegment.flush();
    this.unflushedMessages = 0;
    this.lastFlushMs = nowMs;
    this.#recoveryPoint = this.logEndOffset;
  }

  /** Seals the active segment and starts a new one at `baseOffset` (the next offset to append). */
  roll(nowMs: number, baseOffset = this.logEndOffset): void {
    const sealed = this.activeSegment;
    if (sealed.sizeBytes === 0) {
      this.segments.pop();
      sealed.closeAndDelete();
    } else {
      this.flushRolledSegment(sealed, baseOffset);
    }
    this.segments.push(LogSegment.create(this.files, this.dir, baseOffset, this.config, nowMs));
    this.unflushedMessages = 0;
    this.writeCheckpoint();
  }

  /**
   * fsyncs a rolled segment in the background (as Kafka schedules it), one after another so the
   * recovery point only moves past data that is on disk; a failure is reported like any disk failure.
   */
  private flushRolledSegment(sealed: LogSegment, nextBaseOffset: number): void {
    const previous = this.rolledFlushes;
    const flushed = sealed.sealInBackground();
    this.rolledFlushes = previous
      .then(() => flushed)
      .then(
        () => {
          // The log may have been deleted while the fsync ran; then there is nothing left to advance.
          if (this.segments.length === 0) return;
          this.#recoveryPoint = Math.max(this.#recoveryPoint, Math.min(nextBaseOffset, this.logEndOffset));
        },
        (error: unknown) => {
          if (this.segments.length > 0) this.onStorageFailure?.(error);
        },
      );
  }

  /** Settles when every rolled segment's background fsync has finished. */
  rolledSegmentsFlushed(): Promise<void> {
    return this.rolledFlushes;
  }

  /**
   * Copies whole batches from `offset` into dest (see LogSegment.readInto) up to the high watermark or
   * the log end. Returns bytes copied (0 at the end of the log), or minus the size a first batch needs.
   * Throws OFFSET_OUT_OF_RANGE for offsets outside [log start, log end].
   */
  read(offset: number, maxBytes: number, limit: ReadLimit, dest: Buffer, destAt: number, destCapacity: number, wholeFirstBatch = true): number {
    const endOffset = limit === 'high-watermark' ? this.highWatermark : this.logEndOffset;
    if (offset < this.logStartOffset || offset > this.logEndOffset) {
      throw new KafkaError(ErrorCode.OFFSET_OUT_OF_RANGE, `offset ${offset} is outside [${this.logStartOffset}, ${this.logEndOffset}]`);
    }
    if (offset >= endOffset) return 0;
    for (let i = Math.max(0, this.segmentIndexFor(offset)); i < this.segments.length; i++) {
      const segment = this.segments[i]!;
      const position = segment.positionOf(offset, this.walker);
      if (position >= 0) return segment.readInto(position, maxBytes, endOffset, dest, destAt, destCapacity, wholeFirstBatch);
    }
    return 0;
  }

  /**
   * Kafka's ListOffsets by time, to the batch: the base offset of the first batch at or after `minOffset` (at
   * least the log start) whose max timestamp is >= target (`minOffset` itself for a batch straddling it), or -1
   * if there is none below the high watermark. The record within it: batch-record-search.ts.
   */
  offsetForTimestamp(targetTimestamp: number, minOffset = this.logStartOffset): number {
    const from = Math.max(minOffset, this.logStartOffset);
    for (let i = Math.max(0, this.segmentIndexFor(from)); i < this.segments.length; i++) {
      const offset = this.segments[i]!.offsetForTimestamp(targetTimestamp, from, this.walker);
      if (offset < 0) continue;
      const readable = Math.max(offset, from);
      return readable < this.highWatermark ? readable : -1;
    }
    return -1;
  }

  /** A copy of the stored batch holding `offset`, or null. */
  copyBatchHolding(offset: number): Buffer | null {
    const index = this.segmentIndexFor(offset);
    return index < 0 ? null : this.segments[index]!.copyBatchHolding(offset, this.walker);
  }

  /**
   * The batch holding the largest timestamp at or after the log start, copied out (Kafka's MAX_TIMESTAMP: the
   * first segment with the largest, then its first batch with it), or null when no batch has a timestamp.
   */
  batchWithMaxTimestamp(): Buffer | null {
    let best: LogSegment | undefined;
    for (let i = Math.max(0, this.segmentIndexFor(this.logStartOffset)); i < this.segments.length; i++) {
      const segment = this.segments[i]!;
      if (best === undefined || segment.maxTimestamp > best.maxTimestamp) best = segment;
    }
    return best === undefined || best.maxTimestamp < 0 ? null : best.copyBatchWithMaxTimestamp(this.walker);
  }

  /**
   * ListOffsets v0 (Kafka's legacyFetchOffsetsBefore): up to maxNumOffsets offsets, largest first, from the
   * (offset, time) pairs of the segments from the log start (base offset, at least the log start; the time
   * the file was last written) and, when the last segment holds data, (log end offset, now). EARLIEST (-2)
   * starts at the first pair, LATEST (-1) at the last, a time at the last pair written at or before it.
   * For a consumer, offsets beyond the high watermark give way to the high watermark.
   */
  legacyOffsetsBefore(timestamp: number, maxNumOffsets: number, forConsumer: boolean, nowMs: number): number[] {
    const pairs: Array<[offset: number, modifiedMs: number]> = [];
    for (let i = Math.max(0, this.segmentIndexFor(this.logStartOffset)); i < this.segments.length; i++) {
      const segment = this.segments[i]!;
      pairs.push([Math.max(segment.baseOffset, this.logStartOffset), segment.lastModifiedMs()]);
    }
    if ((this.segments.at(-1)?.sizeBytes ?? 0) > 0) pairs.push([this.logEndOffset, nowMs]);
    let start = timestamp === EARLIEST_TIMESTAMP ? 0 : pairs.length - 1;
    if (timestamp !== EARLIEST_TIMESTAMP && timestamp !== LATEST_TIMESTAMP) while (start >= 0 && pairs[start]![1] > timestamp) start--;
    const offsets: number[] = [];
    for (let i = start; i >= 0 && offsets.length < maxNumOffsets; i--) offsets.push(pairs[i]![0]);
    offsets.sort((a, b) => b - a);
    if (!forConsumer || !offsets.some((o) => o > this.highWatermark)) return offsets;
    return [this.highWatermark, ...offsets.filter((o) => o <= this.highWatermark)];
  }

  /**
   * Deletes whole segments that are wholly below the log start (left by DeleteRecords), past retention.ms
   * (by their largest timestamp) or beyond retention.bytes; never the active segment and never data above
   * the high watermark. Returns how many went. cleanup.policy=compact alone deletes by the log start only.
   */
  applyRetention(nowMs: number): number {
    const byRetention = deletesByRetention(this.config);
    const retentionMs = byRetention ? this.config.retentionMs : -1;
    const retentionBytes = byRetention ? this.config.retentionBytes : -1;
    if (retentionMs >= 0 && this.isExpired(this.activeSegment, retentionMs, nowMs)) this.roll(nowMs);
    let excessBytes = retentionBytes >= 0 ? this.sizeBytes - retentionBytes : 0;
    let deletable = 0;
    while (deletable < this.segments.length - 1) {
      const segment = this.segments[deletable]!;
      if (this.segments[deletable + 1]!.baseOffset > this.highWatermark) break;
      const overSize = excessBytes >= segment.sizeBytes;
      // An empty sealed segment (left by the log cleaner to hold the log start) has no age: it goes with time retention.
      const expired = retentionMs >= 0 && (segment.sizeBytes === 0 || this.isExpired(segment, retentionMs, nowMs));
      if (!this.isBelowLogStart(deletable) && !overSize && !expired) break;
      excessBytes -= segment.sizeBytes;
      deletable++;
    }
    if (deletable > 0) this.deleteOldestSegments(deletable);
    return deletable;
  }

  /** True when segments[i] holds nothing at or above the log start (the next segment starts at or below it). */
  private isBelowLogStart(i: number): boolean {
    return i < this.segments.length - 1 && this.segments[i + 1]!.baseOffset <= this.logStartOffset;
  }

  private isExpired(segment: LogSegment, retentionMs: number, nowMs: number): boolean {
    return segment.sizeBytes > 0 && segment.maxTimestamp >= 0 && nowMs - segment.maxTimestamp > retentionMs;
  }

  private deleteOldestSegments(count: number): void {
    this.layoutVersion++;
    for (const segment of this.segments.splice(0, count)) segment.closeAndDelete();
    this.advanceLogStart(this.segments[0]!.baseOffset);
    this.writeCheckpoint();
  }

  /**
   * DeleteRecords: makes `offset` the new log start (at most the high watermark) and drops segments wholly
   * below the log start, including any a roll has left there since an earlier call.
   */
  deleteRecordsBefore(offset: number): number {
    if (offset > this.highWatermark || offset < 0) {
      throw new KafkaError(ErrorCode.OFFSET_OUT_OF_RANGE, `offset ${offset} is outside [0, ${this.highWatermark}]`);
    }
    const moved = offset > this.#logStartOffset;
    if (moved) this.advanceLogStart(offset);
    let whollyBelow = 0;
    while (this.isBelowLogStart(whollyBelow)) whollyBelow++;
    if (whollyBelow > 0) this.deleteOldestSegments(whollyBelow);
    else if (moved) this.writeCheckpoint();
    return this.logStartOffset;
  }

  /** Removes every batch from the one holding `offset` on (a follower dropping a divergent tail). */
  truncateTo(offset: number, nowMs: number): void {
    if (offset >= this.logEndOffset) {
      // As Kafka: a replica that led an epoch and wrote nothing in it keeps that epoch's entry at the log end; a
      // follower truncating to its log end drops it (else its last fetched epoch would diverge from the leader forever).
      if (!this.#soleReplica) this.#leaderEpochs.truncateFromEnd(this.logEndOffset);
      return;
    }
    this.layoutVersion++;
    this.#truncations++;
    while (this.segments.length > 1 && this.activeSegment.baseOffset >= offset) this.segments.pop()!.closeAndDelete();
    const segment = this.activeSegment;
    if (segment.baseOffset >= offset) {
      this.segments.pop()!.closeAndDelete();
      this.segments.push(LogSegment.create(this.files, this.dir, offset, this.config, nowMs));
    } else {
      segment.truncateFrom(offset, this.walker, this.config);
      segment.flush();
    }
    this.producers.truncateFrom(this.logEndOffset);
    const leaderEpoch = this.leaderEpoch;
    this.#leaderEpochs.truncateFromEnd(this.logEndOffset);
    // A sole replica stays its partition's leader at the same epoch, from the new log end on.
    if (this.#soleReplica && leaderEpoch >= 0) this.#leaderEpochs.assign(leaderEpoch, this.logEndOffset);
    // As in Kafka, truncating below the log start moves the log start down with it.
    this.#logStartOffset = Math.min(this.#logStartOffset, this.logEndOffset);
    this.#highWatermark = Math.min(this.#highWatermark, this.logEndOffset);
    this.#recoveryPoint = Math.min(this.#recoveryPoint, this.logEndOffset);
    this.writeCheckpoint();
    if (this.cleanedOffset > this.logEndOffset) {
      this.cleanedOffset = this.logEndOffset;
      writeCleanerCheckpoint(this.files, this.dir, this.cleanedOffset);
    }
  }

  /**
   * A follower whose log end is below its leader's log start (Kafka's truncateFullyAndStartAt): every segment goes
   * and the log starts empty at `offset`, without producer state or leader epochs (the replicated batches bring them).
   */
  truncateFullyAndStartAt(offset: number, nowMs: number): void {
    invariant(Number.isSafeInteger(offset) && offset >= 0, () => `cannot start a log at ${offset}`);
    this.layoutVersion++;
    this.#truncations++;
    for (const segment of this.segments.splice(0)) segment.closeAndDelete();
    this.segments.push(LogSegment.create(this.files, this.dir, offset, this.config, nowMs));
    this.producers.clear();
    this.#leaderEpochs.truncateFromEnd(0);
    this.#logStartOffset = offset;
    this.#highWatermark = offset;
    this.#recoveryPoint = offset;
    this.writeCheckpoint();
    this.cleanedOffset = offset;
    writeCleanerCheckpoint(this.files, this.dir, this.cleanedOffset);
  }

  /**
   * The log cleaner's next job for this partition (compacted topics only), or null when nothing is due:
   * see cleaning-plan.ts for what is cleanable and when. The job runs elsewhere; hand its outcome to
   * applyCleaning() (or discardCleaning()).
   */
  planCleaning(nowMs: number, keyMapBytesMax = KEY_MAP_BYTES_MAX): CleaningPlan | null {
    if (!isCompacted(this.config)) return null;
    const facts = {
      dir: this.dir,
      logStartOffset: this.logStartOffset,
      highWatermark: this.highWatermark,
      cleanedOffset: this.cleanedOffset,
      producerLastBatchOffsets: this.producers.lastBatchOffsets(),
    };
    const planned = planCleaning(this.segments, facts, this.config, nowMs, keyMapBytesMax);
    return planned === null ? null : { ...planned, layoutVersion: this.layoutVersion };
  }

  /**
   * Swaps a finished cleaner job's segments in (segment-swap.ts), group by group in ascending order, and
   * moves the cleaner checkpoint. If segments were removed, truncated or replaced since the plan (retention,
   * DeleteRecords, truncation, close, delete), the result is thrown away instead. Returns the number of old
   * segments replaced, or -1 when the result was discarded.
   */
  applyCleaning(plan: CleaningPlan, outcome: CleanerOutcome, nowMs: number): number {
    if (plan.layoutVersion !== this.layoutVersion) {
      this.discardCleaning(outcome);
      return -1;
    }
    this.layoutVersion++;
    let replaced = 0;
    for (const group of outcome.groups) {
      const first = this.segments.findIndex((s) => s.baseOffset === group.inputBaseOffsets[0]);
      const olds = this.segments.slice(first, first + group.inputBaseOffsets.length);
      if (first < 0 || olds.some((s, i) => s.baseOffset !== group.inputBaseOffsets[i] || !plan.segments.includes(s) || s === this.activeSegment)) {
        throw new Error(`${this.dir}: cleaned group at ${group.baseOffset} does not match the live segments`);
      }
      if (group.replacedBy === 'segment') {
        this.segments.splice(first, olds.length, swapInCleanedSegment(this.files, this.dir, group.baseOffset, olds, this.config, this.walker, nowMs));
      } else {
        this.segments.splice(first, olds.length);
        dropCleanedAway(this.files, this.dir, olds);
      }
      replaced += olds.length;
    }
    this.cleanedOffset = Math.max(this.cleanedOffset, outcome.cleanedEndOffset);
    writeCleanerCheckpoint(this.files, this.dir, this.cleanedOffset);
    return replaced;
  }

  /** Deletes the files of a cleaner job's result that will not be swapped in. */
  discardCleaning(outcome: Pick<CleanerOutcome, 'groups'>): void {
    for (const group of outcome.groups) removeCleanedFiles(this.files, this.dir, group.baseOffset);
  }

  checkpoint(): PartitionCheckpoint {
    return {
      recoveryPoint: this.recoveryPoint,
      logStartOffset: this.logStartOffset,
      highWatermark: this.highWatermark,
    };
  }

  writeCheckpoint(): void {
    this.supersedeBackgroundCheckpoint();
    const checkpoint = this.checkpoint();
    writeCheckpoint(this.files, this.dir, checkpoint);
    this.written = checkpoint;
  }

  private get checkpointDirty(): boolean {
    const { written } = this;
    return written.recoveryPoint !== this.recoveryPoint || written.logStartOffset !== this.logStartOffset || written.highWatermark !== this.highWatermark;
  }

  /**
   * Writes the checkpoint if anything in it moved since the last write: the recovery point after a flush or the
   * high watermark after appends.
   */
  writeCheckpointIfDirty(): void {
    if (this.checkpointDirty) this.writeCheckpoint();
  }

  /**
   * The periodic checkpoint, written without holding up appends: its fsyncs (which wait for the journal while
   * the disk takes a stream of writes: tens of ms) run on libuv's pool, and only the rename happens on this
   * thread. A checkpoint written meanwhile by writeCheckpoint (truncation, DeleteRecords, close) is newer: this one
   * is then dropped, so an older checkpoint never replaces a newer one. One at a time; the next period writes the
   * offsets of its time.
   */
  async writeCheckpointInBackground(): Promise<void> {
    if (this.backgroundCheckpoint !== null || !this.checkpointDirty) return;
    const write = { superseded: false };
    this.backgroundCheckpoint = write;
    const checkpoint = this.checkpoint();
    try {
      await prepareCheckpointInBackground(this.files, this.dir, checkpoint);
      if (write.superseded) return discardCheckpointInBackground(this.files, this.dir);
      this.written = checkpoint;
      await commitCheckpointInBackground(this.files, this.dir);
    } finally {
      if (this.backgroundCheckpoint === write) this.backgroundCheckpoint = null;
    }
  }

  private supersedeBackgroundCheckpoint(): void {
    if (this.backgroundCheckpoint !== null) this.backgroundCheckpoint.superseded = true;
  }

  /** Clean close: seal the active segment's files (it stays active on reopen), flush, checkpoint. */
  close(nowMs: number): void {
    this.layoutVersion++;
    // Rolled segments whose background fsync is still running are fsynced again here, synchronously,
    // so a clean close never leaves unflushed data behind a clean-shutdown marker.
    for (const segment of this.segments) if (segment !== this.activeSegment && segment.hasBackgroundSync()) segment.flush();
    this.activeSegment.seal();
    this.flush(nowMs);
    this.writeCheckpoint();
    writeProducerSnapshot(this.files, this.dir, this.logEndOffset, this.producers);
    for (const segment of this.segments) segment.close();
  }

  /** Closes without flushing, for a partition whose log dir failed. */
  abandon(): void {
    this.layoutVersion++;
    this.supersedeBackgroundCheckpoint();
    for (const segment of this.segments) {
      try {
        segment.close();
      } catch {
        // The disk already failed; the descriptors go with the worker either way.
      }
    }
  }

  /** Deletes the partition's folder and everything in it. */
  delete(): void {
    this.layoutVersion++;
    this.supersedeBackgroundCheckpoint();
    for (const segment of this.segments) segment.close();
    this.segments = [];
    this.files.removeTree(this.dir);
  }
}

/** Assertions are for our bugs: a broken invariant of the log's offsets is a programming error, not a Kafka error. */
function invariant(holds: boolean, message: () => string): void {
  if (!holds) throw new Error(`fjord partition log: ${message()}`);
}
