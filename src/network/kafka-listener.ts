// A Kafka listener: a TCP server (or, for an SSL listener, a TLS server) on one configured host and port that
// accepts up to max.connections clients (counted from the TCP connection, before any TLS handshake) and hands
// each to a ClientConnection once it is ready, counting connections accepted, refused and closed, and how many are
// muted and what they have left to send, for /metrics. Runs on the main thread.
import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type SecureContextOptions, type Server as TlsServer, type TLSSocket } from 'node:tls';
import { ClientConnection, type ConnectionLimits, type ConnectionShared, type RequestHandler } from './client-connection.js';
import { hostOf, type ClientWarnings } from './client-warnings.js';
import type { ResponseMemoryBudget } from './response-memory.js';
import type { PrincipalMappingRule } from '../security/ssl-principal-mapping.js';
import type { ClientAuth } from './tls-material.js';
import type { ConnectionQuotas } from './connection-quotas.js';

export interface ListenerOptions extends ConnectionLimits {
  /** The listener's name (PLAINTEXT, SSL, or one of listener.security.protocol.map's). */
  name: string;
  host: string;
  port: number;
  /** null: plaintext. */
  tls: { context: SecureContextOptions; clientAuth: ClientAuth; principalRules: readonly PrincipalMappingRule[] } | null;
  /** A SASL listener: how long a connection has to authenticate; null: no authentication. */
  authenticationTimeoutMs: number | null;
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
  /** Every open TCP connection, those still in their TLS handshake included (closed at close()). */
  private readonly sockets = new Set<Socket>();
  private nextConnectionId = 1;
  private server: Server | TlsServer | null = null;
  private refused = 0;
  private closed = 0;
  private readonly shared: ConnectionShared;

  /** `memory` and `warnings` are broker-wide: every listener of the broker gets the same ones. */
  constructor(
    private readonly options: ListenerOptions,
    handle: RequestHandler,
    memory: ResponseMemoryBudget,
    private readonly warnings: ClientWarnings,
    /** The connection limits this listener shares with the broker's other Kafka listeners. */
    private readonly quotas: ConnectionQuotas,
  ) {
    this.shared = {
      handle,
      limits: options,
      memory,
      warnings,
      listenerName: options.name,
      authenticationTimeoutMs: options.authenticationTimeoutMs,
      principalRules: options.tls?.principalRules ?? [],
    };
  }

  /** Binds and starts accepting; resolves with the bound address (port 0 picks a free one). */
  listen(): Promise<{ host: string; port: number }> {
    const server = this.options.tls === null ? createServer() : this.tlsServer(this.options.tls);
    server.on('connection', (socket: Socket) => this.admit(socket));
    if (this.options.tls === null) server.on('connection', (socket: Socket) => this.accept(socket));
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

  /** New TLS material for the connections to come (the ones open keep theirs). */
  setSecureContext(context: SecureContextOptions): void {
    if (this.server !== null && 'setSecureContext' in this.server) this.server.setSecureContext(context);
  }

  private tlsServer(tls: NonNullable<ListenerOptions['tls']>): TlsServer {
    const server = createTlsServer({
      ...tls.context,
      requestCert: tls.clientAuth !== 'none',
      rejectUnauthorized: tls.clientAuth === 'required',
      // A handshake is a request being read: it gets the same time to finish.
      handshakeTimeout: this.options.requestReadTimeoutMs,
    });
    server.on('secureConnection', (socket: TLSSocket) => this.accept(socket));
    server.on('tlsClientError', (error: Error, socket: TLSSocket) => {
      this.warnings.warn(
        hostOf(`${socket.remoteAddress}:${socket.remotePort}`),
        'tls-handshake',
        { listener: this.options.name },
        `TLS handshake failed: ${error.message}`,
      );
    });
    return server;
  }

  /** Counts a new TCP connection against the connection quotas, or refuses it. */
  private admit(socket: Socket): void {
    const address = socket.remoteAddress ?? '';
    const refusal = this.quotas.admit(address);
    if (refusal !== null) {
      this.refused++;
      this.warnings.warn(address, 'refused', {}, `refusing connection: ${refusal.key} ${refusal.limit} reached`);
      socket.destroy();
      return;
    }
    this.sockets.add(socket);
    socket.once('close', () => {
      this.sockets.delete(socket);
      this.quotas.release(address);
    });
  }

  /** A connection ready for requests (for TLS, once its handshake is done). */
  private accept(socket: Socket): void {
    if (socket.destroyed) return;
    const connection = new ClientConnection(this.nextConnectionId++, socket, this.shared, (c) => this.forget(c));
    this.connections.add(connection);
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
    // Connections still in their TLS handshake have no ClientConnection yet.
    for (const socket of this.sockets) socket.destroy();
    await closed;
    return open;
  }
}
