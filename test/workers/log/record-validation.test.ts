// Tests of the records walk on the produce path: batches with a valid header and CRC but records a consumer
// cannot read (garbage, lying counts and lengths, offsets out of order, any codec, decompression bombs) are
// refused with Kafka's code and the failing record's index, and nothing is written; whatever is accepted
// reads back whole.
import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildRecordBatch, decodeRecordBatches } from '../../../src/shared/record-batch-codec.js';
import { ErrorCode } from '../../../src/shared/kafka-error-codes.js';
import { BATCH_HEADER_BYTES, BatchField, readInt64, rebuildBatch } from '../../../src/shared/record-batch.js';
import { Codec, compressRecords } from '../../../src/shared/compression/record-compression.js';
import { AppendInfo, validateBatches } from '../../../workers/log/batch-validator.js';
import { DecompressedBatches } from '../../../workers/log/decompressed-batches.js';
import { PartitionLog } from '../../../workers/log/partition-log.js';
import { walked, walkRecords } from '../../../workers/log/record-walker.js';
import { appendOk, files, logConfig, readAll, resign, seedFor, simpleBatch, tempPartitionDir } from './log-test-kit.js';

const CODECS = [Codec.NONE, Codec.GZIP, Codec.SNAPPY, Codec.LZ4, Codec.ZSTD];
const config = logConfig();

/** A batch with `section` as its records section (compressed with `codec` when asked), header and CRC valid. */
async function withRecords(section: Buffer, count: number, codec: number = Codec.NONE, compress = true): Promise<Buffer> {
  const template = simpleBatch(count);
  const body = codec !== Codec.NONE && compress ? await compressRecords(codec, section) : section;
  return rebuildBatch(template, body, codec, { count, maxTimestamp: readInt64(template, BatchField.MAX_TIMESTAMP) });
}

function sectionOf(batch: Buffer): Buffer {
  return batch.subarray(BATCH_HEADER_BYTES);
}

const decompressed = new DecompressedBatches();

/** Validates as the data path does: decompress first, then the synchronous checks. */
async function validate(batch: Buffer, cfg = config, info = new AppendInfo(), maxBytes?: number): Promise<number> {
  const before = Buffer.from(batch);
  await decompressed.load(batch, 0, batch.length, maxBytes);
  const code = validateBatches(batch, 0, batch.length, cfg, 'client', info, decompressed);
  expect(batch.equals(before)).toBe(true);
  return code;
}

/** Appends through a real log after two good records and checks the refusal (with one of `codes`) wrote nothing. */
async function expectRefusedByLog(batch: Buffer, ...codes: number[]): Promise<AppendInfo> {
  const log = PartitionLog.open(files, tempPartitionDir(), config, { nowMs: 1_000, trustedOnDisk: true });
  appendOk(log, simpleBatch(2));
  await decompressed.load(batch, 0, batch.length);
  expect(codes).toContain(log.append(batch, 0, batch.length, 'client', 5_000, decompressed));
  expect(log.logEndOffset).toBe(2);
  expect(readAll(log).map((r) => r.offset)).toEqual([0, 1]);
  const info = log.lastAppend;
  log.close(6_000);
  return info;
}

describe('records walk', () => {
  it('refuses 200 random bytes where the records should be, with every codec, and stores nothing', async () => {
    for (const codec of CODECS) {
      const garbage = randomBytes(200);
      // Garbage as the compressed stream itself (its framing may claim a size over the limit: MESSAGE_TOO_LARGE),
      // and (compressed codecs) garbage that decompresses fine.
      const raw = await withRecords(garbage, 3, codec, false);
      const info = await expectRefusedByLog(raw, ErrorCode.INVALID_RECORD, ErrorCode.MESSAGE_TOO_LARGE);
      expect(info.errorMessage).not.toBe('');
      if (codec !== Codec.NONE) await expectRefusedByLog(await withRecords(garbage, 3, codec), ErrorCode.INVALID_RECORD);
    }
  });

  it('refuses a header that claims 2^31-1 records and leaves the end offset where it was', async () => {
    const batch = simpleBatch(3);
    batch.writeInt32BE(0x7fff_ffff, BatchField.RECORDS_COUNT);
    batch.writeInt32BE(0x7fff_fffe, BatchField.LAST_OFFSET_DELTA);
    const info = await expectRefusedByLog(resign(batch), ErrorCode.INVALID_RECORD);
    expect(info.errorMessage).toMatch(/claims 2147483647 records but holds 3/);
  });

  it('refuses fewer or more records than the header claims, in every codec', async () => {
    for (const codec of CODECS) {
      const three = sectionOf(simpleBatch(3));
      expect(await validate(await withRecords(three, 4, codec))).toBe(ErrorCode.INVALID_RECORD);
      expect(await validate(await withRecords(three, 2, codec))).toBe(ErrorCode.INVALID_RECORD);
      expect(await validate(await withRecords(three, 3, codec))).toBe(ErrorCode.NONE);
    }
  });

  it('names the failing record: offset deltas out of order, a lying length, trailing bytes', async () => {
    // Records 0 and 1 swapped: record 0 then has offset delta 1.
    const one = sectionOf(simpleBatch(1));
    const two = sectionOf(simpleBatch(2));
    const second = two.subarray(one.length);
    const info = new AppendInfo();
    expect(await validate(await withRecords(Buffer.concat([second, one]), 2), config, info)).toBe(ErrorCode.INVALID_RECORD);
    expect([info.recordIndex, info.errorMessage]).toEqual([0, 'record 0: record offset delta 1 should be 0']);
    // Record 1's length varint made one larger: it overruns the section.
    const lying = Buffer.from(two);
    lying[one.length]! += 2;
    expect(await validate(await withRecords(lying, 2), config, info)).toBe(ErrorCode.INVALID_RECORD);
    expect(info.recordIndex).toBe(1);
    // A stray byte after the last record.
    expect(await validate(await withRecords(Buffer.concat([two, Buffer.from([0])]), 2), config, info)).toBe(ErrorCode.INVALID_RECORD);
    expect(info.recordIndex).toBe(2);
  });

  it('refuses a negative header key length and a header count the record cannot hold', () => {
    // length 12: attributes 0, timestampDelta 0, offsetDelta 0, key -1, value -1, 1 header: key length -2 …
    const negativeKey = Buffer.from([24, 0, 0, 0, 1, 1, 2, 3, 0, 0, 0, 0, 0]);
    expect(walkRecords(negativeKey, 0, negativeKey.length, 1, false)).toBe(false);
    expect(walked.failedIndex).toBe(0);
    // length 6: … headerCount 100 with no bytes for them.
    const manyHeaders = Buffer.from([14, 0, 0, 0, 1, 1, 200, 1]);
    expect(walkRecords(manyHeaders, 0, manyHeaders.length, 1, false)).toBe(false);
    const fine = Buffer.from([12, 0, 0, 0, 1, 1, 0]);
    expect(walkRecords(fine, 0, fine.length, 1, false)).toBe(true);
  });

  it('refuses keyless records on compacted topics whatever the codec, naming the record', async () => {
    const compacted = logConfig({ cleanupPolicy: 'compact' });
    for (const codec of CODECS) {
      const plain = buildRecordBatch(
        [
          { key: Buffer.from('k'), value: Buffer.from('a') },
          { key: null, value: Buffer.from('b') },
        ],
        { baseTimestamp: 1_000 },
      );
      const batch = await withRecords(sectionOf(plain), 2, codec);
      const info = new AppendInfo();
      expect(await validate(batch, compacted, info)).toBe(ErrorCode.INVALID_RECORD);
      expect([info.recordIndex, info.errorMessage]).toEqual([1, 'record 1: a compacted topic does not accept records without a key']);
      expect(await validate(batch)).toBe(ErrorCode.NONE);
    }
  });

  it('refuses compressed records that may decompress past the limit before allocating them', async () => {
    const big = Buffer.alloc(4 * 1024 * 1024);
    for (const codec of [Codec.GZIP, Codec.SNAPPY, Codec.LZ4, Codec.ZSTD]) {
      const batch = await withRecords(big, 1, codec);
      const info = new AppendInfo();
      expect(await validate(batch, config, info, 1024 * 1024)).toBe(ErrorCode.MESSAGE_TOO_LARGE);
      expect(info.errorMessage).toMatch(/limit of 1048576/);
    }
    // A gzip stream whose bytes end early is refused, not waited on.
    const truncated = gzipSync(sectionOf(simpleBatch(3))).subarray(0, 20);
    expect(await validate(await withRecords(truncated, 3, Codec.GZIP, false))).toBe(ErrorCode.INVALID_RECORD);
  });

  it('corrects a CreateTime maxTimestamp that is not the largest record timestamp, keeping the CRC valid', async () => {
    const log = PartitionLog.open(files, tempPartitionDir(), config, { nowMs: 1_000, trustedOnDisk: true });
    const batch = buildRecordBatch([
      { key: null, value: Buffer.from('a'), timestamp: 5_000 },
      { key: null, value: Buffer.from('b'), timestamp: 7_000 },
    ]);
    batch.writeInt32BE(0, BatchField.MAX_TIMESTAMP);
    batch.writeInt32BE(99, BatchField.MAX_TIMESTAMP + 4);
    appendOk(log, resign(batch));
    expect(log.lastAppend.maxTimestamp).toBe(7_000);
    expect(readInt64(batch, BatchField.MAX_TIMESTAMP)).toBe(7_000);
    expect(readAll(log).map((r) => r.timestamp)).toEqual([5_000, 7_000]);
    log.close(2_000);
  });

  it('accepts only what a consumer reads back whole: random edits of the records section, re-signed', () => {
    const original = buildRecordBatch(
      Array.from({ length: 5 }, (_, i) => ({
        key: i % 2 ? null : Buffer.from(`k${i}`),
        value: Buffer.from(`value ${i}`),
        headers: [{ key: 'h', value: Buffer.from([i]) }],
      })),
      { baseTimestamp: 1_000 },
    );
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: BATCH_HEADER_BYTES, max: original.length - 1 }), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }),
        (edits) => {
          const batch = Buffer.from(original);
          for (const [at, value] of edits) batch[at] = value;
          resign(batch);
          const code = validateBatches(batch, 0, batch.length, config, 'client', new AppendInfo());
          if (code !== ErrorCode.NONE) return;
          const records = decodeRecordBatches(batch);
          expect(records.map((r) => r.offset)).toEqual([0, 1, 2, 3, 4]);
        },
      ),
      { seed: seedFor('records section edits'), numRuns: 2000 },
    );
  });
});
