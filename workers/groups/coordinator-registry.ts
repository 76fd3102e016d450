// The group coordinators of one worker: one per __consumer_offsets partition it owns, created (and
// loaded by replay) when the partition opens (in a cluster: when this broker starts leading it), closed when it
// closes, moves, is deleted or (in a cluster) is led elsewhere; routes each
// group operation from the main thread to the right one. Runs in a partition worker.
import { ErrorCode, KafkaError } from '../../src/shared/kafka-error-codes.js';
import {
  type GroupOperation,
  type GroupOperationRequest,
  type GroupOperationResult,
  type GroupOperations,
  type GroupSettings,
  OFFSETS_TOPIC,
} from '../../src/shared/group-protocol.js';
import type { PartitionLog } from '../log/partition-log.js';
import type { OwnedPartition } from '../partition-table.js';
import { systemClock, type GroupClock } from './group-clock.js';
import { type CoordinatorLog, GroupCoordinator } from './group-coordinator.js';

export class CoordinatorRegistry {
  private readonly bySlot = new Map<number, GroupCoordinator>();

  constructor(
    private readonly settings: GroupSettings,
    private readonly report: CoordinatorLog,
    private readonly clock: GroupClock = systemClock,
  ) {}

  /** Called for every partition the worker opens; only __consumer_offsets partitions get a coordinator (in a cluster, once led: start()). */
  opened(owned: OwnedPartition, log: PartitionLog): void {
    if (this.settings.coordinateOnOpen) this.start(owned, log);
  }

  /** A coordinator for a __consumer_offsets partition, loaded from its log now (replacing any it had). */
  start(owned: OwnedPartition, log: PartitionLog): void {
    if (owned.topic !== OFFSETS_TOPIC) return;
    this.closed(owned.slot);
    const coordinator = new GroupCoordinator(log, this.settings, this.clock, this.report);
    const startedMs = Date.now();
    coordinator.load();
    this.bySlot.set(owned.slot, coordinator);
    const groups = coordinator.list().length;
    if (groups > 0) this.report('info', `loaded ${groups} groups from ${owned.topic}-${owned.partition} in ${Date.now() - startedMs} ms`);
  }

  closed(slot: number): void {
    this.bySlot.get(slot)?.close();
    this.bySlot.delete(slot);
  }

  closeAll(): void {
    for (const slot of [...this.bySlot.keys()]) this.closed(slot);
  }

  call<K extends GroupOperation>(slot: number, operation: K, request: GroupOperationRequest<K>): GroupOperationResult<K> | Promise<GroupOperationResult<K>> {
    const coordinator = this.bySlot.get(slot);
    if (coordinator === undefined) throw new KafkaError(ErrorCode.NOT_COORDINATOR, `no group coordinator for slot ${slot} on this worker`);
    const method = coordinator[operation] as (this: GroupOperations, r: GroupOperationRequest<K>) => GroupOperationResult<K> | Promise<GroupOperationResult<K>>;
    return method.call(coordinator, request);
  }
}
