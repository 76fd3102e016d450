// The admin HTTP port's Basic authentication, on an AdminHttpServer of its own over http on 127.0.0.1 with an
// in-memory user: which addresses count as loopback, when `auto` requires credentials, 401 (with WWW-Authenticate
// only, after the failure delay, closing the connection) for missing, malformed, wrong and unknown credentials,
// 503 before the users' credentials are open, 200 for a user's password (SCRAM-SHA-512 only too), request bodies
// refused, and one rate-limited log line per client address without the password.
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { isLoopback } from '../../src/config/listener-config.js';
import { authenticationRequired, openToNetworkWithoutCredentials } from '../../src/observability/admin-http-auth.js';
import { AdminHttpServer } from '../../src/observability/admin-http-server.js';
import { credentialStore } from '../security/credential-store.js';

const PASSWORD = 'admin-secret-9';
const FAILED_DELAY_MS = 50;

function capturedLogger(lines: string[]) {
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(
        ...chunk
          .toString('utf8')
          .split('\n')
          .filter((line) => line !== ''),
      );
      done();
    },
  });
  return pino({ level: 'info' }, sink);
}

function basic(user: string, password: string): Record<string, string> {
  return { Authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` };
}

let server: AdminHttpServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

async function started(lines: string[], withCredentials = true): Promise<string> {
  server = new AdminHttpServer({ metrics: async () => ({ contentType: 'text/plain', body: 'fjord_up 1\n' }), state: () => 'ready' }, capturedLogger(lines));
  const { port } = await server.listen({ scheme: 'http', host: '127.0.0.1', port: 0 }, { tls: null, authentication: { failedDelayMs: FAILED_DELAY_MS } });
  if (withCredentials) server.useCredentials(credentialStore({ alice: PASSWORD, bob: PASSWORD }, ['SCRAM-SHA-512']));
  return `http://127.0.0.1:${port}`;
}

describe('when credentials are required', () => {
  it('auto requires them off loopback only; required and none say so everywhere', () => {
    for (const host of ['127.0.0.1', '127.8.0.3', '::1', 'localhost', '::ffff:127.0.0.1']) expect(isLoopback(host)).toBe(true);
    for (const host of ['0.0.0.0', '::', '10.0.0.1', '128.0.0.1', 'broker.example', '::2']) expect(isLoopback(host)).toBe(false);
    const at = (host: string) => ({ scheme: 'http' as const, host, port: 9644 });
    expect(authenticationRequired('auto', at('127.0.0.1'))).toBe(false);
    expect(authenticationRequired('auto', at('0.0.0.0'))).toBe(true);
    expect(authenticationRequired('required', at('127.0.0.1'))).toBe(true);
    expect(authenticationRequired('none', at('0.0.0.0'))).toBe(false);
    expect([openToNetworkWithoutCredentials('none', at('0.0.0.0')), openToNetworkWithoutCredentials('none', at('::1'))]).toEqual([true, false]);
    expect(openToNetworkWithoutCredentials('auto', at('0.0.0.0'))).toBe(false);
  });
});

describe('admin HTTP Basic authentication', () => {
  it('answers 401 with WWW-Authenticate only, late, for missing, malformed, wrong and unknown credentials', async () => {
    const lines: string[] = [];
    const url = await started(lines);
    const attempts: Array<Record<string, string>> = [
      {},
      { Authorization: 'Bearer abc' },
      { Authorization: 'Basic %%%' },
      { Authorization: `Basic ${Buffer.from('no-colon').toString('base64')}` },
      basic('alice', 'wrong-password'),
      basic('mallory', PASSWORD),
    ];
    for (const headers of attempts) {
      const startedAt = performance.now();
      const response = await fetch(`${url}/metrics`, { headers });
      expect(response.status).toBe(401);
      expect(performance.now() - startedAt).toBeGreaterThanOrEqual(FAILED_DELAY_MS - 5);
      expect(response.headers.get('www-authenticate')).toBe('Basic realm="fjord", charset="UTF-8"');
      expect(response.headers.get('connection')).toBe('close');
      expect(await response.text()).toBe('');
    }
    // Also before the path is looked at: an unknown path is 401 too, not 404.
    expect((await fetch(`${url}/nope`)).status).toBe(401);
    const refusals = lines.filter((line) => line.includes('admin HTTP request refused'));
    expect(refusals).toHaveLength(1);
    expect(lines.join('\n')).not.toContain(PASSWORD);
    expect(lines.join('\n')).not.toContain('wrong-password');
  });

  it('serves a broker user whose password matches, whichever SCRAM mechanism it has', async () => {
    const url = await started([]);
    const response = await fetch(`${url}/metrics`, { headers: basic('alice', PASSWORD) });
    expect([response.status, await response.text()]).toEqual([200, 'fjord_up 1\n']);
    expect((await fetch(`${url}/ready`, { headers: basic('bob', PASSWORD) })).status).toBe(200);
    expect((await fetch(`${url}/nope`, { headers: basic('bob', PASSWORD) })).status).toBe(404);
    expect((await fetch(`${url}/health`, { method: 'DELETE', headers: basic('bob', PASSWORD) })).status).toBe(405);
  });

  it('answers 503 starting to credentials before the users are open, 401 to none', async () => {
    const url = await started([], false);
    expect((await fetch(`${url}/health`, { headers: basic('alice', PASSWORD) })).status).toBe(503);
    expect((await fetch(`${url}/health`)).status).toBe(401);
  });

  it('refuses request bodies before anything else', async () => {
    const url = await started([]);
    const response = await fetch(`${url}/metrics`, { method: 'POST', body: 'x', headers: basic('alice', PASSWORD) });
    expect(response.status).toBe(413);
  });
});
