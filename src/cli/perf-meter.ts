// Live numbers for `fjord perf`: a ConnectionObserver (src/client/kafka-connection.ts) on the load's
// connections that counts the answers as they arrive and records each request's latency, and the progress
// line on stderr (rewritten in place on a terminal, one line a second otherwise). Runs on the main thread.
import type { ConnectionObserver } from '../client/kafka-connection.js';
import { LatencyRecorder } from '../perf/stats.js';

const PROGRESS_INTERVAL_MS = 1_000;
const LATENCY_SAMPLES_MAX = 1_000_000;

export class PerfMeter implements ConnectionObserver {
  answers = 0;
  responseBytes = 0;
  readonly latencies = new LatencyRecorder(LATENCY_SAMPLES_MAX);
  private readonly startedMs = performance.now();
  private stopProgress: () => void = () => undefined;

  onRequestSent(): void {}

  onResponse(_apiKey: number, frameBytes: number, elapsedMs: number): void {
    this.latencies.record(elapsedMs);
    this.answers++;
    this.responseBytes += frameBytes;
  }

  /** Shows `describe(elapsedSeconds)` every second until stop(). */
  showProgress(describe: (meter: PerfMeter, elapsedS: number) => string): void {
    this.stopProgress = showProgressLine((elapsedS) => describe(this, elapsedS), this.startedMs);
  }

  stop(): void {
    this.stopProgress();
  }
}

/**
 * Shows `describe(elapsedSeconds since startedMs)` on stderr every second: rewritten in place on a terminal,
 * one plain line a second otherwise. Returns what stops it (and clears the line on a terminal).
 */
export function showProgressLine(describe: (elapsedS: number) => string, startedMs = performance.now()): () => void {
  const tty = process.stderr.isTTY === true;
  const timer = setInterval(() => {
    const line = describe((performance.now() - startedMs) / 1000);
    process.stderr.write(tty ? `\r${line}\x1b[K` : `${line}\n`);
  }, PROGRESS_INTERVAL_MS);
  let stopped = false;
  return () => {
    if (stopped) return;
    stopped = true;
    clearInterval(timer);
    if (tty) process.stderr.write('\r\x1b[K');
  };
}
