// Replica assignment (pure): leaders spread round-robin, followers shifted so replica pairs vary, every broker
// leads and follows evenly, racks are spread when set, and impossible requests are refused with Kafka's reasons.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type AssignableBroker, AssignmentError, assignReplicas, rackAlternated } from '../../src/cluster/replica-assignment.js';

const brokers = (ids: number[], rackOf: (id: number) => string | null = () => null): AssignableBroker[] =>
  ids.map((nodeId) => ({ nodeId, rack: rackOf(nodeId) }));

describe('replica assignment', () => {
  it("matches Kafka's pattern for 5 brokers, 10 partitions, RF 3 (start 0, shift 0)", () => {
    // Leaders go 0..4 round-robin; followers sit at shift 1, 2 from the leader, then 2, 3 after the first wrap.
    expect(assignReplicas(brokers([0, 1, 2, 3, 4]), { partitionCount: 10, replicationFactor: 3, startIndex: 0, replicaShift: 0 })).toEqual([
      [0, 1, 2],
      [1, 2, 3],
      [2, 3, 4],
      [3, 4, 0],
      [4, 0, 1],
      [0, 2, 3],
      [1, 3, 4],
      [2, 4, 0],
      [3, 0, 1],
      [4, 1, 2],
    ]);
  });

  it('sorts broker ids, honours the start index, and continues the pattern for added partitions', () => {
    const all = assignReplicas(brokers([30, 10, 20]), { partitionCount: 6, replicationFactor: 2, startIndex: 1, replicaShift: 1 });
    expect(all.map((r) => r[0])).toEqual([20, 30, 10, 20, 30, 10]);
    const added = assignReplicas(brokers([10, 20, 30]), { partitionCount: 2, replicationFactor: 2, startIndex: 1, replicaShift: 1, firstPartition: 4 });
    expect(added).toEqual(all.slice(4));
  });

  it('spreads leadership and replicas evenly and never repeats a broker in one partition (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 5 }), fc.nat(100), fc.nat(100), (brokerCount, rounds, start, shift) => {
        const ids = Array.from({ length: brokerCount }, (_, i) => i + 1);
        const replicationFactor = Math.min(3, brokerCount);
        const partitionCount = brokerCount * rounds;
        const result = assignReplicas(brokers(ids), { partitionCount, replicationFactor, startIndex: start % brokerCount, replicaShift: shift % brokerCount });
        const leads = new Map<number, number>();
        const holds = new Map<number, number>();
        for (const replicas of result) {
          expect(new Set(replicas).size).toBe(replicationFactor);
          leads.set(replicas[0]!, (leads.get(replicas[0]!) ?? 0) + 1);
          for (const id of replicas) holds.set(id, (holds.get(id) ?? 0) + 1);
        }
        for (const id of ids) {
          expect(leads.get(id)).toBe(rounds);
          expect(holds.get(id)).toBe(rounds * replicationFactor);
        }
      }),
    );
  });

  it('lists brokers alternating between racks', () => {
    const rackOf = (id: number) => (id <= 2 ? 'a' : id <= 4 ? 'b' : 'c');
    expect(rackAlternated(brokers([1, 2, 3, 4, 5], rackOf))).toEqual([1, 3, 5, 2, 4]);
  });

  it('puts each partition on as many racks as it can', () => {
    const rackOf = (id: number) => ['east', 'west', 'north'][id % 3]!;
    const ids = [1, 2, 3, 4, 5, 6, 7, 8, 9];
    for (let start = 0; start < ids.length; start++) {
      const result = assignReplicas(brokers(ids, rackOf), { partitionCount: 18, replicationFactor: 3, startIndex: start, replicaShift: start });
      for (const replicas of result) {
        expect(new Set(replicas).size).toBe(3);
        expect(new Set(replicas.map(rackOf)).size).toBe(3);
      }
      // Every broker leads the same number of partitions.
      const leaders = result.map((r) => r[0]!);
      for (const id of ids) expect(leaders.filter((l) => l === id)).toHaveLength(2);
    }
  });

  it('uses a rack twice only once every rack has a replica', () => {
    const rackOf = (id: number) => (id % 2 === 0 ? 'even' : 'odd');
    const result = assignReplicas(brokers([1, 2, 3, 4], rackOf), { partitionCount: 8, replicationFactor: 3, startIndex: 0, replicaShift: 0 });
    for (const replicas of result) {
      expect(new Set(replicas).size).toBe(3);
      expect(new Set(replicas.slice(0, 2).map(rackOf)).size).toBe(2);
    }
  });

  it('refuses what cannot be met', () => {
    const refusal = (f: () => unknown) => {
      try {
        f();
      } catch (error) {
        expect(error).toBeInstanceOf(AssignmentError);
        return (error as AssignmentError).kind;
      }
      throw new Error('accepted');
    };
    expect(refusal(() => assignReplicas(brokers([1, 2]), { partitionCount: 1, replicationFactor: 3 }))).toBe('replication-factor');
    expect(refusal(() => assignReplicas(brokers([1, 2]), { partitionCount: 0, replicationFactor: 1 }))).toBe('partitions');
    expect(
      refusal(() =>
        assignReplicas(
          brokers([1, 2], (id) => (id === 1 ? 'a' : null)),
          { partitionCount: 1, replicationFactor: 1 },
        ),
      ),
    ).toBe('racks');
  });
});
