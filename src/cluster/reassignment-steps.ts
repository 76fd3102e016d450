// Kafka's partition reassignment (KIP-455) as the controller steps it, one rule per call: first the assignment
// widens to the target replicas plus the current ones (the new ones start following and catch up); once every
// target replica is in the ISR the reassignment completes — the assignment becomes the target, the ISR keeps only
// target replicas, and a leader outside the target hands over to an in-sync target replica at the next epoch.
// Pure; reassignment-pass.ts writes what it returns. Main thread.
import type { PartitionStateRecord, ReassignmentRecord } from './etcd-keys.js';
import { NO_LEADER } from './partition-election.js';

export type ReassignmentStep =
  /** The partition's replicas while it moves: the target (preferred leader first) and then the ones it leaves. */
  | { kind: 'widen'; replicas: number[] }
  | { kind: 'complete'; replicas: number[]; state: PartitionStateRecord }
  /** A target replica is still catching up (or no live target replica can lead yet). */
  | { kind: 'wait' };

export function nextReassignmentStep(
  record: ReassignmentRecord,
  replicas: readonly number[],
  state: PartitionStateRecord | null,
  live: ReadonlySet<number>,
): ReassignmentStep {
  const { target } = record;
  if (!target.every((id) => replicas.includes(id))) return { kind: 'widen', replicas: [...target, ...replicas.filter((id) => !target.includes(id))] };
  if (state === null || !target.every((id) => state.isr.includes(id))) return { kind: 'wait' };
  const isr = state.isr.filter((id) => target.includes(id));
  if (target.includes(state.leader)) return { kind: 'complete', replicas: [...target], state: { leader: state.leader, leaderEpoch: state.leaderEpoch, isr } };
  const leader = target.find((id) => isr.includes(id) && live.has(id)) ?? NO_LEADER;
  if (leader === NO_LEADER) return { kind: 'wait' };
  return { kind: 'complete', replicas: [...target], state: { leader, leaderEpoch: state.leaderEpoch + 1, isr } };
}
