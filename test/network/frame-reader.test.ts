// Reading frames straight into their buffers: whatever sizes the reads come in (capped by the target the reader
// offers, as a socket's onread reads are), the frames come out whole and in order, a large one in a pooled buffer
// read into directly, small ones and size prefixes through the scratch; a bad size is refused.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BufferPool } from '../../src/buffer-pool.js';
import { FrameReader } from '../../src/network/frame-reader.js';
import { FrameSizeError } from '../../src/network/frame-splitter.js';
import { framed } from '../helpers/size-prefixed.js';
import { seedFor } from '../helpers/test-seed.js';

/** Feeds `stream` to the reader as a socket would: each read fills at most what target() offers (and at most `cap`). */
function readAll(reader: FrameReader, stream: Buffer, caps: number[]): Buffer[] {
  const frames: Buffer[] = [];
  for (let at = 0, i = 0; at < stream.length; i++) {
    const target = reader.target();
    const bytes = Math.min(target.length, caps[i % caps.length]!, stream.length - at);
    stream.copy(target, 0, at, at + bytes);
    at += bytes;
    frames.push(...reader.received(bytes));
  }
  return frames;
}

describe('FrameReader', () => {
  it('yields the same frames however the reads are cut, large ones read into their own pooled buffers', () => {
    const seed = seedFor('frame-reader');
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 300_000 }), { minLength: 1, maxLength: 8 }),
        fc.array(fc.integer({ min: 1, max: 200_000 }), { minLength: 1, maxLength: 20 }),
        (sizes, caps) => {
          const payloads = sizes.map((size, i) => Buffer.alloc(size, (i * 37 + 1) & 0xff));
          const pool = new BufferPool();
          const reader = new FrameReader(1 << 20, 'the test limit', pool);
          const frames = readAll(reader, framed(payloads), caps);
          expect(frames.map((f) => f.length)).toEqual(sizes);
          expect(frames.every((frame, i) => frame.equals(payloads[i]!))).toBe(true);
          for (const frame of frames) pool.release(frame);
        },
      ),
      { seed, numRuns: 60 },
    );
  });

  it('reads a large frame into its own buffer, never past its end', () => {
    const pool = new BufferPool();
    const reader = new FrameReader(1 << 20, 'the test limit', pool);
    const big = Buffer.alloc(500_000, 9);
    const stream = framed([big, Buffer.from('next')]);
    // The first read brings the size and the start of the frame; then the reader offers exactly the rest.
    expect(readAll(reader, stream.subarray(0, 1000), [1000])).toEqual([]);
    expect(reader.target().length).toBe(500_000 - 996);
    const frames = readAll(reader, stream.subarray(1000), [1 << 20]);
    expect(frames.map((f) => f.length)).toEqual([500_000, 4]);
    expect(frames[0]!.equals(big)).toBe(true);
    expect(pool.heldBytesOf(frames[0]!)).toBeGreaterThanOrEqual(500_000);
    expect(frames[1]!.toString()).toBe('next');
  });

  it('refuses a frame larger than its bound', () => {
    const reader = new FrameReader(1000, 'the test limit', new BufferPool());
    const head = Buffer.alloc(4);
    head.writeInt32BE(5000);
    expect(() => readAll(reader, head, [4])).toThrow(FrameSizeError);
    expect(() => readAll(new FrameReader(1000, 'the test limit', new BufferPool()), head, [4])).toThrow(/exceeds the test limit 1000/);
  });
});
