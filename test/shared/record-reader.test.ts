// The record cursor and varint reader against batches the codec builds: fields, null keys and values,
// large and negative deltas, and malformed bytes reported rather than thrown.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { buildRecordBatch, decodeRecordBatches } from '../../src/shared/record-batch-codec.js';
import { BATCH_HEADER_BYTES } from '../../src/shared/record-batch.js';
import { RecordCursor, readVarint } from '../../src/shared/record-reader.js';

function zigzagBytes(value: bigint): Buffer {
  let encoded = BigInt.asUintN(64, (value << 1n) ^ (value >> 63n));
  const out: number[] = [];
  while (encoded >= 0x80n) {
    out.push(Number(encoded & 0x7fn) | 0x80);
    encoded >>= 7n;
  }
  out.push(Number(encoded));
  return Buffer.from(out);
}

describe('record reader', () => {
  it('reads zigzag varints and varlongs exactly up to 2^53', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(2n ** 53n) + 1n, max: 2n ** 53n - 1n }), (value) => {
        const bytes = zigzagBytes(value);
        const position = { at: 0 };
        expect(readVarint(bytes, position, bytes.length)).toBe(Number(value));
        expect(position.at).toBe(bytes.length);
      }),
    );
  });

  it('marks a cut-short varint', () => {
    const position = { at: 0 };
    readVarint(Buffer.from([0x80, 0x80]), position, 2);
    expect(position.at).toBe(-1);
  });

  it('walks records: offsets, timestamps, keys, values, nulls', () => {
    const batch = buildRecordBatch(
      [
        { key: Buffer.from('a'), value: Buffer.from('1'), timestamp: 5_000 },
        { key: null, value: Buffer.from('2'), timestamp: 1_000 },
        { key: Buffer.from('c'), value: null, timestamp: 5_000 + 2 ** 40, headers: [{ key: 'h', value: Buffer.from('x') }] },
      ],
      { baseTimestamp: 5_000 },
    );
    const cursor = new RecordCursor().reset(batch, BATCH_HEADER_BYTES, batch.length);
    const seen: unknown[] = [];
    while (cursor.next()) {
      seen.push([
        cursor.offsetDelta,
        cursor.timestampDelta,
        cursor.keyLength < 0 ? null : batch.toString('latin1', cursor.keyAt, cursor.keyAt + cursor.keyLength),
        cursor.valueLength,
      ]);
    }
    expect(cursor.malformed).toBe(false);
    expect(seen).toEqual([
      [0, 0, 'a', 1],
      [1, -4_000, null, 1],
      [2, 2 ** 40, 'c', -1],
    ]);
    expect(decodeRecordBatches(batch).map((r) => r.headers)).toEqual([[], [], [{ key: 'h', value: Buffer.from('x') }]]);
  });

  it('reports malformed records instead of reading past them', () => {
    const batch = buildRecordBatch([{ key: Buffer.from('key'), value: Buffer.from('value') }], { baseTimestamp: 1 });
    const cursor = new RecordCursor();
    for (let cut = BATCH_HEADER_BYTES + 1; cut < batch.length; cut++) {
      cursor.reset(batch, BATCH_HEADER_BYTES, cut);
      expect(cursor.next()).toBe(false);
      expect(cursor.malformed).toBe(true);
    }
    const lying = Buffer.from(batch);
    lying[BATCH_HEADER_BYTES] = 0x7e; // record length 63: past the end
    expect(cursor.reset(lying, BATCH_HEADER_BYTES, lying.length).next()).toBe(false);
    expect(cursor.malformed).toBe(true);
  });
});
