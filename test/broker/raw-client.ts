// Test helper: one TCP connection speaking Fjord's own codec, for requests no client library sends in the
// shape a test needs (every version of an API, duplicates, odd values). Test helper only.
import { connect, type Socket } from 'node:net';
import { type ApiKey, decodeResponse, encodeRequest, type RequestInput } from '../../src/protocol/api-registry.js';

export class RawClient {
  private buffered = Buffer.alloc(0);
  private readonly waiting: Array<(frame: Buffer) => void> = [];
  private correlationId = 0;

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
  }

  static async connect(host: string, port: number): Promise<RawClient> {
    const socket = connect({ host, port });
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    return new RawClient(socket);
  }

  /** Sends one request and decodes its response (requests are answered in order). */
  async call<K extends ApiKey>(apiKey: K, apiVersion: number, body: RequestInput<K>) {
    const frame = new Promise<Buffer>((resolve) => this.waiting.push(resolve));
    this.socket.write(encodeRequest(apiKey, apiVersion, ++this.correlationId, 'fjord-raw-test', body));
    return decodeResponse(apiKey, apiVersion, await frame).body;
  }

  /** Sends a raw size-prefixed token (SASL after a SaslHandshake v0) and resolves with the raw frame answered. */
  async token(bytes: Buffer): Promise<Buffer> {
    const frame = new Promise<Buffer>((resolve) => this.waiting.push(resolve));
    const size = Buffer.alloc(4);
    size.writeInt32BE(bytes.length, 0);
    this.socket.write(Buffer.concat([size, bytes]));
    return Buffer.from(await frame);
  }

  close(): void {
    this.socket.destroy();
  }

  /** Resolves once the broker (or close()) has closed the connection. */
  closed(): Promise<'closed'> {
    return this.socket.destroyed ? Promise.resolve('closed') : new Promise((resolve) => this.socket.once('close', () => resolve('closed')));
  }

  private onData(chunk: Buffer): void {
    this.buffered = Buffer.concat([this.buffered, chunk]);
    while (this.buffered.length >= 4 && this.buffered.length >= 4 + this.buffered.readInt32BE(0)) {
      const size = this.buffered.readInt32BE(0);
      this.waiting.shift()!(this.buffered.subarray(4, 4 + size));
      this.buffered = this.buffered.subarray(4 + size);
    }
  }
}
