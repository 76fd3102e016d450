// The storage engine as the main thread uses it: starts the partition workers over the log dirs,
// recovers after an unclean stop, routes each partition's appends and fetches to the worker that owns
// it, places new partitions (JBOD), takes failed dirs offline, restarts crashed workers and shuts down
// cleanly. The partition table and routing are partition-router.ts, the workers' lifecycle
// worker-supervisor.ts; this is the API the broker uses. Runs on the main thread; it never touches log files.
import type { Logger } from 'pino';
import { ErrorCode, KafkaError } from '../shared/kafka-error-codes.js';
import type { GroupOperation, GroupOperationRequest, GroupOperationResult } from '../shared/group-protocol.js';
import type { LogConfig } from '../shared/topic-config.js';
import type { TimestampAndOffset } from '../shared/offset-lookup.js';
import type { EpochEndOffset, PartitionOffsets, ReplicaLogState } from '../shared/worker-protocol.js';
import {
  type FreeSpaceProbe,
  type LogDirState,
  type TopicPartition,
  dirForNewPartition,
  discoverPartitions,
  openLogDirs,
  statfsFreeBytes,
  writeCleanShutdownMarker,
} from './log-dirs.js';
import { LogDirMover, type MoveStepHook, type RecordPlacement } from './log-dir-mover.js';
import { type PlacementOf, settleInterruptedMoves } from './move-leftovers.js';
import { PartitionRouter } from './partition-router.js';
import type { AppendOutcome, FetchOutcome } from './worker-handle.js';
import { type EngineConfig, type EngineStats, recoverUncleanDirs, WorkerSupervisor } from './worker-supervisor.js';

export type { EngineConfig, EngineStats } from './worker-supervisor.js';
export type { MoveStep, MoveStepHook, RecordPlacement } from './log-dir-mover.js';

/** Moves between log dirs: where each moved partition was last placed (the metadata store), and a test hook. */
export interface EngineMoveOptions {
  placementOf?: PlacementOf;
  /** Tests only: called after each step of a move. */
  onMoveStep?: MoveStepHook;
}

export class PartitionEngine {
  private readonly router: PartitionRouter;
  private readonly supervisor: WorkerSupervisor;
  private readonly mover: LogDirMover;

  private constructor(
    config: EngineConfig,
    private readonly dirs: LogDirState[],
    private readonly logger: Logger,
    private readonly freeBytesOf: FreeSpaceProbe,
    onMoveStep: MoveStepHook | undefined,
  ) {
    this.router = new PartitionRouter(dirs, config.workerCount, (workerId) => this.supervisor.worker(workerId));
    this.supervisor = new WorkerSupervisor(config, dirs, this.router, logger);
    this.mover = new LogDirMover(this.router, dirs, logger, freeBytesOf, onMoveStep);
  }

  /**
   * Opens the log dirs, recovers partitions of dirs not shut down cleanly (in parallel, on piscina),
   * starts the workers and opens every partition found, with the config `configFor` gives its topic. A dir
   * that is full (`freeBytesOf`, statfs by default) starts offline, as one that cannot be opened does. Moves
   * between log dirs a stop interrupted are finished or undone first, by `moves.placementOf` (move-leftovers.ts).
   */
  static async start(
    config: EngineConfig,
    logger: Logger,
    configFor: (topic: string) => LogConfig,
    freeBytesOf: FreeSpaceProbe = statfsFreeBytes,
    moves: EngineMoveOptions = {},
  ): Promise<PartitionEngine> {
    const dirs = openLogDirs(config.logDirs, freeBytesOf);
    for (const dir of dirs.filter((d) => !d.online)) logger.error({ logDir: dir.path, reason: dir.offlineReason }, 'log dir offline at start-up');
    if (!dirs.some((d) => d.online)) throw new Error(`no usable log dir: ${dirs.map((d) => `${d.path} (${d.offlineReason})`).join(', ')}`);
    const notToOpen = settleInterruptedMoves(dirs, moves.placementOf ?? (() => undefined), logger);
    const found = discoverPartitions(dirs, notToOpen);
    await recoverUncleanDirs(dirs, found, configFor, logger);
    const engine = new PartitionEngine(config, dirs, logger, freeBytesOf, moves.onMoveStep);
    await engine.supervisor.start();
    await Promise.all(found.filter((p) => isOnline(dirs, p.logDir)).map((p) => engine.router.open(p, engineDir(dirs, p.logDir), configFor(p.topic), true)));
    for (const p of found.filter((p) => !isOnline(dirs, p.logDir)))
      engine.logger.warn({ partition: `${p.topic}-${p.partition}` }, 'partition is in an offline log dir');
    return engine;
  }

  has(topic: string, partition: number): boolean {
    return this.router.has(topic, partition);
  }

  /** Calls `listener` with each log dir that goes offline from now on. */
  onLogDirOffline(listener: (logDir: string) => void): void {
    this.supervisor.dirOfflineListeners.push(listener);
  }

  /** Whether the partition is here and its log dir online. */
  isOnline(topic: string, partition: number): boolean {
    return this.router.isOnline(topic, partition);
  }

  /** The log dirs offline now (a dir offline at start-up holds partitions this engine never listed). */
  offlineLogDirs(): string[] {
    return this.dirs.filter((d) => !d.online).map((d) => d.path);
  }

  partitions(): Array<TopicPartition & { logDir: string; online: boolean }> {
    return this.router.partitions();
  }

  /** Creates a new partition in the online, not full dir with the most free space per partition (log-dirs.ts). */
  async createPartition(topic: string, partition: number, config: LogConfig): Promise<PartitionOffsets> {
    if (this.has(topic, partition)) throw new KafkaError(ErrorCode.UNKNOWN_SERVER_ERROR, `${topic}-${partition} already exists`);
    const dir = this.placeNewPartition();
    dir.partitionCount++;
    try {
      return await this.router.open({ topic, partition }, dir, config, true);
    } catch (error) {
      dir.partitionCount--;
      throw error;
    }
  }

  /** Throws KAFKA_STORAGE_ERROR, naming why each dir was passed over, when no dir can take a new partition now. */
  requireRoomForNewPartition(): void {
    this.placeNewPartition();
  }

  private placeNewPartition(): LogDirState {
    const placement = dirForNewPartition(this.dirs, this.freeBytesOf);
    if (placement.dir === undefined)
      throw new KafkaError(ErrorCode.KAFKA_STORAGE_ERROR, `no log dir can take a new partition: ${placement.problems.join('; ')}`);
    return placement.dir;
  }

  /**
   * Deletes a partition and its files. In an offline dir the files cannot be reached: the partition is dropped
   * all the same and false says its files are left on that disk.
   */
  async deletePartition(topic: string, partition: number): Promise<boolean> {
    // A move of the partition ends first (a switch-over under way finishes): the delete reaches its one copy.
    await this.mover.cancelMoveOf(topic, partition);
    const route = this.router.route(topic, partition);
    const filesReachable = route.dir.online;
    await this.router.delete(route);
    route.dir.partitionCount--;
    return filesReachable;
  }

  /**
   * Starts moving a partition to the log dir `path` while it serves (AlterReplicaLogDirs; log-dir-mover.ts) and
   * returns once its copy exists; `recordPlacement` writes the new placement when it switches over.
   */
  moveToLogDir(topic: string, partition: number, path: string, recordPlacement: RecordPlacement): Promise<void> {
    return this.mover.move(topic, partition, path, recordPlacement);
  }

  /** Settles when the move of a partition under way, if any, has ended (switched over, cancelled or failed). */
  whenMoveEnds(topic: string, partition: number): Promise<void> {
    return this.mover.whenMoveEnds(topic, partition);
  }

  /** The log dir a partition is being moved to, while a move is under way. */
  moveTargetOf(topic: string, partition: number): string | undefined {
    return this.mover.targetOf(topic, partition);
  }

  /**
   * Appends record batches (hot path). Errors come back as codes in the outcome, never as exceptions.
   * `legacyMessageSet`: a message set of magic 0/1 (Produce v0-2), converted to a batch by the worker.
   */
  append(topic: string, partition: number, batches: Buffer, replica = false, legacyMessageSet = false): Promise<AppendOutcome> {
    return this.router.append(topic, partition, batches, replica, legacyMessageSet);
  }

  /** Reads whole batches from `offset` (hot path); `toMagic` 0 or 1 converts them down to messages (Fetch v0-3). */
  fetch(topic: string, partition: number, offset: number, maxBytes: number, replica = false, toMagic?: number, withinMaxBytes = false): Promise<FetchOutcome> {
    return this.router.fetch(topic, partition, offset, maxBytes, replica, toMagic, withinMaxBytes);
  }

  offsets(topic: string, partition: number): Promise<PartitionOffsets> {
    const route = this.router.route(topic, partition);
    return this.router.call(route, (w) => w.control.offsets(route.slot));
  }

  offsetForTimestamp(topic: string, partition: number, timestampMs: number): Promise<TimestampAndOffset | null> {
    const route = this.router.route(topic, partition);
    return this.router.call(route, (w) => w.control.offsetForTimestamp(route.slot, timestampMs));
  }

  maxTimestampRecord(topic: string, partition: number): Promise<TimestampAndOffset | null> {
    const route = this.router.route(topic, partition);
    return this.router.call(route, (w) => w.control.maxTimestampRecord(route.slot));
  }

  legacyOffsetsBefore(topic: string, partition: number, timestamp: number, maxNumOffsets: number, forConsumer: boolean): Promise<number[]> {
    const route = this.router.route(topic, partition);
    return this.router.call(route, (w) => w.control.legacyOffsetsBefore(route.slot, timestamp, maxNumOffsets, forConsumer));
  }

  /** OffsetForLeaderEpoch: where `requestedEpoch` ends in the partition's log, once `currentLeaderEpoch` (-1: unchecked) passes. */
  endOffsetForEpoch(topic: string, partition: number, currentLeaderEpoch: number, requestedEpoch: number): Promise<EpochEndOffset> {
    const route = this.router.route(topic, partition);
    return this.router.call(route, (w) => w.control.endOffsetForEpoch(route.slot, currentLeaderEpoch, requestedEpoch));
  }

  /** Replication: a new leader's epoch, starting at its log end (epochs only grow). */
  setLeaderEpoch(topic: string, partition: number, leaderEpoch: number): Promise<ReplicaLogState> {
    const route = this.router.route(topic, partition);
    return this.router.call(route, (w) => w.control.setLeaderEpoch(route.slot, leaderEpoch));
  }

  /** Replication: whether this broker coordinates the groups of a __consumer_offsets partition (WorkerControl.setCoordinating). */
  async setCoordinating(topic: string, partition: number, active: boolean): Promise<void> {
    const route = this.router.route(topic, partition);
    await this.router.call(route, (w) => w.control.setCoordinating(route.slot, active));
  }

  /** Replication: true, the high watermark follows the log end (standalone, or a leader alone in its ISR); false, only setHighWatermark moves it. */
  setSoleReplica(topic: string, partition: number, sole: boolean): Promise<ReplicaLogState> {
    const route = this.router.route(topic, partition);
    return this.router.call(route, (w) => w.control.setSoleReplica(route.slot, sole));
  }

  /** Replication: moves the high watermark (kept within [log start, log end] by the worker). */
  setHighWatermark(topic: string, partition: number, offset: number): Promise<ReplicaLogState> {
    const route = this.router.route(topic, partition);
    return this.router.call(route, (w) => w.control.setHighWatermark(route.slot, offset));
  }

  /** Replication: a follower whose log end is below its leader's log start restarts its log empty at `offset`. */
  truncateFullyAndStartAt(topic: string, partition: number, offset: number): Promise<ReplicaLogState> {
    const route = this.router.route(topic, partition);
    return this.router.call(route, (w) => w.control.truncateFullyAndStartAt(route.slot, offset));
  }

  /** Replication: offsets and latest leader epoch of a partition's log. */
  replicaState(topic: string, partition: number): Promise<ReplicaLogState> {
    const route = this.router.route(topic, partition);
    return this.router.call(route, (w) => w.control.replicaState(route.slot));
  }

  deleteRecordsBefore(topic: string, partition: number, offset: number): Promise<number> {
    const route = this.router.route(topic, partition);
    return this.router.call(route, (w) => w.control.deleteRecordsBefore(route.slot, offset));
  }

  truncateTo(topic: string, partition: number, offset: number): Promise<PartitionOffsets> {
    const route = this.router.route(topic, partition);
    return this.router.call(route, (w) => w.control.truncateTo(route.slot, offset));
  }

  async updateConfig(topic: string, partition: number, config: LogConfig): Promise<void> {
    const route = this.router.route(topic, partition);
    await this.router.call(route, (w) => w.control.updateConfig(route.slot, config));
    route.config = config;
  }

  /** Runs a group operation on the coordinator of `topic`-`partition` (a __consumer_offsets partition), in the worker owning it. */
  group<K extends GroupOperation>(topic: string, partition: number, operation: K, request: GroupOperationRequest<K>): Promise<GroupOperationResult<K>> {
    const route = this.router.route(topic, partition);
    return this.router.call(route, (w) => w.control.group(route.slot, operation, request) as Promise<GroupOperationResult<K>>);
  }

  /** Runs retention on every worker now (it also runs on each worker's timer). Returns segments deleted. */
  applyRetention(nowMs = Date.now()): Promise<number> {
    return this.supervisor.applyRetention(nowMs);
  }

  /** Tests only: the worker owning the partition starts failing file operations under `logDir`. */
  injectFault(logDir: string, code: 'EIO' | 'EROFS' | 'ENOSPC'): Promise<void> {
    return this.supervisor.injectFault(logDir, code);
  }

  /** Tests only: worker `workerId` dies of an uncaught exception. */
  injectCrash(workerId: number): Promise<void> {
    return this.supervisor.injectCrash(workerId);
  }

  workerIdOf(topic: string, partition: number): number {
    return this.router.route(topic, partition).workerId;
  }

  /** Every dir, worker and partition, with the copies moves are building; never in the middle of a move's switch-over. */
  stats(): Promise<EngineStats> {
    return this.mover.withoutSwitching(() => this.supervisor.stats());
  }

  /** Clean shutdown: finish in-flight requests, close (flush, checkpoint) every partition, mark online dirs clean. */
  async stop(): Promise<{ partitionsClosed: number; logDirsMarkedClean: string[]; logDirsOffline: string[] }> {
    await this.mover.stop();
    const partitionsClosed = await this.supervisor.stop();
    const online = this.dirs.filter((d) => d.online);
    for (const dir of online) writeCleanShutdownMarker(dir);
    return {
      partitionsClosed,
      logDirsMarkedClean: online.map((d) => d.path),
      logDirsOffline: this.dirs.filter((d) => !d.online).map((d) => d.path),
    };
  }
}

function isOnline(dirs: LogDirState[], path: string): boolean {
  return engineDir(dirs, path).online;
}

function engineDir(dirs: LogDirState[], path: string): LogDirState {
  return dirs.find((d) => d.path === path)!;
}
