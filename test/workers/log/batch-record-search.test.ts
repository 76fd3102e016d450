// The record searches inside one stored batch that ListOffsets uses: the first record holding the max
// timestamp, and the first record at or after a time and an offset; plain, compressed and LogAppendTime batches.
import { describe, expect, it } from 'vitest';
import { Codec, compressRecords } from '../../../src/shared/compression/record-compression.js';
import { Attribute, BATCH_HEADER_BYTES, BatchField, rebuildBatch, writeInt64 } from '../../../src/shared/record-batch.js';
import { buildRecordBatch } from '../../../src/shared/record-batch-codec.js';
import { firstRecordAtOrAfter, maxTimestampRecordOf } from '../../../workers/log/batch-record-search.js';

/** A stored batch at `baseOffset`, leader epoch 4, records at the given times. */
async function stored(timestamps: number[], baseOffset: number, codec: number = Codec.NONE): Promise<Buffer> {
  const plain = buildRecordBatch(timestamps.map((timestamp, i) => ({ key: null, value: Buffer.from(`v${i}`), timestamp })));
  const batch = codec === Codec.NONE ? plain : rebuildBatch(plain, await compressRecords(codec, plain.subarray(BATCH_HEADER_BYTES)), codec);
  writeInt64(batch, BatchField.BASE_OFFSET, baseOffset);
  batch.writeInt32BE(4, BatchField.PARTITION_LEADER_EPOCH);
  return batch;
}

describe('record search in a stored batch', () => {
  it.each([Codec.NONE, Codec.GZIP, Codec.ZSTD])('finds the first record with the max timestamp (codec %i)', async (codec) => {
    const batch = await stored([300, 900, 100, 900], 50, codec);
    expect(await maxTimestampRecordOf(batch)).toEqual({ timestamp: 900, offset: 51, leaderEpoch: 4 });
  });

  it('finds the first record at or after a time and an offset, or none', async () => {
    const batch = await stored([300, 900, 100, 500], 10, Codec.LZ4);
    expect(await firstRecordAtOrAfter(batch, 400, 0)).toEqual({ timestamp: 900, offset: 11, leaderEpoch: 4 });
    expect(await firstRecordAtOrAfter(batch, 400, 12)).toEqual({ timestamp: 500, offset: 13, leaderEpoch: 4 });
    expect(await firstRecordAtOrAfter(batch, 950, 0)).toBeNull();
  });

  it('with LogAppendTime every record has the batch time: the first one counts', async () => {
    const batch = await stored([300, 900], 7);
    batch.writeInt16BE(batch.readInt16BE(BatchField.ATTRIBUTES) | Attribute.LOG_APPEND_TIME, BatchField.ATTRIBUTES);
    writeInt64(batch, BatchField.MAX_TIMESTAMP, 5_000);
    expect(await maxTimestampRecordOf(batch)).toEqual({ timestamp: 5_000, offset: 7, leaderEpoch: 4 });
    expect(await firstRecordAtOrAfter(batch, 4_000, 8)).toEqual({ timestamp: 5_000, offset: 8, leaderEpoch: 4 });
  });
});
