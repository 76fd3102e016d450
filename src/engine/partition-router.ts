// The main thread's partition table: which worker, slot and log dir serve each partition (as Redpanda's
// shard_table), the choice of worker and slot when a partition opens, and the routing of appends, fetches
// and control calls to the worker that owns the partition. Runs on the main thread; it holds no log data.
import { ErrorCode, KafkaError, kafkaErrorFrom } from '../shared/kafka-error-codes.js';
import type { LogConfig } from '../shared/topic-config.js';
import type { PartitionOffsets } from '../shared/worker-protocol.js';
import { type LogDirState, type TopicPartition, partitionKey, workersByDir } from './log-dirs.js';
import { type AppendOutcome, appendFailure, type FetchOutcome, fetchFailure, type WorkerHandle } from './worker-handle.js';

/** Where one partition lives: its log dir, the worker owning it and its slot in that worker's table. */
export interface Route extends TopicPartition {
  dir: LogDirState;
  workerId: number;
  slot: number;
  config: LogConfig;
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
    const route: Route = { topic: p.topic, partition: p.partition, dir, workerId, slot, config };
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

  /** The partitions worker `workerId` owns (to reopen after it was restarted). */
  routesOf(workerId: number): Route[] {
    return [...this.routes.values()].filter((r) => r.workerId === workerId);
  }

  partitions(): Array<TopicPartition & { logDir: string; online: boolean }> {
    return [...this.routes.values()].map((r) => ({ topic: r.topic, partition: r.partition, logDir: r.dir.path, online: r.dir.online }));
  }

  /** Appends record batches (hot path). Errors come back as codes in the outcome, never as exceptions. */
  append(topic: string, partition: number, batches: Buffer, replica: boolean, legacyMessageSet = false): Promise<AppendOutcome> {
    const route = this.routes.get(partitionKey(topic, partition));
    if (route === undefined) return Promise.resolve(appendFailure(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `${topic}-${partition} does not exist`));
    if (!route.dir.online) return Promise.resolve(appendFailure(ErrorCode.KAFKA_STORAGE_ERROR, `log dir ${route.dir.path} is offline`));
    return this.workerOf(route.workerId).append(route.slot, batches, replica, legacyMessageSet);
  }

  /** Reads whole batches from `offset` (hot path). */
  fetch(topic: string, partition: number, offset: number, maxBytes: number, replica: boolean, toMagic?: number): Promise<FetchOutcome> {
    const route = this.routes.get(partitionKey(topic, partition));
    if (route === undefined) return Promise.resolve(fetchFailure(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `${topic}-${partition} does not exist`));
    if (!route.dir.online) return Promise.resolve(fetchFailure(ErrorCode.KAFKA_STORAGE_ERROR, `log dir ${route.dir.path} is offline`));
    return this.workerOf(route.workerId).fetch(route.slot, offset, maxBytes, replica, toMagic);
  }

  /** A control-plane call to the worker owning `route`: KAFKA_STORAGE_ERROR in an offline dir, a KafkaError for any failure. */
  async call<T>(route: Route, operation: (worker: WorkerHandle) => Promise<T>): Promise<T> {
    if (!route.dir.online) throw new KafkaError(ErrorCode.KAFKA_STORAGE_ERROR, `log dir ${route.dir.path} is offline`);
    const worker = this.workerOf(route.workerId);
    try {
      return await worker.unlessDead(operation(worker));
    } catch (error) {
      throw kafkaErrorFrom(error) ?? error;
    }
  }
}
