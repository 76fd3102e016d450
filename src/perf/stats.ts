// Small statistics helpers of the load generators (`fjord perf`, the benchmarks): medians over reps and latency
// percentiles from a preallocated sample array (no allocation per sample). Runs on the caller's main thread.

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** Most latency samples a recorder keeps (enough for a full-mode run at full speed). */
export const LATENCY_SAMPLES_MAX = 2_000_000;

/** Latency samples in milliseconds, kept up to a fixed count (later ones are dropped, and counted). */
export class LatencyRecorder {
  private readonly samples: Float64Array;
  private count = 0;
  private dropped = 0;

  constructor(samplesMax: number) {
    this.samples = new Float64Array(samplesMax);
  }

  record(ms: number): void {
    if (this.count < this.samples.length) this.samples[this.count++] = ms;
    else this.dropped++;
  }

  get recorded(): number {
    return this.count;
  }

  get droppedSamples(): number {
    return this.dropped;
  }

  /** Nearest-rank percentiles (q in 0..1) of the samples recorded so far. */
  percentiles(qs: readonly number[]): number[] {
    const sorted = this.samples.slice(0, this.count).sort();
    return qs.map((q) => (this.count === 0 ? Number.NaN : sorted[Math.min(this.count - 1, Math.max(0, Math.ceil(q * this.count) - 1))]!));
  }
}

export interface LatencySummary {
  p50Ms: number;
  p99Ms: number;
  p999Ms: number;
  maxMs: number;
  samples: number;
}

export function summarize(recorder: LatencyRecorder): LatencySummary {
  const [p50Ms, p99Ms, p999Ms, maxMs] = recorder.percentiles([0.5, 0.99, 0.999, 1]) as [number, number, number, number];
  return { p50Ms, p99Ms, p999Ms, maxMs, samples: recorder.recorded };
}

/** 1 MB = 10^6 bytes. */
export function mbPerSecond(bytes: number, elapsedMs: number): number {
  return bytes / 1e6 / (elapsedMs / 1000);
}

export function fixed(value: number, digits = 0): string {
  return Number.isFinite(value) ? value.toFixed(digits) : 'n/a';
}
