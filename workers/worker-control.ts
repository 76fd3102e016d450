// The control plane of a partition worker, exposed to the main thread over comlink: open, close, delete,
// truncate partitions, offsets, timestamp and leader-epoch lookups, config changes, retention, stats and shutdown.
// Runs in a partition worker.
import { type FileAccess, isStorageFailure } from './io/file-access.js';
import type { FaultInjectingFileAccess, InjectedFaultCode } from './io/fault-injecting-file-access.js';
import { PartitionLog } from './log/partition-log.js';
import { workerLogCleaner } from './log-cleaner.js';
import { firstRecordAtOrAfter, maxTimestampRecordOf } from './log/batch-record-search.js';
import { lastOffsetAt } from '../src/shared/record-batch.js';
import type { TimestampAndOffset } from '../src/shared/offset-lookup.js';
import type { DataPath } from './data-path.js';
import { PartitionMoves } from './partition-moves.js';
import type { MoveProgress } from './partition-move.js';
import type { OwnedPartition, PartitionTable } from './partition-table.js';
import type { StorageGuard } from './storage-guard.js';
import { partitionDir } from '../src/shared/partition-folder.js';
import type { LogConfig } from '../src/shared/topic-config.js';
import type { GroupOperation, GroupOperationRequest, GroupOperationResult } from '../src/shared/group-protocol.js';
import type { CoordinatorRegistry } from './groups/coordinator-registry.js';
import type { EpochEndOffset, PartitionOffsets, PartitionSpec, PartitionStats, ReplicaLogState, WorkerStats } from '../src/shared/worker-protocol.js';

export type WorkerLog = (level: 'info' | 'warn' | 'error', message: string) => void;

export class WorkerControl {
  private readonly moves: PartitionMoves;

  constructor(
    private readonly workerId: number,
    private readonly files: FileAccess,
    private readonly table: PartitionTable,
    private readonly guard: StorageGuard,
    private readonly dataPath: DataPath,
    private readonly log: WorkerLog,
    private readonly faults: FaultInjectingFileAccess | null,
    private readonly coordinators: CoordinatorRegistry,
  ) {
    this.moves = new PartitionMoves(files, table, guard);
  }

  /** Opens (creating if new) a partition into its slot. In an offline dir, or if its disk fails now, it is registered offline. */
  openPartition(spec: PartitionSpec): PartitionOffsets {
    const owned: OwnedPartition = { slot: spec.slot, topic: spec.topic, partition: spec.partition, logDir: spec.logDir, log: null };
    this.table.add(owned);
    if (this.table.offlineDirs.has(spec.logDir)) return OFFLINE_OFFSETS;
    try {
      owned.log = PartitionLog.open(this.files, partitionDir(spec.logDir, spec.topic, spec.partition), spec.config, {
        nowMs: Date.now(),
        trustedOnDisk: spec.trustedOnDisk,
        onRepair: (what) => this.log('warn', what),
        onStorageFailure: (error) => this.reportBackgroundFailure(owned, error),
      });
      this.coordinators.opened(owned, owned.log);
      return offsetsOf(owned.log);
    } catch (error) {
      if (!isStorageFailure(error)) {
        this.table.remove(spec.slot);
        throw error;
      }
      this.guard.codeFor(owned, error);
      return OFFLINE_OFFSETS;
    }
  }

  private reportBackgroundFailure(owned: OwnedPartition, error: unknown): void {
    if (isStorageFailure(error)) this.guard.takeDirOffline(owned.logDir, (error as Error).message);
    else this.log('error', `background fsync of ${owned.topic}-${owned.partition} failed: ${(error as Error).message}`);
  }

  closePartition(slot: number): void {
    this.coordinators.closed(slot);
    const owned = this.table.get(slot);
    this.table.remove(slot);
    owned?.log?.close(Date.now());
  }

  deletePartition(slot: number): void {
    this.moves.cancel(slot, null);
    this.coordinators.closed(slot);
    const owned = this.table.get(slot);
    this.table.remove(slot);
    if (owned === undefined) return;
    if (owned.log !== null) owned.log.delete();
    else if (!this.table.offlineDirs.has(owned.logDir)) this.files.removeTree(partitionDir(owned.logDir, owned.topic, owned.partition));
  }

  offsets(slot: number): PartitionOffsets {
    return this.guard.run(this.table.get(slot), slot, (o) => offsetsOf(o.log));
  }

  /**
   * ListOffsets by time (Kafka's searchForTimestamp): the first record at or after the log start whose timestamp
   * is >= the target, if it lies below the high watermark. A batch straddling the log start may hold its late
   * records only below it: then the search goes on after that batch (twice at most).
   */
  async offsetForTimestamp(slot: number, timestampMs: number): Promise<TimestampAndOffset | null> {
    let minOffset = -1;
    for (let attempt = 0; attempt < 2; attempt++) {
      const found = this.guard.run(this.table.get(slot), slot, (o) => {
        const offset = o.log.offsetForTimestamp(timestampMs, minOffset);
        return { from: offset, batch: offset < 0 ? null : o.log.copyBatchHolding(offset), highWatermark: o.log.highWatermark };
      });
      if (found.batch === null) return null;
      const record = await firstRecordAtOrAfter(found.batch, timestampMs, found.from);
      if (record !== null) return record.offset < found.highWatermark ? record : null;
      minOffset = lastOffsetAt(found.batch, 0) + 1;
    }
    return null;
  }

  /** ListOffsets MAX_TIMESTAMP: the record with the largest timestamp, if it lies below the high watermark. */
  async maxTimestampRecord(slot: number): Promise<TimestampAndOffset | null> {
    const found = this.guard.run(this.table.get(slot), slot, (o) => ({ batch: o.log.batchWithMaxTimestamp(), highWatermark: o.log.highWatermark }));
    const record = found.batch === null ? null : await maxTimestampRecordOf(found.batch);
    return record !== null && record.offset < found.highWatermark ? record : null;
  }

  /** ListOffsets v0's old-style offsets (see PartitionLog.legacyOffsetsBefore). */
  legacyOffsetsBefore(slot: number, timestamp: number, maxNumOffsets: number, forConsumer: boolean): number[] {
    return this.guard.run(this.table.get(slot), slot, (o) => o.log.legacyOffsetsBefore(timestamp, maxNumOffsets, forConsumer, Date.now()));
  }

  deleteRecordsBefore(slot: number, offset: number): number {
    return this.guard.run(this.table.get(slot), slot, (o) => o.log.deleteRecordsBefore(offset));
  }

  truncateTo(slot: number, offset: number): PartitionOffsets {
    return this.guard.run(this.table.get(slot), slot, (o) => {
      o.log.truncateTo(offset, Date.now());
      return offsetsOf(o.log);
    });
  }

  /** Replication: a follower far behind its leader's log start restarts its log empty at `offset`. */
  truncateFullyAndStartAt(slot: number, offset: number): ReplicaLogState {
    return this.guard.run(this.table.get(slot), slot, (o) => {
      o.log.truncateFullyAndStartAt(offset, Date.now());
      return replicaStateOf(o.log);
    });
  }

  /**
   * OffsetForLeaderEpoch: the largest epoch <= `requestedEpoch` the partition's log holds and where it ends, after
   * the request's current leader epoch (-1: unchecked) is checked (FENCED_LEADER_EPOCH / UNKNOWN_LEADER_EPOCH).
   */
  endOffsetForEpoch(slot: number, currentLeaderEpoch: number, requestedEpoch: number): EpochEndOffset {
    return this.guard.run(this.table.get(slot), slot, (o) => {
      o.log.requireCurrentLeaderEpoch(currentLeaderEpoch);
      return o.log.endOffsetForEpoch(requestedEpoch);
    });
  }

  setLeaderEpoch(slot: number, leaderEpoch: number): ReplicaLogState {
    return this.guard.run(this.table.get(slot), slot, (o) => {
      o.log.assignLeaderEpoch(leaderEpoch);
      return replicaStateOf(o.log);
    });
  }

  /**
   * Replication: whether this broker coordinates the groups of a __consumer_offsets partition. On, its coordinator
   * is loaded again from the log (the records replicated while it followed included); off, it is closed (a follower
   * never writes to its log).
   */
  setCoordinating(slot: number, active: boolean): void {
    if (!active) return this.coordinators.closed(slot);
    this.guard.run(this.table.get(slot), slot, (o) => this.coordinators.start(o, o.log));
  }

  /** Replication: whether the high watermark follows the log end (sole replica) or only the leader's computation moves it. */
  setSoleReplica(slot: number, sole: boolean): ReplicaLogState {
    return this.guard.run(this.table.get(slot), slot, (o) => {
      o.log.setSoleReplica(sole);
      return replicaStateOf(o.log);
    });
  }

  /** Replication: the high watermark a leader computed (or a follower took from its leader), kept within [log start, log end]. */
  setHighWatermark(slot: number, offset: number): ReplicaLogState {
    return this.guard.run(this.table.get(slot), slot, (o) => {
      o.log.setHighWatermark(Math.min(Math.max(offset, o.log.logStartOffset), o.log.logEndOffset));
      return replicaStateOf(o.log);
    });
  }

  /** Replication: the offsets and latest leader epoch (a follower fetches from its log end with that epoch). */
  replicaState(slot: number): ReplicaLogState {
    return this.guard.run(this.table.get(slot), slot, (o) => replicaStateOf(o.log));
  }

  updateConfig(slot: number, config: LogConfig): void {
    this.guard.run(this.table.get(slot), slot, (o) => o.log.updateConfig(config));
  }

  /** Applies retention to every online partition now; returns the number of segments deleted. */
  applyRetention(nowMs = Date.now()): number {
    let deleted = 0;
    for (const owned of this.table.online()) {
      try {
        deleted += owned.log.applyRetention(nowMs);
      } catch (error) {
        this.guard.codeFor(owned, error);
      }
    }
    return deleted;
  }

  /**
   * Compacts the online partitions of compacted topics that are due (log cleaner, off this thread on piscina;
   * appends go on meanwhile). Returns the number of old segments replaced; 0 while a previous run is going.
   * Periodic (log.cleaner.backoff.ms).
   */
  compactDue(nowMs = Date.now()): Promise<number> {
    return workerLogCleaner.cleanDue(this.table.online(), nowMs, this.log, (owned, error) => this.guard.codeFor(owned, error));
  }

  /** fsyncs partitions whose flush.ms passed (periodic) and writes checkpoints whose offsets moved (in the background). */
  flushDue(nowMs = Date.now(), writeCheckpoints = false): void {
    for (const owned of this.table.online()) {
      try {
        if (owned.log.needsFlush(nowMs)) owned.log.flush(nowMs);
        if (writeCheckpoints) owned.log.writeCheckpointInBackground().catch((error: unknown) => this.guard.codeFor(owned, error));
      } catch (error) {
        this.guard.codeFor(owned, error);
      }
    }
  }

  /** A group operation for the coordinator of the __consumer_offsets partition in `slot`. */
  group<K extends GroupOperation>(slot: number, operation: K, request: GroupOperationRequest<K>): GroupOperationResult<K> | Promise<GroupOperationResult<K>> {
    return this.coordinators.call(slot, operation, request);
  }

  /** Another worker found this dir failing: stop using it here too (and end moves into or out of it). */
  markDirOffline(logDir: string, reason: string): void {
    this.moves.dirOffline(logDir);
    this.guard.takeDirOffline(logDir, reason);
  }

  /**
   * Starts moving the partition in `slot` to `targetDir`: its future copy `<topic>-<partition>.<moveId>-future`
   * (partition-moves.ts). KAFKA_STORAGE_ERROR when the partition is larger than `roomBytes`, what the target can take.
   */
  startMove(slot: number, targetDir: string, moveId: string, roomBytes: number): void {
    this.moves.start(slot, targetDir, moveId, roomBytes);
  }

  /** One copy step of a move (at most about `maxBytes`); the worker serves the partition between steps. */
  copyMove(slot: number, maxBytes: number): MoveProgress {
    return this.moves.copy(slot, maxBytes);
  }

  /** The last copy step of a move, while the main thread holds the partition's appends. */
  finishMove(slot: number): void {
    this.moves.finish(slot);
  }

  /** After the new placement is recorded: closes the partition here and renames its folders; returns the retired old folder. */
  switchMove(slot: number, moveId: string): string {
    return this.moves.switchOver(slot, moveId, (s) => this.closePartition(s));
  }

  /** Deletes the old folder of a finished move. */
  removeRetiredCopy(retiredDir: string): void {
    this.moves.removeRetired(retiredDir);
  }

  /** Drops a move and its future copy (by `futureDir` too, when this worker was restarted since it began). */
  cancelMove(slot: number, futureDir: string | null): void {
    this.moves.cancel(slot, futureDir);
  }

  stats(): WorkerStats {
    return {
      workerId: this.workerId,
      framesHandled: this.dataPath.framesHandled,
      offlineDirs: [...this.table.offlineDirs],
      partitions: [...this.table.all()].map(
        (owned): PartitionStats => ({
          topic: owned.topic,
          partition: owned.partition,
          logDir: owned.logDir,
          online: owned.log !== null,
          sizeBytes: owned.log?.sizeBytes ?? 0,
          segmentCount: owned.log?.segmentCount ?? 0,
          recoveryPoint: owned.log?.recoveryPoint ?? -1,
          ...(owned.log ? offsetsOf(owned.log) : OFFLINE_OFFSETS),
        }),
      ),
      futureLogs: this.moves.stats(),
    };
  }

  /** Clean shutdown: stop the data path, close every online partition (flush, seal, checkpoint). Returns how many closed. */
  closeAll(): number {
    this.dataPath.stop();
    this.moves.abandonAll();
    this.coordinators.closeAll();
    let closed = 0;
    for (const owned of this.table.online()) {
      try {
        owned.log.close(Date.now());
        closed++;
      } catch (error) {
        this.guard.codeFor(owned, error);
      }
      this.table.remove(owned.slot);
    }
    return closed;
  }

  /** Tests only (workers started with faultInjection): make every file operation under `logDir` fail with `code`. */
  injectFault(logDir: string, code: InjectedFaultCode): void {
    this.requireFaultInjection().failUnder(logDir, code);
  }

  /** Tests only: the thread dies of an uncaught exception, as it would from a bug. */
  injectCrash(): void {
    this.requireFaultInjection();
    setImmediate(() => {
      throw new Error('injected worker crash');
    });
  }

  private requireFaultInjection(): FaultInjectingFileAccess {
    if (this.faults === null) throw new Error('fault injection is not enabled on this worker');
    return this.faults;
  }
}

const OFFLINE_OFFSETS: PartitionOffsets = Object.freeze({ logStartOffset: -1, highWatermark: -1, logEndOffset: -1 });

function offsetsOf(log: PartitionLog): PartitionOffsets {
  return { logStartOffset: log.logStartOffset, highWatermark: log.highWatermark, logEndOffset: log.logEndOffset };
}

function replicaStateOf(log: PartitionLog): ReplicaLogState {
  return { ...offsetsOf(log), leaderEpoch: log.leaderEpoch };
}
