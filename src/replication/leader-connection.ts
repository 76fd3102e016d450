// A follower's connection to a leader's replication listener: connects, handshakes (cluster id and node
// ids, both ways), then sends one request at a time and matches each response by correlation id. Frames
// are read by src/network/frame-reader.ts with RESPONSE_FRAME_BYTES_MAX as the bound (a large one straight into a
// pooled buffer, given back with release() once its records are appended) and validated by messages.ts; an
// oversized or malformed frame, a wrong handshake, a response nobody asked for or a leader silent past the
// deadline closes the connection and fails what waits on it. With fjord.replication.security.protocol=SSL the
// connection is TLS, with this broker's certificate and the leader's checked against the truststore; its decrypted
// bytes are copied into the reader's buffers (TLS has no direct read). Main thread.
import { connect, type Socket } from 'node:net';
import { connect as connectTls, type SecureContextOptions } from 'node:tls';
import { largeBuffers } from '../buffer-pool.js';
import { FrameReader } from '../network/frame-reader.js';
import { FrameSizeError } from '../network/frame-splitter.js';
import type { Handshake, LeaderMessage, ReplicaFetch, ReplicaFetchResult } from './messages.js';
import { parseLeaderMessage } from './messages.js';
import { RESPONSE_FRAME_BYTES_MAX } from './replication-limits.js';
import { encodeFrame, ReplicationProtocolError } from './wire-format.js';

export interface LeaderAddress {
  host: string;
  port: number;
}

interface Pending {
  correlationId: number;
  resolve: (message: LeaderMessage) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

export class LeaderConnection {
  private readonly reader = new FrameReader(RESPONSE_FRAME_BYTES_MAX, 'the replication response limit', largeBuffers);
  /** The frame each response was decoded from (its records are views of it), until release(). */
  private readonly frames = new WeakMap<LeaderMessage, Buffer>();
  private readonly socket: Socket;
  private pending: Pending | null = null;
  private nextCorrelationId = 1;
  private closedWith: Error | null = null;

  private constructor(address: LeaderAddress, tls: SecureContextOptions | null) {
    if (tls === null) {
      // Each read goes where the reader says: into the frame being received, or its scratch buffer.
      this.socket = connect({
        host: address.host,
        port: address.port,
        onread: {
          buffer: () => this.reader.target(),
          callback: (bytes: number) => {
            this.received(bytes);
            return true;
          },
        },
      });
    } else {
      this.socket = connectTls({ host: address.host, port: address.port, ...tls });
      this.socket.on('data', (chunk: Buffer) => this.copyIn(chunk));
    }
    this.socket.setNoDelay(true);
    this.socket.on('error', (error) => this.close(error));
    this.socket.on('close', () => this.close(new Error('connection closed by the leader')));
  }

  /** Connects and handshakes; rejects when either fails within `timeoutMs`, or the leader is not of `clusterId` or not `leaderId`. */
  static async open(
    address: LeaderAddress,
    clusterId: string,
    nodeId: number,
    leaderId: number,
    timeoutMs: number,
    tls: SecureContextOptions | null,
  ): Promise<LeaderConnection> {
    const connection = new LeaderConnection(address, tls);
    const { socket } = connection;
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`connecting to ${address.host}:${address.port} timed out`)), timeoutMs);
        socket.once(tls === null ? 'connect' : 'secureConnect', () => {
          clearTimeout(timer);
          resolve();
        });
        socket.once('error', (error) => {
          clearTimeout(timer);
          reject(error);
        });
      });
      const reply = await connection.request({ type: 'handshake', clusterId, nodeId }, timeoutMs);
      if (reply.type !== 'handshake') throw new ReplicationProtocolError(`the leader answered a handshake with ${reply.type}`);
      if (reply.clusterId !== clusterId) throw new ReplicationProtocolError(`the leader is in cluster ${reply.clusterId}, not ${clusterId}`);
      if (reply.nodeId !== leaderId)
        throw new ReplicationProtocolError(`the broker at ${address.host}:${address.port} is node ${reply.nodeId}, not ${leaderId}`);
      return connection;
    } catch (error) {
      connection.close(error as Error);
      throw error;
    }
  }

  get closed(): boolean {
    return this.closedWith !== null;
  }

  /** Sends a fetch and resolves with its response; rejects when the connection ends or `timeoutMs` passes first. */
  async fetch(request: Omit<ReplicaFetch, 'type' | 'correlationId'>, timeoutMs: number): Promise<ReplicaFetchResult> {
    const reply = await this.request({ type: 'fetch', ...request }, timeoutMs);
    if (reply.type !== 'fetch') throw new ReplicationProtocolError(`the leader answered a fetch with ${reply.type}`);
    return reply;
  }

  /** Done with a response: its frame (which its records are views of) goes back to the pool. Nothing may read them after. */
  release(response: ReplicaFetchResult): void {
    const frame = this.frames.get(response);
    if (frame === undefined) return;
    this.frames.delete(response);
    largeBuffers.release(frame);
  }

  private request(message: Omit<Handshake, 'correlationId'> | Omit<ReplicaFetch, 'correlationId'>, timeoutMs: number): Promise<LeaderMessage> {
    if (this.closedWith !== null) return Promise.reject(this.closedWith);
    if (this.pending !== null) return Promise.reject(new Error('a request is already in flight on this connection'));
    const correlationId = this.nextCorrelationId;
    this.nextCorrelationId = (this.nextCorrelationId % 0x7fffffff) + 1;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => this.close(new Error(`no response from the leader within ${timeoutMs} ms`)), timeoutMs);
      this.pending = { correlationId, resolve, reject, timer };
      this.socket.write(encodeFrame({ ...message, correlationId }));
    });
  }

  /** Decrypted bytes (TLS) into the reader's buffers, as a direct read would have put them. */
  private copyIn(chunk: Buffer): void {
    for (let offset = 0; offset < chunk.length && this.closedWith === null; ) {
      const target = this.reader.target();
      const bytes = Math.min(target.length, chunk.length - offset);
      chunk.copy(target, 0, offset, offset + bytes);
      offset += bytes;
      this.received(bytes);
    }
  }

  private received(bytes: number): void {
    if (this.closedWith !== null) return;
    try {
      for (const frame of this.reader.received(bytes)) {
        const message = parseLeaderMessage(frame);
        this.frames.set(message, frame);
        const pending = this.pending;
        if (pending === null || pending.correlationId !== message.correlationId)
          throw new ReplicationProtocolError(`unexpected response with correlation id ${message.correlationId}`);
        this.pending = null;
        clearTimeout(pending.timer);
        pending.resolve(message);
      }
    } catch (error) {
      if (error instanceof FrameSizeError || error instanceof ReplicationProtocolError) return this.close(error);
      throw error;
    }
  }

  /** Ends the connection; what waits on it is rejected with `reason`. */
  close(reason: Error = new Error('connection closed')): void {
    if (this.closedWith !== null) return;
    this.closedWith = reason;
    this.socket.destroy();
    this.reader.close();
    const pending = this.pending;
    this.pending = null;
    if (pending !== null) {
      clearTimeout(pending.timer);
      pending.reject(reason);
    }
  }
}
