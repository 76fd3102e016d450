// The moves between log dirs of this worker's partitions (slot → PartitionMove), and the steps the main thread's
// mover (src/engine/log-dir-mover.ts) drives: start, copy, finish, switch (the old copy retired, the future copy
// renamed into place) and cancel. A failure of the target dir takes that dir offline, not the partition's.
// Runs in a partition worker.
import { ErrorCode, KafkaError } from '../src/shared/kafka-error-codes.js';
import { moveDir, partitionDir } from '../src/shared/partition-folder.js';
import type { FutureLogStats } from '../src/shared/worker-protocol.js';
import { type FileAccess, isStorageFailure } from './io/file-access.js';
import type { OwnedPartition, PartitionTable } from './partition-table.js';
import { type MoveProgress, PartitionMove, TargetDirFailure } from './partition-move.js';
import type { StorageGuard } from './storage-guard.js';

export class PartitionMoves {
  private readonly moves = new Map<number, { owned: OwnedPartition; move: PartitionMove }>();

  constructor(
    private readonly files: FileAccess,
    private readonly table: PartitionTable,
    private readonly guard: StorageGuard,
  ) {}

  /**
   * Starts copying the partition in `slot` into `targetDir` (a move already going is dropped first), unless it is
   * larger than `roomBytes`, what the target can take without becoming full.
   */
  start(slot: number, targetDir: string, moveId: string, roomBytes: number): void {
    this.guard.run(this.table.get(slot), slot, (owned) => {
      if (this.table.offlineDirs.has(targetDir)) throw new KafkaError(ErrorCode.KAFKA_STORAGE_ERROR, `log dir ${targetDir} is offline`);
      if (owned.log.sizeBytes > roomBytes) {
        const room = Math.max(0, roomBytes);
        throw new KafkaError(ErrorCode.KAFKA_STORAGE_ERROR, `log dir ${targetDir} has room for ${room} bytes; the partition holds ${owned.log.sizeBytes}`);
      }
      this.cancel(slot, null);
      const futureDir = moveDir(targetDir, owned.topic, owned.partition, moveId, 'future');
      const move = this.onTarget(targetDir, () => new PartitionMove(this.files, owned.log, targetDir, futureDir, Date.now));
      this.moves.set(slot, { owned, move });
    });
  }

  /** One copy step of at most about `maxBytes`. */
  copy(slot: number, maxBytes: number): MoveProgress {
    const { owned, move } = this.require(slot);
    return this.guard.run(owned, slot, () => this.onTarget(move.targetDir, () => move.copyStep(maxBytes), slot));
  }

  /** The last copy step, while the main thread holds the partition's appends: the future copy is complete and closed. */
  finish(slot: number): void {
    const { owned, move } = this.require(slot);
    this.guard.run(owned, slot, () => this.onTarget(move.targetDir, () => move.finish(), slot));
  }

  /**
   * After the new placement is recorded: the partition leaves this worker's table (closed cleanly), its old folder
   * is renamed `<…>.<move id>-delete` and the future folder renamed into place. Returns the retired folder, which
   * `removeRetired` deletes once the partition is open from its new dir.
   */
  switchOver(slot: number, moveId: string, close: (slot: number) => void): string {
    const { owned, move } = this.require(slot);
    this.moves.delete(slot);
    const retired = moveDir(owned.logDir, owned.topic, owned.partition, moveId, 'delete');
    close(slot);
    this.files.rename(partitionDir(owned.logDir, owned.topic, owned.partition), retired);
    this.files.syncDir(owned.logDir);
    this.files.rename(move.futureDir, partitionDir(move.targetDir, owned.topic, owned.partition));
    this.files.syncDir(move.targetDir);
    return retired;
  }

  removeRetired(retiredDir: string): void {
    this.files.removeTree(retiredDir);
  }

  /**
   * Drops the move of `slot` and its future copy. `futureDir` names the copy when this worker may not know the
   * move (it was restarted since): the folder is removed all the same.
   */
  cancel(slot: number, futureDir: string | null): void {
    const entry = this.moves.get(slot);
    this.moves.delete(slot);
    entry?.move.abandon();
    if (futureDir !== null && entry?.move.futureDir !== futureDir && this.files.exists(futureDir)) this.files.removeTree(futureDir);
  }

  /** A dir went offline: moves into it or out of it end (a copy that cannot be removed now is removed at the next start). */
  dirOffline(logDir: string): void {
    for (const [slot, { owned, move }] of this.moves) {
      if (move.targetDir !== logDir && owned.logDir !== logDir) continue;
      this.moves.delete(slot);
      move.abandon();
    }
  }

  /** Every future copy being built, for DescribeLogDirs. */
  stats(): FutureLogStats[] {
    return [...this.moves.values()].map(({ owned, move }) => ({
      topic: owned.topic,
      partition: owned.partition,
      logDir: move.targetDir,
      sizeBytes: move.sizeBytes,
      offsetLag: move.offsetLag,
    }));
  }

  /** Clean shutdown: every unfinished copy is dropped (a move starts over after a restart, if asked again). */
  abandonAll(): void {
    for (const { move } of this.moves.values()) move.abandon();
    this.moves.clear();
  }

  private require(slot: number): { owned: OwnedPartition; move: PartitionMove } {
    const entry = this.moves.get(slot);
    if (entry === undefined) throw new KafkaError(ErrorCode.UNKNOWN_SERVER_ERROR, `no move of the partition in slot ${slot} is going on`);
    return entry;
  }

  /** A failure writing the future copy ends the move; a disk failure takes the target dir offline. */
  private onTarget<T>(targetDir: string, step: () => T, slot?: number): T {
    try {
      return step();
    } catch (error) {
      if (!(error instanceof TargetDirFailure)) throw error;
      if (slot !== undefined) this.cancel(slot, null);
      if (isStorageFailure(error.cause)) this.guard.takeDirOffline(targetDir, error.message);
      throw new KafkaError(ErrorCode.KAFKA_STORAGE_ERROR, `log dir ${targetDir}: ${error.message}`);
    }
  }
}
