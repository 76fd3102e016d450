// What a request handler hands a connection to write: one whole frame, or a frame in parts whose large values
// (a Fetch's records) were lent to it rather than copied in, written as separate buffers (socket.cork() and
// one writev) and handed back only once the socket has written them. Nothing here knows Kafka.
// Runs on the main thread.
import { BufferPool, largeBuffers } from '../buffer-pool.js';
import type { ConnectionMemory } from './response-memory.js';

/**
 * A frame written as several buffers. `parts` are in wire order and their lengths sum to `length`: views of
 * `head` (the encoded fields, perhaps a pooled buffer) with the `lent` buffers between them. Each lent buffer
 * is already held against the connection's memory (its pooled size, `largeBuffers.heldBytesOf`) by whoever
 * lent it; the connection releases that and gives the buffer back to the pool once the frame is written, or
 * dropped.
 */
export interface GatheredResponse {
  readonly head: Buffer;
  readonly parts: readonly Buffer[];
  readonly length: number;
  readonly lent: readonly Buffer[];
}

/** `length` is the bytes either puts on the wire. */
export type ResponseFrame = Buffer | GatheredResponse;

/** The buffer a connection holds against its memory for the frame itself (the lent parts are held already). */
export function frameHead(frame: ResponseFrame): Buffer {
  return Buffer.isBuffer(frame) ? frame : frame.head;
}

/**
 * The frame is written (or will never be): the memory it held goes back (`headHeld`: its head was held too,
 * as every frame a connection accepted is) and pooled buffers return to the pool. Nothing may read them after.
 */
export function releaseFrame(frame: ResponseFrame, memory: ConnectionMemory, headHeld: boolean): void {
  const head = frameHead(frame);
  if (headHeld) memory.release(largeBuffers.heldBytesOf(head));
  if (BufferPool.mayBePooled(head)) largeBuffers.release(head);
  if (Buffer.isBuffer(frame)) return;
  for (const buffer of frame.lent) {
    memory.release(largeBuffers.heldBytesOf(buffer));
    largeBuffers.release(buffer);
  }
}
