// Frame splitting of a byte stream: any chunking gives the same frames; bad sizes are refused.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FrameSizeError, FrameSplitter } from '../../src/network/frame-splitter.js';
import { seedFor } from '../helpers/test-seed.js';

function framed(payloads: Buffer[]): Buffer {
  return Buffer.concat(payloads.flatMap((p) => [sizeOf(p), p]));
}

function sizeOf(payload: Buffer): Buffer {
  const size = Buffer.alloc(4);
  size.writeInt32BE(payload.length);
  return size;
}

describe('FrameSplitter', () => {
  it('yields the same frames however the stream is cut', () => {
    const seed = seedFor('frame-splitter');
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ minLength: 1, maxLength: 300 }), { minLength: 1, maxLength: 20 }),
        fc.array(fc.integer({ min: 1, max: 97 }), { minLength: 1, maxLength: 50 }),
        (payloads, cuts) => {
          const stream = framed(payloads.map((p) => Buffer.from(p)));
          const splitter = new FrameSplitter(1000);
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

  it('refuses negative, empty and oversized frames', () => {
    for (const size of [-1, 0, 1001]) {
      const head = Buffer.alloc(4);
      head.writeInt32BE(size);
      expect(() => new FrameSplitter(1000).push(head)).toThrow(FrameSizeError);
    }
    expect(() => new FrameSplitter(1000).push(Buffer.from([0x7f, 0xff, 0xff, 0xff]))).toThrow(/exceeds socket.request.max.bytes 1000/);
  });
});
