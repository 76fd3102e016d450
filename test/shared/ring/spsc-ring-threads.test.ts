// SpscRing across real threads (a ring-stress-peer worker on the far end) and a fast-check model test of the
// reserve/commit/peek/release sequence. Needs a build first: the worker runs dist/bench/ring/ring-stress-peer.js.
import { Worker } from 'node:worker_threads';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { compiledPath } from '../../../src/shared/compiled-path.js';
import { consumeStressFrames, produceStressFrames, type RingStressPeerData, type RingStressPeerResult } from '../../../bench/ring/ring-stress-peer.js';
import { FRAME_HEADER_BYTES, SpscRing } from '../../../src/shared/ring/spsc-ring.js';
import { seedFor } from '../../helpers/test-seed.js';

const STRESS_FRAMES = 100_000;
// Small on purpose: a few frames fill it, so wrap-around, pads and backpressure happen all the time.
const STRESS_CAPACITY_BYTES = 16 * 1024;
const STRESS_MAX_PAYLOAD_BYTES = Math.floor(STRESS_CAPACITY_BYTES / 3);

const workers = new Set<Worker>();

afterEach(async () => {
  for (const worker of workers) await worker.terminate();
  workers.clear();
});

/** Starts a ring-stress-peer worker; resolves with its result once it has posted it and exited. */
function runPeer(data: Omit<RingStressPeerData, 'ringStressPeer'>): Promise<RingStressPeerResult> {
  const worker = new Worker(compiledPath('bench/ring/ring-stress-peer'), {
    workerData: { ...data, ringStressPeer: true } satisfies RingStressPeerData,
  });
  workers.add(worker);
  return new Promise((resolve, reject) => {
    let result: RingStressPeerResult | undefined;
    worker.once('message', (message: RingStressPeerResult) => (result = message));
    worker.once('error', reject);
    worker.once('exit', (code) => {
      workers.delete(worker);
      if (result !== undefined) resolve(result);
      else reject(new Error(`ring-stress-peer exited with code ${code} before reporting`));
    });
  });
}

describe('SpscRing across threads', () => {
  it(`moves ${STRESS_FRAMES} random-size frames from this thread to a consumer worker`, async () => {
    const ring = SpscRing.create(STRESS_CAPACITY_BYTES);
    const seed = seedFor('ring stress producer');
    const consumed = runPeer({ mode: 'consume', ringSab: ring.sab, frameCount: STRESS_FRAMES, check: 'crc' });
    const produced = await produceStressFrames(ring, STRESS_FRAMES, STRESS_MAX_PAYLOAD_BYTES, seed, 'crc');
    const result = await consumed;
    expect(result.error).toBeUndefined();
    expect(result.frames).toBe(STRESS_FRAMES);
    expect(result.payloadBytes).toBe(produced.payloadBytes);
    expect(ring.usedBytes()).toBe(0);
    console.log(`producer waited ${produced.waits} times, consumer ${result.waits} times`);
    expect(produced.waits + result.waits).toBeGreaterThan(0);
  });

  it(`moves ${STRESS_FRAMES} random-size frames from a producer worker to this thread`, async () => {
    const ring = SpscRing.create(STRESS_CAPACITY_BYTES, { counterStartForTests: 2 ** 31 - 64 * 1024 });
    const seed = seedFor('ring stress producer (crc)');
    const produced = runPeer({
      mode: 'produce',
      ringSab: ring.sab,
      frameCount: STRESS_FRAMES,
      check: 'crc',
      maxPayloadBytes: STRESS_MAX_PAYLOAD_BYTES,
      seed,
    });
    const consumed = await consumeStressFrames(ring, STRESS_FRAMES, 'crc');
    const result = await produced;
    expect(consumed.error).toBeUndefined();
    expect(consumed.frames).toBe(STRESS_FRAMES);
    expect(result.error).toBeUndefined();
    expect(consumed.payloadBytes).toBe(result.payloadBytes);
    console.log(`producer waited ${result.waits} times, consumer ${consumed.waits} times`);
    expect(result.waits + consumed.waits).toBeGreaterThan(0);
  });

  it('wakes a consumer worker parked in waitForFrames when this thread closes the ring', async () => {
    const ring = SpscRing.create(STRESS_CAPACITY_BYTES);
    const consumed = runPeer({ mode: 'consume', ringSab: ring.sab, frameCount: -1, check: 'crc' });
    await produceStressFrames(ring, 1000, 100, 7, 'crc');
    // Give the worker time to drain and park, so close() has a sleeping waiter to wake.
    while (ring.usedBytes() !== 0) await new Promise((resolve) => setTimeout(resolve, 5));
    await new Promise((resolve) => setTimeout(resolve, 20));
    ring.close();
    const result = await consumed;
    expect(result).toMatchObject({ frames: 1000, closed: true });
  });

  it('wakes this thread parked in waitForSpace when the worker closes the ring', async () => {
    const ring = SpscRing.create(STRESS_CAPACITY_BYTES);
    while (ring.reserve(1000) >= 0) ring.commit(1, 1000);
    const waiting = ring.waitForSpace(1000); // parked before the worker even starts
    const peer = runPeer({ mode: 'consume', ringSab: ring.sab, frameCount: 0, check: 'crc', closeWhenDone: true });
    expect(await waiting).toBe(false);
    expect(ring.closed).toBe(true);
    expect((await peer).frames).toBe(0);
  });

  it('echoes frames verbatim through a reply ring', async () => {
    const ring = SpscRing.create(STRESS_CAPACITY_BYTES);
    const reply = SpscRing.create(STRESS_CAPACITY_BYTES);
    const echoed = runPeer({ mode: 'echo', ringSab: ring.sab, replySab: reply.sab, frameCount: 2000, check: 'crc' });
    const [produced, consumed] = await Promise.all([
      produceStressFrames(ring, 2000, STRESS_MAX_PAYLOAD_BYTES, 11, 'crc'),
      consumeStressFrames(reply, 2000, 'crc'),
    ]);
    expect(consumed.error).toBeUndefined();
    expect(consumed.payloadBytes).toBe(produced.payloadBytes);
    expect((await echoed).frames).toBe(2000);
  });
});

// ---- model test --------------------------------------------------------------------------------------------------

type Op =
  | { kind: 'reserve'; sizeFraction: number; small: number; useSmall: boolean }
  // Sizes right at the edges, give or take a bit: all free space, the room left before the end of the region,
  // or all free space once a pad has filled the room before the end.
  | { kind: 'reserveEdge'; edge: 'free' | 'end' | 'afterPad'; deltaBytes: number }
  | { kind: 'commit'; frameType: number; keepFraction: number }
  | { kind: 'peek' }
  | { kind: 'release' };

const opArbitrary: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('reserve' as const),
      sizeFraction: fc.double({ min: 0, max: 1, noNaN: true }),
      small: fc.nat(64),
      useSmall: fc.boolean(),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('reserveEdge' as const),
      edge: fc.constantFrom('free' as const, 'end' as const, 'afterPad' as const),
      deltaBytes: fc.constantFrom(-9, -8, -1, 0, 1, 8),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('commit' as const),
      frameType: fc.integer({ min: 1, max: 0xffff }),
      keepFraction: fc.oneof(fc.constant(1), fc.double({ min: 0, max: 1, noNaN: true })),
    }),
  },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('peek' as const) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('release' as const) }) },
);

interface ModelFrame {
  frameType: number;
  payloadOffset: number;
  payloadBytes: number;
  fill: number;
  advanceBytes: number;
}

/** The obvious implementation: unbounded counters, modulo positions, an array of frames. */
class RingModel {
  writeCounter: number;
  readCounter: number;
  readonly frames: ModelFrame[] = [];
  pending: { payloadOffset: number; payloadBytes: number; padBytes: number; fill: number } | undefined;
  peeked = false;

  constructor(
    readonly capacityBytes: number,
    counterStart: number,
  ) {
    this.writeCounter = counterStart;
    this.readCounter = counterStart;
  }

  reserve(payloadBytes: number, fill: number): number {
    const position = this.writeCounter % this.capacityBytes;
    const frameBytes = Math.ceil((payloadBytes + FRAME_HEADER_BYTES) / 8) * 8;
    const padBytes = position + frameBytes <= this.capacityBytes ? 0 : this.capacityBytes - position;
    const freeBytes = this.capacityBytes - (this.writeCounter - this.readCounter);
    if (padBytes + frameBytes > freeBytes) return -1;
    const payloadOffset = (padBytes === 0 ? position : 0) + FRAME_HEADER_BYTES;
    this.pending = { payloadOffset, payloadBytes, padBytes, fill };
    return payloadOffset;
  }

  commit(frameType: number, payloadBytes: number): void {
    const { payloadOffset, padBytes, fill } = this.pending!;
    const advanceBytes = padBytes + Math.ceil((payloadBytes + FRAME_HEADER_BYTES) / 8) * 8;
    this.frames.push({ frameType, payloadOffset, payloadBytes, fill, advanceBytes });
    this.writeCounter += advanceBytes;
    this.pending = undefined;
  }

  release(): void {
    this.readCounter += this.frames.shift()!.advanceBytes;
    this.peeked = false;
  }
}

function reserveSize(ring: SpscRing, op: Extract<Op, { kind: 'reserve' }>): number {
  return op.useSmall ? op.small : Math.floor(op.sizeFraction * ring.maxPayloadBytes);
}

function edgeSize(ring: SpscRing, model: RingModel, op: Extract<Op, { kind: 'reserveEdge' }>): number {
  const freeBytes = model.capacityBytes - (model.writeCounter - model.readCounter);
  const bytesToEnd = model.capacityBytes - (model.writeCounter % model.capacityBytes);
  const roomBytes = op.edge === 'free' ? freeBytes : op.edge === 'end' ? bytesToEnd : freeBytes - bytesToEnd;
  return Math.min(ring.maxPayloadBytes, Math.max(0, roomBytes - FRAME_HEADER_BYTES + op.deltaBytes));
}

function runOps(ring: SpscRing, model: RingModel, ops: Op[]): void {
  ops.forEach((op, index) => {
    switch (op.kind) {
      case 'reserve':
      case 'reserveEdge': {
        const payloadBytes = op.kind === 'reserve' ? reserveSize(ring, op) : edgeSize(ring, model, op);
        const fill = (index * 31 + 7) & 0xff;
        const offset = ring.reserve(payloadBytes);
        expect(offset).toBe(model.reserve(payloadBytes, fill));
        if (offset >= 0) ring.data.fill(fill, offset, offset + payloadBytes);
        break;
      }
      case 'commit': {
        if (model.pending === undefined) {
          expect(() => ring.commit(op.frameType, 0)).toThrow(/without a preceding/);
          break;
        }
        const payloadBytes = Math.floor(op.keepFraction * model.pending.payloadBytes);
        ring.commit(op.frameType, payloadBytes);
        model.commit(op.frameType, payloadBytes);
        break;
      }
      case 'peek': {
        const front = model.frames[0];
        expect(ring.peek()).toBe(front !== undefined);
        if (front === undefined) break;
        model.peeked = true;
        expect([ring.frameType, ring.payloadOffset, ring.payloadBytes]).toEqual([front.frameType, front.payloadOffset, front.payloadBytes]);
        const payload = ring.data.subarray(ring.payloadOffset, ring.payloadOffset + ring.payloadBytes);
        expect(payload.every((byte) => byte === front.fill)).toBe(true);
        break;
      }
      case 'release':
        if (!model.peeked) expect(() => ring.release()).toThrow(/without a preceding/);
        else {
          ring.release();
          model.release();
        }
        break;
    }
    expect(ring.usedBytes()).toBe(model.writeCounter - model.readCounter);
  });
}

describe('SpscRing against a model', () => {
  it('agrees with an array queue on random reserve/commit/peek/release sequences', () => {
    const seed = seedFor('ring model');
    const counterStartArbitrary = fc
      .tuple(fc.constantFrom(0, 2 ** 31, 2 ** 32), fc.integer({ min: -1024, max: 1024 }))
      .map(([base, steps]) => (base + steps * 8 + 2 ** 32) % 2 ** 32);
    fc.assert(
      fc.property(
        fc.constantFrom(4096, 8192),
        counterStartArbitrary,
        fc.array(opArbitrary, { minLength: 1, maxLength: 300 }),
        (capacityBytes, counterStart, ops) => {
          const ring = SpscRing.create(capacityBytes, { counterStartForTests: counterStart });
          runOps(ring, new RingModel(capacityBytes, counterStart), ops);
        },
      ),
      { seed, verbose: true, numRuns: 1000 },
    );
  });
});
