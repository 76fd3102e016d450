// The replication protocol's frames: an int32 size, then one msgpack value (msgpackr, maps as plain objects,
// binary values as Buffers: a fetch response's records travel as one msgpack bin, exactly the stored bytes).
// encodeFrame copies the packed body behind its size; encodeFrameParts writes the same bytes as parts, large
// Buffers lent between them rather than copied (a fetch response's records go to the socket from where the
// worker's read put them). Decoding returns views of the frame (records included, no copy) and throws
// ReplicationProtocolError for anything that is not one whole msgpack value. Cutting frames from a socket is
// src/network/frame-splitter.ts (same layout). Main thread.
//
//   0  int32    size   bytes that follow: 1 .. the receiver's maximum (a larger or non-positive size closes)
//   4  msgpack  body   one map: { type, correlationId, ...fields } (messages.ts)
import { Packr, Unpackr } from 'msgpackr';

export class ReplicationProtocolError extends Error {
  override name = 'ReplicationProtocolError';
}

const packr = new Packr({ useRecords: false });
// int64AsType: offsets are numbers (safe integers are checked by the message validators).
const unpackr = new Unpackr({ useRecords: false, mapsAsObjects: true, int64AsType: 'number' });

/** One frame: the size prefix and the packed value. */
export function encodeFrame(message: unknown): Buffer {
  const body = packr.pack(message);
  const frame = Buffer.allocUnsafe(4 + body.length);
  frame.writeInt32BE(body.length, 0);
  body.copy(frame, 4);
  return frame;
}

/** Buffers at least this large are lent by encodeFrameParts; smaller ones are cheaper to copy. */
const LEND_BYTES_MIN = 16 * 1024;

/** encodeFrame's bytes as parts: `parts` (in wire order) are views of `head` with the `lent` Buffers between them. */
export interface FrameParts {
  head: Buffer;
  parts: Buffer[];
  length: number;
  lent: Buffer[];
}

/**
 * The same frame as encodeFrame(message), with every Buffer of at least LEND_BYTES_MIN that `mayLend` accepts left
 * where it is: the map, array and bin headers are written here (msgpack's, as msgpackr writes them), every other
 * value is msgpackr's. Plain objects, arrays and Buffers are walked; anything else is packed whole.
 *
 *   map                     0xde uint16 n  0xdf uint32 n     then n key/value pairs (msgpackr's map16, even when small)
 *   array  0x90|n (n < 16)  0xdc uint16 n  0xdd uint32 n     then n values
 *   bin                     0xc5 uint16 n  0xc6 uint32 n     then the n bytes (a lent Buffer, never below 16 KiB: its own part)
 */
export function encodeFrameParts(message: unknown, mayLend: (buffer: Buffer) => boolean): FrameParts {
  const head = new HeadWriter();
  head.uint32(0); // the size, written once known
  /** Where each lent Buffer goes: the head's length at that point. */
  const cuts: number[] = [];
  const lent: Buffer[] = [];
  const walk = (value: unknown): void => {
    if (Buffer.isBuffer(value)) {
      if (value.length < LEND_BYTES_MIN || !mayLend(value)) return head.bytes(packr.pack(value));
      head.binHeader(value.length);
      cuts.push(head.length);
      lent.push(value);
      return;
    }
    if (Array.isArray(value)) {
      head.header(value.length, 0x90, 0xdc, 0xdd);
      for (const item of value) walk(item);
      return;
    }
    if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
      const keys = Object.keys(value);
      head.header(keys.length, null, 0xde, 0xdf);
      for (const key of keys) {
        head.bytes(packr.pack(key));
        walk((value as Record<string, unknown>)[key]);
      }
      return;
    }
    head.bytes(packr.pack(value));
  };
  walk(message);
  const bytes = head.finish();
  const length = bytes.length + lent.reduce((sum, b) => sum + b.length, 0);
  bytes.writeInt32BE(length - 4, 0);
  const parts: Buffer[] = [];
  let from = 0;
  cuts.forEach((cut, i) => {
    parts.push(bytes.subarray(from, cut), lent[i]!);
    from = cut;
  });
  parts.push(bytes.subarray(from));
  return { head: bytes, parts: parts.filter((part) => part.length > 0), length, lent };
}

/** A growing buffer the head of a frame is written into (msgpackr's own results are views it may reuse: copied at once). */
class HeadWriter {
  private buffer = Buffer.allocUnsafe(256);
  length = 0;

  byte(value: number): void {
    this.room(1);
    this.buffer[this.length++] = value;
  }

  uint32(value: number): void {
    this.room(4);
    this.buffer.writeUInt32BE(value, this.length);
    this.length += 4;
  }

  /** A map or array header: the fix form below 16 entries (when there is one), else the 16- or 32-bit count. */
  header(count: number, fix: number | null, wide16: number, wide32: number): void {
    if (fix !== null && count < 16) return this.byte(fix | count);
    this.sized(count, wide16, wide32);
  }

  /** A tag, then `count` in 16 bits (`wide16`) or 32 bits (`wide32`). */
  private sized(count: number, wide16: number, wide32: number): void {
    if (count <= 0xffff) {
      this.byte(wide16);
      this.room(2);
      this.buffer.writeUInt16BE(count, this.length);
      this.length += 2;
      return;
    }
    this.byte(wide32);
    this.uint32(count);
  }

  binHeader(length: number): void {
    this.sized(length, 0xc5, 0xc6);
  }

  bytes(value: Buffer): void {
    this.room(value.length);
    value.copy(this.buffer, this.length);
    this.length += value.length;
  }

  finish(): Buffer {
    return this.buffer.subarray(0, this.length);
  }

  private room(bytes: number): void {
    if (this.length + bytes <= this.buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.length + bytes));
    this.buffer.copy(grown, 0, 0, this.length);
    this.buffer = grown;
  }
}

/** The value of one frame's body (without its size prefix); binary values are views of `body`. */
export function decodeBody(body: Buffer): unknown {
  try {
    return unpackr.unpack(body);
  } catch (error) {
    throw new ReplicationProtocolError(`not one msgpack value: ${(error as Error).message}`);
  }
}
