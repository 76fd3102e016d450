// The write side of one connection and the rule that mutes it, for any listener (Kafka today, replication
// next): responses go out in request order even when later ones finish first, and the connection may read
// another request only while it owes little — fewer requests in flight than its limit (read, and not yet
// written to the kernel) and unsent response bytes (the socket's buffer plus finished responses waiting
// behind an earlier one) within its ConnectionMemory's limit (Kafka mutes a connection while its response
// is unsent). Once socket.write() reports a full buffer, a muted connection looks again at 'drain'. Unsent
// frames are held against the response memory budget; pooled frames, and the buffers a frame in parts was
// lent (response-frame.ts), go back to the pool once the socket has written them, never before.
// Runs on the main thread.
import type { Socket } from 'node:net';
import { largeBuffers } from '../buffer-pool.js';
import { frameHead, releaseFrame, type ResponseFrame } from './response-frame.js';
import type { ConnectionMemory } from './response-memory.js';

/** One request's place in response order. */
export interface ResponseSlot {
  response: ResponseFrame | null;
  done: boolean;
}

export class ResponseOutflow {
  /** Requests read whose responses are not yet handed to the socket, in request order. */
  private readonly slots: ResponseSlot[] = [];
  /** Bytes of finished responses waiting behind an unfinished earlier one. */
  private waitingBytes = 0;
  /** Responses handed to the socket whose write has not completed. */
  private writing = 0;
  /** socket.write() returned false: 'drain' will come, and is when a muted connection looks again. */
  private awaitingDrain = false;
  private closed = false;

  constructor(
    private readonly socket: Socket,
    private readonly maxInFlightRequests: number,
    readonly memory: ConnectionMemory,
    /** Called when the connection may read again (it was muted, or may have been). */
    private readonly onReadable: () => void,
  ) {
    socket.on('drain', () => {
      this.awaitingDrain = false;
      this.changed();
    });
  }

  /** Requests read and not yet written to the kernel. */
  get inFlight(): number {
    return this.slots.length + this.writing;
  }

  /** Response bytes not yet handed to the kernel. */
  get unsentBytes(): number {
    return this.socket.writableLength + this.waitingBytes;
  }

  /** Whether the connection may read another request now. */
  get mayRead(): boolean {
    return this.inFlight < this.maxInFlightRequests && this.unsentBytes <= this.memory.limitBytes;
  }

  /** Takes the next place in response order (a request was read). */
  reserve(): ResponseSlot {
    const slot: ResponseSlot = { response: null, done: false };
    this.slots.push(slot);
    return slot;
  }

  /** The request in `slot` has its response (null: none owed); writes every response now at the head. */
  fill(slot: ResponseSlot, response: ResponseFrame | null): void {
    if (this.closed) {
      if (response !== null) releaseFrame(response, this.memory, false);
      return;
    }
    slot.response = response;
    slot.done = true;
    if (response !== null) {
      this.waitingBytes += response.length;
      this.memory.hold(largeBuffers.heldBytesOf(frameHead(response)));
    }
    if (this.slots[0] === slot && !this.writeQueued) {
      // Written once this task's microtasks are done, with the responses finished meanwhile: one writev for them all.
      this.writeQueued = true;
      queueMicrotask(this.writeQueuedResponses);
    }
    this.changed();
  }

  private writeQueued = false;
  private readonly writeQueuedResponses = (): void => {
    this.writeQueued = false;
    if (!this.closed) this.writeReady();
  };

  private writeReady(): void {
    let corked = false;
    while (this.slots.length > 0 && this.slots[0]!.done) {
      const response = this.slots.shift()!.response;
      if (response === null) continue;
      if (!corked) this.socket.cork();
      corked = true;
      this.waitingBytes -= response.length;
      this.writing++;
      if (!this.write(response)) this.awaitingDrain = true;
    }
    if (corked) this.socket.uncork();
  }

  /** Hands the frame to the socket (a frame in parts as one buffer per part: corked, they leave in one writev). */
  private write(response: ResponseFrame): boolean {
    const done = (): void => this.written(response);
    if (Buffer.isBuffer(response)) return this.socket.write(response, done);
    const last = response.parts.length - 1;
    let room = true;
    // Writes complete in order, and a destroyed socket calls back every one: the last part's callback means all are done.
    for (let i = 0; i < last; i++) room = this.socket.write(response.parts[i]!) && room;
    return this.socket.write(response.parts[last]!, done) && room;
  }

  /** The kernel has the response (or the socket was destroyed): its memory and buffers go back. */
  private written(response: ResponseFrame): void {
    this.writing--;
    releaseFrame(response, this.memory, true);
    if (!this.awaitingDrain) this.changed();
  }

  private changed(): void {
    if (!this.closed && this.mayRead) this.onReadable();
  }

  /** The socket is gone: finished responses never written give their memory back; later ones are dropped. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const slot of this.slots.splice(0)) {
      if (slot.done && slot.response !== null) releaseFrame(slot.response, this.memory, true);
    }
    this.waitingBytes = 0;
  }
}
