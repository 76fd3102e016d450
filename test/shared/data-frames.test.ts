// The data-path ring frames (src/shared/data-frames.ts): every frame kind written and read back (property, at
// any position in a ring-sized buffer, touching nothing around it), its bytes pinned to the documented layout,
// the field tables against the header sizes, and the flag and error-message helpers.
// A new frame kind is one more row in FRAME_KINDS. Seed printed; replay with FJORD_SEED=<seed>.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { seedFor } from '../helpers/test-seed.js';
import {
  APPEND_DONE_HEADER_BYTES,
  APPEND_REQUEST_HEADER_BYTES,
  AppendDoneField,
  AppendRequestField,
  FETCH_DONE_HEADER_BYTES,
  FETCH_REQUEST_BYTES,
  FetchDoneField,
  FetchRequestField,
  FrameType,
  MAX_ERROR_MESSAGE_BYTES,
  REQUEST_ID_FIELD,
  appendBatchesAt,
  appendFlags,
  appendRequestBytes,
  errorMessageBytes,
  errorMessageOf,
  downConvertMagicOf,
  fetchFlags,
  isLegacyMessageSet,
  isReplicaRequest,
  leadPaddingFor,
  leadPaddingOf,
  newAppendDone,
  newAppendRequest,
  newFetchDone,
  newFetchRequest,
  readAppendDone,
  readAppendRequest,
  readFetchDone,
  readFetchRequest,
  requestIdOf,
  writeAppendDone,
  writeAppendRequest,
  writeErrorMessage,
  writeFetchDone,
  writeFetchRequest,
} from '../../src/shared/data-frames.js';

const seed = seedFor('data-frames');

const uint32 = fc.nat({ max: 0xffff_ffff });
const int32 = fc.integer();
const int16 = fc.integer({ min: -0x8000, max: 0x7fff });
/** int64 fields hold offsets and times: -1 or a safe integer (the frames carry them as JS numbers). */
const int64 = fc.oneof(fc.constantFrom(-1, 0, 2 ** 53 - 1, -(2 ** 53 - 1)), fc.maxSafeInteger());

interface FrameKind<T extends object> {
  name: string;
  frameType: number;
  ring: 'request' | 'completion';
  fields: Readonly<Record<string, number>>;
  headerBytes: number;
  frame: fc.Arbitrary<T>;
  fresh: () => T;
  write: (buf: Buffer, at: number, frame: T) => void;
  read: (buf: Buffer, at: number, into: T) => T;
  /** One frame and its bytes as the layout in data-frames.ts spells them. */
  golden: { frame: T; hex: string };
}

function kind<T extends object>(k: FrameKind<T>): FrameKind<object> {
  return k as unknown as FrameKind<object>;
}

const FRAME_KINDS: Array<FrameKind<object>> = [
  kind({
    name: 'APPEND request',
    frameType: FrameType.APPEND,
    ring: 'request',
    fields: AppendRequestField,
    headerBytes: APPEND_REQUEST_HEADER_BYTES,
    frame: fc.record({ requestId: uint32, partitionSlot: uint32, flags: uint32 }),
    fresh: newAppendRequest,
    write: writeAppendRequest,
    read: readAppendRequest,
    golden: { frame: { requestId: 7, partitionSlot: 3, flags: appendFlags(true, 5) }, hex: '00000007 00000003 00000501 00000000' },
  }),
  kind({
    name: 'FETCH request',
    frameType: FrameType.FETCH,
    ring: 'request',
    fields: FetchRequestField,
    headerBytes: FETCH_REQUEST_BYTES,
    frame: fc.record({ requestId: uint32, partitionSlot: uint32, flags: uint32, maxBytes: int32, fetchOffset: int64, arenaOffset: int32, arenaBytes: int32 }),
    fresh: newFetchRequest,
    write: writeFetchRequest,
    read: readFetchRequest,
    golden: {
      frame: {
        requestId: 0xfffffffe,
        partitionSlot: 1,
        flags: fetchFlags(true),
        maxBytes: 1048576,
        fetchOffset: 2 ** 40 + 5,
        arenaOffset: 4096,
        arenaBytes: 65536,
      },
      hex: 'fffffffe 00000001 00000001 00100000 0000010000000005 00001000 00010000',
    },
  }),
  kind({
    name: 'APPEND_DONE',
    frameType: FrameType.APPEND,
    ring: 'completion',
    fields: AppendDoneField,
    headerBytes: APPEND_DONE_HEADER_BYTES,
    frame: fc.record({
      requestId: uint32,
      errorCode: int16,
      baseOffset: int64,
      logAppendTimeMs: int64,
      logStartOffset: int64,
      highWatermark: int64,
      recordIndex: int32,
    }),
    fresh: newAppendDone,
    write: writeAppendDone,
    read: readAppendDone,
    golden: {
      frame: { requestId: 9, errorCode: 87, baseOffset: -1, logAppendTimeMs: -1, logStartOffset: 10, highWatermark: 12, recordIndex: 3 },
      hex: '00000009 0057 0000 ffffffffffffffff ffffffffffffffff 000000000000000a 000000000000000c 00000003 00000000',
    },
  }),
  kind({
    name: 'FETCH_DONE',
    frameType: FrameType.FETCH,
    ring: 'completion',
    fields: FetchDoneField,
    headerBytes: FETCH_DONE_HEADER_BYTES,
    frame: fc.record({ requestId: uint32, errorCode: int16, highWatermark: int64, logStartOffset: int64, logEndOffset: int64, arenaRecordsBytes: int32 }),
    fresh: newFetchDone,
    write: writeFetchDone,
    read: readFetchDone,
    golden: {
      frame: { requestId: 1, errorCode: 0, highWatermark: 100, logStartOffset: 0, logEndOffset: 101, arenaRecordsBytes: -1 },
      hex: '00000001 0000 0000 0000000000000064 0000000000000000 0000000000000065 ffffffff 00000000',
    },
  }),
];

const RING_BYTES = 4096;

describe.each(FRAME_KINDS)('$name frame', (k) => {
  it('reads back what was written, at any position, touching no byte outside the header', () => {
    fc.assert(
      fc.property(k.frame, k.frame, fc.nat({ max: RING_BYTES - k.headerBytes }), fc.nat(255), (frame, stale, at, fill) => {
        const buf = Buffer.alloc(RING_BYTES, fill);
        k.write(buf, at, frame);
        // The holder still has another frame's values in it: every field must be overwritten.
        const into = k.read(buf, at, { ...stale });
        expect(into).toEqual(frame);
        expect(requestIdOf(buf, at)).toBe((frame as { requestId: number }).requestId);
        expect(buf.subarray(0, at).every((b) => b === fill)).toBe(true);
        expect(buf.subarray(at + k.headerBytes).every((b) => b === fill)).toBe(true);
      }),
      { seed, numRuns: 2000 },
    );
  });

  it('lays the frame out as documented', () => {
    const buf = Buffer.alloc(k.headerBytes, 0xee);
    k.write(buf, 0, k.golden.frame);
    expect(buf.toString('hex')).toBe(k.golden.hex.replace(/\s+/g, ''));
    expect(k.read(buf, 0, k.fresh())).toEqual(k.golden.frame);
  });

  it('has a field table that starts with the request id and fits the header', () => {
    const offsets = Object.values(k.fields);
    expect(k.fields['REQUEST_ID']).toBe(REQUEST_ID_FIELD);
    expect(offsets).toEqual([...offsets].sort((a, b) => a - b));
    expect(new Set(offsets).size).toBe(offsets.length);
    expect(Math.max(...offsets)).toBeLessThan(k.headerBytes);
    expect(k.headerBytes % 8).toBe(0); // bodies (batches) start 8-byte aligned within the frame
    // The holder names exactly the fields the table has, bar spares.
    const named = Object.keys(k.fields)
      .filter((f) => !f.startsWith('SPARE'))
      .map((f) => f.toLowerCase().replace(/_(.)/g, (_, c: string) => c.toUpperCase()));
    expect(Object.keys(k.fresh()).sort()).toEqual(named.sort());
  });
});

describe('frame kinds', () => {
  it('each ring has one frame kind per frame type', () => {
    for (const ring of ['request', 'completion']) {
      const types = FRAME_KINDS.filter((k) => k.ring === ring).map((k) => k.frameType);
      expect(new Set(types).size).toBe(types.length);
    }
  });
});

describe('APPEND request flags and batches', () => {
  it('carries the replica bit and the lead padding side by side', () => {
    for (const replica of [false, true]) {
      for (let padding = 0; padding < 8; padding++) {
        const flags = appendFlags(replica, padding);
        expect(isReplicaRequest(flags)).toBe(replica);
        expect(leadPaddingOf(flags)).toBe(padding);
        expect(appendBatchesAt(100, flags)).toBe(100 + APPEND_REQUEST_HEADER_BYTES + padding);
        expect(appendRequestBytes(padding, 1000)).toBe(APPEND_REQUEST_HEADER_BYTES + padding + 1000);
      }
    }
    expect(isReplicaRequest(fetchFlags(true))).toBe(true);
    expect(isReplicaRequest(fetchFlags(false))).toBe(false);
  });

  it('carries the old-format flags beside the others (append: a magic 0/1 message set; fetch: the magic to answer in)', () => {
    for (const replica of [false, true]) {
      for (const legacy of [false, true]) {
        const flags = appendFlags(replica, 6, legacy);
        expect([isReplicaRequest(flags), isLegacyMessageSet(flags), leadPaddingOf(flags)]).toEqual([replica, legacy, 6]);
      }
      for (const toMagic of [0, 1, 2]) {
        const flags = fetchFlags(replica, toMagic);
        expect([isReplicaRequest(flags), downConvertMagicOf(flags)]).toEqual([replica, toMagic === 2 ? -1 : toMagic]);
      }
    }
    expect(isLegacyMessageSet(appendFlags(false, 0))).toBe(false);
    expect(downConvertMagicOf(fetchFlags(false))).toBe(-1);
  });

  it('pads batches to their source alignment modulo 8', () => {
    const source = Buffer.alloc(64);
    for (let shift = 0; shift < 16; shift++) {
      const batches = source.subarray(shift, shift + 8);
      expect((appendBatchesAt(0, appendFlags(false, leadPaddingFor(batches))) - batches.byteOffset) % 8).toBe(0);
    }
  });
});

describe('completion error messages', () => {
  it('are written after the header, cut at MAX_ERROR_MESSAGE_BYTES, and absent on success', () => {
    const buf = Buffer.alloc(1024);
    expect(errorMessageBytes(0, 'ignored')).toBe(0);
    expect(errorMessageBytes(2, 'x'.repeat(2000))).toBe(MAX_ERROR_MESSAGE_BYTES);
    const message = 'record 3 is malformed';
    const bytes = errorMessageBytes(87, message);
    writeAppendDone(buf, 0, { ...newAppendDone(), errorCode: 87 });
    writeErrorMessage(buf, APPEND_DONE_HEADER_BYTES, message, bytes);
    expect(errorMessageOf(buf, 87, APPEND_DONE_HEADER_BYTES, APPEND_DONE_HEADER_BYTES + bytes)).toBe(message);
    expect(errorMessageOf(buf, 0, APPEND_DONE_HEADER_BYTES, APPEND_DONE_HEADER_BYTES + bytes)).toBe('');
  });
});
