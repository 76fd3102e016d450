// The replication frame codec and message validation: a fetch and its response survive a round trip with the
// records as the very bytes sent (a view of the frame, no copy); every field is type-checked and bounded, and
// anything else is a ReplicationProtocolError, also for random bytes and random msgpack values (seed printed).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseFollowerMessage, parseLeaderMessage } from '../../src/replication/messages.js';
import { FETCH_BYTES_MAX, FETCH_PARTITIONS_MAX } from '../../src/replication/replication-limits.js';
import { decodeBody, encodeFrame, ReplicationProtocolError } from '../../src/replication/wire-format.js';
import { seedFor } from '../helpers/test-seed.js';

const FETCH = {
  type: 'fetch',
  correlationId: 42,
  replicaId: 2,
  replicaEpoch: 2 ** 40,
  maxWaitMs: 500,
  minBytes: 1,
  maxBytes: 1 << 20,
  partitions: [{ topic: 't', partition: 3, fetchOffset: 2 ** 35, lastFetchedEpoch: 7, currentLeaderEpoch: 8, maxBytes: 1 << 16 }],
};

/** The body of a frame: what follows its int32 size, which must say how long it is. */
function bodyOf(frame: Buffer): Buffer {
  expect(frame.readInt32BE(0)).toBe(frame.length - 4);
  return frame.subarray(4);
}

describe('frames', () => {
  it('round-trips a fetch request', () => {
    expect(parseFollowerMessage(bodyOf(encodeFrame(FETCH)))).toEqual(FETCH);
  });

  it('carries records as binary: the decoded records are a view of the frame with the same bytes', () => {
    const records = Buffer.from(Array.from({ length: 300 }, (_, i) => i & 0xff));
    const response = {
      type: 'fetch',
      correlationId: 42,
      partitions: [{ topic: 't', partition: 0, errorCode: 0, highWatermark: 5, logStartOffset: 0, logEndOffset: 9, divergingEpoch: null, records }],
    };
    const body = bodyOf(encodeFrame(response));
    const parsed = parseLeaderMessage(body);
    expect(parsed).toEqual(response);
    if (parsed.type !== 'fetch') throw new Error('not a fetch');
    expect(parsed.partitions[0]!.records.buffer).toBe(body.buffer);
    expect(parsed.partitions[0]!.divergingEpoch).toBeNull();
  });

  it('round-trips a diverging epoch', () => {
    const response = {
      type: 'fetch',
      correlationId: 1,
      partitions: [
        {
          topic: 't',
          partition: 0,
          errorCode: 0,
          highWatermark: 5,
          logStartOffset: 0,
          logEndOffset: 9,
          divergingEpoch: { epoch: 1, endOffset: 4 },
          records: Buffer.alloc(0),
        },
      ],
    };
    expect(parseLeaderMessage(bodyOf(encodeFrame(response)))).toEqual(response);
  });

  it('refuses bytes that are not exactly one msgpack value', () => {
    expect(() => decodeBody(Buffer.from([0x01, 0x02]))).toThrow(ReplicationProtocolError);
    expect(() => decodeBody(Buffer.from([0xdd, 0x7f, 0xff, 0xff, 0xff]))).toThrow(ReplicationProtocolError);
    expect(() => decodeBody(Buffer.from([0xd4, 0x05, 0x01]))).toThrow(ReplicationProtocolError);
  });
});

describe('validation', () => {
  const bad: Array<[string, unknown]> = [
    ['a value that is no map', [1, 2]],
    ['a map without a type', { correlationId: 1 }],
    ['an unknown type', { ...FETCH, type: 'produce' }],
    ['a string where an integer belongs', { ...FETCH, replicaId: '2' }],
    ['a fractional integer', { ...FETCH, maxWaitMs: 1.5 }],
    ['a negative replica id', { ...FETCH, replicaId: -1 }],
    ['a correlation id beyond int32', { ...FETCH, correlationId: 2 ** 31 }],
    ['maxBytes above the bound', { ...FETCH, maxBytes: FETCH_BYTES_MAX + 1 }],
    ['partitions that are no array', { ...FETCH, partitions: { 0: FETCH.partitions[0] } }],
    ['too many partitions', { ...FETCH, partitions: Array.from({ length: FETCH_PARTITIONS_MAX + 1 }, () => FETCH.partitions[0]) }],
    ['a partition that is binary', { ...FETCH, partitions: [Buffer.alloc(3)] }],
    ['an empty topic name', { ...FETCH, partitions: [{ ...FETCH.partitions[0], topic: '' }] }],
    ['a topic name too long', { ...FETCH, partitions: [{ ...FETCH.partitions[0], topic: 'x'.repeat(250) }] }],
    ['a negative fetch offset', { ...FETCH, partitions: [{ ...FETCH.partitions[0], fetchOffset: -1 }] }],
    ['an epoch below -1', { ...FETCH, partitions: [{ ...FETCH.partitions[0], lastFetchedEpoch: -2 }] }],
    ['an offset beyond 2^53', { ...FETCH, partitions: [{ ...FETCH.partitions[0], fetchOffset: 2 ** 60 }] }],
    ['a handshake without a cluster id', { type: 'handshake', correlationId: 1, nodeId: 2 }],
  ];
  for (const [what, message] of bad) {
    it(`refuses ${what}`, () => {
      expect(() => parseFollowerMessage(bodyOf(encodeFrame(message)))).toThrow(ReplicationProtocolError);
    });
  }

  it('refuses a response whose records are not binary or whose diverging epoch is malformed', () => {
    const partition = {
      topic: 't',
      partition: 0,
      errorCode: 0,
      highWatermark: 5,
      logStartOffset: 0,
      logEndOffset: 9,
      divergingEpoch: null,
      records: Buffer.alloc(0),
    };
    for (const wrong of [
      { records: 'abc' },
      { records: [1, 2] },
      { divergingEpoch: { epoch: 'x', endOffset: 1 } },
      { divergingEpoch: 5 },
      { errorCode: 40000 },
    ]) {
      const frame = encodeFrame({ type: 'fetch', correlationId: 1, partitions: [{ ...partition, ...wrong }] });
      expect(() => parseLeaderMessage(bodyOf(frame))).toThrow(ReplicationProtocolError);
    }
  });
});

describe('hostile input (property)', () => {
  /** Parsing either gives a message or throws ReplicationProtocolError: never another error, never a crash. */
  function parsesOrRefuses(body: Buffer): boolean {
    for (const parse of [parseFollowerMessage, parseLeaderMessage]) {
      try {
        parse(body);
      } catch (error) {
        if (!(error instanceof ReplicationProtocolError)) throw error;
      }
    }
    return true;
  }

  it('refuses random bytes with a protocol error only', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 256 }), (bytes) => parsesOrRefuses(Buffer.from(bytes))),
      { seed: seedFor('replication random bytes'), numRuns: 2000 },
    );
  });

  it('refuses random msgpack values, and fetches with random field values, with a protocol error only', () => {
    const field = fc.oneof(
      fc.anything(),
      fc.integer(),
      fc.double(),
      fc.string(),
      fc.constant(null),
      fc.uint8Array().map((a) => Buffer.from(a)),
    );
    const fetchLike = fc.record({
      type: fc.constantFrom('fetch', 'handshake'),
      correlationId: field,
      replicaId: field,
      partitions: fc.oneof(
        field,
        fc.array(fc.dictionary(fc.constantFrom('topic', 'partition', 'fetchOffset', 'maxBytes', 'records', 'divergingEpoch'), field), { maxLength: 3 }),
      ),
    });
    fc.assert(
      fc.property(fc.oneof(fc.anything(), fetchLike), (value) => parsesOrRefuses(encodeFrame(value).subarray(4))),
      {
        seed: seedFor('replication random values'),
        numRuns: 2000,
      },
    );
  });
});
