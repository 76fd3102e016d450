// The range assignor against Kafka's RangeAssignor behaviour, and the consumer protocol's bytes.
import { describe, expect, it } from 'vitest';
import { decodeAssignment, decodeSubscription, encodeAssignment, encodeSubscription } from '../../src/shared/consumer-protocol.js';
import { assignRange } from '../../src/client/range-assignor.js';

const member = (memberId: string, topics: string[], groupInstanceId: string | null = null) => ({ memberId, groupInstanceId, topics });

describe('assignRange', () => {
  it('gives consecutive ranges in member-id order, the first ones an extra partition', () => {
    const result = assignRange([member('b', ['t']), member('a', ['t']), member('c', ['t'])], new Map([['t', 7]]));
    expect(result.get('a')!.get('t')).toEqual([0, 1, 2]);
    expect(result.get('b')!.get('t')).toEqual([3, 4]);
    expect(result.get('c')!.get('t')).toEqual([5, 6]);
  });

  it('assigns each topic among its own subscribers only; extra members get nothing', () => {
    const result = assignRange(
      [member('a', ['t', 'u']), member('b', ['t']), member('c', ['t'])],
      new Map([
        ['t', 2],
        ['u', 3],
      ]),
    );
    expect(result.get('a')).toEqual(
      new Map([
        ['t', [0]],
        ['u', [0, 1, 2]],
      ]),
    );
    expect(result.get('b')).toEqual(new Map([['t', [1]]]));
    expect(result.get('c')).toEqual(new Map());
  });

  it('orders static members by group instance id', () => {
    const result = assignRange([member('m1', ['t'], 'z'), member('m2', ['t'], 'a')], new Map([['t', 2]]));
    expect(result.get('m2')!.get('t')).toEqual([0]);
    expect(result.get('m1')!.get('t')).toEqual([1]);
  });
});

describe('consumer protocol bytes', () => {
  it('round-trips a subscription and an assignment (v0)', () => {
    const subscription = encodeSubscription(['orders', 'payments']);
    expect(subscription.readInt16BE(0)).toBe(0);
    expect(decodeSubscription(subscription).topics).toEqual(['orders', 'payments']);
    const assignment = new Map([
      ['orders', [0, 2]],
      ['payments', [1]],
    ]);
    expect(decodeAssignment(encodeAssignment(assignment))).toEqual(assignment);
  });

  it('reads a newer subscription version as the fields it knows (trailing fields ignored)', () => {
    // v3: topics ["t"] · userData null · ownedPartitions [] · generationId 5 · rackId null · a future field
    const v3 = Buffer.concat([
      Buffer.from([0, 3, 0, 0, 0, 1, 0, 1]),
      Buffer.from('t'),
      Buffer.from([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 5, 0xff, 0xff]),
    ]);
    expect(decodeSubscription(v3).topics).toEqual(['t']);
    expect(() => decodeSubscription(Buffer.from([9, 9, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff]))).toThrow(/truncated/);
  });

  it('reads an empty assignment (a member left without partitions) as none', () => {
    expect(decodeAssignment(new Uint8Array(0))).toEqual(new Map());
  });
});
