// Frame splitting of a byte stream: any chunking gives the same frames, joined by concatenation or into pooled
// buffers the caller gives back; bad sizes are refused.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BufferPool } from '../../src/buffer-pool.js';
import { FrameSizeError, FrameSplitter } from '../../src/network/frame-splitter.js';
import { framed } from '../helpers/size-prefixed.js';
import { seedFor } from '../helpers/test-seed.js';

describe('FrameSplitter', () => {
  it.each([
    ['joined by concatenation', () => null],
    ['joined into pooled buffers', () => new BufferPool()],
  ])('yields the same frames however the stream is cut, %s', (_name, poolOf) => {
    const seed = seedFor('frame-splitter');
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ minLength: 1, maxLength: 300 }), { minLength: 1, maxLength: 20 }),
        fc.array(fc.integer({ min: 1, max: 97 }), { minLength: 1, maxLength: 50 }),
        (payloads, cuts) => {
          const stream = framed(payloads.map((p) => Buffer.from(p)));
          const splitter = new FrameSplitter(1000, undefined, poolOf());
          const frames: Buffer[] = [];
          for (let at = 0, i = 0; at < stream.length; i++) {
            const step = cuts[i % cuts.length]!;
            frames.push(...splitter.push(stream.subarray(at, at + step)));
            at += step;
          }
          expect(frames.map((f) => [...f])).toEqual(payloads.map((p) => [...p]));
          expect(splitter.pendingBytes).toBe(0);
        },
      ),
      { seed, numRuns: 200 },
    );
  });

  it('joins a large frame into a pooled buffer that comes back for the next one', () => {
    const pool = new BufferPool();
    const splitter = new FrameSplitter(1 << 20, undefined, pool);
    const first = Buffer.alloc(200_000, 1);
    const second = Buffer.alloc(200_000, 2);
    const stream = framed([first, second]);
    const cut = 100_000;
    expect(splitter.push(stream.subarray(0, cut))).toEqual([]);
    const [frame] = splitter.push(stream.subarray(cut, cut + 150_000));
    expect(frame!.equals(first)).toBe(true);
    expect(pool.heldBytesOf(frame!)).toBeGreaterThanOrEqual(first.length);
    pool.release(frame!);
    const [next] = splitter.push(stream.subarray(cut + 150_000));
    expect(next!.equals(second)).toBe(true);
    expect(next!.buffer).toBe(frame!.buffer);
    expect(splitter.pendingBytes).toBe(0);
  });

  it('refuses negative, empty and oversized frames', () => {
    for (const size of [-1, 0, 1001]) {
      const head = Buffer.alloc(4);
      head.writeInt32BE(size);
      expect(() => new FrameSplitter(1000).push(head)).toThrow(FrameSizeError);
    }
    expect(() => new FrameSplitter(1000).push(Buffer.from([0x7f, 0xff, 0xff, 0xff]))).toThrow(/exceeds socket.request.max.bytes 1000/);
  });
});
