// Kafka's automatic leader rebalancing rule (auto.leader.rebalance.enable): for each live broker, the share of the
// partitions it is the preferred replica of (first in the assignment) that another broker leads; a broker whose
// share is above leader.imbalance.per.broker.percentage gets back those of them it can lead (live and in the ISR).
// Pure; the controller (controller.ts) runs it every leader.imbalance.check.interval.seconds and elects the
// partitions it returns. Main thread.
import type { PartitionStateRecord } from './etcd-keys.js';
import type { PartitionRef } from './membership.js';
import { preferredLeaderState } from './partition-election.js';

/** One partition as the controller sees it: its assignment (preferred replica first) and its state, if it has one yet. */
export interface PlacedPartition extends PartitionRef {
  replicas: readonly number[];
  state: PartitionStateRecord | undefined;
}

/** The partitions to give back to their preferred replica, broker by broker (ascending node id). */
export function partitionsToRebalance(partitions: Iterable<PlacedPartition>, live: ReadonlySet<number>, imbalancePercentage: number): PartitionRef[] {
  const byPreferred = new Map<number, PlacedPartition[]>();
  for (const placed of partitions) {
    const preferred = placed.replicas[0];
    if (preferred === undefined || !live.has(preferred)) continue;
    const list = byPreferred.get(preferred) ?? [];
    list.push(placed);
    byPreferred.set(preferred, list);
  }
  const wanted: PartitionRef[] = [];
  for (const [broker, preferredHere] of [...byPreferred].sort(([a], [b]) => a - b)) {
    // A partition with no state yet is not led elsewhere: it does not count against its preferred replica.
    const ledElsewhere = preferredHere.filter((p) => p.state !== undefined && p.state.leader !== broker);
    if (ledElsewhere.length * 100 <= imbalancePercentage * preferredHere.length) continue;
    for (const { topic, partition, replicas, state } of ledElsewhere) {
      if (preferredLeaderState(state!, replicas, live) !== null) wanted.push({ topic, partition });
    }
  }
  return wanted;
}
