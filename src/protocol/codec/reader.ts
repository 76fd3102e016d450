// Bounds-checked reader of the Kafka wire primitives over one Buffer. Runs on the main thread.
// Every read checks the bytes left first and throws ProtocolError('malformed'); bytes and records come back as
// zero-copy subarrays of the input, and no length read from the wire is allocated before it is checked.
import { readInt64 } from '../../shared/record-batch.js';
import { VarintFault, readUnsignedVarint, readVarint, readVarlong, varintEnd } from '../../shared/varint.js';
import { ProtocolError } from './protocol-error.js';

/** Longest string Kafka accepts (Java generated readers reject longer, as a Java String length is a short). */
export const STRING_BYTES_MAX = 0x7fff;
/** 16 bytes in base64url without padding: Kafka's own `Uuid.toString()` form, e.g. "AAAAAAAAAAAAAAAAAAAAAA". */
export const UUID_BYTES = 16;
export const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA';

export class Reader {
  constructor(
    readonly buf: Buffer,
    public offset = 0,
    /** One past the last readable byte; narrowed while reading a tagged field's value. */
    public end = buf.length,
  ) {}

  remaining(): number {
    return this.end - this.offset;
  }

  /** Claims `n` bytes and returns where they start; the single bounds check every read goes through. */
  private take(n: number, what: string): number {
    const at = this.offset;
    if (n > this.end - at) {
      throw new ProtocolError(`truncated: ${what} needs ${n} bytes at offset ${at}, ${this.end - at} left`);
    }
    this.offset = at + n;
    return at;
  }

  int8(): number {
    return this.buf.readInt8(this.take(1, 'int8'));
  }

  int16(): number {
    return this.buf.readInt16BE(this.take(2, 'int16'));
  }

  uint16(): number {
    return this.buf.readUInt16BE(this.take(2, 'uint16'));
  }

  int32(): number {
    return this.buf.readInt32BE(this.take(4, 'int32'));
  }

  uint32(): number {
    return this.buf.readUInt32BE(this.take(4, 'uint32'));
  }

  /** int64 as a JS number; a value outside ±(2^53 − 1) cannot be held exactly and is rejected. */
  int64(): number {
    const at = this.take(8, 'int64');
    const value = readInt64(this.buf, at);
    if (!Number.isSafeInteger(value)) throw new ProtocolError(`int64 at offset ${at} is outside ±(2^53 - 1)`);
    return value;
  }

  float64(): number {
    return this.buf.readDoubleBE(this.take(8, 'float64'));
  }

  /** Any non-zero byte is true, as in Kafka's readers. */
  bool(): boolean {
    return this.buf[this.take(1, 'bool')] !== 0;
  }

  /** 16 raw bytes, returned as base64url without padding (22 characters). */
  uuid(): string {
    const at = this.take(UUID_BYTES, 'uuid');
    return this.buf.toString('base64url', at, at + UUID_BYTES);
  }

  // UNSIGNED_VARINT, VARINT, VARLONG: layouts and limits in src/shared/varint.ts.
  unsignedVarint(): number {
    return this.varintDone(readUnsignedVarint(this.buf, this.offset, this.end), 'unsigned varint', '32 bits');
  }

  varint(): number {
    return this.varintDone(readVarint(this.buf, this.offset, this.end), 'varint', '32 bits');
  }

  /** A varlong outside ±(2^53 − 1) cannot be held exactly and is rejected. */
  varlong(): number {
    const value = this.varintDone(readVarlong(this.buf, this.offset, this.end), 'varlong', '64 bits (10 bytes)');
    if (!Number.isSafeInteger(value)) throw new ProtocolError('varlong is outside ±(2^53 - 1)');
    return value;
  }

  /** Moves past the varint just read, or throws for the fault it left in `varintEnd`. */
  private varintDone(value: number, what: string, bits: string): number {
    if (varintEnd === VarintFault.TRUNCATED) throw new ProtocolError(`truncated: ${what} at offset ${this.offset} runs past ${this.end}`);
    if (varintEnd < 0) throw new ProtocolError(`${what} at offset ${this.offset} does not fit in ${bits}`);
    this.offset = varintEnd;
    return value;
  }

  /** UTF-8 text of `length` bytes (length already validated against the string limit). */
  private text(length: number, what: string): string {
    const at = this.take(length, what);
    return this.buf.toString('utf8', at, at + length);
  }

  private checkStringLength(length: number, nullable: boolean): void {
    if (length === -1 && nullable) return;
    if (length < 0) throw new ProtocolError(`invalid string length ${length}${nullable ? '' : ' (not nullable)'}`);
    if (length > STRING_BYTES_MAX) throw new ProtocolError(`string length ${length} exceeds ${STRING_BYTES_MAX}`);
  }

  // STRING / NULLABLE_STRING: int16 length N (−1 = null), then N UTF-8 bytes.
  string(): string {
    const length = this.int16();
    this.checkStringLength(length, false);
    return this.text(length, 'string');
  }

  nullableString(): string | null {
    const length = this.int16();
    this.checkStringLength(length, true);
    return length === -1 ? null : this.text(length, 'string');
  }

  // COMPACT_STRING / COMPACT_NULLABLE_STRING: unsigned varint N + 1 (0 = null), then N UTF-8 bytes.
  compactString(): string {
    const length = this.unsignedVarint() - 1;
    this.checkStringLength(length, false);
    return this.text(length, 'compact string');
  }

  compactNullableString(): string | null {
    const length = this.unsignedVarint() - 1;
    this.checkStringLength(length, true);
    return length === -1 ? null : this.text(length, 'compact string');
  }

  /** `length` bytes as a zero-copy subarray of the input. */
  private slice(length: number, what: string): Buffer {
    const at = this.take(length, what);
    return this.buf.subarray(at, at + length);
  }

  private checkBytesLength(length: number, nullable: boolean): void {
    if (length === -1 && nullable) return;
    if (length < 0) throw new ProtocolError(`invalid bytes length ${length}${nullable ? '' : ' (not nullable)'}`);
  }

  // BYTES / NULLABLE_BYTES (and non-flexible records): int32 length N (−1 = null), then N bytes.
  bytes(): Buffer {
    const length = this.int32();
    this.checkBytesLength(length, false);
    return this.slice(length, 'bytes');
  }

  nullableBytes(): Buffer | null {
    const length = this.int32();
    this.checkBytesLength(length, true);
    return length === -1 ? null : this.slice(length, 'bytes');
  }

  // COMPACT_BYTES / COMPACT_NULLABLE_BYTES (and flexible records): unsigned varint N + 1 (0 = null), N bytes.
  compactBytes(): Buffer {
    const length = this.unsignedVarint() - 1;
    this.checkBytesLength(length, false);
    return this.slice(length, 'compact bytes');
  }

  compactNullableBytes(): Buffer | null {
    const length = this.unsignedVarint() - 1;
    this.checkBytesLength(length, true);
    return length === -1 ? null : this.slice(length, 'compact bytes');
  }

  /** Rejects a count whose items cannot fit in the bytes left, before anything is allocated for them. */
  private checkCount(count: number, itemBytesMin: number, nullable: boolean): number {
    if (count === -1 && nullable) return count;
    if (count < 0) throw new ProtocolError(`invalid array length ${count}${nullable ? '' : ' (not nullable)'}`);
    const left = this.end - this.offset;
    if (count * Math.max(itemBytesMin, 1) > left) {
      throw new ProtocolError(`array of ${count} items cannot fit in the ${left} bytes left`);
    }
    return count;
  }

  // ARRAY: int32 count N (−1 = null), then N items. Returns −1 for null.
  arrayLength(itemBytesMin = 1, nullable = false): number {
    return this.checkCount(this.int32(), itemBytesMin, nullable);
  }

  // COMPACT_ARRAY: unsigned varint N + 1 (0 = null), then N items. Returns −1 for null.
  compactArrayLength(itemBytesMin = 1, nullable = false): number {
    return this.checkCount(this.unsignedVarint() - 1, itemBytesMin, nullable);
  }

  /** Skips `n` bytes (the value of an unknown tagged field). */
  skip(n: number): void {
    this.take(n, 'skipped bytes');
  }
}
