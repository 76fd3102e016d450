// Unit tests of the automatic leader rebalancing rule (src/cluster/leader-imbalance.ts): the imbalance share per
// preferred broker against leader.imbalance.per.broker.percentage, and which partitions may go back.
import { describe, expect, it } from 'vitest';
import { type PlacedPartition, partitionsToRebalance } from '../../src/cluster/leader-imbalance.js';

const live = (...ids: number[]): Set<number> => new Set(ids);
const placed = (partition: number, replicas: number[], leader: number, isr = replicas): PlacedPartition => ({
  topic: 't',
  partition,
  replicas,
  state: { leader, leaderEpoch: 1, isr },
});

describe('partitionsToRebalance', () => {
  it("gives back a broker's partitions once the share led elsewhere is above the percentage", () => {
    // Broker 1 is preferred for 0–3 and leads 0–2: 25 % led elsewhere.
    const partitions = [placed(0, [1, 2], 1), placed(1, [1, 2], 1), placed(2, [1, 2], 1), placed(3, [1, 2], 2), placed(4, [2, 1], 2)];
    expect(partitionsToRebalance(partitions, live(1, 2), 25)).toEqual([]);
    expect(partitionsToRebalance(partitions, live(1, 2), 24)).toEqual([{ topic: 't', partition: 3 }]);
    expect(partitionsToRebalance(partitions, live(1, 2), 0)).toEqual([{ topic: 't', partition: 3 }]);
  });

  it('leaves partitions whose preferred replica is not live or not in the ISR', () => {
    const partitions = [placed(0, [1, 2], 2), placed(1, [1, 2], 2, [2]), placed(2, [3, 2], 2)];
    expect(partitionsToRebalance(partitions, live(1, 2), 10)).toEqual([{ topic: 't', partition: 0 }]);
    expect(partitionsToRebalance(partitions, live(2, 3), 10)).toEqual([{ topic: 't', partition: 2 }]);
  });

  it('does not count a partition without a state yet', () => {
    const fresh: PlacedPartition = { topic: 't', partition: 0, replicas: [1, 2], state: undefined };
    expect(partitionsToRebalance([fresh, placed(1, [1, 2], 1)], live(1, 2), 0)).toEqual([]);
  });
});
