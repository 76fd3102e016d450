// Property tests of the shared varint codec (src/shared/varint.ts) against a simple BigInt model: encodings,
// sizes and round trips of every value class, the edges (0, ±1, int32 and uint32 bounds, ±2^53, 10-byte
// varlongs), and arbitrary bytes (truncated, overlong, too large) read exactly as the model reads them.
// Seed printed; replay with FJORD_SEED=<seed>.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { seedFor } from '../helpers/test-seed.js';
import {
  VarintFault,
  readUnsignedVarint,
  readVarint,
  readVarlong,
  sizeOfUnsignedVarint,
  sizeOfVarint,
  sizeOfVarlong,
  varintEnd,
  writeUnsignedVarint,
  writeVarint,
  writeVarlong,
} from '../../src/shared/varint.js';

const seed = seedFor('varint');
const runs = (numRuns: number) => ({ seed, numRuns });

const SAFE = 2n ** 53n - 1n;

// The model: 7 bits a byte, least significant first, at most `maxBytes` bytes, a value below 2^bits.
function modelEncode(raw: bigint): number[] {
  const out: number[] = [];
  for (; raw >= 0x80n; raw >>= 7n) out.push(Number(raw & 0x7fn) | 0x80);
  out.push(Number(raw));
  return out;
}

type ModelRead = { raw: bigint; end: number } | { fault: number };

function modelDecode(bytes: Uint8Array, at: number, limit: number, maxBytes: number, bits: number): ModelRead {
  let raw = 0n;
  for (let i = 0; i < maxBytes; i++) {
    if (at + i >= limit) return { fault: VarintFault.TRUNCATED };
    const b = bytes[at + i]!;
    raw |= BigInt(b & 0x7f) << BigInt(7 * i);
    if (b < 0x80) return raw >= 1n << BigInt(bits) ? { fault: VarintFault.OVERFLOW } : { raw, end: at + i + 1 };
  }
  return { fault: VarintFault.OVERFLOW };
}

const zigzagEncode = (value: bigint, bits: number): bigint => BigInt.asUintN(bits, (value << 1n) ^ (value >> BigInt(bits - 1)));
const zigzagDecode = (raw: bigint): bigint => (raw >> 1n) ^ -(raw & 1n);

/** The varlong read's contract: exact within ±(2^53 - 1), beyond it a number outside that range of the same sign. */
function expectVarlongValue(read: number, value: bigint): void {
  if (value >= -SAFE && value <= SAFE) expect(read).toBe(Number(value));
  else {
    expect(Number.isSafeInteger(read)).toBe(false);
    expect(Math.sign(read)).toBe(value < 0n ? -1 : 1);
  }
}

function written(write: (buf: Uint8Array, at: number) => number): number[] {
  const buf = new Uint8Array(16).fill(0xee);
  const end = write(buf, 3); // not at 0: positions are absolute
  return [...buf.subarray(3, end)];
}

const uint32s = fc.oneof(fc.integer({ min: 0, max: 0xffff_ffff }), fc.constantFrom(0, 1, 0x7f, 0x80, 0x3fff, 0x4000, 2 ** 31, 2 ** 32 - 1));
const int32s = fc.oneof(fc.integer(), fc.constantFrom(0, 1, -1, 63, -64, 64, -65, 2 ** 31 - 1, -(2 ** 31)));
const safeIntegers = fc.oneof(
  fc.maxSafeInteger(),
  fc.integer(),
  fc.constantFrom(0, 1, -1, 2 ** 31, -(2 ** 31) - 1, 2 ** 53 - 1, -(2 ** 53 - 1), 2 ** 52, -(2 ** 52)),
);
const int64s = fc.oneof(
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
  fc.constantFrom(2n ** 53n, -(2n ** 53n), 2n ** 63n - 1n, -(2n ** 63n), SAFE + 2n, -SAFE - 2n),
);
/** Bytes that are mostly continuation bytes, so reads run long, overflow or get cut short. */
const varintishBytes = fc.uint8Array({ minLength: 0, maxLength: 24 }).map((bytes) => bytes.map((b, i) => (i % 5 === 4 ? b : b | 0x80)));

interface Codec {
  name: string;
  /** What the writer takes. */
  values: fc.Arbitrary<number>;
  write: (buf: Uint8Array, at: number, value: number) => number;
  size: (value: number) => number;
  read: (buf: Uint8Array, at: number, limit: number) => number;
  maxBytes: number;
  bits: number;
  /** The model: value → raw unsigned integer, and back. */
  raw: (value: bigint) => bigint;
  value: (raw: bigint) => bigint;
}

const CODECS: Codec[] = [
  {
    name: 'unsigned varint',
    values: uint32s,
    write: writeUnsignedVarint,
    size: sizeOfUnsignedVarint,
    read: readUnsignedVarint,
    maxBytes: 5,
    bits: 32,
    raw: (v) => v,
    value: (raw) => raw,
  },
  {
    name: 'zigzag varint (int32)',
    values: int32s,
    write: writeVarint,
    size: sizeOfVarint,
    read: readVarint,
    maxBytes: 5,
    bits: 32,
    raw: (v) => zigzagEncode(v, 32),
    value: zigzagDecode,
  },
  {
    name: 'zigzag varlong (int64)',
    values: safeIntegers,
    write: writeVarlong,
    size: sizeOfVarlong,
    read: readVarlong,
    maxBytes: 10,
    bits: 64,
    raw: (v) => zigzagEncode(v, 64),
    value: zigzagDecode,
  },
];

describe.each(CODECS)('$name', (codec) => {
  it('writes the model encoding, sizes it, and reads it back', () => {
    fc.assert(
      fc.property(codec.values, (value) => {
        const bytes = written((buf, at) => codec.write(buf, at, value));
        expect(bytes).toEqual(modelEncode(codec.raw(BigInt(value))));
        expect(codec.size(value)).toBe(bytes.length);
        expect(codec.read(Uint8Array.from(bytes), 0, bytes.length)).toBe(value);
        expect(varintEnd).toBe(bytes.length);
      }),
      runs(5000),
    );
  });

  it('reads arbitrary bytes as the model does: value and end, cut short, or too long / too large', () => {
    fc.assert(
      fc.property(varintishBytes, fc.uint8Array({ minLength: 1, maxLength: 12 }), fc.nat(16), fc.nat(16), (long, plain, from, cut) => {
        for (const input of [long, plain, Uint8Array.from([...long, ...plain])]) {
          const at = Math.min(from, input.length);
          const limit = Math.max(at, input.length - cut);
          const model = modelDecode(input, at, limit, codec.maxBytes, codec.bits);
          const value = codec.read(input, at, limit);
          if ('fault' in model) expect([value, varintEnd]).toEqual([0, model.fault]);
          else {
            if (codec.bits === 64) expectVarlongValue(value, codec.value(model.raw));
            else expect(value).toBe(Number(codec.value(model.raw)));
            expect(varintEnd).toBe(model.end);
          }
        }
      }),
      runs(5000),
    );
  });
});

describe('edges', () => {
  it('unsigned varint: 2^32 - 1 in 5 bytes, a 5th byte beyond bit 31, a 6th byte, nothing to read, overlong', () => {
    expect(readUnsignedVarint(Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0x0f]), 0, 5)).toBe(2 ** 32 - 1);
    readUnsignedVarint(Uint8Array.from([0x80, 0x80, 0x80, 0x80, 0x10]), 0, 5);
    expect(varintEnd).toBe(VarintFault.OVERFLOW);
    readUnsignedVarint(Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0xff, 0x01]), 0, 6);
    expect(varintEnd).toBe(VarintFault.OVERFLOW);
    readUnsignedVarint(Uint8Array.from([0x01]), 0, 0);
    expect(varintEnd).toBe(VarintFault.TRUNCATED);
    // Overlong but within 5 bytes and 32 bits is accepted, as Kafka's readers accept it.
    expect(readUnsignedVarint(Uint8Array.from([0x81, 0x80, 0x00]), 0, 3)).toBe(1);
    expect(varintEnd).toBe(3);
  });

  it('varint: int32 min and max, ±1, 0', () => {
    const cases: Array<[number, number[]]> = [
      [0, [0x00]],
      [-1, [0x01]],
      [1, [0x02]],
      [2 ** 31 - 1, [0xfe, 0xff, 0xff, 0xff, 0x0f]],
      [-(2 ** 31), [0xff, 0xff, 0xff, 0xff, 0x0f]],
    ];
    for (const [value, bytes] of cases) {
      expect(written((buf, at) => writeVarint(buf, at, value))).toEqual(bytes);
      // An int32's zigzag is the same as a 64-bit zigzag of the same value.
      expect(bytes).toEqual(modelEncode(zigzagEncode(BigInt(value), 64)));
      expect(readVarint(Uint8Array.from(bytes), 0, bytes.length)).toBe(value);
    }
  });

  it('varlong: every int64 encoding reads exactly within ±(2^53 - 1), as an unsafe number of the right sign beyond', () => {
    fc.assert(
      fc.property(int64s, (value) => {
        const bytes = Uint8Array.from(modelEncode(zigzagEncode(value, 64)));
        expectVarlongValue(readVarlong(bytes, 0, bytes.length), value);
        expect(varintEnd).toBe(bytes.length);
      }),
      runs(5000),
    );
  });

  it('varlong: ±2^53 bounds, 10-byte varlongs, a 10th byte beyond bit 63, an 11th byte', () => {
    const min64 = Uint8Array.from(modelEncode(2n ** 64n - 1n)); // zigzag of -2^63
    expect(min64.length).toBe(10);
    expectVarlongValue(readVarlong(min64, 0, 10), -(2n ** 63n));
    expect(written((buf, at) => writeVarlong(buf, at, 2 ** 53 - 1))).toEqual(modelEncode(zigzagEncode(SAFE, 64)));
    expect(written((buf, at) => writeVarlong(buf, at, -(2 ** 53 - 1)))).toEqual(modelEncode(zigzagEncode(-SAFE, 64)));
    expectVarlongValue(readVarlong(Uint8Array.from(modelEncode(zigzagEncode(2n ** 53n, 64))), 0, 8), 2n ** 53n);
    expectVarlongValue(readVarlong(Uint8Array.from(modelEncode(zigzagEncode(-(2n ** 53n), 64))), 0, 8), -(2n ** 53n));
    readVarlong(Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02]), 0, 10);
    expect(varintEnd).toBe(VarintFault.OVERFLOW);
    readVarlong(Uint8Array.from([0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00]), 0, 11);
    expect(varintEnd).toBe(VarintFault.OVERFLOW);
    readVarlong(Uint8Array.from([0x80, 0x80]), 0, 2);
    expect(varintEnd).toBe(VarintFault.TRUNCATED);
  });
});

describe('chained reads', () => {
  it('a read at a negative position fails with the fault that put it there', () => {
    const bytes = Uint8Array.from([0x80, 0x80]);
    readVarint(bytes, 0, 2);
    expect(varintEnd).toBe(VarintFault.TRUNCATED);
    for (const read of [readUnsignedVarint, readVarint, readVarlong]) {
      expect(read(bytes, VarintFault.OVERFLOW, 2)).toBe(0);
      expect(varintEnd).toBe(VarintFault.OVERFLOW);
    }
  });
});
