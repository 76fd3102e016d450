// Recompression on append (compression.type) and the record timestamp window, as the data path runs them:
// decompress, recompress, validate, append; every codec to every codec, runs of several batches, and the
// batches left as sent for the validator to refuse.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Codec, compressRecords, decompressRecords } from '../../../src/shared/compression/record-compression.js';
import { ErrorCode } from '../../../src/shared/kafka-error-codes.js';
import { Attribute, BATCH_HEADER_BYTES, BatchField, rebuildBatch } from '../../../src/shared/record-batch.js';
import { buildRecordBatch } from '../../../src/shared/record-batch-codec.js';
import type { LogConfig } from '../../../src/shared/topic-config.js';
import { AppendInfo, validateBatches } from '../../../workers/log/batch-validator.js';
import { AppendRun } from '../../../workers/log/batch-recompressor.js';
import { DecompressedBatches } from '../../../workers/log/decompressed-batches.js';
import { PartitionLog } from '../../../workers/log/partition-log.js';
import { files, logConfig, readBytes, seedFor, tempPartitionDir } from './log-test-kit.js';

const CODEC_NAMES: Array<[LogConfig['compressionType'], number]> = [
  ['uncompressed', Codec.NONE],
  ['gzip', Codec.GZIP],
  ['snappy', Codec.SNAPPY],
  ['lz4', Codec.LZ4],
  ['zstd', Codec.ZSTD],
];

async function inCodec(plain: Buffer, codec: number): Promise<Buffer> {
  return codec === Codec.NONE ? plain : rebuildBatch(plain, await compressRecords(codec, plain.subarray(BATCH_HEADER_BYTES)), codec);
}

function codecsOf(run: Buffer): number[] {
  const codecs: number[] = [];
  for (let at = 0; at < run.length; at += run.readInt32BE(at + BatchField.BATCH_LENGTH) + 12) {
    codecs.push(run.readInt16BE(at + BatchField.ATTRIBUTES) & Attribute.COMPRESSION_MASK);
  }
  return codecs;
}

/** The data path's steps: decompress, recompress for the topic, validate. */
async function prepare(sent: Buffer, config: LogConfig): Promise<{ run: AppendRun; code: number }> {
  const decompressed = new DecompressedBatches();
  await decompressed.load(sent, 0, sent.length);
  const run = await new AppendRun().prepare(sent, 0, sent.length, config, decompressed, decompressed);
  const code = validateBatches(run.buf, run.at, run.length, config, 'client', new AppendInfo(), run.decompressed);
  return { run, code };
}

describe('recompression on append', () => {
  it('rebuilds every batch of a run in the topic codec, from any codec, keeping the records byte for byte', async () => {
    const seed = seedFor('recompression');
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 4 }), fc.array(fc.uint8Array({ maxLength: 300 }), { minLength: 1, maxLength: 5 })), {
          minLength: 1,
          maxLength: 3,
        }),
        fc.integer({ min: 0, max: 4 }),
        async (batches, targetIndex) => {
          const [targetName, target] = CODEC_NAMES[targetIndex]!;
          const plains = batches.map(([, values]) => buildRecordBatch(values.map((v) => ({ key: null, value: Buffer.from(v) }))));
          const sent = Buffer.concat(await Promise.all(plains.map((plain, i) => inCodec(plain, batches[i]![0]))));
          const { run, code } = await prepare(sent, logConfig({ compressionType: targetName }));
          expect(code).toBe(ErrorCode.NONE);
          expect(codecsOf(run.buf.subarray(run.at, run.at + run.length))).toEqual(plains.map(() => target));
          let at = run.at;
          for (const plain of plains) {
            const bytes = run.buf.readInt32BE(at + BatchField.BATCH_LENGTH) + 12;
            const section = run.buf.subarray(at + BATCH_HEADER_BYTES, at + bytes);
            expect(await decompressRecords(target, section)).toEqual(plain.subarray(BATCH_HEADER_BYTES));
            at += bytes;
          }
        },
      ),
      { seed, numRuns: 40 },
    );
  });

  it('leaves the run as sent when the topic keeps the producer codec or every batch is already in the topic codec', async () => {
    const gzip = await inCodec(buildRecordBatch([{ key: null, value: Buffer.from('x') }]), Codec.GZIP);
    for (const compressionType of ['producer', 'gzip'] as const) {
      const { run, code } = await prepare(gzip, logConfig({ compressionType }));
      expect(code).toBe(ErrorCode.NONE);
      expect(run.buf).toBe(gzip);
    }
  });

  it('leaves a batch the validator refuses as sent, so the refusal names what the producer sent', async () => {
    const corrupt = buildRecordBatch([{ key: null, value: Buffer.from('x') }]);
    corrupt[corrupt.length - 1]! ^= 1;
    const garbled = rebuildBatch(buildRecordBatch([{ key: null, value: Buffer.from('y') }]), Buffer.from('not lz4 at all'), Codec.LZ4);
    for (const [sent, expected] of [
      [corrupt, ErrorCode.CORRUPT_MESSAGE],
      [garbled, ErrorCode.INVALID_RECORD],
    ] as const) {
      const { run, code } = await prepare(sent, logConfig({ compressionType: 'zstd' }));
      expect(run.buf).toBe(sent);
      expect(code).toBe(expected);
    }
  });

  it('a recompressed batch is appended, stamped and read back like any other', async () => {
    const log = PartitionLog.open(files, tempPartitionDir(), logConfig({ compressionType: 'gzip' }), { nowMs: 1_000, trustedOnDisk: true });
    const sent = buildRecordBatch([
      { key: Buffer.from('a'), value: Buffer.from('one') },
      { key: Buffer.from('b'), value: Buffer.from('two') },
    ]);
    const decompressed = new DecompressedBatches();
    const run = await new AppendRun().prepare(sent, 0, sent.length, log.config, null, decompressed);
    expect(log.append(run.buf, run.at, run.length, 'client', 2_000, run.decompressed)).toBe(ErrorCode.NONE);
    expect([log.lastAppend.firstOffset, log.lastAppend.lastOffset, log.logEndOffset]).toEqual([0, 1, 2]);
    const stored = readBytes(log, 0, 1 << 20);
    expect(codecsOf(stored)).toEqual([Codec.GZIP]);
    expect(await decompressRecords(Codec.GZIP, stored.subarray(BATCH_HEADER_BYTES))).toEqual(sent.subarray(BATCH_HEADER_BYTES));
    log.close(3_000);
  });
});

describe('record timestamp window', () => {
  const now = 1_000_000;
  const check = (timestamps: number[], config: Partial<LogConfig>) => {
    const batch = buildRecordBatch(
      timestamps.map((timestamp) => ({ key: null, value: Buffer.from('v'), timestamp })),
      { baseTimestamp: timestamps[0] },
    );
    const info = new AppendInfo();
    return { code: validateBatches(batch, 0, batch.length, logConfig(config), 'client', info, null, now), info };
  };

  it('includes both ends, refuses one past either, and names the record', () => {
    const window = { messageTimestampBeforeMaxMs: 100, messageTimestampAfterMaxMs: 50 };
    expect(check([now - 100, now + 50], window).code).toBe(ErrorCode.NONE);
    const early = check([now, now - 101], window);
    expect([early.code, early.info.recordIndex]).toEqual([ErrorCode.INVALID_TIMESTAMP, 1]);
    expect(early.info.errorMessage).toBe(
      `Timestamp ${now - 101} of message with offset 1 is out of range. The timestamp should be within [${now - 100}, ${now + 50}]`,
    );
    expect(check([now + 51], window).code).toBe(ErrorCode.INVALID_TIMESTAMP);
  });

  it('lets records without a timestamp (-1) pass, and checks nothing on LogAppendTime topics', () => {
    expect(check([now, -1], { messageTimestampDifferenceMaxMs: 10 }).code).toBe(ErrorCode.NONE);
    expect(check([0], { messageTimestampDifferenceMaxMs: 10, messageTimestampType: 'LogAppendTime' }).code).toBe(ErrorCode.NONE);
    expect(check([0], { messageTimestampDifferenceMaxMs: 10 }).code).toBe(ErrorCode.INVALID_TIMESTAMP);
  });
});
