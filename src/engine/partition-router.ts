// The main thread's partition table: which worker, slot and log dir serve each partition (as Redpanda's
// shard_table), the choice of worker and slot when a partition opens, and the routing of appends, fetches
// and control calls to the worker that owns the partition. Runs on the main thread; it holds no log data.
import { ErrorCode, KafkaError, kafkaErrorFrom } from '../shared/kafka-error-codes.js';
import type { LogConfig } from '../shared/topic-config.js';
import type { PartitionOffsets } from '../shared/worker-protocol.js';
import { type LogDirState, type TopicPartition, partitionKey, workersByDir } from './log-dirs.js';
import { type AppendOutcome, appendFailure, type FetchOutcome, fetchFailure, type WorkerHandle } from './worker-handle.js';

/**
 * Where one partition lives: its log dir, the worker owning it and its slot in that worker's table. A move
 * between log dirs changes dir, worker and slot in place, while `held` keeps requests back.
 */
export interface Route extends TopicPartition {
  dir: LogDirState;
  workerId: number;
  slot: number;
  config: LogConfig;
  /** Set while a move switches the partition over: requests wait for it, then go where the route points. */
  held: Promise<void> | null;
  /** Control-plane calls on their way to the worker (a switch-over waits for them). */
  callsInFlight: number;
  /** Told when callsInFlight drops to 0 (callsSettled). */
  callsSettledWaiter: (() => void) | null;
  /**
   * A move's new placement is recorded and its switch-over not finished: a restarted worker must not reopen the
   * partition from the dir the route still names (the mover finishes it, or the next start does).
   */
  switchCommitted: boolean;
}

export class PartitionRouter {
  private readonly routes = new Map<string, Route>();
  private readonly slotsInUse: Array<Set<number>>;
  private readonly dirWorkers: number[][];

  /** `workerOf` gives the live handle of a worker (the supervisor replaces a crashed one). */
  constructor(
    private readonly dirs: LogDirState[],
    workerCount: number,
    private readonly workerOf: (workerId: number) => WorkerHandle,
  ) {
    this.dirWorkers = workersByDir(dirs.length, workerCount);
    this.slotsInUse = Array.from({ length: workerCount }, () => new Set<number>());
  }

  /** The workers serving `dir` (each dir is served by its own worker or workers). */
  workersServing(dir: LogDirState): number[] {
    return this.dirWorkers[this.dirs.indexOf(dir)]!;
  }

  /**
   * Opens a partition in `dir` on the worker serving it that owns the fewest partitions, in a free slot.
   * If the worker cannot open it, the route is dropped again and the error thrown as a KafkaError.
   */
  async open(p: TopicPartition, dir: LogDirState, config: LogConfig, trustedOnDisk: boolean): Promise<PartitionOffsets> {
    const candidates = this.workersServing(dir);
    const workerId = candidates.reduce((best, w) => (this.slotsInUse[w]!.size < this.slotsInUse[best]!.size ? w : best));
    const slot = this.takeSlot(workerId);
    const route: Route = {
      topic: p.topic,
      partition: p.partition,
      dir,
      workerId,
      slot,
      config,
      held: null,
      callsInFlight: 0,
      callsSettledWaiter: null,
      switchCommitted: false,
    };
    this.routes.set(partitionKey(p.topic, p.partition), route);
    try {
      const worker = this.workerOf(workerId);
      return await worker.unlessDead(worker.control.openPartition({ slot, topic: p.topic, partition: p.partition, logDir: dir.path, config, trustedOnDisk }));
    } catch (error) {
      this.routes.delete(partitionKey(p.topic, p.partition));
      this.slotsInUse[workerId]!.delete(slot);
      throw kafkaErrorFrom(error) ?? error;
    }
  }

  /**
   * A moved partition, closed by its old worker, opens from `dir` (its files are there now) on a worker serving
   * that dir; the route keeps its identity, so requests held meanwhile go to the new place. The caller holds it.
   */
  async reopenIn(route: Route, dir: LogDirState): Promise<PartitionOffsets> {
    this.slotsInUse[route.workerId]!.delete(route.slot);
    const workerId = this.workersServing(dir).reduce((best, w) => (this.slotsInUse[w]!.size < this.slotsInUse[best]!.size ? w : best));
    Object.assign(route, { dir, workerId, slot: this.takeSlot(workerId) });
    const worker = this.workerOf(workerId);
    const spec = { slot: route.slot, topic: route.topic, partition: route.partition, logDir: dir.path, config: route.config, trustedOnDisk: true };
    try {
      return await worker.unlessDead(worker.control.openPartition(spec));
    } catch (error) {
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

  /** Deletes a partition in its worker, after dropping its route (so nothing new reaches it); frees its slot once done. */
  async delete(route: Route): Promise<void> {
    this.routes.delete(partitionKey(route.topic, route.partition));
    const worker = this.workerOf(route.workerId);
    try {
      // The worker removes no files in a dir it knows is offline (it was told before this call, in order).
      await worker.unlessDead(worker.control.deletePartition(route.slot));
    } catch (error) {
      throw kafkaErrorFrom(error) ?? error;
    }
    this.slotsInUse[route.workerId]!.delete(route.slot);
  }

  /** The route of a partition; UNKNOWN_TOPIC_OR_PARTITION when this broker has none. */
  route(topic: string, partition: number): Route {
    const route = this.routes.get(partitionKey(topic, partition));
    if (route === undefined) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `${topic}-${partition} does not exist on this broker`);
    return route;
  }

  has(topic: string, partition: number): boolean {
    return this.routes.has(partitionKey(topic, partition));
  }

  /** The partitions worker `workerId` owns (to reopen after it was restarted), but one whose move is switching over. */
  routesOf(workerId: number): Route[] {
    return [...this.routes.values()].filter((r) => r.workerId === workerId && !r.switchCommitted);
  }

  partitions(): Array<TopicPartition & { logDir: string; online: boolean }> {
    return [...this.routes.values()].map((r) => ({ topic: r.topic, partition: r.partition, logDir: r.dir.path, online: r.dir.online }));
  }

  /** Whether the partition is here and its log dir online. */
  isOnline(topic: string, partition: number): boolean {
    return this.routes.get(partitionKey(topic, partition))?.dir.online ?? false;
  }

  /** Appends record batches (hot path). Errors come back as codes in the outcome, never as exceptions. */
  append(topic: string, partition: number, batches: Buffer, replica: boolean, legacyMessageSet = false): Promise<AppendOutcome> {
    const route = this.routes.get(partitionKey(topic, partition));
    if (route === undefined) return Promise.resolve(appendFailure(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `${topic}-${partition} does not exist`));
    if (route.held !== null) return route.held.then(() => this.append(topic, partition, batches, replica, legacyMessageSet));
    if (!route.dir.online) return Promise.resolve(appendFailure(ErrorCode.KAFKA_STORAGE_ERROR, `log dir ${route.dir.path} is offline`));
    return this.workerOf(route.workerId).append(route.slot, batches, replica, legacyMessageSet);
  }

  /** Reads whole batches from `offset` (hot path). */
  fetch(topic: string, partition: number, offset: number, maxBytes: number, replica: boolean, toMagic?: number, withinMaxBytes = false): Promise<FetchOutcome> {
    const route = this.routes.get(partitionKey(topic, partition));
    if (route === undefined) return Promise.resolve(fetchFailure(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `${topic}-${partition} does not exist`));
    if (route.held !== null) return route.held.then(() => this.fetch(topic, partition, offset, maxBytes, replica, toMagic, withinMaxBytes));
    if (!route.dir.online) return Promise.resolve(fetchFailure(ErrorCode.KAFKA_STORAGE_ERROR, `log dir ${route.dir.path} is offline`));
    return this.workerOf(route.workerId).fetch(route.slot, offset, maxBytes, replica, toMagic, withinMaxBytes);
  }

  /**
   * A control-plane call to the worker owning `route`: KAFKA_STORAGE_ERROR in an offline dir, a KafkaError for any
   * failure. While a move switches the partition over, the call waits and then goes to the partition's new place.
   */
  async call<T>(route: Route, operation: (worker: WorkerHandle) => Promise<T>): Promise<T> {
    while (route.held !== null) await route.held;
    route.callsInFlight++;
    try {
      return await this.callHeld(route, operation);
    } finally {
      if (--route.callsInFlight === 0) route.callsSettledWaiter?.();
    }
  }

  /** Settles once no control-plane call of `route` is in flight (the caller holds the route, so none starts). */
  async callsSettled(route: Route): Promise<void> {
    if (route.callsInFlight > 0) await new Promise<void>((resolve) => (route.callsSettledWaiter = resolve));
    route.callsSettledWaiter = null;
  }

  /** The live handle of the worker owning `route`. */
  workerFor(route: Route): WorkerHandle {
    return this.workerOf(route.workerId);
  }

  /** Drops a route without a call to its worker (a move that could not finish switching over; the next start does). */
  forget(route: Route): void {
    this.routes.delete(partitionKey(route.topic, route.partition));
    this.slotsInUse[route.workerId]!.delete(route.slot);
  }

  /** A control-plane call that does not wait for a hold: the mover's own steps while it holds the route. */
  async callHeld<T>(route: Route, operation: (worker: WorkerHandle) => Promise<T>): Promise<T> {
    if (!route.dir.online) throw new KafkaError(ErrorCode.KAFKA_STORAGE_ERROR, `log dir ${route.dir.path} is offline`);
    const worker = this.workerOf(route.workerId);
    try {
      return await worker.unlessDead(operation(worker));
    } catch (error) {
      throw kafkaErrorFrom(error) ?? error;
    }
  }
}
