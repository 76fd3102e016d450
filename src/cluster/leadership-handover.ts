// A broker handing the partitions it leads to other in-sync replicas before it stops leading them: on SIGTERM
// (controlled shutdown, so clients find a caught-up leader at once instead of waiting for the lease to expire) and
// when a log dir fails (its partitions here are offline). Each handover (partition-election.ts handOverState) is a
// compare-and-swap guarded by this broker's registration, as the controller's changes are guarded by its term; a
// partition whose state changed meanwhile is decided again from the state found. Main thread.
import type { Namespace } from 'etcd3';
import type { Logger } from 'pino';
import type { ClusterStateView } from './cluster-state-view.js';
import { swapPartitionState } from './cluster-state-writes.js';
import type { PartitionStateRecord } from './etcd-keys.js';
import type { Fence } from './fence.js';
import { handOverState } from './partition-election.js';

/** Compare-and-swap attempts on one partition before it is left as it is. */
const SWAP_ATTEMPTS = 3;

export interface HandoverInputs {
  ns: Namespace;
  view: ClusterStateView;
  fence: Fence | null;
  nodeId: number;
  live: ReadonlySet<number>;
  logger: Logger;
}

/** Hands over every partition led here that `wanted` selects; resolves with how many moved, once the view holds the writes. */
export async function handOverLeadership(inputs: HandoverInputs, wanted: (topic: string, partition: number) => boolean): Promise<number> {
  const { ns, view, fence, nodeId, live, logger } = inputs;
  if (fence === null) return 0;
  let moved = 0;
  let lastRevision = 0n;
  for (const [key, state] of [...view.partitions]) {
    const slash = key.lastIndexOf('/');
    const [topic, partition] = [key.slice(0, slash), Number(key.slice(slash + 1))];
    if (state.value.leader !== nodeId || !wanted(topic, partition)) continue;
    const replicas = view.assignments.get(topic)?.value.replicas[partition] ?? state.value.isr;
    let known: { value: PartitionStateRecord; modRevision: bigint } | null = state;
    for (let attempt = 0; attempt < SWAP_ATTEMPTS && known !== null; attempt++) {
      const next = handOverState(known.value, replicas, live, nodeId);
      if (next === null) break;
      const result = await swapPartitionState(ns, fence, topic, partition, known.modRevision, next);
      if (result.ok) {
        moved++;
        if (result.revision > lastRevision) lastRevision = result.revision;
        logger.info({ topic, partition, leader: next.leader, leaderEpoch: next.leaderEpoch, isr: next.isr }, 'partition handed over');
        break;
      }
      if (result.reason !== 'conflict') return moved;
      known = result.current;
    }
  }
  if (lastRevision > 0n) await view.waitForRevision(lastRevision);
  return moved;
}
