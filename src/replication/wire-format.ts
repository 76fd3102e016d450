// The replication protocol's frames: an int32 size, then one msgpack value (msgpackr, maps as plain objects,
// binary values as Buffers: a fetch response's records travel as one msgpack bin, exactly the stored bytes).
// Encoding copies the packed body behind its size; decoding returns views of the frame (records included, no
// copy) and throws ReplicationProtocolError for anything that is not one whole msgpack value. Cutting frames
// from a socket is src/network/frame-splitter.ts (same layout). Main thread.
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

/** The value of one frame's body (without its size prefix); binary values are views of `body`. */
export function decodeBody(body: Buffer): unknown {
  try {
    return unpackr.unpack(body);
  } catch (error) {
    throw new ReplicationProtocolError(`not one msgpack value: ${(error as Error).message}`);
  }
}
