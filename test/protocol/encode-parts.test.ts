// encodeResponseParts: a response whose large values are lent, not copied. The parts joined are exactly the
// frame encodeResponse writes, at every Fetch version (non-flexible and flexible: int32 and varint lengths),
// the lent buffers sit in the parts by identity, and a lent value the body does not hold is refused.
import { describe, expect, it } from 'vitest';
import { encodeResponse, encodeResponseParts } from '../../src/protocol/api-registry.js';

function partition(partitionIndex: number, records: Buffer) {
  return {
    partitionIndex,
    errorCode: 0,
    highWatermark: 100,
    lastStableOffset: 100,
    logStartOffset: 0,
    abortedTransactions: [],
    preferredReadReplica: -1,
    records,
  };
}

describe('encodeResponseParts', () => {
  it('joins to the frame encodeResponse writes, with the lent values uncopied', () => {
    const lentA = Buffer.alloc(70_000, 1);
    const lentB = Buffer.alloc(90_000, 2);
    const copied = Buffer.alloc(300, 3);
    for (const version of [4, 11, 12, 16]) {
      const body = {
        throttleTimeMs: 0,
        errorCode: 0,
        sessionId: 0,
        responses: [{ topic: 't', topicId: 'AAAAAAAAAAAAAAAAAAAAAA', partitions: [partition(0, lentA), partition(1, copied), partition(2, lentB)] }],
      };
      const whole = encodeResponse(1, version, 7, body);
      const encoded = encodeResponseParts(1, version, 7, body, undefined, new Set([lentA, lentB]));
      expect(Buffer.concat(encoded.parts).equals(whole), `v${version}`).toBe(true);
      expect(encoded.length).toBe(whole.length);
      expect(encoded.head.length).toBe(whole.length - lentA.length - lentB.length);
      expect(encoded.parts.filter((part) => part === lentA || part === lentB)).toEqual([lentA, lentB]);
    }
  });

  it('refuses to lend a value the body does not hold', () => {
    const body = { throttleTimeMs: 0, errorCode: 0, sessionId: 0, responses: [{ topic: 't', partitions: [partition(0, Buffer.alloc(10))] }] };
    expect(() => encodeResponseParts(1, 12, 1, body, undefined, new Set([Buffer.alloc(5)]))).toThrow();
  });
});
