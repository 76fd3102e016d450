// The one client connection against a scripted fake broker on loopback: pipelined template sends beyond the
// ring's size (answers in order, the ring wrapping), answers split over reads and glued together, the observer's
// api key / bytes / timing, awaited requests keeping their answer, and a timeout closing the connection.
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { type ConnectionObserver, KafkaConnection, toTemplate } from '../../src/client/kafka-connection.js';
import { BrokerUnreachableError, RequestTimeoutError } from '../../src/client/kafka-errors.js';

/** A request frame of `apiKey` with a body of `bodyBytes` zeros. */
function requestFrame(apiKey: number, bodyBytes: number): Buffer {
  const frame = Buffer.alloc(12 + bodyBytes);
  frame.writeInt32BE(frame.length - 4, 0);
  frame.writeInt16BE(apiKey, 4);
  return frame;
}

/** Answers each request with its correlation id then `answerBytes(n)` bytes of value n % 256: all at once, 3 bytes per write, or never. */
function fakeBroker(answerBytes: (n: number) => number, chunking: 'whole' | 'bytewise' | 'silent'): Promise<{ server: Server; port: number }> {
  return new Promise((resolve) => {
    const server = createServer((socket: Socket) => {
      let pending = Buffer.alloc(0);
      let n = 0;
      socket.on('error', () => undefined); // the client may close while answers are still being written
      socket.on('data', (chunk: Buffer) => {
        pending = Buffer.concat([pending, chunk]);
        const answers: Buffer[] = [];
        while (pending.length >= 12 && pending.length >= 4 + pending.readInt32BE(0)) {
          const size = pending.readInt32BE(0);
          const answer = Buffer.alloc(8 + answerBytes(n), n % 256);
          answer.writeInt32BE(4 + answerBytes(n), 0);
          answer.writeInt32BE(pending.readInt32BE(8), 4);
          answers.push(answer);
          pending = pending.subarray(4 + size);
          n++;
        }
        if (chunking === 'silent' || answers.length === 0) return;
        const all = Buffer.concat(answers);
        if (chunking === 'bytewise') for (let i = 0; i < all.length; i += 3) socket.write(all.subarray(i, i + 3));
        else socket.write(all);
      });
    });
    server.listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as { port: number }).port }));
  });
}

let server: Server | undefined;
afterEach(() => server?.close());

describe('KafkaConnection', () => {
  for (const chunking of ['whole', 'bytewise'] as const) {
    it(`pipelines more requests than its ring holds, answers in order (${chunking} reads)`, async () => {
      const broker = await fakeBroker((n) => (n % 5) * 300, chunking);
      server = broker.server;
      const connection = await KafkaConnection.open('127.0.0.1', broker.port, { inFlightMax: 8 });
      const template = toTemplate(requestFrame(0, 50));
      const seen: number[] = [];
      await new Promise<void>((resolve) => {
        let sent = 0;
        const next = (): void => {
          const n = sent++;
          connection.send(template, (frame) => {
            expect(frame.length).toBe(4 + (n % 5) * 300);
            if (frame.length > 4) expect(frame[frame.length - 1]).toBe(n % 256);
            seen.push(n);
            if (seen.length === 100) resolve();
            else if (sent < 100) next();
          });
        };
        for (let i = 0; i < 8; i++) next();
      });
      expect(seen).toEqual(Array.from({ length: 100 }, (_, i) => i));
      expect(() => {
        for (let i = 0; i < 9; i++) connection.send(template, () => undefined);
      }).toThrow(/more than 8 requests in flight/);
      connection.destroy();
    });
  }

  it('tells its observer each request and answer; awaited answers are kept by the caller', async () => {
    const broker = await fakeBroker(() => 100_000, 'bytewise');
    server = broker.server;
    const connection = await KafkaConnection.open('127.0.0.1', broker.port, { inFlightMax: 2 });
    const events: string[] = [];
    const observer: ConnectionObserver = {
      onRequestSent: (apiKey, bytes) => events.push(`sent ${apiKey} ${bytes}`),
      onResponse: (apiKey, bytes, elapsedMs) => events.push(`answer ${apiKey} ${bytes} ${elapsedMs >= 0}`),
    };
    connection.observe(observer);
    const answers = await Promise.all([1, 2, 3].map(() => connection.request(requestFrame(3, 10), 10_000)));
    expect(answers.map((a) => [a.length, a[a.length - 1]])).toEqual([
      [100_004, 0],
      [100_004, 1],
      [100_004, 2],
    ]);
    expect(events.filter((e) => e.startsWith('sent'))).toEqual(['sent 3 22', 'sent 3 22', 'sent 3 22']);
    expect(events.filter((e) => e.startsWith('answer'))).toEqual(['answer 3 100004 true', 'answer 3 100004 true', 'answer 3 100004 true']);
    await connection.close();
  });

  it('fails a request with no answer in time with RequestTimeoutError and closes the connection', async () => {
    const broker = await fakeBroker(() => 0, 'silent');
    server = broker.server;
    const connection = await KafkaConnection.open('127.0.0.1', broker.port);
    const other = connection.request(requestFrame(18, 0), 60_000);
    await expect(connection.request(requestFrame(3, 0), 50)).rejects.toBeInstanceOf(RequestTimeoutError);
    await expect(other).rejects.toBeInstanceOf(BrokerUnreachableError);
    expect(connection.closed).toBe(true);
  });
});
