// One client connection: frames in, responses out in request order even when later requests finish
// first (different workers), a bound on requests in flight (reading pauses beyond it), the idle timeout,
// and closing with one log line on a malformed or oversized frame. Runs on the main thread.
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import { FrameSizeError, FrameSplitter } from './frame-splitter.js';
import { BufferPool, largeBuffers } from '../buffer-pool.js';

export interface ConnectionInfo {
  readonly id: number;
  readonly remote: string;
}

/** Turns one request frame (no size prefix) into the whole response frame, or null when none is owed (acks=0). */
export type RequestHandler = (frame: Buffer, connection: ConnectionInfo) => Promise<Buffer | null> | Buffer | null;

export interface ConnectionLimits {
  maxFrameBytes: number;
  maxInFlightRequests: number;
  idleTimeoutMs: number;
}

/**
 * Thrown by a handler when the connection must end: a frame that cannot be understood, a version that cannot
 * be answered, or a failed acks=0 produce (the only way to tell such a producer). The broker goes on.
 */
export class CloseConnectionError extends Error {
  override name = 'CloseConnectionError';
}

export class ClientConnection implements ConnectionInfo {
  readonly remote: string;
  private readonly splitter: FrameSplitter;
  /** Responses in request order; a slot is filled when its handler finishes. */
  private readonly queue: Array<{ response: Buffer | null; done: boolean }> = [];
  private closed = false;

  constructor(
    readonly id: number,
    private readonly socket: Socket,
    private readonly handle: RequestHandler,
    private readonly limits: ConnectionLimits,
    private readonly logger: Logger,
    private readonly onClose: (connection: ClientConnection) => void,
  ) {
    this.remote = `${socket.remoteAddress}:${socket.remotePort}`;
    this.splitter = new FrameSplitter(limits.maxFrameBytes);
    socket.setNoDelay(true);
    socket.setTimeout(limits.idleTimeoutMs, () => this.close('idle for connections.max.idle.ms'));
    socket.on('data', (chunk: Buffer) => this.received(chunk));
    socket.on('error', () => this.close(null));
    socket.on('close', () => this.close(null));
  }

  private received(chunk: Buffer): void {
    let frames: Buffer[];
    try {
      frames = this.splitter.push(chunk);
    } catch (error) {
      if (error instanceof FrameSizeError) return this.close(error.message);
      throw error;
    }
    for (const frame of frames) this.dispatch(frame);
    if (this.queue.length >= this.limits.maxInFlightRequests) this.socket.pause();
  }

  private dispatch(frame: Buffer): void {
    const slot = { response: null as Buffer | null, done: false };
    this.queue.push(slot);
    let result: Promise<Buffer | null> | Buffer | null;
    try {
      result = this.handle(frame, this);
    } catch (error) {
      return this.failed(error);
    }
    if (result instanceof Promise) {
      result.then(
        (response) => this.finished(slot, response),
        (error: unknown) => this.failed(error),
      );
    } else {
      this.finished(slot, result);
    }
  }

  private finished(slot: { response: Buffer | null; done: boolean }, response: Buffer | null): void {
    slot.response = response;
    slot.done = true;
    if (this.closed) return;
    let wrote = false;
    while (this.queue.length > 0 && this.queue[0]!.done) {
      const head = this.queue.shift()!;
      if (head.response === null) continue;
      if (!wrote) this.socket.cork();
      const response = head.response;
      // A large frame may be a pooled buffer (src/buffer-pool.ts): it goes back once the socket is done with it.
      if (BufferPool.mayBePooled(response)) this.socket.write(response, () => largeBuffers.release(response));
      else this.socket.write(response);
      wrote = true;
    }
    if (wrote) this.socket.uncork();
    if (this.queue.length < this.limits.maxInFlightRequests && this.socket.isPaused()) this.socket.resume();
  }

  private failed(error: unknown): void {
    if (error instanceof CloseConnectionError) return this.close(error.message);
    this.logger.error({ connection: this.remote, err: error }, 'request handler failed; closing the connection');
    this.close(null);
  }

  /** Closes the connection; `reason` (when given) is logged once. */
  close(reason: string | null): void {
    if (this.closed) return;
    this.closed = true;
    if (reason !== null) this.logger.warn({ connection: this.remote }, `closing connection: ${reason}`);
    this.socket.destroy();
    this.onClose(this);
  }
}
