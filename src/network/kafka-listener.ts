// The Kafka listener: a TCP server on the configured host and port that accepts up to max.connections
// clients and hands each to a ClientConnection, counting connections accepted, refused and closed, and
// how many are muted and what they have left to send, for /metrics. Runs on the main thread.
import { createServer, type Server } from 'node:net';
import { ClientConnection, type ConnectionLimits, type ConnectionShared, type RequestHandler } from './client-connection.js';
import type { ClientWarnings } from './client-warnings.js';
import type { ResponseMemoryBudget } from './response-memory.js';

export interface ListenerOptions extends ConnectionLimits {
  host: string;
  port: number;
  maxConnections: number;
}

/** Connection counts since start (for /metrics). */
export interface ConnectionCounts {
  open: number;
  accepted: number;
  /** Refused because max.connections were open. */
  refused: number;
  closed: number;
  /** Open connections muted now: reading no request until their responses are written. */
  muted: number;
  /** Response bytes not yet handed to the kernel, over all open connections, and on the one with the most. */
  unsentBytes: number;
  unsentBytesMax: number;
}

export class KafkaListener {
  private readonly connections = new Set<ClientConnection>();
  private nextConnectionId = 1;
  private server: Server | null = null;
  private refused = 0;
  private closed = 0;
  private readonly shared: ConnectionShared;

  /** `memory` and `warnings` are broker-wide: every listener of the broker gets the same ones. */
  constructor(
    private readonly options: ListenerOptions,
    handle: RequestHandler,
    memory: ResponseMemoryBudget,
    private readonly warnings: ClientWarnings,
  ) {
    this.shared = { handle, limits: options, memory, warnings };
  }

  /** Binds and starts accepting; resolves with the bound address (port 0 picks a free one). */
  listen(): Promise<{ host: string; port: number }> {
    const server = createServer((socket) => {
      if (this.connections.size >= this.options.maxConnections) {
        this.refused++;
        this.warnings.warn(socket.remoteAddress ?? '', 'refused', {}, `refusing connection: max.connections ${this.options.maxConnections} reached`);
        socket.destroy();
        return;
      }
      const connection = new ClientConnection(this.nextConnectionId++, socket, this.shared, (c) => this.forget(c));
      this.connections.add(connection);
    });
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port, this.options.host, () => {
        server.off('error', reject);
        const address = server.address();
        if (address === null || typeof address === 'string') return reject(new Error('listener has no TCP address'));
        resolve({ host: address.address, port: address.port });
      });
    });
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  connectionCounts(): ConnectionCounts {
    let muted = 0;
    let unsentBytes = 0;
    let unsentBytesMax = 0;
    for (const connection of this.connections) {
      const unsent = connection.unsentBytes;
      if (connection.isMuted) muted++;
      unsentBytes += unsent;
      unsentBytesMax = Math.max(unsentBytesMax, unsent);
    }
    return { open: this.connections.size, accepted: this.nextConnectionId - 1, refused: this.refused, closed: this.closed, muted, unsentBytes, unsentBytesMax };
  }

  private forget(connection: ClientConnection): void {
    if (this.connections.delete(connection)) this.closed++;
  }

  /** Stops accepting and closes every connection; resolves with how many were open. */
  async close(): Promise<number> {
    const server = this.server;
    if (server === null) return 0;
    this.server = null;
    const open = this.connections.size;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const connection of [...this.connections]) connection.close(null);
    await closed;
    return open;
  }
}
