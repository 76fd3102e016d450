// fjord.request.read.timeout.ms against a real broker process: a client that sends the first bytes of a
// request and then nothing is closed once the timeout passes, with one log line; a connection idle between
// requests for longer than the timeout is left alone.
import { connect, type Socket } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeRequest } from '../../src/protocol/api-registry.js';
import { RawClient } from '../broker/raw-client.js';
import { type BrokerProcess, startBrokerProcess } from '../helpers/broker-process.js';
import { waitUntil } from '../helpers/wait-until.js';

const READ_TIMEOUT_MS = 300;

let broker: BrokerProcess;
afterAll(async () => {
  await broker?.stop();
});

function closed(socket: Socket): Promise<void> {
  return new Promise((resolve) => socket.once('close', () => resolve()));
}

describe('the request read timeout', () => {
  it('closes a client that stops in the middle of a request, with one log line; an idle one stays', async () => {
    broker = await startBrokerProcess({ 'fjord.request.read.timeout.ms': String(READ_TIMEOUT_MS) });
    const idle = await RawClient.connect('127.0.0.1', broker.port);
    expect((await idle.call(18, 3, { clientSoftwareName: 'idle', clientSoftwareVersion: '1' })).errorCode).toBe(0);

    const trickler = connect(broker.port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => trickler.once('connect', resolve).once('error', reject));
    const request = encodeRequest(18, 3, 1, 'trickler', { clientSoftwareName: 'trickler', clientSoftwareVersion: '1' });
    trickler.write(request.subarray(0, 7));
    await closed(trickler);

    await waitUntil(() => broker.logLines.some((l) => l.kind === 'read-timeout'), 'the read timeout log line');
    const lines = broker.logLines.filter((l) => l.kind === 'read-timeout');
    expect(lines).toHaveLength(1);
    expect(lines[0]!.msg).toMatch(
      /^closing connection: request incomplete \d+ ms after its first byte \(fjord.request.read.timeout.ms 300\), 7 bytes received$/,
    );
    // The idle connection has waited longer than the timeout between two requests: still served.
    expect((await idle.call(18, 3, { clientSoftwareName: 'idle', clientSoftwareVersion: '1' })).errorCode).toBe(0);
    idle.close();
  });
});
