// The controller's rule for one partition's state given which brokers are alive: who leads, at which leader
// epoch, with which ISR — Kafka's controller rules (leader from the ISR in replica order, unclean election only
// when enabled, dead followers out of the ISR, a partition with no live in-sync replica offline with its last
// ISR kept so that replica can lead again when it returns), the elections ElectLeaders asks for, and a leader's
// handover. Pure; the controller (controller.ts) writes what it returns by compare-and-swap. Main thread.
import type { PartitionStateRecord } from './etcd-keys.js';
import type { ElectionType } from './membership.js';

/** No leader: the partition is offline (Kafka's leader -1). */
export const NO_LEADER = -1;

export interface ElectionInput {
  current: PartitionStateRecord;
  /** The assignment, preferred leader first. */
  replicas: readonly number[];
  live: ReadonlySet<number>;
  /** unclean.leader.election.enable: a live replica outside the ISR may lead when no ISR member is live (may lose committed data). */
  uncleanLeaderElection: boolean;
}

const sameMembers = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((id, i) => b[i] === id);

/**
 * The state the partition should have now, or null when it is right as it is. A new leader always comes with
 * the next leader epoch (followers and clients fence the old one by it); an ISR change under the same leader
 * keeps the epoch.
 */
export function nextPartitionState({ current, replicas, live, uncleanLeaderElection }: ElectionInput): PartitionStateRecord | null {
  const liveIsr = current.isr.filter((id) => live.has(id));
  if (current.leader !== NO_LEADER && live.has(current.leader) && current.isr.includes(current.leader)) {
    // The leader lives: only dead followers leave the ISR (the leader itself shrinks it for lagging ones).
    return sameMembers(liveIsr, current.isr) ? null : { leader: current.leader, leaderEpoch: current.leaderEpoch, isr: liveIsr };
  }
  const clean = replicas.find((id) => live.has(id) && current.isr.includes(id));
  if (clean !== undefined) return { leader: clean, leaderEpoch: current.leaderEpoch + 1, isr: liveIsr };
  const unclean = uncleanLeaderElection ? replicas.find((id) => live.has(id)) : undefined;
  if (unclean !== undefined) return { leader: unclean, leaderEpoch: current.leaderEpoch + 1, isr: [unclean] };
  // Offline: the ISR stays as it was, so its members (and only they) can lead again without losing what was committed.
  if (current.leader === NO_LEADER) return null;
  return { leader: NO_LEADER, leaderEpoch: current.leaderEpoch + 1, isr: current.isr };
}

/**
 * Preferred-leader election (ElectLeaders, automatic rebalancing): the first assigned replica leads if it is live
 * and in the ISR and does not lead already; null otherwise.
 */
export function preferredLeaderState(current: PartitionStateRecord, replicas: readonly number[], live: ReadonlySet<number>): PartitionStateRecord | null {
  const preferred = replicas[0];
  if (preferred === undefined || preferred === current.leader || !live.has(preferred) || !current.isr.includes(preferred)) return null;
  return { leader: preferred, leaderEpoch: current.leaderEpoch + 1, isr: current.isr };
}

/** What an asked-for election decides: the next state, or why there is none. */
export type ElectionDecision = { next: PartitionStateRecord } | { next: null; outcome: 'not-needed' | 'not-available' };

/**
 * An election ElectLeaders asks for. Preferred: `preferredLeaderState`. Unclean (Kafka's election type 1): none
 * needed while a live in-sync replica leads; else a live in-sync replica, else any live replica (which may lose
 * committed records), as with unclean.leader.election.enable.
 */
export function electionByRequest(type: ElectionType, current: PartitionStateRecord, replicas: readonly number[], live: ReadonlySet<number>): ElectionDecision {
  if (type === 'preferred') {
    const next = preferredLeaderState(current, replicas, live);
    if (next !== null) return { next };
    // A leader recorded but not live (the controller has not moved it yet) is no reason to skip an election.
    const preferredLeads = current.leader === replicas[0] && live.has(current.leader);
    return { next: null, outcome: preferredLeads ? 'not-needed' : 'not-available' };
  }
  if (current.leader !== NO_LEADER && live.has(current.leader) && current.isr.includes(current.leader)) return { next: null, outcome: 'not-needed' };
  const next = nextPartitionState({ current, replicas, live, uncleanLeaderElection: true });
  return next === null || next.leader === NO_LEADER ? { next: null, outcome: 'not-available' } : { next };
}

/**
 * A leader handing its partition over before it stops leading it (controlled shutdown, a failed log dir): the first
 * other live ISR member in replica order leads at the next epoch and `leaving` leaves the ISR; null when no other
 * live ISR member can take it (the partition goes offline once `leaving` is gone, as without a handover).
 */
export function handOverState(
  current: PartitionStateRecord,
  replicas: readonly number[],
  live: ReadonlySet<number>,
  leaving: number,
): PartitionStateRecord | null {
  if (current.leader !== leaving) return null;
  const next = replicas.find((id) => id !== leaving && live.has(id) && current.isr.includes(id));
  if (next === undefined) return null;
  return { leader: next, leaderEpoch: current.leaderEpoch + 1, isr: current.isr.filter((id) => id !== leaving) };
}
