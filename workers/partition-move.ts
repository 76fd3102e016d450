// One partition being moved to another log dir, as Kafka's future replica but inside the worker owning it: a
// second PartitionLog in `<target dir>/<topic>-<partition>.<move id>-future`, filled with the source log's
// batches as a follower would be (replica appends, offsets kept), in steps between which the worker serves the
// partition as usual. Runs in the partition worker that owns the partition.
//
// The future log starts empty at the source's log start. Each step copies whole batches from the future's log
// end up to the source's log end. Retention or DeleteRecords that moved the source's log start past what was
// copied, or a truncation of the source, start the copy again from the source's log start. The last step runs
// while the main thread holds the partition's appends: it copies the rest, takes the source's log start and
// leader epochs, and closes the future log cleanly (flushed, checkpoint and producer snapshot written), so that it
// opens as the partition once renamed.
import { ErrorCode, KafkaError } from '../src/shared/kafka-error-codes.js';
import type { FileAccess } from './io/file-access.js';
import { writeCheckpoint } from './log/partition-checkpoint.js';
import { PartitionLog } from './log/partition-log.js';

/** Bytes a copy buffer starts with; it grows to the largest batch met. */
const COPY_BUFFER_BYTES = 1024 * 1024;

export interface MoveProgress {
  /** Offsets the future log is behind the source's log end. */
  offsetLag: number;
  /** The step reached the source's log end. */
  caughtUp: boolean;
}

/** A failure while writing the future copy: its cause belongs to the target dir, not the partition's own. */
export class TargetDirFailure extends Error {
  constructor(cause: unknown) {
    super((cause as Error).message, { cause });
  }
}

export class PartitionMove {
  private future: PartitionLog;
  private copyBuffer = Buffer.allocUnsafe(COPY_BUFFER_BYTES);
  /** The source's truncation count the copy started from: a truncation since voids what was copied. */
  private sourceTruncations: number;
  private finished = false;

  constructor(
    private readonly files: FileAccess,
    private readonly source: PartitionLog,
    readonly targetDir: string,
    readonly futureDir: string,
    private readonly nowMs: () => number,
  ) {
    this.sourceTruncations = source.truncations;
    this.future = onTarget(() => this.createEmptyFuture());
  }

  /** The future copy's size in bytes (DescribeLogDirs). */
  get sizeBytes(): number {
    return this.future.sizeBytes;
  }

  get offsetLag(): number {
    return Math.max(0, this.source.logEndOffset - this.future.logEndOffset);
  }

  /** A new, empty future log at the source's log start (any earlier copy is removed first). */
  private createEmptyFuture(): PartitionLog {
    this.files.removeTree(this.futureDir);
    this.files.makeDir(this.futureDir);
    const start = this.source.logStartOffset;
    writeCheckpoint(this.files, this.futureDir, { recoveryPoint: start, logStartOffset: start, highWatermark: start });
    return PartitionLog.open(this.files, this.futureDir, this.source.config, { nowMs: this.nowMs(), trustedOnDisk: true });
  }

  /** Copies at most about `maxBytes` of batches (at least one batch) from the source into the future log. */
  copyStep(maxBytes: number): MoveProgress {
    this.restartIfVoided();
    let copied = 0;
    while (copied < maxBytes) {
      const bytes = this.copyOnce(Math.min(maxBytes - copied, this.copyBuffer.length));
      if (bytes === 0) return { offsetLag: this.offsetLag, caughtUp: true };
      copied += bytes;
    }
    return { offsetLag: this.offsetLag, caughtUp: this.offsetLag === 0 };
  }

  /** Copies the batches at the future's log end (up to `maxBytes`, or the one batch that is larger); 0 at the source's end. */
  private copyOnce(maxBytes: number): number {
    const from = this.future.logEndOffset;
    let bytes = this.source.read(from, maxBytes, 'log-end', this.copyBuffer, 0, this.copyBuffer.length);
    if (bytes < 0) {
      this.copyBuffer = Buffer.allocUnsafe(-bytes);
      bytes = this.source.read(from, -bytes, 'log-end', this.copyBuffer, 0, this.copyBuffer.length);
    }
    if (bytes === 0) return 0;
    const code = onTarget(() => this.future.append(this.copyBuffer, 0, bytes, 'replica', this.nowMs()));
    if (code !== ErrorCode.NONE) throw new KafkaError(code, `copying ${this.source.dir} to ${this.futureDir}: ${this.future.lastAppend.errorMessage}`);
    return bytes;
  }

  /** Retention or DeleteRecords removed offsets not copied yet, or the source was truncated: copy again from its log start. */
  private restartIfVoided(): void {
    const truncated = this.source.truncations !== this.sourceTruncations;
    if (!truncated && this.future.logEndOffset >= this.source.logStartOffset) return;
    this.sourceTruncations = this.source.truncations;
    this.future = onTarget(() => {
      this.future.delete();
      return this.createEmptyFuture();
    });
  }

  /**
   * The last step, while no append reaches the source: copies the rest, takes the source's log end (past its last
   * batch when the cleaner removed the newest records), log start and leader-epoch entries, and closes the future log
   * cleanly, so that renamed it opens as the partition without a scan.
   */
  finish(): void {
    while (!this.copyStep(this.copyBuffer.length).caughtUp) {
      // Each step copies a buffer's worth; the source does not grow meanwhile.
    }
    onTarget(() => {
      if (this.future.logEndOffset < this.source.logEndOffset) this.future.roll(this.nowMs(), this.source.logEndOffset);
      if (this.source.logStartOffset > this.future.logStartOffset) this.future.deleteRecordsBefore(this.source.logStartOffset);
      this.future.copyLeaderEpochs(this.source.leaderEpochEntries);
      this.finished = true;
      this.future.close(this.nowMs());
      this.files.syncDir(this.targetDir);
    });
  }

  /** Drops the future copy (the move was cancelled, failed, or its partition deleted). */
  abandon(): void {
    try {
      if (this.finished) this.files.removeTree(this.futureDir);
      else this.future.delete();
    } catch {
      // Its dir may have failed; a leftover future folder is removed at the next start.
    }
  }
}

/** Runs a step that only touches the future copy; what it throws is the target dir's failure. */
function onTarget<T>(step: () => T): T {
  try {
    return step();
  } catch (error) {
    throw error instanceof KafkaError ? error : new TargetDirFailure(error);
  }
}
