// A partition leader's own ISR change (a follower left the ISR or rejoined it), written to etcd before the leader
// applies it: a compare-and-swap of the partition state at the revision this broker last saw, guarded by the
// broker's registration (a broker whose lease is gone writes nothing), and only while that state names this
// broker the leader. It resolves once this broker's view holds the write; otherwise it rejects and the leader
// keeps its ISR. The replica manager's onIsrChange in a cluster. Main thread.
import type { Namespace } from 'etcd3';
import type { ClusterStateView } from './cluster-state-view.js';
import { swapPartitionState } from './cluster-state-writes.js';
import type { Fence } from './fence.js';

export class IsrWriteRefused extends Error {}

export async function writeLeaderIsr(
  ns: Namespace,
  view: ClusterStateView,
  registration: Fence | null,
  nodeId: number,
  topic: string,
  partition: number,
  nextIsr: readonly number[],
): Promise<void> {
  if (registration === null) throw new IsrWriteRefused(`${topic}-${partition}: this broker is not registered in etcd`);
  const known = view.partition(topic, partition);
  if (known === undefined || known.value.leader !== nodeId) {
    throw new IsrWriteRefused(`${topic}-${partition}: the cluster state does not name broker ${nodeId} its leader`);
  }
  if (!nextIsr.includes(nodeId)) throw new IsrWriteRefused(`${topic}-${partition}: a leader stays in its own ISR`);
  const result = await swapPartitionState(ns, registration, topic, partition, known.modRevision, { ...known.value, isr: [...nextIsr] });
  if (!result.ok) throw new IsrWriteRefused(`${topic}-${partition}: ISR not written (${result.reason})`);
  await view.waitForRevision(result.revision);
}
