// The controller's per-partition rules: leader from the ISR in replica order with the next epoch, dead followers
// out of the ISR under the same epoch, offline with the last ISR kept, unclean election only when enabled, and
// preferred-leader election. Pure functions.
import { describe, expect, it } from 'vitest';
import { electionByRequest, NO_LEADER, nextPartitionState, preferredLeaderState } from '../../src/cluster/partition-election.js';

const live = (...ids: number[]): Set<number> => new Set(ids);

describe('nextPartitionState', () => {
  it('changes nothing while the leader and every ISR member live', () => {
    expect(
      nextPartitionState({ current: { leader: 1, leaderEpoch: 3, isr: [1, 2, 3] }, replicas: [1, 2, 3], live: live(1, 2, 3), uncleanLeaderElection: false }),
    ).toBeNull();
  });

  it('takes a dead follower out of the ISR and keeps the leader epoch', () => {
    expect(
      nextPartitionState({ current: { leader: 1, leaderEpoch: 3, isr: [1, 2, 3] }, replicas: [1, 2, 3], live: live(1, 3), uncleanLeaderElection: false }),
    ).toEqual({
      leader: 1,
      leaderEpoch: 3,
      isr: [1, 3],
    });
  });

  it('elects the first live ISR member in replica order when the leader dies, at the next epoch', () => {
    expect(
      nextPartitionState({ current: { leader: 1, leaderEpoch: 3, isr: [3, 1, 2] }, replicas: [1, 2, 3], live: live(2, 3), uncleanLeaderElection: false }),
    ).toEqual({
      leader: 2,
      leaderEpoch: 4,
      isr: [3, 2],
    });
  });

  it('never elects a live replica outside the ISR unless unclean election is enabled', () => {
    const current = { leader: 1, leaderEpoch: 5, isr: [1] };
    expect(nextPartitionState({ current, replicas: [1, 2], live: live(2), uncleanLeaderElection: false })).toEqual({
      leader: NO_LEADER,
      leaderEpoch: 6,
      isr: [1],
    });
    expect(nextPartitionState({ current, replicas: [1, 2], live: live(2), uncleanLeaderElection: true })).toEqual({ leader: 2, leaderEpoch: 6, isr: [2] });
  });

  it('keeps an offline partition offline until an ISR member returns, which then leads', () => {
    const offline = { leader: NO_LEADER, leaderEpoch: 6, isr: [1] };
    expect(nextPartitionState({ current: offline, replicas: [1, 2], live: live(2), uncleanLeaderElection: false })).toBeNull();
    expect(nextPartitionState({ current: offline, replicas: [1, 2], live: live(1, 2), uncleanLeaderElection: false })).toEqual({
      leader: 1,
      leaderEpoch: 7,
      isr: [1],
    });
  });
});

describe('preferredLeaderState', () => {
  it('moves leadership to the first replica when it is live and in sync', () => {
    expect(preferredLeaderState({ leader: 2, leaderEpoch: 4, isr: [2, 1] }, [1, 2], live(1, 2))).toEqual({ leader: 1, leaderEpoch: 5, isr: [2, 1] });
  });

  it('leaves the partition when the preferred replica leads already, is dead or is out of sync', () => {
    expect(preferredLeaderState({ leader: 1, leaderEpoch: 4, isr: [1, 2] }, [1, 2], live(1, 2))).toBeNull();
    expect(preferredLeaderState({ leader: 2, leaderEpoch: 4, isr: [2, 1] }, [1, 2], live(2))).toBeNull();
    expect(preferredLeaderState({ leader: 2, leaderEpoch: 4, isr: [2] }, [1, 2], live(1, 2))).toBeNull();
  });
});

describe('electionByRequest', () => {
  it('preferred: the preferred replica, not needed when it leads, not available when out of the ISR', () => {
    expect(electionByRequest('preferred', { leader: 2, leaderEpoch: 4, isr: [2, 1] }, [1, 2], live(1, 2))).toEqual({
      next: { leader: 1, leaderEpoch: 5, isr: [2, 1] },
    });
    expect(electionByRequest('preferred', { leader: 1, leaderEpoch: 4, isr: [1, 2] }, [1, 2], live(1, 2))).toEqual({ next: null, outcome: 'not-needed' });
    expect(electionByRequest('preferred', { leader: 2, leaderEpoch: 4, isr: [2] }, [1, 2], live(1, 2))).toEqual({ next: null, outcome: 'not-available' });
    // Its preferred replica is the recorded leader but is not live: not available, not "not needed".
    expect(electionByRequest('preferred', { leader: 1, leaderEpoch: 4, isr: [1] }, [1, 2], live(2))).toEqual({ next: null, outcome: 'not-available' });
  });

  it('unclean: not needed under a live in-sync leader; else a live replica, out of the ISR if it must be', () => {
    expect(electionByRequest('unclean', { leader: 2, leaderEpoch: 4, isr: [2] }, [1, 2], live(1, 2))).toEqual({ next: null, outcome: 'not-needed' });
    expect(electionByRequest('unclean', { leader: NO_LEADER, leaderEpoch: 5, isr: [2] }, [1, 2], live(1))).toEqual({
      next: { leader: 1, leaderEpoch: 6, isr: [1] },
    });
    expect(electionByRequest('unclean', { leader: NO_LEADER, leaderEpoch: 5, isr: [2] }, [1, 2], live(1, 2))).toEqual({
      next: { leader: 2, leaderEpoch: 6, isr: [2] },
    });
    expect(electionByRequest('unclean', { leader: NO_LEADER, leaderEpoch: 5, isr: [2] }, [1, 2], live())).toEqual({ next: null, outcome: 'not-available' });
  });
});
