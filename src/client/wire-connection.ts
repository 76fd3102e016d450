// One TCP connection to one Kafka broker: size-prefixed frames, a correlation id per request, many requests
// in flight (answers matched by id), a timeout per request. Knows bytes and frames, not API versions (that is
// broker-connection.ts). Runs on the caller's main thread.
//
// Request frame:  int32 size · int16 apiKey · int16 apiVersion · int32 correlationId · clientId · [tags] · body
// Response frame: int32 size · int32 correlationId · [tags] · body   (decoded by src/protocol/api-registry.ts)
import { connect, type Socket } from 'node:net';
import { type ApiKey, apiByKey, encodeRequest, type RequestInput } from '../protocol/api-registry.js';
import { BrokerUnreachableError, RequestTimeoutError } from './kafka-errors.js';

/** Requests one connection keeps in flight; more wait for a slot (Kafka's max.in.flight is per connection too). */
export const IN_FLIGHT_MAX = 64;
/** Largest response frame accepted; a bigger size field means the stream is not Kafka (or is corrupt). */
export const RESPONSE_BYTES_MAX = 512 * 1024 * 1024;

export interface WireOptions {
  clientId: string;
  connectTimeoutMs: number;
}

interface Pending {
  resolve(frame: Buffer): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

export class WireConnection {
  private readonly pending = new Map<number, Pending>();
  private readonly slotWaiters: Array<() => void> = [];
  private nextCorrelationId = 1;
  private chunks: Buffer[] = [];
  private bufferedBytes = 0;
  /** Size of the frame being read, or -1 while waiting for a size field. */
  private frameBytes = -1;
  private failure: Error | null = null;

  private constructor(
    private readonly socket: Socket,
    readonly address: string,
    private readonly clientId: string,
  ) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.received(chunk));
    socket.on('error', (error: NodeJS.ErrnoException) => this.fail(new BrokerUnreachableError(address, error.code ?? error.message)));
    socket.on('close', () => this.fail(new BrokerUnreachableError(address, 'connection closed by the broker')));
  }

  static open(host: string, port: number, options: WireOptions): Promise<WireConnection> {
    const address = `${host.includes(':') ? `[${host}]` : host}:${port}`;
    return new Promise((resolve, reject) => {
      const socket = connect({ host, port });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new BrokerUnreachableError(address, `no connection within ${options.connectTimeoutMs} ms`));
      }, options.connectTimeoutMs);
      socket.once('error', (error: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        reject(new BrokerUnreachableError(address, error.code ?? error.message));
      });
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        resolve(new WireConnection(socket, address, options.clientId));
      });
    });
  }

  get closed(): boolean {
    return this.failure !== null;
  }

  /** Sends one request and resolves with its response frame (the bytes after the size field). */
  async request<K extends ApiKey>(apiKey: K, apiVersion: number, body: RequestInput<K>, timeoutMs: number): Promise<Buffer> {
    await this.slot();
    if (this.failure !== null) throw this.failure;
    const correlationId = this.nextCorrelationId;
    this.nextCorrelationId = correlationId === 0x7fff_ffff ? 1 : correlationId + 1;
    const frame = encodeRequest(apiKey, apiVersion, correlationId, this.clientId, body);
    return new Promise<Buffer>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.settle(correlationId);
        reject(new RequestTimeoutError(this.address, apiByKey(apiKey)?.name ?? `API ${apiKey}`, timeoutMs));
      }, timeoutMs);
      this.pending.set(correlationId, { resolve, reject, timer });
      this.socket.write(frame);
    });
  }

  /** Sends a request the broker does not answer (Produce with acks=0). */
  send<K extends ApiKey>(apiKey: K, apiVersion: number, body: RequestInput<K>): void {
    if (this.failure !== null) throw this.failure;
    const correlationId = this.nextCorrelationId;
    this.nextCorrelationId = correlationId === 0x7fff_ffff ? 1 : correlationId + 1;
    this.socket.write(encodeRequest(apiKey, apiVersion, correlationId, this.clientId, body));
  }

  /** Waits until everything written has been handed to the kernel, then closes. */
  async close(): Promise<void> {
    if (this.failure === null) {
      await new Promise<void>((resolve) => this.socket.end(resolve));
      this.fail(new BrokerUnreachableError(this.address, 'connection closed'));
    }
    this.socket.destroy();
  }

  private slot(): Promise<void> {
    if (this.pending.size < IN_FLIGHT_MAX) return Promise.resolve();
    return new Promise((resolve) => this.slotWaiters.push(resolve));
  }

  private settle(correlationId: number): Pending | undefined {
    const entry = this.pending.get(correlationId);
    if (entry === undefined) return undefined;
    this.pending.delete(correlationId);
    clearTimeout(entry.timer);
    this.slotWaiters.shift()?.();
    return entry;
  }

  private fail(error: Error): void {
    if (this.failure !== null) return;
    this.failure = error;
    for (const id of [...this.pending.keys()]) this.settle(id)!.reject(error);
    for (const wake of this.slotWaiters.splice(0)) wake();
    this.socket.destroy();
  }

  private received(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.bufferedBytes += chunk.length;
    for (;;) {
      if (this.frameBytes < 0) {
        if (this.bufferedBytes < 4) return;
        this.frameBytes = this.take(4).readInt32BE(0);
        if (this.frameBytes < 4 || this.frameBytes > RESPONSE_BYTES_MAX) {
          return this.fail(new BrokerUnreachableError(this.address, `the broker sent a frame of ${this.frameBytes} bytes; is this a Kafka listener?`));
        }
      }
      if (this.bufferedBytes < this.frameBytes) return;
      const frame = this.take(this.frameBytes);
      this.frameBytes = -1;
      // A response to a request that timed out finds no entry and is dropped.
      this.settle(frame.readInt32BE(0))?.resolve(frame);
    }
  }

  /** Removes and returns the first n buffered bytes (one copy only when they span chunks). */
  private take(n: number): Buffer {
    const first = this.chunks[0]!;
    this.bufferedBytes -= n;
    if (first.length >= n) {
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
      return first.subarray(0, n);
    }
    const all = Buffer.concat(this.chunks);
    this.chunks = all.length > n ? [all.subarray(n)] : [];
    return all.subarray(0, n);
  }
}
