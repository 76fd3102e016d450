// The storage engine as the main thread uses it: starts the partition workers over the log dirs,
// recovers after an unclean stop, routes each partition's appends and fetches to the worker that owns
// it, places new partitions (JBOD), takes failed dirs offline, restarts crashed workers and shuts down
// cleanly. Runs on the main thread; it never touches log files itself.
import type { Logger } from 'pino';
import { ErrorCode, KafkaError, kafkaErrorFrom } from '../shared/kafka-error-codes.js';
import { DEFAULT_GROUP_SETTINGS, type GroupOperation, type GroupOperationRequest, type GroupOperationResult, type GroupSettings } from '../shared/group-protocol.js';
import type { LogConfig } from '../shared/topic-config.js';
import type { PartitionOffsets, WorkerEvent, WorkerStats } from '../shared/worker-protocol.js';
import {
  type DiscoveredPartition,
  type FreeSpaceProbe,
  type LogDirState,
  type TopicPartition,
  dirForNewPartition,
  discoverPartitions,
  openLogDirs,
  partitionKey,
  statfsFreeBytes,
  workersByDir,
  writeCleanShutdownMarker,
} from './log-dirs.js';
import { recoverPartitions } from './recovery-pool.js';
import { type AppendOutcome, appendFailure, type FetchOutcome, fetchFailure, WorkerHandle, type WorkerHandleOptions } from './worker-handle.js';

export interface EngineConfig {
  logDirs: string[];
  workerCount: number;
  ringBytes: number;
  maxBacklogRequests: number;
  retentionCheckIntervalMs: number;
  flushCheckIntervalMs: number;
  checkpointIntervalMs: number;
  /** How often each worker looks for compacted partitions to clean (log.cleaner.backoff.ms). */
  cleanerBackoffMs: number;
  /** The group coordinators' settings (Kafka's defaults when absent). */
  groups?: GroupSettings;
  /** Tests only: workers accept injectFault / injectCrash. */
  faultInjection: boolean;
}

export interface EngineStats {
  logDirs: Array<{ path: string; online: boolean; offlineReason: string; partitionCount: number; sizeBytes: number }>;
  workers: Array<WorkerStats & { busyMs: number; inFlight: number; ringRequestBytes: number; ringCompletionBytes: number; ringCapacityBytes: number }>;
  workerRestarts: number;
}

interface Route extends TopicPartition {
  dir: LogDirState;
  workerId: number;
  slot: number;
  config: LogConfig;
}

export class PartitionEngine {
  private readonly routes = new Map<string, Route>();
  private readonly workers: WorkerHandle[] = [];
  private readonly slotsInUse: Array<Set<number>>;
  private readonly dirWorkers: number[][];
  private workerRestarts = 0;
  private stopping = false;

  private constructor(
    private readonly config: EngineConfig,
    private readonly dirs: LogDirState[],
    private readonly logger: Logger,
    private readonly freeBytesOf: FreeSpaceProbe,
  ) {
    this.dirWorkers = workersByDir(dirs.length, config.workerCount);
    this.slotsInUse = Array.from({ length: config.workerCount }, () => new Set<number>());
  }

  /**
   * Opens the log dirs, recovers partitions of dirs not shut down cleanly (in parallel, on piscina),
   * starts the workers and opens every partition found, with the config `configFor` gives its topic. A dir
   * that is full (`freeBytesOf`, statfs by default) starts offline, as one that cannot be opened does.
   */
  static async start(config: EngineConfig, logger: Logger, configFor: (topic: string) => LogConfig, freeBytesOf: FreeSpaceProbe = statfsFreeBytes): Promise<PartitionEngine> {
    const dirs = openLogDirs(config.logDirs, freeBytesOf);
    for (const dir of dirs.filter((d) => !d.online)) logger.error({ logDir: dir.path, reason: dir.offlineReason }, 'log dir offline at start-up');
    if (!dirs.some((d) => d.online)) throw new Error(`no usable log dir: ${dirs.map((d) => `${d.path} (${d.offlineReason})`).join(', ')}`);
    const found = discoverPartitions(dirs);
    await recoverUncleanDirs(dirs, found, configFor, logger);
    const engine = new PartitionEngine(config, dirs, logger, freeBytesOf);
    for (let id = 0; id < config.workerCount; id++) engine.workers.push(await WorkerHandle.start(engine.handleOptions(id)));
    await Promise.all(found.filter((p) => isOnline(dirs, p.logDir)).map((p) => engine.open(p, engineDir(dirs, p.logDir), configFor(p.topic), true)));
    for (const p of found.filter((p) => !isOnline(dirs, p.logDir))) engine.logger.warn({ partition: `${p.topic}-${p.partition}` }, 'partition is in an offline log dir');
    return engine;
  }

  private handleOptions(workerId: number): WorkerHandleOptions {
    return {
      workerId,
      ringBytes: this.config.ringBytes,
      maxBacklogRequests: this.config.maxBacklogRequests,
      faultInjection: this.config.faultInjection,
      retentionCheckIntervalMs: this.config.retentionCheckIntervalMs,
      flushCheckIntervalMs: this.config.flushCheckIntervalMs,
      checkpointIntervalMs: this.config.checkpointIntervalMs,
      cleanerBackoffMs: this.config.cleanerBackoffMs,
      groups: this.config.groups ?? DEFAULT_GROUP_SETTINGS,
      onEvent: (event) => this.onWorkerEvent(event),
      onCrash: (handle, reason) => void this.restartWorker(handle, reason),
    };
  }

  private onWorkerEvent(event: WorkerEvent): void {
    if (event.fjordEvent === 'dir-offline') this.takeDirOffline(event.logDir, event.reason);
    else this.logger[event.level](event.message);
  }

  /** A dir failed in some worker: every worker serving it stops using it; its partitions answer KAFKA_STORAGE_ERROR. */
  private takeDirOffline(logDir: string, reason: string): void {
    const dir = this.dirs.find((d) => d.path === logDir);
    if (dir === undefined || !dir.online) return;
    dir.online = false;
    dir.offlineReason = reason;
    this.logger.error({ logDir, reason }, 'log dir went offline; its partitions answer KAFKA_STORAGE_ERROR, the others keep serving');
    for (const workerId of this.dirWorkers[this.dirs.indexOf(dir)]!) void this.workers[workerId]!.control.markDirOffline(logDir, reason).catch(() => {});
  }

  private async restartWorker(dead: WorkerHandle, reason: string): Promise<void> {
    if (this.stopping) return;
    this.workerRestarts++;
    this.logger.error({ workerId: dead.workerId, reason }, 'partition worker died; restarting it and recovering its partitions');
    const handle = await WorkerHandle.start(this.handleOptions(dead.workerId));
    this.workers[dead.workerId] = handle;
    const routes = [...this.routes.values()].filter((r) => r.workerId === dead.workerId);
    for (const route of routes) {
      await handle.control.openPartition({ slot: route.slot, topic: route.topic, partition: route.partition, logDir: route.dir.path, config: route.config, trustedOnDisk: false });
    }
    this.logger.info({ workerId: dead.workerId, partitions: routes.length }, 'partition worker restarted');
  }

  private async open(p: TopicPartition, dir: LogDirState, config: LogConfig, trustedOnDisk: boolean): Promise<PartitionOffsets> {
    const candidates = this.dirWorkers[this.dirs.indexOf(dir)]!;
    const workerId = candidates.reduce((best, w) => (this.slotsInUse[w]!.size < this.slotsInUse[best]!.size ? w : best));
    const slot = this.takeSlot(workerId);
    const route: Route = { topic: p.topic, partition: p.partition, dir, workerId, slot, config };
    this.routes.set(partitionKey(p.topic, p.partition), route);
    try {
      const worker = this.workers[workerId]!;
      return await worker.unlessDead(worker.control.openPartition({ slot, topic: p.topic, partition: p.partition, logDir: dir.path, config, trustedOnDisk }));
    } catch (error) {
      this.routes.delete(partitionKey(p.topic, p.partition));
      this.slotsInUse[workerId]!.delete(slot);
      throw kafkaErrorFrom(error) ?? error;
    }
  }

  private takeSlot(workerId: number): number {
    const used = this.slotsInUse[workerId]!;
    let slot = 0;
    while (used.has(slot)) slot++;
    used.add(slot);
    return slot;
  }

  private route(topic: string, partition: number): Route {
    const route = this.routes.get(partitionKey(topic, partition));
    if (route === undefined) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `${topic}-${partition} does not exist on this broker`);
    return route;
  }

  has(topic: string, partition: number): boolean {
    return this.routes.has(partitionKey(topic, partition));
  }

  /** The log dirs offline now (a dir offline at start-up holds partitions this engine never listed). */
  offlineLogDirs(): string[] {
    return this.dirs.filter((d) => !d.online).map((d) => d.path);
  }

  partitions(): Array<TopicPartition & { logDir: string; online: boolean }> {
    return [...this.routes.values()].map((r) => ({ topic: r.topic, partition: r.partition, logDir: r.dir.path, online: r.dir.online }));
  }

  /** Creates a new partition in the online, not full dir with the most free space per partition (log-dirs.ts). */
  async createPartition(topic: string, partition: number, config: LogConfig): Promise<PartitionOffsets> {
    if (this.has(topic, partition)) throw new KafkaError(ErrorCode.UNKNOWN_SERVER_ERROR, `${topic}-${partition} already exists`);
    const dir = this.placeNewPartition();
    dir.partitionCount++;
    try {
      return await this.open({ topic, partition }, dir, config, true);
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
    if (placement.dir === undefined) throw new KafkaError(ErrorCode.KAFKA_STORAGE_ERROR, `no log dir can take a new partition: ${placement.problems.join('; ')}`);
    return placement.dir;
  }

  /**
   * Deletes a partition and its files. In an offline dir the files cannot be reached: the partition is dropped
   * all the same and false says its files are left on that disk.
   */
  async deletePartition(topic: string, partition: number): Promise<boolean> {
    const route = this.route(topic, partition);
    const filesReachable = route.dir.online;
    this.routes.delete(partitionKey(topic, partition));
    const worker = this.workers[route.workerId]!;
    try {
      // The worker removes no files in a dir it knows is offline (it was told before this call, in order).
      await worker.unlessDead(worker.control.deletePartition(route.slot));
    } catch (error) {
      throw kafkaErrorFrom(error) ?? error;
    }
    this.slotsInUse[route.workerId]!.delete(route.slot);
    route.dir.partitionCount--;
    return filesReachable;
  }

  /** Appends record batches (hot path). Errors come back as codes in the outcome, never as exceptions. */
  append(topic: string, partition: number, batches: Buffer, replica = false): Promise<AppendOutcome> {
    const route = this.routes.get(partitionKey(topic, partition));
    if (route === undefined) return Promise.resolve(appendFailure(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `${topic}-${partition} does not exist`));
    if (!route.dir.online) return Promise.resolve(appendFailure(ErrorCode.KAFKA_STORAGE_ERROR, `log dir ${route.dir.path} is offline`));
    return this.workers[route.workerId]!.append(route.slot, batches, replica);
  }

  /** Reads whole batches from `offset` (hot path). */
  fetch(topic: string, partition: number, offset: number, maxBytes: number, replica = false): Promise<FetchOutcome> {
    const route = this.routes.get(partitionKey(topic, partition));
    if (route === undefined) return Promise.resolve(fetchFailure(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `${topic}-${partition} does not exist`));
    if (!route.dir.online) return Promise.resolve(fetchFailure(ErrorCode.KAFKA_STORAGE_ERROR, `log dir ${route.dir.path} is offline`));
    return this.workers[route.workerId]!.fetch(route.slot, offset, maxBytes, replica);
  }

  offsets(topic: string, partition: number): Promise<PartitionOffsets> {
    const route = this.route(topic, partition);
    return this.call(route, (w) => w.control.offsets(route.slot));
  }

  offsetForTimestamp(topic: string, partition: number, timestampMs: number): Promise<number> {
    const route = this.route(topic, partition);
    return this.call(route, (w) => w.control.offsetForTimestamp(route.slot, timestampMs));
  }

  deleteRecordsBefore(topic: string, partition: number, offset: number): Promise<number> {
    const route = this.route(topic, partition);
    return this.call(route, (w) => w.control.deleteRecordsBefore(route.slot, offset));
  }

  truncateTo(topic: string, partition: number, offset: number): Promise<PartitionOffsets> {
    const route = this.route(topic, partition);
    return this.call(route, (w) => w.control.truncateTo(route.slot, offset));
  }

  async updateConfig(topic: string, partition: number, config: LogConfig): Promise<void> {
    const route = this.route(topic, partition);
    await this.call(route, (w) => w.control.updateConfig(route.slot, config));
    route.config = config;
  }

  /** Runs a group operation on the coordinator of `topic`-`partition` (a __consumer_offsets partition), in the worker owning it. */
  group<K extends GroupOperation>(topic: string, partition: number, operation: K, request: GroupOperationRequest<K>): Promise<GroupOperationResult<K>> {
    const route = this.route(topic, partition);
    return this.call(route, (w) => w.control.group(route.slot, operation, request) as Promise<GroupOperationResult<K>>);
  }

  /** Runs retention on every worker now (it also runs on each worker's timer). Returns segments deleted. */
  async applyRetention(nowMs = Date.now()): Promise<number> {
    const counts = await Promise.all(this.workers.map((w) => w.unlessDead(w.control.applyRetention(nowMs)).catch(() => 0)));
    return counts.reduce((a, b) => a + b, 0);
  }

  /** Tests only: the worker owning the partition starts failing file operations under `logDir`. */
  async injectFault(logDir: string, code: 'EIO' | 'EROFS' | 'ENOSPC'): Promise<void> {
    await Promise.all(this.workers.map((w) => w.unlessDead(w.control.injectFault(logDir, code))));
  }

  /** Tests only: worker `workerId` dies of an uncaught exception. */
  async injectCrash(workerId: number): Promise<void> {
    await this.workers[workerId]!.control.injectCrash();
  }

  workerIdOf(topic: string, partition: number): number {
    return this.route(topic, partition).workerId;
  }

  private async call<T>(route: Route, operation: (worker: WorkerHandle) => Promise<T>): Promise<T> {
    if (!route.dir.online) throw new KafkaError(ErrorCode.KAFKA_STORAGE_ERROR, `log dir ${route.dir.path} is offline`);
    const worker = this.workers[route.workerId]!;
    try {
      return await worker.unlessDead(operation(worker));
    } catch (error) {
      throw kafkaErrorFrom(error) ?? error;
    }
  }

  async stats(): Promise<EngineStats> {
    const workers = await Promise.all(
      this.workers.map(async (w) => {
        const ring = w.ringOccupancy();
        // A worker that is restarting reports nothing until it is back.
        const stats = await w.unlessDead(w.control.stats()).catch((): WorkerStats => ({ workerId: w.workerId, framesHandled: 0, offlineDirs: [], partitions: [] }));
        return { ...stats, busyMs: w.busyMs(), inFlight: w.inFlight, ringRequestBytes: ring.requestBytes, ringCompletionBytes: ring.completionBytes, ringCapacityBytes: ring.capacityBytes };
      }),
    );
    const sizeByDir = new Map<string, number>();
    for (const p of workers.flatMap((w) => w.partitions)) sizeByDir.set(p.logDir, (sizeByDir.get(p.logDir) ?? 0) + p.sizeBytes);
    return {
      logDirs: this.dirs.map((d) => ({ path: d.path, online: d.online, offlineReason: d.offlineReason, partitionCount: d.partitionCount, sizeBytes: sizeByDir.get(d.path) ?? 0 })),
      workers,
      workerRestarts: this.workerRestarts,
    };
  }

  /** Clean shutdown: finish in-flight requests, close (flush, checkpoint) every partition, mark online dirs clean. */
  async stop(): Promise<{ partitionsClosed: number; logDirsMarkedClean: string[]; logDirsOffline: string[] }> {
    this.stopping = true;
    const closed = await Promise.all(this.workers.map((w) => w.stop()));
    const online = this.dirs.filter((d) => d.online);
    for (const dir of online) writeCleanShutdownMarker(dir);
    return {
      partitionsClosed: closed.reduce((a, b) => a + b, 0),
      logDirsMarkedClean: online.map((d) => d.path),
      logDirsOffline: this.dirs.filter((d) => !d.online).map((d) => d.path),
    };
  }
}

async function recoverUncleanDirs(dirs: LogDirState[], found: DiscoveredPartition[], configFor: (topic: string) => LogConfig, logger: Logger): Promise<void> {
  const unclean = found.filter((p) => !dirs.find((d) => d.path === p.logDir)!.cleanAtStart);
  if (unclean.length === 0) return;
  const startedMs = Date.now();
  const jobs = unclean.map((p) => ({ partitionDir: `${p.logDir}/${p.topic}-${p.partition}`, config: configFor(p.topic) }));
  const { outcomes, failures } = await recoverPartitions(jobs);
  for (const outcome of outcomes) for (const repair of outcome.repairs) logger.warn(repair);
  for (const failure of failures) {
    const dir = dirs.find((d) => failure.job.partitionDir.startsWith(d.path + '/'))!;
    dir.online = false;
    dir.offlineReason = failure.error.message;
    logger.error({ logDir: dir.path, reason: failure.error.message }, 'recovery failed; log dir offline');
  }
  logger.info({ partitions: outcomes.length, ms: Date.now() - startedMs }, 'recovered partitions after an unclean shutdown');
}

function isOnline(dirs: LogDirState[], path: string): boolean {
  return engineDir(dirs, path).online;
}

function engineDir(dirs: LogDirState[], path: string): LogDirState {
  return dirs.find((d) => d.path === path)!;
}
