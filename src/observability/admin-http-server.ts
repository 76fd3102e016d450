// The admin HTTP listener (fjord.http.listener): GET /metrics (Prometheus text format), GET /health
// (200 while the process serves HTTP at all), GET /ready (200 while the broker accepts Kafka traffic,
// 503 while it starts or shuts down); any other path is 404, any other method 405. Bounded like the
// Kafka listener: a few connections, short timeouts. Runs on the main thread.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Logger } from 'pino';

/** Scrapers and probes need a handful of connections; beyond this new ones are refused. */
const ADMIN_MAX_CONNECTIONS = 64;
/** A request must arrive whole within this time (slow or stuck clients are cut off). */
const ADMIN_REQUEST_TIMEOUT_MS = 10_000;
/** A kept-alive connection is closed after this long without a request. */
const ADMIN_KEEP_ALIVE_TIMEOUT_MS = 5_000;

export type BrokerState = 'starting' | 'ready' | 'stopping';

export interface AdminEndpoints {
  /** The body of GET /metrics and its content type. */
  metrics(): Promise<{ contentType: string; body: string }>;
  state(): BrokerState;
}

export class AdminHttpServer {
  private server: Server | null = null;

  constructor(
    private readonly endpoints: AdminEndpoints,
    private readonly logger: Logger,
  ) {}

  /** Binds and starts serving; resolves with the bound address (port 0 picks a free one). */
  listen(host: string, port: number): Promise<{ host: string; port: number }> {
    const server = createServer({ requestTimeout: ADMIN_REQUEST_TIMEOUT_MS, keepAliveTimeout: ADMIN_KEEP_ALIVE_TIMEOUT_MS }, (request, response) =>
      this.serve(request, response),
    );
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

  /** Stops accepting, lets requests being answered finish, closes idle kept-alive connections. */
  async close(): Promise<void> {
    const server = this.server;
    if (server === null) return;
    this.server = null;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    await closed;
  }

  private serve(request: IncomingMessage, response: ServerResponse): void {
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

function answer(response: ServerResponse, status: number, body: string, contentType = 'text/plain; charset=utf-8'): void {
  response.writeHead(status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'no-store' });
  response.end(response.req.method === 'HEAD' ? undefined : body);
}
