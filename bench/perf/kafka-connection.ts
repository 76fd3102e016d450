// A minimal pipelined Kafka client connection for the perf tool: requests are sent as prebuilt frames
// (only the correlation id is written per send) and responses are matched in order. Runs on the bench's
// main thread; no per-request allocation beyond a 12-byte header.
//
// Request frame: int32 size · int16 apiKey · int16 apiVersion · int32 correlationId · rest of header · body.
// Response frame: int32 size · int32 correlationId · (tagged fields in flexible versions) · body.
import { connect, type Socket } from 'node:net';

const CORRELATION_AT = 8;
const HEAD_BYTES = 12;
/** Requests one connection keeps in flight at most; sending more is our bug. */
export const IN_FLIGHT_MAX = 4096;

/** A request frame encoded once and sent many times; `head` = size, key, version; `rest` = after the correlation id. */
export interface RequestTemplate {
  readonly head: Buffer;
  readonly rest: Buffer;
  /** Whole frame size including the int32 size. */
  readonly frameBytes: number;
}

/** The frame as encodeRequest returns it (any correlation id), split for reuse. */
export function toTemplate(frame: Buffer): RequestTemplate {
  return { head: frame.subarray(0, CORRELATION_AT), rest: frame.subarray(HEAD_BYTES), frameBytes: frame.length };
}

/**
 * Called with the response frame (after the size, starting at the correlation id). The buffer is reused for
 * the next response: read what you need before returning.
 */
export type ResponseCallback = (frame: Buffer) => void;

export class KafkaConnection {
  private readonly pending: Array<{ correlationId: number; onResponse: ResponseCallback }> = [];
  private nextCorrelationId = 1;
  private readonly sizeBytes = Buffer.alloc(4);
  private sizeFilled = 0;
  /** Size of the frame being assembled, or -1 while reading a size. */
  private frameBytes = -1;
  private frameFilled = 0;
  private assembly = Buffer.allocUnsafe(64 * 1024);
  private failure: Error | null = null;
  private onFailure: (error: Error) => void = () => undefined;

  private constructor(private readonly socket: Socket) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.received(chunk));
    socket.on('error', (error) => this.fail(error));
    socket.on('close', () => this.fail(new Error('connection closed by the broker')));
  }

  static open(host: string, port: number): Promise<KafkaConnection> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host, port });
      socket.once('connect', () => {
        socket.off('error', reject);
        resolve(new KafkaConnection(socket));
      });
      socket.once('error', reject);
    });
  }

  get inFlight(): number {
    return this.pending.length;
  }

  /** Where a broken connection is reported (once); requests in flight never complete after it. */
  whenFailed(onFailure: (error: Error) => void): void {
    this.onFailure = onFailure;
    if (this.failure !== null) onFailure(this.failure);
  }

  /** Sends a prebuilt frame with a fresh correlation id; the template's buffers are not modified. */
  send(template: RequestTemplate, onResponse: ResponseCallback): void {
    const head = Buffer.allocUnsafe(HEAD_BYTES);
    template.head.copy(head, 0);
    head.writeInt32BE(this.track(onResponse), CORRELATION_AT);
    this.socket.cork();
    this.socket.write(head);
    this.socket.write(template.rest);
    this.socket.uncork();
  }

  /** Sends a frame encoded for this one request (its correlation id is overwritten in place). */
  sendFrame(frame: Buffer, onResponse: ResponseCallback): void {
    frame.writeInt32BE(this.track(onResponse), CORRELATION_AT);
    this.socket.write(frame);
  }

  /** One request, its response copied out. */
  request(frame: Buffer): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      if (this.failure !== null) return reject(this.failure);
      const previous = this.onFailure;
      this.whenFailed((error) => {
        previous(error);
        reject(error);
      });
      this.sendFrame(frame, (response) => {
        this.onFailure = previous;
        resolve(Buffer.from(response));
      });
    });
  }

  close(): void {
    this.failure ??= new Error('connection closed');
    this.socket.destroy();
  }

  private track(onResponse: ResponseCallback): number {
    if (this.failure !== null) throw this.failure;
    if (this.pending.length >= IN_FLIGHT_MAX) throw new Error(`more than ${IN_FLIGHT_MAX} requests in flight on one connection`);
    const correlationId = this.nextCorrelationId;
    this.nextCorrelationId = correlationId === 0x7fff_ffff ? 1 : correlationId + 1;
    this.pending.push({ correlationId, onResponse });
    return correlationId;
  }

  private fail(error: Error): void {
    if (this.failure !== null) return;
    this.failure = error;
    this.onFailure(error);
  }

  /** Cuts frames out of the byte stream: whole frames inside a chunk are passed as subarrays, others assembled. */
  private received(chunk: Buffer): void {
    let at = 0;
    while (at < chunk.length) {
      if (this.frameBytes < 0) {
        if (this.sizeFilled === 0 && chunk.length - at >= 4) {
          const size = chunk.readInt32BE(at);
          at += 4;
          if (chunk.length - at >= size) {
            this.deliver(chunk.subarray(at, at + size));
            at += size;
            continue;
          }
          this.beginFrame(size);
          continue;
        }
        const n = Math.min(4 - this.sizeFilled, chunk.length - at);
        chunk.copy(this.sizeBytes, this.sizeFilled, at, at + n);
        this.sizeFilled += n;
        at += n;
        if (this.sizeFilled === 4) this.beginFrame(this.sizeBytes.readInt32BE(0));
        continue;
      }
      const n = Math.min(this.frameBytes - this.frameFilled, chunk.length - at);
      chunk.copy(this.assembly, this.frameFilled, at, at + n);
      this.frameFilled += n;
      at += n;
      if (this.frameFilled === this.frameBytes) {
        this.frameBytes = -1;
        this.deliver(this.assembly.subarray(0, this.frameFilled));
      }
    }
  }

  private beginFrame(size: number): void {
    if (size < 4) throw new Error(`broker sent a frame of ${size} bytes`);
    this.sizeFilled = 0;
    this.frameBytes = size;
    this.frameFilled = 0;
    if (this.assembly.length < size) this.assembly = Buffer.allocUnsafe(Math.max(size, this.assembly.length * 2));
  }

  private deliver(frame: Buffer): void {
    const correlationId = frame.readInt32BE(0);
    const next = this.pending.shift();
    if (next === undefined || next.correlationId !== correlationId) {
      throw new Error(`response with correlation id ${correlationId}, expected ${next?.correlationId ?? 'none'}`);
    }
    next.onResponse(frame);
  }
}
