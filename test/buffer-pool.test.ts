// The main thread's pool of large buffers: exact lengths, reuse of released buffers by size class, a
// second release and foreign buffers ignored (so two fetches never share memory), small sizes unpooled.
import { describe, expect, it } from 'vitest';
import { BufferPool } from '../src/buffer-pool.js';

describe('BufferPool', () => {
  it('hands out exact lengths and reuses a released backing buffer of the same size class', () => {
    const pool = new BufferPool();
    const first = pool.take(100_000);
    expect(first.length).toBe(100_000);
    pool.release(first);
    const second = pool.take(120_000);
    expect(second.length).toBe(120_000);
    expect(second.buffer).toBe(first.buffer);
    const third = pool.take(120_000);
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
