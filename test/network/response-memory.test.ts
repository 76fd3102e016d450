// The response memory's accounting: a connection holding nothing may take a whole response, one holding
// more than its limit waits until it gives some back, the broker-wide budget grants what it has left,
// and a closed connection's waiting responses are granted nothing.
import { describe, expect, it } from 'vitest';
import { ResponseMemoryBudget } from '../../src/network/response-memory.js';

const KIB = 1024;

describe('response memory', () => {
  it('grants a connection holding nothing a whole response, even beyond its limit', async () => {
    const budget = new ResponseMemoryBudget(1024 * KIB);
    const connection = budget.account(64 * KIB);
    expect(await connection.grant(300 * KIB)).toBe(300 * KIB);
    expect(connection.heldBytes).toBe(300 * KIB);
    expect(budget.heldBytes).toBe(300 * KIB);
  });

  it('makes a connection over its limit wait until it gives memory back', async () => {
    const budget = new ResponseMemoryBudget(1024 * KIB);
    const connection = budget.account(64 * KIB);
    connection.hold(60 * KIB);
    let granted: number | null = null;
    const waiting = connection.grant(10 * KIB).then((bytes) => (granted = bytes));
    await Promise.resolve();
    expect(granted).toBeNull();
    connection.release(50 * KIB);
    await waiting;
    expect(granted).toBe(10 * KIB);
    expect(connection.heldBytes).toBe(20 * KIB);
  });

  it('grants only what the broker-wide budget has left, shared by every connection', async () => {
    const budget = new ResponseMemoryBudget(100 * KIB);
    const [a, b] = [budget.account(1024 * KIB), budget.account(1024 * KIB)];
    expect(await a.grant(70 * KIB)).toBe(70 * KIB);
    expect(await b.grant(70 * KIB)).toBe(30 * KIB);
    expect(await b.grant(1)).toBe(0);
    expect(b.tryHold(1)).toBe(false);
    a.release(70 * KIB);
    expect(b.tryHold(70 * KIB)).toBe(true);
    expect(budget.availableBytes).toBe(0);
  });

  it('grants nothing to a response still waiting when its connection closes', async () => {
    const budget = new ResponseMemoryBudget(1024 * KIB);
    const connection = budget.account(64 * KIB);
    connection.hold(64 * KIB);
    const waiting = connection.grant(KIB);
    connection.close();
    expect(await waiting).toBe(0);
    connection.release(64 * KIB);
    expect(budget.heldBytes).toBe(0);
    expect(() => connection.release(1)).toThrow(/more than it held/);
  });
});
