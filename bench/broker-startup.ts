// Start-to-ready time of an embedded broker (startBroker: config, metadata, worker threads, listener)
// on an empty temp dir, and its clean stop; main thread plus the broker's workers.
// `node dist/bench/broker-startup.js [--short]`.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { pino } from 'pino';
import { startBroker } from '../src/broker.js';

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

export async function main(argv: string[]): Promise<{ startupMs: number; stopMs: number }> {
  const reps = argv.includes('--short') ? 3 : 9;
  const startups: number[] = [];
  const stops: number[] = [];
  for (let rep = 0; rep < reps; rep++) {
    const dir = mkdtempSync(join(tmpdir(), 'fjord-startup-'));
    const startedAt = performance.now();
    const broker = await startBroker({
      config: { 'log.dirs': dir, listeners: 'PLAINTEXT://127.0.0.1:0', 'fjord.http.listener': 'http://127.0.0.1:0' },
      logger: pino({ level: 'silent' }),
    });
    startups.push(performance.now() - startedAt);
    const stoppingAt = performance.now();
    await broker.stop();
    stops.push(performance.now() - stoppingAt);
    rmSync(dir, { recursive: true, force: true });
  }
  const startupMs = median(startups);
  const stopMs = median(stops);
  console.log(`broker start to ready (empty dir, ${reps} reps): median ${startupMs.toFixed(0)} ms (reps: ${startups.map((v) => v.toFixed(0)).join(', ')})`);
  console.log(`broker clean stop: median ${stopMs.toFixed(0)} ms`);
  return { startupMs, stopMs };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
