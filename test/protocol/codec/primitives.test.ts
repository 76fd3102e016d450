// Unit tests of the wire primitives: known encodings, varint edges, nulls, range checks, zero-copy reads, and
// that every truncated prefix of a valid encoding throws ProtocolError (never a RangeError, never a hang).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../../../src/protocol/codec/protocol-error.js';
import { Reader, STRING_BYTES_MAX, ZERO_UUID } from '../../../src/protocol/codec/reader.js';
import { Writer } from '../../../src/protocol/codec/writer.js';
import { sizeOfUnsignedVarint, sizeOfVarint, sizeOfVarlong } from '../../../src/shared/varint.js';

function encode(write: (w: Writer) => void, size = 64): Buffer {
  const w = new Writer(Buffer.alloc(size));
  write(w);
  return w.buf.subarray(0, w.offset);
}

const hex = (buf: Buffer): string => buf.toString('hex');
const bytesOf = (text: string): Buffer => Buffer.from(text.replace(/\s+/g, ''), 'hex');

function expectMalformed(read: () => unknown, pattern?: RegExp): ProtocolError {
  let caught: unknown;
  try {
    read();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(ProtocolError);
  const error = caught as ProtocolError;
  expect(error.kind).toBe('malformed');
  if (pattern) expect(error.message).toMatch(pattern);
  return error;
}

function expectInvalid(write: () => void): void {
  let caught: unknown;
  try {
    write();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(ProtocolError);
  expect((caught as ProtocolError).kind).toBe('invalid-value');
}

/** Reference zigzag varlong encoding with BigInt (tests only). */
function referenceVarlong(value: number): string {
  let raw = BigInt.asUintN(64, (BigInt(value) << 1n) ^ (BigInt(value) >> 63n));
  const out: number[] = [];
  while (raw >= 0x80n) {
    out.push(Number(raw & 0x7fn) | 0x80);
    raw >>= 7n;
  }
  out.push(Number(raw));
  return Buffer.from(out).toString('hex');
}

describe('unsigned varint', () => {
  const known: Array<[number, string]> = [
    [0, '00'],
    [1, '01'],
    [127, '7f'],
    [128, '8001'],
    [300, 'ac02'],
    [16383, 'ff7f'],
    [16384, '808001'],
    [2 ** 21 - 1, 'ffff7f'],
    [2 ** 28 - 1, 'ffffff7f'],
    [2 ** 28, '8080808001'],
    [2 ** 31 - 1, 'ffffffff07'],
    [2 ** 32 - 1, 'ffffffff0f'],
  ];
  it.each(known)('%d ↔ %s', (value, bytes) => {
    const buf = encode((w) => w.unsignedVarint(value));
    expect(hex(buf)).toBe(bytes);
    expect(sizeOfUnsignedVarint(value)).toBe(buf.length);
    const reader = new Reader(buf);
    expect(reader.unsignedVarint()).toBe(value);
    expect(reader.remaining()).toBe(0);
  });

  it('rejects a sixth byte and values over 32 bits', () => {
    expectMalformed(() => new Reader(bytesOf('ffffffffff01')).unsignedVarint(), /32 bits/);
    expectMalformed(() => new Reader(bytesOf('8080808010')).unsignedVarint(), /32 bits/);
  });

  it('rejects negative and oversized values on write', () => {
    expectInvalid(() => encode((w) => w.unsignedVarint(-1)));
    expectInvalid(() => encode((w) => w.unsignedVarint(2 ** 32)));
  });
});

describe('zigzag varint and varlong', () => {
  const knownVarint: Array<[number, string]> = [
    [0, '00'],
    [-1, '01'],
    [1, '02'],
    [-64, '7f'],
    [64, '8001'],
    [300, 'd804'],
    [2 ** 31 - 1, 'feffffff0f'],
    [-(2 ** 31), 'ffffffff0f'],
  ];
  it.each(knownVarint)('varint %d ↔ %s', (value, bytes) => {
    const buf = encode((w) => w.varint(value));
    expect(hex(buf)).toBe(bytes);
    expect(sizeOfVarint(value)).toBe(buf.length);
    expect(new Reader(buf).varint()).toBe(value);
  });

  const edgeLongs = [0, -1, 1, 63, -64, 64, 2 ** 31, -(2 ** 31) - 1, 2 ** 32, 2 ** 53 - 1, -(2 ** 53 - 1), 2 ** 52, -(2 ** 52)];
  it.each(edgeLongs)('varlong %d matches the 64-bit reference encoding', (value) => {
    const buf = encode((w) => w.varlong(value));
    expect(hex(buf)).toBe(referenceVarlong(value));
    expect(sizeOfVarlong(value)).toBe(buf.length);
    expect(new Reader(buf).varlong()).toBe(value);
  });

  it('varlong round-trips every safe integer (property)', () => {
    fc.assert(
      fc.property(fc.maxSafeInteger(), (value) => {
        const buf = encode((w) => w.varlong(value));
        expect(hex(buf)).toBe(referenceVarlong(value));
        expect(new Reader(buf).varlong()).toBe(value);
      }),
      { numRuns: 2000 },
    );
  });

  it('varlong rejects values outside ±(2^53 - 1) and an eleventh byte', () => {
    expectMalformed(() => new Reader(Buffer.from(referenceVarlong(2 ** 60), 'hex')).varlong(), /2\^53/);
    expectMalformed(() => new Reader(bytesOf('ffffffffffffffffff ff 01')).varlong(), /10 bytes/);
    expectInvalid(() => encode((w) => w.varlong(2 ** 53)));
  });
});

describe('fixed-width integers', () => {
  it('int8/16/32 and unsigned types at their edges', () => {
    const buf = encode((w) => {
      w.int8(-128);
      w.int8(127);
      w.int16(-32768);
      w.int16(32767);
      w.uint16(65535);
      w.int32(-(2 ** 31));
      w.int32(2 ** 31 - 1);
      w.uint32(2 ** 32 - 1);
    });
    expect(hex(buf)).toBe('807f' + '80007fff' + 'ffff' + '800000007fffffff' + 'ffffffff');
    const r = new Reader(buf);
    expect([r.int8(), r.int8(), r.int16(), r.int16(), r.uint16(), r.int32(), r.int32(), r.uint32()]).toEqual([
      -128,
      127,
      -32768,
      32767,
      65535,
      -(2 ** 31),
      2 ** 31 - 1,
      2 ** 32 - 1,
    ]);
  });

  it('rejects out-of-range and non-integer values on write', () => {
    expectInvalid(() => encode((w) => w.int8(128)));
    expectInvalid(() => encode((w) => w.int16(-32769)));
    expectInvalid(() => encode((w) => w.int32(2 ** 31)));
    expectInvalid(() => encode((w) => w.int32(1.5)));
    expectInvalid(() => encode((w) => w.uint16(-1)));
    expectInvalid(() => encode((w) => w.uint32(2 ** 32)));
  });

  it.each([0, -1, 1, 2 ** 32, -(2 ** 32), 2 ** 53 - 1, -(2 ** 53 - 1), 1_700_000_000_000])('int64 %d', (value) => {
    const buf = encode((w) => w.int64(value));
    expect(hex(buf)).toBe(BigInt.asUintN(64, BigInt(value)).toString(16).padStart(16, '0'));
    expect(new Reader(buf).int64()).toBe(value);
  });

  it('int64 outside the exact range is refused both ways', () => {
    expectMalformed(() => new Reader(bytesOf('7fffffffffffffff')).int64(), /2\^53/);
    expectMalformed(() => new Reader(bytesOf('8000000000000000')).int64(), /2\^53/);
    expectInvalid(() => encode((w) => w.int64(2 ** 53)));
    expectInvalid(() => encode((w) => w.int64(0.5)));
  });

  it('float64 and bool (any non-zero byte reads as true)', () => {
    const buf = encode((w) => {
      w.float64(-1.25);
      w.bool(true);
      w.bool(false);
    });
    expect(hex(buf)).toBe('bff4000000000000' + '01' + '00');
    const r = new Reader(buf);
    expect([r.float64(), r.bool(), r.bool()]).toEqual([-1.25, true, false]);
    expect(new Reader(bytesOf('7f')).bool()).toBe(true);
  });
});

describe('uuid', () => {
  it('is 16 raw bytes shown as base64url without padding', () => {
    const raw = bytesOf('00112233445566778899aabbccddeeff');
    const text = new Reader(raw).uuid();
    expect(text).toBe(raw.toString('base64url'));
    expect(text).toHaveLength(22);
    expect(hex(encode((w) => w.uuid(text)))).toBe(hex(raw));
    expect(hex(encode((w) => w.uuid(ZERO_UUID)))).toBe('00'.repeat(16));
  });

  it('rejects text that is not exactly 16 bytes of base64url', () => {
    expectInvalid(() => encode((w) => w.uuid('short')));
    expectInvalid(() => encode((w) => w.uuid('AAAAAAAAAAAAAAAAAAAAAB')));
    expectInvalid(() => encode((w) => w.uuid('00112233-4455-6677-8899-aabbccddeeff')));
  });
});

describe('strings', () => {
  it('classic: int16 length, −1 = null', () => {
    expect(hex(encode((w) => w.string('')))).toBe('0000');
    expect(hex(encode((w) => w.string('ab')))).toBe('00026162');
    expect(hex(encode((w) => w.string('é')))).toBe('0002c3a9');
    expect(hex(encode((w) => w.nullableString(null)))).toBe('ffff');
    expect(new Reader(bytesOf('ffff')).nullableString()).toBeNull();
    expect(new Reader(bytesOf('0002c3a9')).string()).toBe('é');
  });

  it('compact: uvarint length + 1, 0 = null', () => {
    expect(hex(encode((w) => w.compactString('')))).toBe('01');
    expect(hex(encode((w) => w.compactString('ab')))).toBe('036162');
    expect(hex(encode((w) => w.compactNullableString(null)))).toBe('00');
    expect(new Reader(bytesOf('00')).compactNullableString()).toBeNull();
    expect(new Reader(bytesOf('036162')).compactString()).toBe('ab');
    const long = 'x'.repeat(200);
    expect(new Reader(encode((w) => w.compactString(long), 300)).compactString()).toBe(long);
  });

  it('null in a non-nullable string is malformed', () => {
    expectMalformed(() => new Reader(bytesOf('ffff')).string(), /not nullable/);
    expectMalformed(() => new Reader(bytesOf('00')).compactString(), /not nullable/);
    expectMalformed(() => new Reader(bytesOf('fffe')).nullableString(), /invalid string length -2/);
  });

  it('lengths over the Kafka string limit or the bytes left are malformed', () => {
    expectMalformed(() => new Reader(bytesOf('ffffffff0f')).compactString(), /exceeds 32767/);
    expectMalformed(() => new Reader(bytesOf('7fff00')).string(), /truncated/);
    expectInvalid(() => encode((w) => w.string('x'.repeat(STRING_BYTES_MAX + 1)), 40000));
  });
});

describe('bytes and arrays', () => {
  it('bytes are zero-copy subarrays of the input', () => {
    const input = bytesOf('00000003 616263 04 646566');
    const r = new Reader(input);
    const first = r.bytes();
    const second = r.compactBytes();
    expect(first.toString()).toBe('abc');
    expect(second.toString()).toBe('def');
    expect(first.buffer).toBe(input.buffer);
    expect(first.byteOffset).toBe(input.byteOffset + 4);
    expect(second.byteOffset).toBe(input.byteOffset + 8);
  });

  it('nullable bytes: −1 / 0 = null', () => {
    expect(new Reader(bytesOf('ffffffff')).nullableBytes()).toBeNull();
    expect(new Reader(bytesOf('00')).compactNullableBytes()).toBeNull();
    expect(hex(encode((w) => w.nullableBytes(null)))).toBe('ffffffff');
    expect(hex(encode((w) => w.compactNullableBytes(null)))).toBe('00');
    expect(hex(encode((w) => w.compactBytes(Buffer.from('hi'))))).toBe('036869');
    expectMalformed(() => new Reader(bytesOf('ffffffff')).bytes(), /not nullable/);
  });

  it('array counts are checked against the bytes left before anything is allocated', () => {
    expectMalformed(() => new Reader(bytesOf('7fffffff')).arrayLength(4), /cannot fit/);
    expectMalformed(() => new Reader(bytesOf('ffffffff0f')).compactArrayLength(1), /cannot fit/);
    expectMalformed(() => new Reader(bytesOf('00000002 00000001')).arrayLength(4), /cannot fit/);
    expect(new Reader(bytesOf('00000002 00000001 00000002')).arrayLength(4)).toBe(2);
    expectMalformed(() => new Reader(bytesOf('ffffffff')).arrayLength(4, false), /not nullable/);
    expect(new Reader(bytesOf('ffffffff')).arrayLength(4, true)).toBe(-1);
    expect(new Reader(bytesOf('00')).compactArrayLength(4, true)).toBe(-1);
    expect(hex(encode((w) => w.compactArrayLength(-1)))).toBe('00');
    expect(hex(encode((w) => w.arrayLength(-1)))).toBe('ffffffff');
  });
});

function readInt16s(r: Reader, count: number): number[] {
  return Array.from({ length: count }, () => r.int16());
}

describe('every truncated prefix throws ProtocolError', () => {
  const cases: Array<[string, (w: Writer) => void, (r: Reader) => unknown]> = [
    ['int8', (w) => w.int8(-5), (r) => r.int8()],
    ['int16', (w) => w.int16(-5), (r) => r.int16()],
    ['uint16', (w) => w.uint16(5), (r) => r.uint16()],
    ['int32', (w) => w.int32(-5), (r) => r.int32()],
    ['uint32', (w) => w.uint32(5), (r) => r.uint32()],
    ['int64', (w) => w.int64(-5), (r) => r.int64()],
    ['float64', (w) => w.float64(0.5), (r) => r.float64()],
    ['bool', (w) => w.bool(true), (r) => r.bool()],
    ['uuid', (w) => w.uuid(ZERO_UUID), (r) => r.uuid()],
    ['unsigned varint', (w) => w.unsignedVarint(2 ** 32 - 1), (r) => r.unsignedVarint()],
    ['varint', (w) => w.varint(-(2 ** 31)), (r) => r.varint()],
    ['varlong', (w) => w.varlong(-(2 ** 53 - 1)), (r) => r.varlong()],
    ['string', (w) => w.string('héllo'), (r) => r.string()],
    ['nullable string', (w) => w.nullableString('x'), (r) => r.nullableString()],
    ['compact string', (w) => w.compactString('héllo'), (r) => r.compactString()],
    ['compact nullable string', (w) => w.compactNullableString('x'), (r) => r.compactNullableString()],
    ['bytes', (w) => w.bytes(Buffer.from('abc')), (r) => r.bytes()],
    ['nullable bytes', (w) => w.nullableBytes(Buffer.from('abc')), (r) => r.nullableBytes()],
    ['compact bytes', (w) => w.compactBytes(Buffer.from('abc')), (r) => r.compactBytes()],
    ['compact nullable bytes', (w) => w.compactNullableBytes(Buffer.from('abc')), (r) => r.compactNullableBytes()],
    ['array of int16', (w) => [w.arrayLength(2), w.int16(1), w.int16(2)], (r) => readInt16s(r, r.arrayLength(2))],
    ['compact array of int16', (w) => [w.compactArrayLength(2), w.int16(1), w.int16(2)], (r) => readInt16s(r, r.compactArrayLength(2))],
  ];

  it.each(cases)('%s', (_name, write, read) => {
    const full = encode(write, 400);
    expect(() => read(new Reader(full))).not.toThrow(ProtocolError);
    for (let cut = 0; cut < full.length; cut++) {
      expectMalformed(() => read(new Reader(full.subarray(0, cut))));
    }
  });
});
