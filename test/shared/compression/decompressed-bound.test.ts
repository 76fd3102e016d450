// Tests of the decompressed-size bound read from codec framing: never below the real size for what the codecs
// write, close to it (within one block per frame), broken framing recognised, and decompressRecordsWithin
// refusing what may exceed its limit.
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Codec, compressRecords, decompressRecordsWithin, DecompressedSizeError } from '../../../src/shared/compression/record-compression.js';
import { decompressedBytesBound, MALFORMED_FRAMING } from '../../../src/shared/compression/decompressed-bound.js';
import { compressSnappy } from '../../../src/shared/compression/snappy.js';
import { seedFor } from '../../helpers/test-seed.js';

/** The largest LZ4 block size (lz4-napi picks 256 KiB or 4 MiB blocks by input size). */
const LZ4_BLOCK_BYTES = 4 * 1024 * 1024;
const ZSTD_BLOCK_BYTES = 128 * 1024;

/** Data that is part repetitive, part random, so every codec uses every kind of block. */
function mixed(seedBytes: Buffer, repeat: number, random: number): Buffer {
  return Buffer.concat([Buffer.alloc(repeat, seedBytes.length > 0 ? seedBytes : 'x'), randomBytes(random), Buffer.alloc(repeat, 'abc')]);
}

describe('decompressedBytesBound', () => {
  it('is at least the real size and at most one block more per frame, for every codec', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 16 }),
        fc.integer({ min: 0, max: 400_000 }),
        fc.integer({ min: 0, max: 200_000 }),
        async (seed, repeat, random) => {
          const data = mixed(Buffer.from(seed), repeat, random);
          const cases: Array<[number, Buffer, number]> = [
            [Codec.SNAPPY, await compressRecords(Codec.SNAPPY, data), 0],
            [Codec.SNAPPY, await compressSnappy(data, false), 0],
            [Codec.LZ4, await compressRecords(Codec.LZ4, data), LZ4_BLOCK_BYTES],
            [Codec.ZSTD, await compressRecords(Codec.ZSTD, data), ZSTD_BLOCK_BYTES],
          ];
          for (const [codec, compressed, slack] of cases) {
            const bound = decompressedBytesBound(codec, compressed);
            expect(bound).toBeGreaterThanOrEqual(data.length);
            expect(bound).toBeLessThanOrEqual(data.length + slack);
          }
        },
      ),
      { numRuns: 25, seed: seedFor('decompressed bound') },
    );
  });

  it('recognises cut and foreign framing', async () => {
    const data = mixed(Buffer.from('record'), 100_000, 1000);
    for (const codec of [Codec.SNAPPY, Codec.LZ4, Codec.ZSTD]) {
      const compressed = await compressRecords(codec, data);
      // Seven bytes of a xerial header are not recognisable as one (they read as a raw snappy length).
      if (codec !== Codec.SNAPPY) expect(decompressedBytesBound(codec, compressed.subarray(0, 7))).toBe(MALFORMED_FRAMING);
      expect(decompressedBytesBound(codec, compressed.subarray(0, compressed.length - 1))).toBe(MALFORMED_FRAMING);
    }
    expect(decompressedBytesBound(Codec.LZ4, await compressRecords(Codec.ZSTD, data))).toBe(MALFORMED_FRAMING);
    expect(decompressedBytesBound(Codec.ZSTD, await compressRecords(Codec.LZ4, data))).toBe(MALFORMED_FRAMING);
    expect(decompressedBytesBound(Codec.SNAPPY, Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff]))).toBe(MALFORMED_FRAMING);
  });

  it('bounds a zstd stream of many tiny compressed blocks by their count, without decompressing', () => {
    // A frame header (single segment, no content size field beyond 1 byte) and 1000 "compressed" blocks of 1 byte.
    const header = Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x20, 0x00]);
    const block = (last: boolean): Buffer => {
      const word = (1 << 3) | (2 << 1) | (last ? 1 : 0);
      return Buffer.from([word & 0xff, (word >> 8) & 0xff, word >> 16, 0]);
    };
    const blocks = Array.from({ length: 1000 }, (_, i) => block(i === 999));
    expect(decompressedBytesBound(Codec.ZSTD, Buffer.concat([header, ...blocks]))).toBe(1000 * ZSTD_BLOCK_BYTES);
  });
});

describe('decompressRecordsWithin', () => {
  it('decompresses within the limit and refuses beyond it before allocating, for every codec', async () => {
    const data = Buffer.alloc(3 * 1024 * 1024, 'zeros compress well ');
    for (const codec of [Codec.GZIP, Codec.SNAPPY, Codec.LZ4, Codec.ZSTD]) {
      const compressed = await compressRecords(codec, data);
      expect((await decompressRecordsWithin(codec, compressed, data.length + LZ4_BLOCK_BYTES)).equals(data)).toBe(true);
      await expect(decompressRecordsWithin(codec, compressed, 1024 * 1024)).rejects.toBeInstanceOf(DecompressedSizeError);
    }
  });

  it('refuses garbage as an error, not a crash', async () => {
    for (const codec of [Codec.GZIP, Codec.SNAPPY, Codec.LZ4, Codec.ZSTD]) {
      await expect(decompressRecordsWithin(codec, randomBytes(300), 1024 * 1024)).rejects.toBeInstanceOf(Error);
    }
  });
});
