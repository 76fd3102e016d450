// The old-format converters against a simple model: random messages of magic 0/1, uncompressed or in a wrapper
// of each codec, converted up to a record batch and back down to either magic give back the same keys, values
// and timestamps; a byte flipped anywhere either is refused with CORRUPT_MESSAGE / INVALID_RECORD or (offset
// fields, which the broker ignores) still converts; the lz4 header checksum of magic 0 is Kafka's. Seeds printed.
import { crc32 } from '@node-rs/crc32';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { breakHeaderChecksum, withStandardHeaderChecksum } from '../../../src/shared/compression/lz4-legacy-checksum.js';
import { compressLz4 } from '../../../src/shared/compression/lz4.js';
import { Codec } from '../../../src/shared/compression/record-compression.js';
import { ErrorCode } from '../../../src/shared/kafka-error-codes.js';
import { buildMessageSet, crc32Of, type OldFormatMessage, wrapMessageSet } from '../../../src/shared/legacy-message.js';
import { BatchField, computeBatchCrc, storedBatchCrc, writeInt64 } from '../../../src/shared/record-batch.js';
import { MessageSetDownConverter } from '../../../workers/log/legacy-down-conversion.js';
import { MessageSetConverter } from '../../../workers/log/legacy-up-conversion.js';
import { readMessageSet } from '../../helpers/legacy-message-sets.js';
import { seedFor } from './log-test-kit.js';

const CODECS = [Codec.NONE, Codec.GZIP, Codec.SNAPPY, Codec.LZ4];
const bytes = fc.option(fc.uint8Array({ maxLength: 40 }), { nil: null });
const messages = fc.array(fc.record({ key: bytes, value: bytes, timestamp: fc.integer({ min: 0, max: 2 ** 41 }) }), { minLength: 1, maxLength: 12 });

async function oldFormat(magic: number, codec: number, list: OldFormatMessage[]): Promise<Buffer> {
  const plain = buildMessageSet(magic, list);
  return codec === Codec.NONE ? plain : wrapMessageSet(magic, codec, plain, list.length, Date.now());
}

const text = (b: Uint8Array | null) => (b === null ? null : Buffer.from(b).toString('utf8'));

describe('old message formats: up to a record batch and back down', () => {
  it('keeps keys, values and (magic 1) timestamps through both conversions', async () => {
    const seed = seedFor('legacy round trip');
    const up = new MessageSetConverter();
    const down = new MessageSetDownConverter();
    await fc.assert(
      fc.asyncProperty(messages, fc.constantFrom(0, 1), fc.constantFrom(...CODECS), fc.constantFrom(0, 1), async (list, magic, codec, toMagic) => {
        const set = await oldFormat(magic, codec, list);
        expect(await up.convert(set, 0, set.length)).toBe(ErrorCode.NONE);
        const batch = Buffer.from(up.batch);
        expect(batch.readInt16BE(BatchField.ATTRIBUTES) & 0x7).toBe(codec);
        expect(storedBatchCrc(batch, 0)).toBe(computeBatchCrc(batch, 0, batch.length));
        writeInt64(batch, BatchField.BASE_OFFSET, 100);
        expect(await down.convert(batch, batch.length, toMagic, 100, 1 << 20)).toBe(ErrorCode.NONE);
        const back = await readMessageSet(down.out.subarray(0, down.outBytes));
        const keptTimestamps = magic === 1 && toMagic === 1;
        expect(back.map((m) => [m.offset, m.magic, m.key, m.value, keptTimestamps ? m.timestamp : -1])).toEqual(
          list.map((m, i) => [100 + i, toMagic, text(m.key), text(m.value), keptTimestamps ? m.timestamp : -1]),
        );
      }),
      { seed, numRuns: 150 },
    );
  });

  it('refuses a flipped byte with CORRUPT_MESSAGE or INVALID_RECORD, or converts it when only an offset changed', async () => {
    const seed = seedFor('legacy flip');
    const up = new MessageSetConverter();
    await fc.assert(
      fc.asyncProperty(
        messages,
        fc.constantFrom(0, 1),
        fc.constantFrom(...CODECS),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        async (list, magic, codec, where, xor) => {
          const set = await oldFormat(magic, codec, list);
          const at = where % set.length;
          set[at] = set[at]! ^ xor;
          const code = await up.convert(set, 0, set.length);
          expect([ErrorCode.NONE, ErrorCode.CORRUPT_MESSAGE, ErrorCode.INVALID_RECORD]).toContain(code);
          if (code === ErrorCode.NONE) expect(isOffsetByte(set, at)).toBe(true);
        },
      ),
      { seed, numRuns: 300 },
    );
  });

  it('computes the CRC-32 of small messages in JS exactly as the native library does for every length', () => {
    const seed = seedFor('legacy crc');
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(8), (bytes, skip) => {
        const buf = Buffer.concat([Buffer.alloc(skip, 0xaa), bytes]);
        expect(crc32Of(buf, skip, buf.length)).toBe(crc32(bytes) >>> 0);
      }),
      { seed, numRuns: 500 },
    );
  });

  it("writes magic 0's lz4 header checksum the way Kafka does (over the magic number too) and reads it back", async () => {
    const frame = await compressLz4(Buffer.from('hello hello hello hello'));
    // lz4-napi's standard frame header: magic 04 22 4d 18, FLG 0x60, BD 0x40, HC = xxh32(60 40) >> 8 & 0xff = 0x82.
    expect(frame.subarray(0, 7).toString('hex')).toBe('04224d18604082');
    const broken = Buffer.from(frame);
    breakHeaderChecksum(broken);
    expect(broken[6]).not.toBe(0x82);
    expect(withStandardHeaderChecksum(broken)[6]).toBe(0x82);
  });
});

/** True when `at` falls in the offset field of a top-level message (walking the sizes of the set as built). */
function isOffsetByte(set: Buffer, at: number): boolean {
  for (let p = 0; p < set.length; p += 12 + set.readInt32BE(p + 8)) {
    if (at < p + 8) return at >= p;
    if (set.readInt32BE(p + 8) <= 0) return false;
  }
  return false;
}
