// The flags of `fjord perf produce|consume|end-to-end` as the commands receive them, and the end-to-end
// stamp size: what perf.ts (registration) and the commands' work (perf-run.ts, perf-end-to-end.ts) share, kept
// apart so neither imports the other. Runs on the main thread.
import type { ClientFlags } from '../broker-client.js';

export interface PerfFlags extends ClientFlags {
  connections: number;
  inFlight: number;
  durationS: number;
}

export interface ProducePerfFlags extends PerfFlags {
  recordSize: number;
  numRecords: number;
  partitions: number;
  batchBytes: number;
  throughput?: number;
}

export interface EndToEndFlags extends ClientFlags {
  messages: number;
  durationMs: number;
  recordSize: number;
  rate?: number;
  acks: string;
  partitions: number;
}

/** The send-time stamp at the head of each end-to-end record value (layout in perf-end-to-end.ts). */
export const END_TO_END_STAMP_BYTES = 16;
