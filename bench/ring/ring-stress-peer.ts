// The far end of an SpscRing for ring tests and benchmarks, plus the checked frame format both ends use. Runs as a
// worker thread (compiled JS, started with compiledPath('bench/ring/ring-stress-peer')); not part of the product.
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { crc32c } from '@node-rs/crc32';
import { SpscRing } from '../../src/shared/ring/spsc-ring.js';

/*
 * Stress frame: frameType = seq % 65535 + 1, so even a 1-byte frame carries its (wrapped) sequence number.
 * Payloads of 8 bytes or more also carry:
 *   +0  uint32 LE seq
 *   +4  uint32 LE check    'crc': CRC-32C of bytes 8..end; 'sample': mix of seq and three body bytes (cheap)
 *   +8  body               bytes copied from a seeded random pool at an 8-aligned offset that depends on seq
 */
export type StressCheck = 'crc' | 'sample';

export interface RingStressPeerData {
  ringStressPeer: true;
  /** consume: verify stress frames; produce: write stress frames; echo: copy each frame verbatim to replySab. */
  mode: 'consume' | 'produce' | 'echo';
  ringSab: SharedArrayBuffer;
  replySab?: SharedArrayBuffer;
  /** Frames to handle; -1 = until the ring is closed and drained. */
  frameCount: number;
  check: StressCheck;
  /** produce: payload sizes are uniform in 1..maxPayloadBytes. */
  maxPayloadBytes?: number;
  seed?: number;
  /** Close the ring (and the reply ring) after the last frame, waking whoever waits on the other side. */
  closeWhenDone?: boolean;
}

export interface RingStressPeerResult {
  frames: number;
  payloadBytes: number;
  closed: boolean;
  /** How many times this end had to wait for the other (backpressure or an empty ring). */
  waits: number;
  error?: string;
}

const POOL_SLACK_BYTES = 4096;
const STRESS_PREFIX_BYTES = 8;

/** xorshift32: a small seeded generator both ends can reproduce; returns uint32. */
export function makeRandom(seed: number): () => number {
  let state = seed >>> 0 || 0x9e3779b9;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state;
  };
}

/** Random bytes for stress payload bodies of up to maxBodyBytes. */
export function makePool(seed: number, maxBodyBytes: number): Buffer {
  const random = makeRandom(seed ^ 0x5bd1e995);
  const pool = Buffer.allocUnsafe(maxBodyBytes + POOL_SLACK_BYTES);
  for (let i = 0; i + 4 <= pool.length; i += 4) pool.writeUInt32LE(random(), i);
  return pool;
}

export function stressFrameType(seq: number): number {
  return (seq % 0xffff) + 1;
}

function sampleCheck(data: Buffer, bodyOffset: number, bodyBytes: number, seq: number): number {
  if (bodyBytes === 0) return seq >>> 0;
  const mixed = data[bodyOffset]! | (data[bodyOffset + (bodyBytes >>> 1)]! << 8) | (data[bodyOffset + bodyBytes - 1]! << 16);
  return (Math.imul(seq ^ mixed, 0x9e3779b1) ^ bodyBytes) >>> 0;
}

function payloadCheck(data: Buffer, bodyOffset: number, bodyBytes: number, seq: number, check: StressCheck): number {
  if (check === 'sample') return sampleCheck(data, bodyOffset, bodyBytes, seq);
  return crc32c(data.subarray(bodyOffset, bodyOffset + bodyBytes)) >>> 0;
}

/** Writes stress frame seq with payloadBytes into ring; false if there is no room now. */
export function writeStressFrame(ring: SpscRing, seq: number, payloadBytes: number, pool: Buffer, check: StressCheck): boolean {
  const offset = ring.reserve(payloadBytes);
  if (offset < 0) return false;
  const data = ring.data;
  if (payloadBytes < STRESS_PREFIX_BYTES) {
    pool.copy(data, offset, 0, payloadBytes);
  } else {
    const bodyBytes = payloadBytes - STRESS_PREFIX_BYTES;
    // 8-aligned like the payload: V8 copies into SharedArrayBuffer memory word by word only when source and
    // destination share their alignment, and byte by byte (~8x slower) otherwise.
    const poolStart = Math.imul(seq, 520) & (POOL_SLACK_BYTES - 8);
    pool.copy(data, offset + STRESS_PREFIX_BYTES, poolStart, poolStart + bodyBytes);
    data.writeUInt32LE(seq >>> 0, offset);
    data.writeUInt32LE(payloadCheck(data, offset + STRESS_PREFIX_BYTES, bodyBytes, seq, check), offset + 4);
  }
  ring.commit(stressFrameType(seq), payloadBytes);
  return true;
}

/** Checks the peeked frame of ring against expectedSeq; returns a description of the first mismatch, if any. */
export function verifyStressFrame(ring: SpscRing, expectedSeq: number, check: StressCheck): string | undefined {
  if (ring.frameType !== stressFrameType(expectedSeq)) {
    return `frame ${expectedSeq}: type ${ring.frameType}, expected ${stressFrameType(expectedSeq)}`;
  }
  if (ring.payloadBytes < STRESS_PREFIX_BYTES) return undefined;
  const data = ring.data;
  const offset = ring.payloadOffset;
  const seq = data.readUInt32LE(offset);
  if (seq !== expectedSeq >>> 0) return `frame ${expectedSeq}: carries seq ${seq}`;
  const bodyBytes = ring.payloadBytes - STRESS_PREFIX_BYTES;
  const expected = payloadCheck(data, offset + STRESS_PREFIX_BYTES, bodyBytes, seq, check);
  const actual = data.readUInt32LE(offset + 4);
  if (actual !== expected) return `frame ${expectedSeq}: check ${actual}, computed ${expected} over ${ring.payloadBytes} bytes`;
  return undefined;
}

/** Produces frameCount stress frames of random sizes, waiting for space whenever the ring is full. */
export async function produceStressFrames(
  ring: SpscRing,
  frameCount: number,
  maxPayloadBytes: number,
  seed: number,
  check: StressCheck,
): Promise<RingStressPeerResult> {
  const random = makeRandom(seed);
  const pool = makePool(seed, maxPayloadBytes);
  let payloadBytesTotal = 0;
  let waits = 0;
  for (let seq = 0; seq < frameCount; seq++) {
    const payloadBytes = 1 + (random() % maxPayloadBytes);
    while (!writeStressFrame(ring, seq, payloadBytes, pool, check)) {
      waits++;
      if (!(await ring.waitForSpace(payloadBytes))) return { frames: seq, payloadBytes: payloadBytesTotal, closed: true, waits };
    }
    payloadBytesTotal += payloadBytes;
  }
  return { frames: frameCount, payloadBytes: payloadBytesTotal, closed: ring.closed, waits };
}

/** Consumes and verifies frameCount stress frames (-1: until closed and drained); stops at the first bad one. */
export async function consumeStressFrames(ring: SpscRing, frameCount: number, check: StressCheck): Promise<RingStressPeerResult> {
  let seq = 0;
  let payloadBytesTotal = 0;
  let waits = 0;
  while (frameCount < 0 || seq < frameCount) {
    if (!ring.peek()) {
      waits++;
      if (!(await ring.waitForFrames())) break;
      continue;
    }
    const error = verifyStressFrame(ring, seq, check);
    if (error !== undefined) return { frames: seq, payloadBytes: payloadBytesTotal, closed: ring.closed, waits, error };
    payloadBytesTotal += ring.payloadBytes;
    ring.release();
    seq++;
  }
  return { frames: seq, payloadBytes: payloadBytesTotal, closed: ring.closed, waits };
}

/** Copies every frame of ring verbatim (type and payload) into reply until frameCount frames or close. */
async function echoFrames(ring: SpscRing, reply: SpscRing, frameCount: number): Promise<RingStressPeerResult> {
  let frames = 0;
  let payloadBytesTotal = 0;
  let waits = 0;
  while (frameCount < 0 || frames < frameCount) {
    if (!ring.peek()) {
      waits++;
      if (!(await ring.waitForFrames())) break;
      continue;
    }
    const payloadBytes = ring.payloadBytes;
    let offset = reply.reserve(payloadBytes);
    while (offset < 0) {
      waits++;
      if (!(await reply.waitForSpace(payloadBytes))) return { frames, payloadBytes: payloadBytesTotal, closed: true, waits };
      offset = reply.reserve(payloadBytes);
    }
    ring.data.copy(reply.data, offset, ring.payloadOffset, ring.payloadOffset + payloadBytes);
    reply.commit(ring.frameType, payloadBytes);
    ring.release();
    frames++;
    payloadBytesTotal += payloadBytes;
  }
  return { frames, payloadBytes: payloadBytesTotal, closed: ring.closed, waits };
}

async function runPeer(config: RingStressPeerData): Promise<RingStressPeerResult> {
  const ring = new SpscRing(config.ringSab);
  const reply = config.replySab === undefined ? undefined : new SpscRing(config.replySab);
  let result: RingStressPeerResult;
  if (config.mode === 'consume') {
    result = await consumeStressFrames(ring, config.frameCount, config.check);
  } else if (config.mode === 'produce') {
    const maxPayloadBytes = config.maxPayloadBytes ?? ring.maxPayloadBytes;
    result = await produceStressFrames(ring, config.frameCount, maxPayloadBytes, config.seed ?? 1, config.check);
  } else {
    if (reply === undefined) throw new Error('ring-stress-peer: echo mode needs replySab');
    result = await echoFrames(ring, reply, config.frameCount);
  }
  if (config.closeWhenDone === true) {
    ring.close();
    reply?.close();
  }
  return result;
}

if (!isMainThread && parentPort !== null && (workerData as RingStressPeerData | undefined)?.ringStressPeer === true) {
  const port = parentPort;
  runPeer(workerData as RingStressPeerData).then(
    (result) => port.postMessage(result),
    (error: unknown) => port.postMessage({ frames: -1, payloadBytes: 0, closed: false, waits: 0, error: String((error as Error)?.stack ?? error) }),
  );
}
