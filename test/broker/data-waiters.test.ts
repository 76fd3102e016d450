// The long-poll purgatory: a fetch wakes when an append lands on one of its partitions, including one that
// landed while the fetch's read was in flight (before it started waiting); other partitions do not wake it. A
// high watermark move wakes consumers' fetches, not followers' (they read up to the log end).
import { describe, expect, it } from 'vitest';
import { DataWaiters } from '../../src/broker/data-waiters.js';

const WANTED = [
  { topic: 't', partition: 0 },
  { topic: 't', partition: 1 },
];

describe('DataWaiters', () => {
  it('wakes a waiting fetch on an append to one of its partitions, not on others', async () => {
    const waiters = new DataWaiters(10);
    const woken = waiters.wait(WANTED, 10_000);
    waiters.notify('t', 7);
    waiters.notify('other', 0);
    expect(waiters.size).toBe(1);
    waiters.notify('t', 1);
    expect(await woken).toBe(true);
    expect(waiters.size).toBe(0);
  });

  it('does not miss an append that landed between the read and the wait', async () => {
    const waiters = new DataWaiters(10);
    const before = waiters.appendsOn(WANTED);
    waiters.notify('t', 0); // the append completes while the fetch's read is still in flight
    expect(waiters.appendsOn(WANTED)).toBe(before + 1);
    expect(await waiters.wait(WANTED, 10_000, before)).toBe(true);
    expect(waiters.size).toBe(0);
    // Nothing new since: it waits (and times out).
    expect(await waiters.wait(WANTED, 20, waiters.appendsOn(WANTED))).toBe(false);
  });

  it('wakes a follower fetch (reading up to the log end) on appends, not on high watermark moves', async () => {
    const waiters = new DataWaiters(10);
    const consumerBefore = waiters.appendsOn(WANTED);
    const followerBefore = waiters.appendsOn(WANTED, 'logEnd');
    const follower = waiters.wait(WANTED, 10_000, followerBefore, 'logEnd');
    const consumer = waiters.wait(WANTED, 10_000, consumerBefore);
    waiters.notifyCommitted('t', 0);
    expect(await consumer).toBe(true);
    expect(waiters.size).toBe(1);
    // A high watermark move that landed during a follower's read does not count for it; an append does.
    expect(waiters.appendsOn(WANTED, 'logEnd')).toBe(followerBefore);
    waiters.notify('t', 1);
    expect(await follower).toBe(true);
    expect(waiters.appendsOn(WANTED, 'logEnd')).toBe(followerBefore + 1);
    expect(waiters.appendsOn(WANTED)).toBe(consumerBefore + 2);
  });
});
