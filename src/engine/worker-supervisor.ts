// The partition workers' lifecycle on the main thread: recovers the partitions of dirs not shut down
// cleanly (on the piscina recovery pool) before any worker starts, starts one worker per configured core,
// restarts a worker that dies (its partitions are reopened from disk), takes a dir offline everywhere when
// one worker finds it failing, gathers stats, and stops the workers cleanly. Runs on the main thread.
import type { Logger } from 'pino';
import { partitionDir } from '../shared/partition-folder.js';
import type { LogConfig } from '../shared/topic-config.js';
import type { WorkerEvent, WorkerStats } from '../shared/worker-protocol.js';
import { workerSettingsOf, type WorkerSettingsSource } from '../shared/worker-settings.js';
import { type DiscoveredPartition, type LogDirState, volumeBytes } from './log-dirs.js';
import type { Route } from './partition-router.js';
import { recoverPartitions } from './recovery-pool.js';
import { WorkerHandle, type WorkerHandleOptions } from './worker-handle.js';

/** With the workers' settings (worker-settings.ts; the group coordinators' are Kafka's defaults when absent). */
export interface EngineConfig extends WorkerSettingsSource {
  logDirs: string[];
  workerCount: number;
  ringBytes: number;
  maxBacklogRequests: number;
  /** Tests only: workers accept injectFault / injectCrash. */
  faultInjection: boolean;
}

export interface EngineStats {
  /** totalBytes / usableBytes: the volume's size and the bytes still usable (statfs), -1 when offline or unreadable. */
  logDirs: Array<{ path: string; online: boolean; offlineReason: string; partitionCount: number; sizeBytes: number; totalBytes: number; usableBytes: number }>;
  workers: Array<
    WorkerStats & { busyMs: number; inFlight: number; ringRequestBytes: number; ringCompletionBytes: number; ringCapacityBytes: number; arenaLentBytes: number }
  >;
  workerRestarts: number;
}

/** What the supervisor needs to know of the partition table (partition-router.ts). */
export interface SupervisedPartitions {
  routesOf(workerId: number): Route[];
}

export class WorkerSupervisor {
  private readonly workers: WorkerHandle[] = [];
  private workerRestarts = 0;
  private stopping = false;
  /** Told of each dir that goes offline while the broker runs (in a cluster: its partitions led here are handed over). */
  readonly dirOfflineListeners: Array<(logDir: string) => void> = [];

  constructor(
    private readonly config: EngineConfig,
    private readonly dirs: LogDirState[],
    private readonly partitions: SupervisedPartitions,
    private readonly logger: Logger,
  ) {}

  /** Starts every worker (config.workerCount), one after another. */
  async start(): Promise<void> {
    for (let id = 0; id < this.config.workerCount; id++) this.workers.push(await WorkerHandle.start(this.handleOptions(id)));
  }

  /** The live handle of worker `workerId` (a new one after a restart). */
  worker(workerId: number): WorkerHandle {
    return this.workers[workerId]!;
  }

  private handleOptions(workerId: number): WorkerHandleOptions {
    return {
      workerId,
      ringBytes: this.config.ringBytes,
      maxBacklogRequests: this.config.maxBacklogRequests,
      faultInjection: this.config.faultInjection,
      settings: workerSettingsOf(this.config),
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
    // Every worker, not only those serving the dir: a worker may be copying a partition into it (a move).
    for (const worker of this.workers) void worker.control.markDirOffline(logDir, reason).catch(() => {});
    for (const listener of this.dirOfflineListeners) listener(logDir);
  }

  private async restartWorker(dead: WorkerHandle, reason: string): Promise<void> {
    if (this.stopping) return;
    this.workerRestarts++;
    this.logger.error({ workerId: dead.workerId, reason }, 'partition worker died; restarting it and recovering its partitions');
    const handle = await WorkerHandle.start(this.handleOptions(dead.workerId));
    this.workers[dead.workerId] = handle;
    const routes = this.partitions.routesOf(dead.workerId);
    for (const route of routes) {
      await handle.control.openPartition({
        slot: route.slot,
        topic: route.topic,
        partition: route.partition,
        logDir: route.dir.path,
        config: route.config,
        trustedOnDisk: false,
      });
    }
    this.logger.info({ workerId: dead.workerId, partitions: routes.length }, 'partition worker restarted');
  }

  /** Runs retention on every worker now (it also runs on each worker's timer). Returns segments deleted. */
  async applyRetention(nowMs: number): Promise<number> {
    const counts = await Promise.all(this.workers.map((w) => w.unlessDead(w.control.applyRetention(nowMs)).catch(() => 0)));
    return counts.reduce((a, b) => a + b, 0);
  }

  /** Tests only: every worker starts failing file operations under `logDir`. */
  async injectFault(logDir: string, code: 'EIO' | 'EROFS' | 'ENOSPC'): Promise<void> {
    await Promise.all(this.workers.map((w) => w.unlessDead(w.control.injectFault(logDir, code))));
  }

  /** Tests only: worker `workerId` dies of an uncaught exception. */
  async injectCrash(workerId: number): Promise<void> {
    await this.workers[workerId]!.control.injectCrash();
  }

  async stats(): Promise<EngineStats> {
    const workers = await Promise.all(
      this.workers.map(async (w) => {
        const ring = w.ringOccupancy();
        // A worker that is restarting reports nothing until it is back.
        const stats = await w
          .unlessDead(w.control.stats())
          .catch((): WorkerStats => ({ workerId: w.workerId, framesHandled: 0, offlineDirs: [], partitions: [], futureLogs: [] }));
        return {
          ...stats,
          busyMs: w.busyMs(),
          inFlight: w.inFlight,
          ringRequestBytes: ring.requestBytes,
          ringCompletionBytes: ring.completionBytes,
          ringCapacityBytes: ring.capacityBytes,
          arenaLentBytes: w.arenaLentBytes(),
        };
      }),
    );
    const sizeByDir = new Map<string, number>();
    for (const p of workers.flatMap((w) => w.partitions)) sizeByDir.set(p.logDir, (sizeByDir.get(p.logDir) ?? 0) + p.sizeBytes);
    return {
      logDirs: this.dirs.map((d) => ({
        path: d.path,
        online: d.online,
        offlineReason: d.offlineReason,
        partitionCount: d.partitionCount,
        sizeBytes: sizeByDir.get(d.path) ?? 0,
        ...(d.online ? volumeBytes(d.path) : { totalBytes: -1, usableBytes: -1 }),
      })),
      workers,
      workerRestarts: this.workerRestarts,
    };
  }

  /** Stops every worker after its in-flight requests finish and its partitions close; returns how many closed. */
  async stop(): Promise<number> {
    this.stopping = true;
    const closed = await Promise.all(this.workers.map((w) => w.stop()));
    return closed.reduce((a, b) => a + b, 0);
  }
}

/** Crash recovery before the workers start: every partition of a dir not shut down cleanly, in parallel on piscina; a dir whose recovery fails goes offline. */
export async function recoverUncleanDirs(
  dirs: LogDirState[],
  found: DiscoveredPartition[],
  configFor: (topic: string) => LogConfig,
  logger: Logger,
): Promise<void> {
  const unclean = found.filter((p) => !dirs.find((d) => d.path === p.logDir)!.cleanAtStart);
  if (unclean.length === 0) return;
  const startedMs = Date.now();
  const jobs = unclean.map((p) => ({ partitionDir: partitionDir(p.logDir, p.topic, p.partition), config: configFor(p.topic) }));
  const { outcomes, failures } = await recoverPartitions(jobs);
  for (const outcome of outcomes) for (const repair of outcome.repairs) logger.warn(repair);
  for (const failure of failures) {
    const dir = dirs.find((d) => failure.job.partitionDir.startsWith(`${d.path}/`))!;
    dir.online = false;
    dir.offlineReason = failure.error.message;
    logger.error({ logDir: dir.path, reason: failure.error.message }, 'recovery failed; log dir offline');
  }
  logger.info({ partitions: outcomes.length, ms: Date.now() - startedMs }, 'recovered partitions after an unclean shutdown');
}
