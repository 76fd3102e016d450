// Live numbers for `fjord perf`: counts the answers on the perf tool's connections (bench/perf) as they
// arrive, timing each request, and shows a progress line on stderr (rewritten in place on a terminal, one
// line a second otherwise). The load generators expose no hook, so the meter wraps each connection's send
// methods; the requests themselves are untouched. Runs on the main thread.
import type { KafkaConnection, RequestTemplate, ResponseCallback } from '../../bench/perf/kafka-connection.js';
import { LatencyRecorder } from '../../bench/perf/stats.js';

const PROGRESS_INTERVAL_MS = 1_000;
const LATENCY_SAMPLES_MAX = 1_000_000;

export class PerfMeter {
  answers = 0;
  responseBytes = 0;
  readonly latencies = new LatencyRecorder(LATENCY_SAMPLES_MAX);
  private readonly startedMs = performance.now();
  private stopProgress: () => void = () => undefined;

  /** Makes every send on `connection` count its answer and its latency here. */
  watch(connection: KafkaConnection): void {
    const send = connection.send.bind(connection);
    const sendFrame = connection.sendFrame.bind(connection);
    connection.send = (template: RequestTemplate, onResponse: ResponseCallback) => send(template, this.timed(onResponse));
    connection.sendFrame = (frame: Buffer, onResponse: ResponseCallback) => sendFrame(frame, this.timed(onResponse));
  }

  /** Shows `describe(elapsedSeconds)` every second until stop(). */
  showProgress(describe: (meter: PerfMeter, elapsedS: number) => string): void {
    this.stopProgress = showProgressLine((elapsedS) => describe(this, elapsedS), this.startedMs);
  }

  stop(): void {
    this.stopProgress();
  }

  private timed(onResponse: ResponseCallback): ResponseCallback {
    const sentMs = performance.now();
    return (frame) => {
      this.latencies.record(performance.now() - sentMs);
      this.answers++;
      this.responseBytes += frame.length;
      onResponse(frame);
    };
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
