// Round trips of every record compression codec, snappy's two forms (xerial-framed, raw) and their byte
// layout, and what the dispatch does with unknown codecs.
import { describe, expect, it } from 'vitest';
import { Codec, compressRecords, decompressRecords } from '../../../src/shared/compression/record-compression.js';
import { compressSnappy, decompressSnappy, isXerialFramed } from '../../../src/shared/compression/snappy.js';

/** Compressible bytes with some variety: 100 kB spans several xerial blocks and lz4 frame blocks. */
function sample(bytes: number): Buffer {
  const out = Buffer.alloc(bytes);
  for (let i = 0; i < bytes; i++) out[i] = (i * 7 + (i >> 9)) % 61;
  return out;
}

describe('record compression', () => {
  for (const [name, codec] of Object.entries(Codec)) {
    for (const size of [0, 1, 4_096, 100_000]) {
      it(`round-trips ${size} bytes with ${name}`, async () => {
        const data = sample(size);
        const compressed = await compressRecords(codec, data);
        if (codec !== Codec.NONE && size >= 4_096) expect(compressed.length).toBeLessThan(size);
        expect((await decompressRecords(codec, compressed)).equals(data)).toBe(true);
      });
    }
  }

  it('writes lz4 as an LZ4 frame and gzip with the gzip magic', async () => {
    expect((await compressRecords(Codec.LZ4, sample(100))).readUInt32LE(0)).toBe(0x184d2204);
    expect([...(await compressRecords(Codec.GZIP, sample(100))).subarray(0, 2)]).toEqual([0x1f, 0x8b]);
    expect((await compressRecords(Codec.ZSTD, sample(100))).readUInt32LE(0)).toBe(0xfd2fb528);
  });

  it('writes snappy in the xerial framing: magic, versions, then length-prefixed blocks of at most 32 KiB', async () => {
    const data = sample(100_000);
    const framed = await compressSnappy(data, true);
    expect(framed.subarray(0, 8).toString('latin1')).toBe('\x82SNAPPY\0');
    expect([framed.readInt32BE(8), framed.readInt32BE(12)]).toEqual([1, 1]);
    let blocks = 0;
    for (let at = 16; at < framed.length; at += 4 + framed.readInt32BE(at)) blocks++;
    expect(blocks).toBe(Math.ceil(100_000 / 32_768));
    expect(isXerialFramed(framed)).toBe(true);
    expect((await decompressSnappy(framed)).equals(data)).toBe(true);
  });

  it('reads raw snappy, and re-encodes in the form it was given', async () => {
    const data = sample(10_000);
    const raw = await compressSnappy(data, false);
    expect(isXerialFramed(raw)).toBe(false);
    expect((await decompressRecords(Codec.SNAPPY, raw)).equals(data)).toBe(true);
    expect(isXerialFramed(await compressRecords(Codec.SNAPPY, data, raw))).toBe(false);
    expect(isXerialFramed(await compressRecords(Codec.SNAPPY, data, await compressSnappy(data, true)))).toBe(true);
  });

  it('rejects a truncated xerial stream and unknown codecs', async () => {
    const framed = await compressSnappy(sample(1_000), true);
    await expect(decompressSnappy(framed.subarray(0, framed.length - 3))).rejects.toThrow(/overruns/);
    await expect(decompressRecords(5, Buffer.alloc(1))).rejects.toThrow(/unknown compression codec 5/);
    await expect(compressRecords(7, Buffer.alloc(1))).rejects.toThrow(/unknown compression codec 7/);
  });
});
