// The admin HTTP listener (fjord.http.listener): GET /metrics (Prometheus text format), GET /health
// (200 while the process serves HTTP at all), GET /ready (200 while the broker accepts Kafka traffic,
// 503 while it starts or shuts down); any other path is 404, any other method 405, a request body 413. Over
// http or https (the broker's TLS material, reloads included), behind HTTP Basic authentication when it is
// required (admin-http-auth.ts). Bounded like the Kafka listener: a few connections, short timeouts, small
// headers. Runs on the main thread.
import { createServer, type IncomingMessage, type Server, type ServerOptions, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Logger } from 'pino';
import type { HttpListener } from '../config/listener-config.js';
import { ClientWarnings } from '../network/client-warnings.js';
import type { TlsMaterial } from '../network/tls-material.js';
import type { CredentialLookup } from '../security/sasl-mechanism.js';
import { ADMIN_WWW_AUTHENTICATE, AdminHttpAuthentication } from './admin-http-auth.js';

/** Scrapers and probes need a handful of connections; beyond this new ones are refused. */
const ADMIN_MAX_CONNECTIONS = 64;
/** A request must arrive whole within this time (slow or stuck clients are cut off). */
const ADMIN_REQUEST_TIMEOUT_MS = 10_000;
/** A kept-alive connection is closed after this long without a request. */
const ADMIN_KEEP_ALIVE_TIMEOUT_MS = 5_000;
/** A request's headers must arrive within this time (and an https connection's TLS handshake too). */
const ADMIN_HEADERS_TIMEOUT_MS = 5_000;
/** A request's start line and headers together: probes and scrapers send a few hundred bytes (Node's default is 16 KiB). */
const ADMIN_HEADER_BYTES_MAX = 8 * 1024;

const SERVER_OPTIONS: ServerOptions = {
  requestTimeout: ADMIN_REQUEST_TIMEOUT_MS,
  headersTimeout: ADMIN_HEADERS_TIMEOUT_MS,
  keepAliveTimeout: ADMIN_KEEP_ALIVE_TIMEOUT_MS,
  maxHeaderSize: ADMIN_HEADER_BYTES_MAX,
};

export type BrokerState = 'starting' | 'ready' | 'stopping';

export interface AdminEndpoints {
  /** The body of GET /metrics and its content type. */
  metrics(): Promise<{ contentType: string; body: string }>;
  state(): BrokerState;
}

/** How the listener is secured: TLS material for https (null: http); Basic authentication's delay, null when not required. */
export interface AdminSecurity {
  tls: TlsMaterial | null;
  authentication: { failedDelayMs: number } | null;
}

export class AdminHttpServer {
  private server: Server | null = null;
  private authentication: AdminHttpAuthentication | null = null;
  private readonly warnings: ClientWarnings;

  constructor(
    private readonly endpoints: AdminEndpoints,
    private readonly logger: Logger,
  ) {
    this.warnings = new ClientWarnings(logger);
  }

  /** Binds and starts serving; resolves with the bound address (port 0 picks a free one). */
  listen(listener: HttpListener, security: AdminSecurity): Promise<{ host: string; port: number }> {
    const { host, port } = listener;
    if (security.authentication !== null) this.authentication = new AdminHttpAuthentication(this.warnings, security.authentication.failedDelayMs);
    const server = listener.scheme === 'https' ? this.httpsServer(security.tls) : createServer(SERVER_OPTIONS, (q, r) => this.serve(q, r));
    server.maxConnections = ADMIN_MAX_CONNECTIONS;
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        const address = server.address();
        if (address === null || typeof address === 'string') return reject(new Error('admin listener has no TCP address'));
        resolve({ host: address.address, port: address.port });
      });
    });
  }

  /** The broker's users, once open: Basic credentials are checked against them (before, answered 503 starting). */
  useCredentials(credentials: CredentialLookup): void {
    this.authentication?.useCredentials(credentials);
  }

  /** Serves the material in use and each reload from then on to new connections; a failed handshake is a client warning. */
  private httpsServer(tls: TlsMaterial | null): Server {
    if (tls === null) throw new Error('an https admin listener needs the TLS material (ssl.keystore.location)');
    const server = createHttpsServer({ ...tls.current, ...SERVER_OPTIONS, handshakeTimeout: ADMIN_HEADERS_TIMEOUT_MS }, (q, r) => this.serve(q, r));
    tls.subscribe((options) => server.setSecureContext(options));
    server.on('tlsClientError', (error, socket) => {
      this.warnings.warn(socket.remoteAddress ?? 'unknown', 'tls-handshake', { listener: 'admin-http' }, `admin HTTP TLS handshake failed: ${error.message}`);
    });
    return server;
  }

  /** Stops accepting, lets requests being answered finish, closes idle kept-alive connections. */
  async close(): Promise<void> {
    const server = this.server;
    if (server === null) return;
    this.server = null;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    await closed;
  }

  /** Bodies are refused, then credentials checked (when required) before anything about the path is told. */
  private serve(request: IncomingMessage, response: ServerResponse): void {
    if (hasBody(request)) {
      response.setHeader('Connection', 'close');
      return answer(response, 413, 'request bodies are not accepted\n');
    }
    const checked = this.authentication?.check(request) ?? { kind: 'ok' };
    if (checked.kind === 'ok') return this.route(request, response);
    if (checked.kind === 'starting') return answer(response, 503, 'starting\n');
    // One guess per connection and delay, as a failed SASL authentication gets.
    setTimeout(() => {
      response.writeHead(401, { 'WWW-Authenticate': ADMIN_WWW_AUTHENTICATE, 'Content-Length': 0, Connection: 'close' });
      response.end();
    }, this.authentication!.failedDelayMs);
  }

  private route(request: IncomingMessage, response: ServerResponse): void {
    const path = (request.url ?? '/').split('?', 1)[0]!;
    if (path !== '/metrics' && path !== '/health' && path !== '/ready') return answer(response, 404, `not found: ${path} (try /metrics, /health, /ready)\n`);
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.setHeader('Allow', 'GET, HEAD');
      return answer(response, 405, `method ${request.method} not allowed\n`);
    }
    if (path === '/health') return answer(response, 200, 'ok\n');
    if (path === '/ready') {
      const state = this.endpoints.state();
      return answer(response, state === 'ready' ? 200 : 503, `${state}\n`);
    }
    this.endpoints.metrics().then(
      ({ contentType, body }) => answer(response, 200, body, contentType),
      (error: unknown) => {
        this.logger.error({ err: error }, 'collecting metrics failed');
        answer(response, 500, 'collecting metrics failed; see the broker log\n');
      },
    );
  }
}

function hasBody(request: IncomingMessage): boolean {
  const length = request.headers['content-length'];
  return request.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

function answer(response: ServerResponse, status: number, body: string, contentType = 'text/plain; charset=utf-8'): void {
  response.writeHead(status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'no-store' });
  response.end(response.req.method === 'HEAD' ? undefined : body);
}
