// Writer of the Kafka wire primitives into a Buffer sized in advance, and the size of each encoding.
// Runs on the main thread. Values that do not fit their type throw ProtocolError('invalid-value').
// Byte layouts are written out next to the reader's methods (reader.ts); the writer mirrors them.
import { writeInt64 } from '../../shared/record-batch.js';
import { writeUnsignedVarint, writeVarint, writeVarlong } from '../../shared/varint.js';
import { ProtocolError } from './protocol-error.js';
import { STRING_BYTES_MAX, UUID_BYTES } from './reader.js';

const UUID_TEXT = /^[A-Za-z0-9_-]{21}[AQgw]$/;

function invalid(what: string, value: unknown): ProtocolError {
  const shown = typeof value === 'string' ? JSON.stringify(value) : String(value);
  return new ProtocolError(`${shown} is not a valid ${what}`, 'invalid-value');
}

function checkInteger(value: number, min: number, max: number, what: string): number {
  if (!Number.isInteger(value) || value < min || value > max) throw invalid(what, value);
  return value;
}

/** UTF-8 byte length of a string field, checked against Kafka's string limit. */
export function stringBytes(value: string): number {
  if (typeof value !== 'string') throw invalid('string', value);
  const bytes = Buffer.byteLength(value, 'utf8');
  if (bytes > STRING_BYTES_MAX) throw invalid(`string (${bytes} bytes > ${STRING_BYTES_MAX})`, '…');
  return bytes;
}

export function bytesLength(value: Uint8Array): number {
  if (!(value instanceof Uint8Array)) throw invalid('bytes value (expected a Buffer)', value);
  return value.length;
}

/** A buffer the writer did not copy: it goes on the wire by reference, before the byte at `at` of `buf`. */
export interface LentSplice {
  at: number;
  value: Uint8Array;
}

export class Writer {
  /** Raw values written by reference (see `lendable`), in the order written. */
  readonly splices: LentSplice[] = [];

  constructor(
    readonly buf: Buffer,
    public offset = 0,
    /** Raw values not to copy but to splice in by reference (the caller sized `buf` without them). */
    private readonly lendable: ReadonlySet<Uint8Array> | null = null,
  ) {}

  int8(value: number): void {
    this.offset = this.buf.writeInt8(checkInteger(value, -0x80, 0x7f, 'int8'), this.offset);
  }

  int16(value: number): void {
    this.offset = this.buf.writeInt16BE(checkInteger(value, -0x8000, 0x7fff, 'int16'), this.offset);
  }

  uint16(value: number): void {
    this.offset = this.buf.writeUInt16BE(checkInteger(value, 0, 0xffff, 'uint16'), this.offset);
  }

  int32(value: number): void {
    this.offset = this.buf.writeInt32BE(checkInteger(value, -0x8000_0000, 0x7fff_ffff, 'int32'), this.offset);
  }

  uint32(value: number): void {
    this.offset = this.buf.writeUInt32BE(checkInteger(value, 0, 0xffff_ffff, 'uint32'), this.offset);
  }

  /** int64 from a JS number; only integers within ±(2^53 − 1) are exact, so only those are accepted. */
  int64(value: number): void {
    if (!Number.isSafeInteger(value)) throw invalid('int64 (must be a safe integer)', value);
    writeInt64(this.buf, this.offset, value);
    this.offset += 8;
  }

  float64(value: number): void {
    if (typeof value !== 'number') throw invalid('float64', value);
    this.offset = this.buf.writeDoubleBE(value, this.offset);
  }

  bool(value: boolean): void {
    if (typeof value !== 'boolean') throw invalid('bool', value);
    this.buf[this.offset++] = value ? 1 : 0;
  }

  uuid(value: string): void {
    if (typeof value !== 'string' || !UUID_TEXT.test(value)) throw invalid('uuid (22 base64url characters)', value);
    this.offset += this.buf.write(value, this.offset, UUID_BYTES, 'base64url');
  }

  // UNSIGNED_VARINT, VARINT, VARLONG: layouts in src/shared/varint.ts.
  unsignedVarint(value: number): void {
    this.offset = writeUnsignedVarint(this.buf, this.offset, checkInteger(value, 0, 0xffff_ffff, 'unsigned varint'));
  }

  varint(value: number): void {
    this.offset = writeVarint(this.buf, this.offset, checkInteger(value, -0x8000_0000, 0x7fff_ffff, 'varint'));
  }

  varlong(value: number): void {
    if (!Number.isSafeInteger(value)) throw invalid('varlong (must be a safe integer)', value);
    this.offset = writeVarlong(this.buf, this.offset, value);
  }

  private text(value: string, byteLength: number): void {
    this.offset += this.buf.write(value, this.offset, byteLength, 'utf8');
  }

  string(value: string): void {
    const length = stringBytes(value);
    this.int16(length);
    this.text(value, length);
  }

  nullableString(value: string | null): void {
    if (value === null) this.int16(-1);
    else this.string(value);
  }

  compactString(value: string): void {
    const length = stringBytes(value);
    this.unsignedVarint(length + 1);
    this.text(value, length);
  }

  compactNullableString(value: string | null): void {
    if (value === null) this.unsignedVarint(0);
    else this.compactString(value);
  }

  /** Copies raw bytes with no length prefix (the one copy a Buffer field costs on encode), or splices a lendable one. */
  raw(value: Uint8Array): void {
    if (this.lendable?.has(value) === true) {
      this.splices.push({ at: this.offset, value });
      return;
    }
    this.buf.set(value, this.offset);
    this.offset += value.length;
  }

  bytes(value: Uint8Array): void {
    this.int32(bytesLength(value));
    this.raw(value);
  }

  nullableBytes(value: Uint8Array | null): void {
    if (value === null) this.int32(-1);
    else this.bytes(value);
  }

  compactBytes(value: Uint8Array): void {
    this.unsignedVarint(bytesLength(value) + 1);
    this.raw(value);
  }

  compactNullableBytes(value: Uint8Array | null): void {
    if (value === null) this.unsignedVarint(0);
    else this.compactBytes(value);
  }

  /** ARRAY count (int32; −1 = null). */
  arrayLength(count: number): void {
    this.int32(count);
  }

  /** COMPACT_ARRAY count (unsigned varint N + 1; 0 = null); pass −1 for null. */
  compactArrayLength(count: number): void {
    this.unsignedVarint(count + 1);
  }
}
