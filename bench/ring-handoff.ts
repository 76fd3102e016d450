// Benchmark of the SpscRing hand-off from the main thread to a worker thread: 64 KiB frame throughput and per-frame
// hand-off latency. Runs on the main thread plus one ring-stress-peer worker. `node dist/bench/ring-handoff.js [--short]`
//
// Plain timing with performance.now(), not tinybench: tinybench times repeated calls of one function on one thread,
// while these figures belong to a two-thread pipeline that is started once, kept full and drained at the end.
import { Worker } from 'node:worker_threads';
import { pathToFileURL } from 'node:url';
import { compiledPath } from '../src/shared/compiled-path.js';
import { makePool, writeStressFrame, type RingStressPeerData, type RingStressPeerResult } from './ring/ring-stress-peer.js';
import { FRAME_HEADER_BYTES, SpscRing } from '../src/shared/ring/spsc-ring.js';

const FRAME_PAYLOAD_BYTES = 64 * 1024;
const FRAME_RING_BYTES = FRAME_PAYLOAD_BYTES + FRAME_HEADER_BYTES; // 8-byte aligned already
const THROUGHPUT_RING_BYTES = 1024 * 1024;
const LATENCY_RING_BYTES = 64 * 1024;
const LATENCY_PAYLOAD_BYTES = 16; // uint32 seq, 4 spare, float64 send time
const LATENCY_SAMPLES_MAX = 1_000_000;

export interface RingHandoffFigures {
  gigabytesPerSecond: number;
  latencyP50Us: number;
  latencyP99Us: number;
}

interface Durations {
  warmupMs: number;
  measureMs: number;
}

function startPeer(data: Omit<RingStressPeerData, 'ringStressPeer'>): Promise<RingStressPeerResult> {
  const worker = new Worker(compiledPath('bench/ring/ring-stress-peer'), {
    workerData: { ...data, ringStressPeer: true } satisfies RingStressPeerData,
  });
  return new Promise((resolve, reject) => {
    worker.once('message', (result: RingStressPeerResult) => {
      if (result.error !== undefined) reject(new Error(`ring-stress-peer: ${result.error}`));
      else resolve(result);
    });
    worker.once('error', reject);
  });
}

/**
 * Producer here, consumer in the worker. The producer Buffer.copy's each 64 KiB payload from a prepared pool and
 * stamps seq + a check over a few bytes; the consumer validates seq and check and releases. Bytes count from the
 * end of the warm-up until the consumer has drained the ring.
 */
async function measureThroughput({ warmupMs, measureMs }: Durations): Promise<number> {
  const ring = SpscRing.create(THROUGHPUT_RING_BYTES);
  const consumed = startPeer({ mode: 'consume', ringSab: ring.sab, frameCount: -1, check: 'sample' });
  const pool = makePool(1, FRAME_PAYLOAD_BYTES);
  // Wait for the worker to come up and park, so its start-up is not in the figure.
  while (!(await ring.waitForSpace(FRAME_PAYLOAD_BYTES, 0))) await new Promise((resolve) => setTimeout(resolve, 1));
  await new Promise((resolve) => setTimeout(resolve, 50));

  let seq = 0;
  let measuredFromMs = -1;
  let framesMeasured = 0;
  const startMs = performance.now();
  for (;;) {
    while (writeStressFrame(ring, seq, FRAME_PAYLOAD_BYTES, pool, 'sample')) seq++;
    const nowMs = performance.now();
    if (measuredFromMs < 0 && nowMs - startMs >= warmupMs) {
      // Count the frames queued now (at most one pad is in a full ring, and it is smaller than a frame) ...
      measuredFromMs = nowMs;
      framesMeasured = Math.floor(ring.usedBytes() / FRAME_RING_BYTES) - seq;
    }
    if (measuredFromMs >= 0 && nowMs - measuredFromMs >= measureMs) break;
    await ring.waitForSpace(FRAME_PAYLOAD_BYTES);
  }
  // ... plus every frame produced after, all consumed by the time the ring is empty.
  while (ring.usedBytes() !== 0) await new Promise((resolve) => setImmediate(resolve));
  const elapsedMs = performance.now() - measuredFromMs;
  framesMeasured += seq;
  ring.close();
  const result = await consumed;
  if (result.frames !== seq) throw new Error(`ring bench: consumer saw ${result.frames} frames, producer wrote ${seq}`);
  return (framesMeasured * FRAME_PAYLOAD_BYTES) / (elapsedMs * 1e6);
}

/**
 * One 16-byte frame in flight at a time: stamp performance.now() into it, the worker echoes it back through a second
 * ring, and the hand-off latency is the round trip / 2. Round trip on one clock rather than one-way across threads,
 * because the two threads' performance.now() have different origins and aligning them through
 * performance.timeOrigin adds an error of the same order as the figure. Both directions wake a parked waiter, so
 * this is the idle-ring latency (the worst case); a busy ring hands off without any wake-up.
 */
async function measureLatency({ warmupMs, measureMs }: Durations): Promise<{ p50Us: number; p99Us: number }> {
  const ring = SpscRing.create(LATENCY_RING_BYTES);
  const reply = SpscRing.create(LATENCY_RING_BYTES);
  const echoed = startPeer({ mode: 'echo', ringSab: ring.sab, replySab: reply.sab, frameCount: -1, check: 'sample' });
  const samplesUs = new Float64Array(LATENCY_SAMPLES_MAX);
  let sampleCount = 0;
  const startMs = performance.now();
  for (let seq = 0; sampleCount < LATENCY_SAMPLES_MAX; seq++) {
    const sentMs = performance.now();
    if (sentMs - startMs >= warmupMs + measureMs) break;
    const offset = ring.reserve(LATENCY_PAYLOAD_BYTES);
    if (offset < 0) throw new Error('ring bench: latency ring unexpectedly full');
    ring.data.writeUInt32LE(seq, offset);
    ring.data.writeDoubleLE(sentMs, offset + 8);
    ring.commit(1, LATENCY_PAYLOAD_BYTES);
    while (!reply.peek()) await reply.waitForFrames();
    const roundTripMs = performance.now() - reply.data.readDoubleLE(reply.payloadOffset + 8);
    if (reply.data.readUInt32LE(reply.payloadOffset) !== seq) throw new Error(`ring bench: echo out of order at ${seq}`);
    reply.release();
    if (sentMs - startMs >= warmupMs) samplesUs[sampleCount++] = (roundTripMs * 1000) / 2;
  }
  ring.close();
  await echoed;
  const sorted = samplesUs.subarray(0, sampleCount).sort();
  const percentile = (fraction: number): number => sorted[Math.min(sampleCount - 1, Math.floor(sampleCount * fraction))]!;
  return { p50Us: percentile(0.5), p99Us: percentile(0.99) };
}

export async function main(argv: string[]): Promise<RingHandoffFigures> {
  const short = argv.includes('--short');
  const throughputDurations = short ? { warmupMs: 100, measureMs: 400 } : { warmupMs: 500, measureMs: 2500 };
  const latencyDurations = short ? { warmupMs: 100, measureMs: 300 } : { warmupMs: 300, measureMs: 1500 };
  const gigabytesPerSecond = await measureThroughput(throughputDurations);
  console.log(`ring 64KiB frames: ${gigabytesPerSecond.toFixed(2)} GB/s`);
  const { p50Us, p99Us } = await measureLatency(latencyDurations);
  console.log(`ring hand-off latency: p50 ${p50Us.toFixed(1)} us, p99 ${p99Us.toFixed(1)} us`);
  return { gigabytesPerSecond, latencyP50Us: p50Us, latencyP99Us: p99Us };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
