// The replication frames a leader writes in parts (large records lent to the socket, not copied) are byte for byte
// the frames encodeFrame writes, for any mix of small and large records, map and array sizes; the follower's
// decoder reads them back with the records intact.
import { describe, expect, it } from 'vitest';
import { decodeBody, encodeFrame, encodeFrameParts } from '../../src/replication/wire-format.js';

function records(length: number, fill: number): Buffer {
  return Buffer.alloc(length, fill);
}

function fetchResponse(partitionCount: number, sizeOf: (p: number) => number) {
  return {
    type: 'fetch',
    correlationId: 7,
    partitions: Array.from({ length: partitionCount }, (_, p) => ({
      topic: `topic-${p % 3}`,
      partition: p,
      errorCode: 0,
      highWatermark: 2 ** 40 + p,
      logStartOffset: 0,
      logEndOffset: 2 ** 40 + 10 * p,
      divergingEpoch: p === 1 ? { epoch: 3, endOffset: 99 } : null,
      records: records(sizeOf(p), p & 0xff),
    })),
  };
}

describe('encodeFrameParts', () => {
  it.each([
    ['no partitions', 0, () => 0],
    ['one large record set', 1, () => 1 << 20],
    ['small and large record sets mixed', 6, (p: number) => (p % 2 === 0 ? 100 : 70_000)],
    ['more than 15 partitions (an array16 header)', 40, (p: number) => (p === 20 ? 0 : 20_000)],
    ['more than 65535 partitions (an array32 header)', 70_000, () => 0],
  ])('writes the bytes encodeFrame writes: %s', (_name, count, sizeOf) => {
    const message = fetchResponse(count, sizeOf);
    const whole = encodeFrame(message);
    const lendable = new Set<Buffer>();
    const gathered = encodeFrameParts(message, (buffer) => {
      lendable.add(buffer);
      return true;
    });
    const joined = Buffer.concat(gathered.parts);
    expect(gathered.length).toBe(whole.length);
    expect(joined.equals(whole)).toBe(true);
    // Exactly the large record sets are lent, and they are the very buffers of the message (not copies).
    const large = message.partitions.map((p) => p.records).filter((r) => r.length >= 16 * 1024);
    expect(gathered.lent).toEqual(large);
    for (const lent of gathered.lent) expect(large.some((r) => r === lent)).toBe(true);
    expect(gathered.head.length + gathered.lent.reduce((sum, b) => sum + b.length, 0)).toBe(whole.length);
    const decoded = decodeBody(joined.subarray(4)) as ReturnType<typeof fetchResponse>;
    expect(decoded.partitions.map((p) => p.records.length)).toEqual(message.partitions.map((p) => p.records.length));
  });

  it('copies a Buffer it may not lend (no room in the connection memory)', () => {
    const message = fetchResponse(2, () => 50_000);
    const gathered = encodeFrameParts(message, () => false);
    expect(gathered.lent).toEqual([]);
    expect(gathered.parts).toHaveLength(1);
    expect(Buffer.concat(gathered.parts).equals(encodeFrame(message))).toBe(true);
  });
});
