// The main thread's pool of large buffers: exact lengths, reuse of released buffers by size class (classes a
// quarter apart), a bounded total of free buffers with the classes in use kept, a second release and foreign
// buffers ignored (so two fetches never share memory), small sizes unpooled.
import { describe, expect, it } from 'vitest';
import { BufferPool } from '../src/buffer-pool.js';

describe('BufferPool', () => {
  it('hands out exact lengths and reuses a released backing buffer of the same size class', () => {
    const pool = new BufferPool();
    const first = pool.take(100_000);
    expect(first.length).toBe(100_000);
    pool.release(first);
    const second = pool.take(110_000);
    expect(second.length).toBe(110_000);
    expect(second.buffer).toBe(first.buffer);
    const third = pool.take(110_000);
    expect(third.buffer).not.toBe(second.buffer);
  });

  it('ignores a second release and buffers it did not lend, so no two live buffers share memory', () => {
    const pool = new BufferPool();
    const taken = pool.take(200_000);
    pool.release(taken);
    pool.release(taken);
    pool.release(Buffer.alloc(200_000));
    const a = pool.take(200_000);
    const b = pool.take(200_000);
    expect(a.buffer).not.toBe(b.buffer);
  });

  it('keeps size classes a quarter apart and a bounded total of free buffers, the classes in use now first', () => {
    const pool = new BufferPool();
    const mib = 1024 * 1024;
    // 10 MiB is a class of its own (2^23 x 1.25): a 10 MiB fetch does not hold 16 MiB.
    expect(pool.heldBytesOf(pool.take(10 * mib))).toBe(10 * mib);
    expect(pool.heldBytesOf(pool.take(10 * mib + 1))).toBe(12 * mib);
    // 128 MiB of free 2 MiB buffers, then 8 MiB ones released: the 8 MiB ones are kept, 2 MiB ones make room.
    const small = Array.from({ length: 64 }, () => pool.take(2 * mib));
    for (const b of small) pool.release(b);
    const large = Array.from({ length: 4 }, () => pool.take(8 * mib));
    for (const b of large) pool.release(b);
    const again = Array.from({ length: 4 }, () => pool.take(8 * mib));
    expect(new Set(again.map((b) => b.buffer))).toEqual(new Set(large.map((b) => b.buffer)));
    const reused = Array.from({ length: 64 }, () => pool.take(2 * mib)).filter((b) => small.some((s) => s.buffer === b.buffer));
    expect(reused.length).toBe(64 - 16);
  });

  it("leaves small fetches to Node's own allocator: a released small buffer is never handed out again", () => {
    const pool = new BufferPool();
    const small = pool.take(1000);
    small.fill(7);
    pool.release(small);
    const next = pool.take(1000);
    next.fill(9);
    expect(small.every((b) => b === 7)).toBe(true);
  });
});
