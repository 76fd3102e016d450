// Responses written in parts with lent buffers (src/network/response-frame.ts) over a real loopback socket:
// a client that reads nothing for a while gets every frame byte-exact and in request order although later
// ones finished first, while the pool hands out every buffer it has and they are scribbled on (a lent buffer
// given back before the socket wrote it would show up as scribbles); a connection closed mid-response, and
// a response that finishes after the close, give every byte of memory back.
import { createServer, type Server, type Socket, connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { largeBuffers } from '../../src/buffer-pool.js';
import type { GatheredResponse } from '../../src/network/response-frame.js';
import { type ConnectionMemory, ResponseMemoryBudget } from '../../src/network/response-memory.js';
import { ResponseOutflow } from '../../src/network/response-outflow.js';
import { waitUntil } from '../helpers/wait-until.js';

const MIB = 1024 * 1024;
const LENT_BYTES = 3 * MIB;
const FRAMES = 8;
/** More than the pool keeps free in the lent buffers' size class (32 MiB of 4 MiB buffers). */
const PROBES = 10;

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

async function socketPair(): Promise<{ server: Socket; client: Socket }> {
  const listening: Server = createServer();
  await new Promise<void>((resolve) => listening.listen(0, '127.0.0.1', resolve));
  const accepted = new Promise<Socket>((resolve) => listening.once('connection', resolve));
  const client = connect((listening.address() as { port: number }).port, '127.0.0.1');
  const server = await accepted;
  listening.close();
  cleanups.push(() => {
    client.destroy();
    server.destroy();
  });
  return { server, client };
}

/** Frame i: `<i>[` + a lent buffer of LENT_BYTES bytes of (i * 37 + 1) % 251 + `]<i>`, the lent buffer held in `memory`. */
function gathered(i: number, memory: ConnectionMemory): GatheredResponse {
  const lent = largeBuffers.take(LENT_BYTES).fill((i * 37 + 1) % 251);
  memory.hold(largeBuffers.heldBytesOf(lent));
  const head = Buffer.from(`${i}[]${i}`);
  const open = String(i).length + 1;
  const parts = [head.subarray(0, open), lent, head.subarray(open)];
  return { head, parts, length: head.length + lent.length, lent: [lent] };
}

function expected(i: number): Buffer {
  return Buffer.concat([Buffer.from(`${i}[`), Buffer.alloc(LENT_BYTES, (i * 37 + 1) % 251), Buffer.from(`]${i}`)]);
}

function collect(client: Socket): { bytes: () => Buffer; received: () => number } {
  const chunks: Buffer[] = [];
  let received = 0;
  client.on('data', (chunk: Buffer) => {
    chunks.push(chunk);
    received += chunk.length;
  });
  return { bytes: () => Buffer.concat(chunks), received: () => received };
}

describe('a response in parts with lent buffers', () => {
  it('reaches a slow reader byte-exact and in order, its lent buffers never reused before written', async () => {
    const { server, client } = await socketPair();
    const budget = new ResponseMemoryBudget(256 * MIB);
    const memory = budget.account(MIB);
    const outflow = new ResponseOutflow(server, 100, memory, () => {});
    client.pause();
    const frames = Array.from({ length: FRAMES }, (_, i) => gathered(i, memory));
    const slots = frames.map(() => outflow.reserve());
    // Later requests finish first: nothing is written until the first one is filled, then all in order.
    for (let i = FRAMES - 1; i >= 0; i--) outflow.fill(slots[i]!, frames[i]!);
    expect(memory.heldBytes).toBeGreaterThan(0);
    expect(outflow.unsentBytes).toBeGreaterThan(0);
    // Everything the pool would lend now is scribbled on: a buffer given back before the socket wrote it shows.
    const probes = Array.from({ length: PROBES }, () => largeBuffers.take(LENT_BYTES).fill(0xee));
    cleanups.push(() => {
      for (const probe of probes) largeBuffers.release(probe);
    });
    const reader = collect(client);
    client.resume();
    const total = frames.reduce((sum, frame) => sum + frame.length, 0);
    await waitUntil(() => reader.received() >= total, 'every frame to arrive');
    expect(reader.received()).toBe(total);
    const bytes = reader.bytes();
    let at = 0;
    for (let i = 0; i < FRAMES; i++) {
      const want = expected(i);
      expect(bytes.subarray(at, at + want.length).equals(want), `frame ${i}`).toBe(true);
      at += want.length;
    }
    await waitUntil(() => memory.heldBytes === 0, 'the lent buffers to be given back once written');
    expect(budget.heldBytes).toBe(0);
  });

  it('gives everything back when the connection closes mid-response, and when a response finishes after the close', async () => {
    const { server, client } = await socketPair();
    const budget = new ResponseMemoryBudget(256 * MIB);
    const memory = budget.account(MIB);
    const outflow = new ResponseOutflow(server, 100, memory, () => {});
    const reader = collect(client);
    client.pause();
    const slots = Array.from({ length: FRAMES + 1 }, () => outflow.reserve());
    for (let i = 0; i < FRAMES; i++) outflow.fill(slots[i]!, gathered(i, memory));
    client.resume();
    await waitUntil(() => reader.received() > 0, 'the first bytes to arrive');
    client.pause();
    // The connection goes (client-connection.ts closes the outflow, then destroys the socket) with frames unsent.
    outflow.close();
    server.destroy();
    const late = gathered(FRAMES, memory);
    outflow.fill(slots[FRAMES]!, late);
    await waitUntil(() => memory.heldBytes === 0, 'every lent buffer to be given back');
    expect(budget.heldBytes).toBe(0);
    expect(reader.received()).toBeLessThan(FRAMES * LENT_BYTES);
  });
});
