// The admin HTTP listener's lifecycle on a real in-process broker: /health answers from the start,
// /ready says 503 while the broker starts (asked the moment the "starting" line is logged, before the
// workers exist), 200 once the Kafka listener accepts, 503 again as soon as shutdown begins; other paths
// 404, other methods 405; an empty fjord.http.listener turns it off; a busy port stops the start.
import { connect, createServer, type Socket } from 'node:net';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { type BrokerHandle, launchBroker } from '../../src/broker.js';
import { tempDir } from '../helpers/temp-dir.js';

const BASE_CONFIG = { listeners: 'PLAINTEXT://127.0.0.1:0', 'fjord.http.listener': 'http://127.0.0.1:0', 'fjord.workers': '2' };

/** A logger that calls `onLine` synchronously for each entry, while the broker is still inside the call that logged it. */
function hookedLogger(onLine: (entry: Record<string, unknown>) => void) {
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim() !== '') onLine(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return pino({ level: 'info' }, sink);
}

async function get(url: string, init?: RequestInit): Promise<{ status: number; body: string }> {
  const response = await fetch(url, init);
  return { status: response.status, body: await response.text() };
}

/** Sends one HTTP request on an already-connected socket and resolves with the status code. */
function statusOver(socket: Socket, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    let text = '';
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString('latin1');
      const match = /^HTTP\/1\.1 (\d{3})/.exec(text);
      if (match) resolve(Number(match[1]));
    });
    socket.on('error', reject);
    socket.on('close', () => reject(new Error(`connection closed before an answer: ${text}`)));
    socket.write(`GET ${path} HTTP/1.1\r\nHost: fjord\r\nConnection: close\r\n\r\n`);
  });
}

function connected(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket));
    socket.once('error', reject);
  });
}

describe('admin HTTP listener', () => {
  it('is live from the start, ready only once the Kafka listener accepts, and not ready once shutdown begins', async () => {
    let early: Promise<{ status: number; body: string }> | undefined;
    let earlyHealth: Promise<{ status: number; body: string }> | undefined;
    const logger = hookedLogger((entry) => {
      if (entry.msg !== 'starting') return;
      early = get(`${String(entry.http)}/ready`);
      earlyHealth = get(`${String(entry.http)}/health`);
    });
    const broker: BrokerHandle = await launchBroker({ config: { ...BASE_CONFIG, 'log.dirs': tempDir() }, logger });
    const base = `http://127.0.0.1:${broker.http!.port}`;
    expect(await early).toEqual({ status: 503, body: 'starting\n' });
    expect(await earlyHealth).toEqual({ status: 200, body: 'ok\n' });
    expect(await get(`${base}/ready`)).toEqual({ status: 200, body: 'ready\n' });
    const kafka = await connected(broker.address.port); // ready means the Kafka listener accepts
    kafka.destroy();
    expect((await get(`${base}/nothing-here`)).status).toBe(404);
    expect((await get(`${base}/ready`, { method: 'POST' })).status).toBe(405);
    expect((await get(`${base}/health?verbose=1`)).status).toBe(200);

    const socket = await connected(broker.http!.port);
    const stopped = broker.stop();
    const duringShutdown = statusOver(socket, '/ready'); // written before stop() yields: the listener is still open
    expect(await duringShutdown).toBe(503);
    await stopped;
    await expect(fetch(`${base}/health`)).rejects.toThrow();
  });

  it('is off when fjord.http.listener is empty', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const broker = await launchBroker({
      config: { ...BASE_CONFIG, 'fjord.http.listener': '', 'log.dirs': tempDir() },
      logger: hookedLogger((e) => lines.push(e)),
    });
    expect(broker.http).toBeNull();
    expect(lines.find((l) => l.msg === 'ready')?.http).toBeNull();
    await broker.stop();
  });

  it('refuses to start when its port is taken, naming the key', async () => {
    const squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
    const port = (squatter.address() as { port: number }).port;
    try {
      const starting = launchBroker({
        config: { ...BASE_CONFIG, 'fjord.http.listener': `http://127.0.0.1:${port}`, 'log.dirs': tempDir() },
        logger: pino({ level: 'silent' }),
      });
      await expect(starting).rejects.toThrow(`cannot listen on fjord.http.listener http://127.0.0.1:${port}: listen EADDRINUSE`);
    } finally {
      squatter.close();
    }
  });
});
