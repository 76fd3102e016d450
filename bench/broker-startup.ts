// Start-to-ready and stop times of an embedded broker (the package's startBroker() with its defaults: temp log
// dir, one worker thread, listener on port 0) over many starts, median and p99, and the memory one running
// embedded broker adds to its process (RSS and heap, after a GC). Main thread plus the broker's worker.
// `node --expose-gc dist/bench/broker-startup.js [--short]` (without --expose-gc the memory figures include garbage).
import { pathToFileURL } from 'node:url';
import { startBroker } from '../src/index.js';

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}

function settledMemory(): { rss: number; heap: number } {
  (globalThis as { gc?: () => void }).gc?.();
  const { rss, heapUsed } = process.memoryUsage();
  return { rss, heap: heapUsed };
}

const MIB = 1024 * 1024;

export async function main(argv: string[]): Promise<{ startupMs: number; startupP99Ms: number; stopMs: number; rssMiB: number }> {
  const reps = argv.includes('--short') ? 5 : 50;
  const startups: number[] = [];
  const stops: number[] = [];
  for (let rep = 0; rep < reps; rep++) {
    const startedAt = performance.now();
    const broker = await startBroker();
    startups.push(performance.now() - startedAt);
    const stoppingAt = performance.now();
    await broker.stop();
    stops.push(performance.now() - stoppingAt);
  }
  const before = settledMemory();
  const running = await startBroker();
  const during = settledMemory();
  await running.stop();
  const startupMs = quantile(startups, 0.5);
  const startupP99Ms = quantile(startups, 0.99);
  const stopMs = quantile(stops, 0.5);
  const rssMiB = (during.rss - before.rss) / MIB;
  console.log(
    `embedded broker start to ready (${reps} starts): median ${startupMs.toFixed(0)} ms, p99 ${startupP99Ms.toFixed(0)} ms (min ${Math.min(...startups).toFixed(0)}, max ${Math.max(...startups).toFixed(0)})`,
  );
  console.log(`embedded broker stop: median ${stopMs.toFixed(0)} ms, p99 ${quantile(stops, 0.99).toFixed(0)} ms`);
  console.log(`one running embedded broker adds: RSS ${rssMiB.toFixed(1)} MiB, JS heap ${((during.heap - before.heap) / MIB).toFixed(1)} MiB`);
  return { startupMs, startupP99Ms, stopMs, rssMiB };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
