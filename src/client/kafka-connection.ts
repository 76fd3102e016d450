// One TCP connection to one Kafka broker, the only client-side connection in Fjord: size-prefixed frames, a
// correlation id per request, requests pipelined (answers come back in request order), and an observer hook
// for measuring. Knows frames, not API versions (that is broker-connection.ts). Runs on the caller's main thread.
//
// Request frame:  int32 size · int16 apiKey · int16 apiVersion · int32 correlationId · clientId · [tags] · body
// Response frame: int32 size · int32 correlationId · [tags] · body   (decoded by src/protocol/api-registry.ts)
//
// Two ways to send. Pipelined (`send` a prebuilt template, `sendFrame`): the answer is handed to a callback and
// is valid only during it; nothing is allocated per request but a 12-byte header (templates) and the ring slot
// reuse. Awaited (`request`): waits for a free slot, a timeout per request, the answer is the caller's to keep.
import { connect, type Socket } from 'node:net';
import { type ApiKey, apiByKey, encodeRequest, type RequestInput } from '../protocol/api-registry.js';
import { BrokerUnreachableError, RequestTimeoutError } from './kafka-errors.js';

const API_KEY_AT = 4;
const CORRELATION_AT = 8;
const HEAD_BYTES = 12;
/** Largest response frame accepted; a bigger size field means the stream is not Kafka (or is corrupt). */
export const RESPONSE_BYTES_MAX = 512 * 1024 * 1024;
/** Requests a client connection keeps in flight by default (Kafka's max.in.flight is per connection too). */
export const IN_FLIGHT_DEFAULT = 64;
/** The most a connection may be configured to keep in flight (a load generator's pipelines). */
export const IN_FLIGHT_LIMIT = 4096;
/** Bytes of the reused buffer that assembles answers split over socket reads (it grows to the largest answer). */
const ASSEMBLY_BYTES_INITIAL = 64 * 1024;

/** A request frame encoded once and sent many times; `head` = size, key, version; `rest` = after the correlation id. */
export interface RequestTemplate {
  readonly apiKey: number;
  readonly head: Buffer;
  readonly rest: Buffer;
  /** Whole frame size including the int32 size. */
  readonly frameBytes: number;
}

/** The frame as encodeRequest returns it (any correlation id), split for reuse. */
export function toTemplate(frame: Buffer): RequestTemplate {
  return { apiKey: frame.readInt16BE(API_KEY_AT), head: frame.subarray(0, CORRELATION_AT), rest: frame.subarray(HEAD_BYTES), frameBytes: frame.length };
}

/**
 * Called with the response frame (after the size, starting at the correlation id). The buffer may be reused
 * for the next response: read what you need before returning.
 */
export type ResponseCallback = (frame: Buffer) => void;

/** What a measuring caller hears of every request on a connection (`fjord perf`'s meter, the benches). */
export interface ConnectionObserver {
  /** A request frame of `frameBytes` (with its size field) was written. */
  onRequestSent(apiKey: number, frameBytes: number): void;
  /** Its answer arrived: `frameBytes` after the size field, `elapsedMs` since it was sent. */
  onResponse(apiKey: number, frameBytes: number, elapsedMs: number): void;
}

export interface KafkaConnectionOptions {
  clientId: string;
  connectTimeoutMs: number;
  /** Requests in flight at most, up to IN_FLIGHT_LIMIT. */
  inFlightMax: number;
}

export const DEFAULT_CONNECTION_OPTIONS: KafkaConnectionOptions = { clientId: 'fjord', connectTimeoutMs: 5_000, inFlightMax: IN_FLIGHT_DEFAULT };

interface Awaited {
  resolve(frame: Buffer): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

export class KafkaConnection {
  // The requests in flight, oldest at `head`: a ring of `capacity` slots in parallel arrays (no object per request).
  private readonly capacity: number;
  private readonly correlationIds: Int32Array;
  private readonly apiKeys: Int16Array;
  private readonly sentAtMs: Float64Array;
  /** 1 where the answer is kept by its caller (awaited requests): it is assembled into a buffer of its own. */
  private readonly keepsFrame: Uint8Array;
  private readonly callbacks: Array<ResponseCallback | undefined>;
  private head = 0;
  private count = 0;
  private nextCorrelationId = 1;
  private readonly awaited = new Map<number, Awaited>();
  private readonly slotWaiters: Array<() => void> = [];
  private observer: ConnectionObserver | null = null;
  private onFailure: (error: Error) => void = () => undefined;
  private failure: Error | null = null;
  // Receiving: a size field split over reads, then the frame being assembled.
  private readonly sizeBytes = Buffer.alloc(4);
  private sizeFilled = 0;
  /** Size of the frame being assembled, or -1 while reading a size. */
  private frameBytes = -1;
  private frameFilled = 0;
  private frame: Buffer;
  private assembly = Buffer.allocUnsafe(ASSEMBLY_BYTES_INITIAL);

  private constructor(
    private readonly socket: Socket,
    readonly address: string,
    readonly clientId: string,
    inFlightMax: number,
  ) {
    if (!(inFlightMax >= 1 && inFlightMax <= IN_FLIGHT_LIMIT)) throw new RangeError(`inFlightMax ${inFlightMax} is not in 1..${IN_FLIGHT_LIMIT}`);
    this.capacity = inFlightMax;
    this.correlationIds = new Int32Array(inFlightMax);
    this.apiKeys = new Int16Array(inFlightMax);
    this.sentAtMs = new Float64Array(inFlightMax);
    this.keepsFrame = new Uint8Array(inFlightMax);
    this.callbacks = new Array<ResponseCallback | undefined>(inFlightMax);
    this.frame = this.assembly;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.received(chunk));
    socket.on('error', (error: NodeJS.ErrnoException) => this.fail(new BrokerUnreachableError(address, error.code ?? error.message)));
    socket.on('close', () => this.fail(new BrokerUnreachableError(address, 'connection closed by the broker')));
  }

  static open(host: string, port: number, options: Partial<KafkaConnectionOptions> = {}): Promise<KafkaConnection> {
    const { clientId, connectTimeoutMs, inFlightMax } = { ...DEFAULT_CONNECTION_OPTIONS, ...options };
    const address = `${host.includes(':') ? `[${host}]` : host}:${port}`;
    return new Promise((resolve, reject) => {
      const socket = connect({ host, port });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new BrokerUnreachableError(address, `no connection within ${connectTimeoutMs} ms`));
      }, connectTimeoutMs);
      socket.once('error', (error: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        reject(new BrokerUnreachableError(address, error.code ?? error.message));
      });
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        resolve(new KafkaConnection(socket, address, clientId, inFlightMax));
      });
    });
  }

  get closed(): boolean {
    return this.failure !== null;
  }

  get inFlight(): number {
    return this.count;
  }

  get inFlightMax(): number {
    return this.capacity;
  }

  /** Reports every request from now on to `observer` (null: to nobody). */
  observe(observer: ConnectionObserver | null): void {
    this.observer = observer;
  }

  /** Where a broken connection is reported (once); pipelined requests in flight never complete after it. */
  whenFailed(onFailure: (error: Error) => void): void {
    this.onFailure = onFailure;
    if (this.failure !== null) onFailure(this.failure);
  }

  /** A request frame of this connection's client id (its correlation id is set when sent). */
  encode<K extends ApiKey>(apiKey: K, apiVersion: number, body: RequestInput<K>): Buffer {
    return encodeRequest(apiKey, apiVersion, 0, this.clientId, body);
  }

  /** Pipelined: sends a prebuilt frame with a fresh correlation id; the template's buffers are not modified. */
  send(template: RequestTemplate, onResponse: ResponseCallback): void {
    const head = Buffer.allocUnsafe(HEAD_BYTES);
    template.head.copy(head, 0);
    head.writeInt32BE(this.track(template.apiKey, onResponse, 0), CORRELATION_AT);
    this.socket.cork();
    this.socket.write(head);
    this.socket.write(template.rest);
    this.socket.uncork();
    this.observer?.onRequestSent(template.apiKey, template.frameBytes);
  }

  /** Pipelined: sends a frame encoded for this one request (its correlation id is overwritten in place). */
  sendFrame(frame: Buffer, onResponse: ResponseCallback): void {
    this.write(frame, this.track(frame.readInt16BE(API_KEY_AT), onResponse, 0));
  }

  /** Sends a request the broker does not answer (Produce with acks=0). */
  sendUnanswered(frame: Buffer): void {
    if (this.failure !== null) throw this.failure;
    this.write(frame, this.takeCorrelationId());
  }

  /**
   * Sends one request (waiting while `inFlightMax` are in flight) and resolves with its response frame, the
   * bytes after the size field, which the caller may keep. No answer within `timeoutMs` closes the connection,
   * as Kafka's clients do: the answers behind it can no longer be trusted to line up.
   */
  async request(frame: Buffer, timeoutMs: number): Promise<Buffer> {
    while (this.count >= this.capacity && this.failure === null) await new Promise<void>((resolve) => this.slotWaiters.push(resolve));
    if (this.failure !== null) throw this.failure;
    const apiKey = frame.readInt16BE(API_KEY_AT);
    return new Promise<Buffer>((resolve, reject) => {
      const correlationId = this.track(apiKey, (answer) => this.settle(correlationId)?.resolve(answer), 1);
      const timer = setTimeout(() => {
        this.settle(correlationId)?.reject(new RequestTimeoutError(this.address, apiByKey(apiKey)?.name ?? `API ${apiKey}`, timeoutMs));
        this.fail(new BrokerUnreachableError(this.address, `a request got no answer within ${timeoutMs} ms`));
      }, timeoutMs);
      this.awaited.set(correlationId, { resolve, reject, timer });
      this.write(frame, correlationId);
    });
  }

  /** Waits until everything written has been handed to the kernel, then closes. */
  async close(): Promise<void> {
    if (this.failure === null) {
      await new Promise<void>((resolve) => this.socket.end(resolve));
      this.fail(new BrokerUnreachableError(this.address, 'connection closed'));
    }
    this.socket.destroy();
  }

  /** Closes at once; requests in flight are failed. */
  destroy(): void {
    this.fail(new BrokerUnreachableError(this.address, 'connection closed'));
  }

  private write(frame: Buffer, correlationId: number): void {
    frame.writeInt32BE(correlationId, CORRELATION_AT);
    this.socket.write(frame);
    this.observer?.onRequestSent(frame.readInt16BE(API_KEY_AT), frame.length);
  }

  private takeCorrelationId(): number {
    const correlationId = this.nextCorrelationId;
    this.nextCorrelationId = correlationId === 0x7fff_ffff ? 1 : correlationId + 1;
    return correlationId;
  }

  /** Takes the next ring slot for a request; more than inFlightMax pipelined is the caller's bug. */
  private track(apiKey: number, onResponse: ResponseCallback, keepsFrame: number): number {
    if (this.failure !== null) throw this.failure;
    if (this.count >= this.capacity) throw new Error(`more than ${this.capacity} requests in flight on one connection`);
    const correlationId = this.takeCorrelationId();
    let at = this.head + this.count;
    if (at >= this.capacity) at -= this.capacity;
    this.correlationIds[at] = correlationId;
    this.apiKeys[at] = apiKey;
    this.sentAtMs[at] = performance.now();
    this.keepsFrame[at] = keepsFrame;
    this.callbacks[at] = onResponse;
    this.count++;
    return correlationId;
  }

  private settle(correlationId: number): Awaited | undefined {
    const entry = this.awaited.get(correlationId);
    if (entry === undefined) return undefined;
    this.awaited.delete(correlationId);
    clearTimeout(entry.timer);
    return entry;
  }

  private fail(error: Error): void {
    if (this.failure !== null) return;
    this.failure = error;
    for (const id of [...this.awaited.keys()]) this.settle(id)!.reject(error);
    for (const wake of this.slotWaiters.splice(0)) wake();
    this.socket.destroy();
    this.onFailure(error);
  }

  /** Cuts frames out of the byte stream: whole frames inside a chunk are passed as subarrays, others assembled. */
  private received(chunk: Buffer): void {
    let at = 0;
    while (at < chunk.length && this.failure === null) {
      if (this.frameBytes < 0) {
        if (this.sizeFilled === 0 && chunk.length - at >= 4) {
          const size = chunk.readInt32BE(at);
          at += 4;
          if (size >= 4 && chunk.length - at >= size) {
            this.deliver(chunk.subarray(at, at + size));
            at += size;
          } else this.beginFrame(size);
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
      chunk.copy(this.frame, this.frameFilled, at, at + n);
      this.frameFilled += n;
      at += n;
      if (this.frameFilled === this.frameBytes) {
        this.frameBytes = -1;
        this.deliver(this.frame.subarray(0, this.frameFilled));
      }
    }
  }

  /** A frame split over reads goes into the reused buffer, or into its own when its caller keeps it. */
  private beginFrame(size: number): void {
    this.sizeFilled = 0;
    if (size < 4 || size > RESPONSE_BYTES_MAX) {
      return this.fail(new BrokerUnreachableError(this.address, `the broker sent a frame of ${size} bytes; is this a Kafka listener?`));
    }
    this.frameBytes = size;
    this.frameFilled = 0;
    if (this.count > 0 && this.keepsFrame[this.head] === 1) {
      this.frame = Buffer.allocUnsafe(size);
      return;
    }
    if (this.assembly.length < size) this.assembly = Buffer.allocUnsafe(Math.max(size, this.assembly.length * 2));
    this.frame = this.assembly;
  }

  /** Hands an answer to the oldest request in flight; an answer out of order breaks the connection. */
  private deliver(frame: Buffer): void {
    const at = this.head;
    const correlationId = frame.readInt32BE(0);
    if (this.count === 0 || this.correlationIds[at] !== correlationId) {
      const expected = this.count === 0 ? 'none' : String(this.correlationIds[at]);
      return this.fail(new BrokerUnreachableError(this.address, `answer with correlation id ${correlationId}, expected ${expected}`));
    }
    const onResponse = this.callbacks[at]!;
    this.callbacks[at] = undefined;
    this.head = at + 1 === this.capacity ? 0 : at + 1;
    this.count--;
    this.observer?.onResponse(this.apiKeys[at]!, frame.length, performance.now() - this.sentAtMs[at]!);
    if (this.slotWaiters.length > 0) this.slotWaiters.shift()!();
    onResponse(frame);
  }
}
