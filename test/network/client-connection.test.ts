// Connections over real loopback sockets: responses in request order even when handlers finish out of
// order, no response for a null result, and one bad frame closes only its own connection.
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { CloseConnectionError } from '../../src/network/client-connection.js';
import { ClientWarnings } from '../../src/network/client-warnings.js';
import { KafkaListener } from '../../src/network/kafka-listener.js';
import { ConnectionQuotas } from '../../src/network/connection-quotas.js';
import { ResponseMemoryBudget } from '../../src/network/response-memory.js';
import { captureLogger } from '../helpers/capture-logger.js';

const listeners: KafkaListener[] = [];
afterEach(async () => {
  for (const listener of listeners.splice(0)) await listener.close();
});

function frame(text: string): Buffer {
  const body = Buffer.from(text);
  const out = Buffer.alloc(4 + body.length);
  out.writeInt32BE(body.length);
  body.copy(out, 4);
  return out;
}

async function start(handler: ConstructorParameters<typeof KafkaListener>[1]) {
  const { logger, lines } = captureLogger();
  const limits = { maxFrameBytes: 1024, maxInFlightRequests: 4, idleTimeoutMs: 60_000, requestReadTimeoutMs: 60_000, unsentBytesMax: 1 << 20 };
  const listener = new KafkaListener(
    { name: 'PLAINTEXT', host: '127.0.0.1', port: 0, tls: null, authenticationTimeoutMs: null, ...limits },
    handler,
    new ResponseMemoryBudget(64 << 20),
    new ClientWarnings(logger),
    new ConnectionQuotas({ maxConnections: 10, maxConnectionsPerIp: 10, perIpOverrides: new Map() }),
  );
  listeners.push(listener);
  const address = await listener.listen();
  return { address, lines };
}

function readAll(socket: Socket): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
    socket.on('close', () => resolve(text));
  });
}

describe('client connections', () => {
  it('answers in request order and skips null responses', async () => {
    const { address } = await start(async (f) => {
      const text = f.toString();
      if (text === 'silent') return null;
      await new Promise((r) => setTimeout(r, text === 'slow' ? 50 : 1));
      return Buffer.from(`<${text}>`);
    });
    const socket = connect(address.port, address.host);
    const received = readAll(socket);
    for (const text of ['slow', 'a', 'silent', 'b', 'c', 'd', 'e', 'f']) socket.write(frame(text));
    setTimeout(() => socket.end(), 300);
    expect(await received).toBe('<slow><a><b><c><d><e><f>');
  });

  it('closes only the connection that sent a bad frame, with one log line', async () => {
    const { address, lines } = await start((f) => {
      if (f.toString() === 'bad') throw new CloseConnectionError('garbage request header');
      return Buffer.from('ok');
    });
    const bad = connect(address.port, address.host);
    const good = connect(address.port, address.host);
    const badClosed = readAll(bad);
    bad.write(frame('bad'));
    expect(await badClosed).toBe('');
    const goodText = readAll(good);
    good.write(frame('x'));
    const oversized = connect(address.port, address.host);
    const oversizedClosed = readAll(oversized);
    oversized.write(Buffer.from([0, 0, 0x10, 0]));
    expect(await oversizedClosed).toBe('');
    setTimeout(() => good.end(), 100);
    expect(await goodText).toBe('ok');
    expect(lines.filter((l) => String(l.msg).startsWith('closing connection')).map((l) => l.msg)).toEqual([
      'closing connection: garbage request header',
      'closing connection: frame of 4096 bytes exceeds socket.request.max.bytes 1024',
    ]);
  });
});
