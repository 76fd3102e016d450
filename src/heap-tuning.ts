// V8 heap settings for a process whose main thread runs the broker (src/main.ts, src/cli/main.ts for
// `fjord broker start`). Runs on the main thread, once, before the rest of the program is loaded.
//
// Why: the broker's main thread keeps a small live heap (~10 MB) while allocating quickly (decoded requests,
// promises, socket chunks). Under that load V8 doubles the young generation up to 2 × 16 MB, and as soon as
// the young generation is larger than the old generation's headroom (limit − live, ~12 MB here), V8 starts
// incremental marking again after every collection: at a steady 50 MB/s of produce the main thread ran ~5
// mark-compacts a second, each a 2–16 ms pause, and they were most of the p99 produce latency
// (BENCHMARKS.md, "latency at a steady 50 MB/s"). Keeping the young generation at its initial size makes
// scavenges more frequent (each well under a millisecond) and mark-compacts rare.
//
// Embedding applications (startBroker in their own process) are not changed behind their back; they can
// start node with --max-semi-space-size=1 for the same effect.
import { setFlagsFromString } from 'node:v8';

/** The young generation stays at its initial size instead of growing (read by V8 each time it would grow). */
export function keepYoungGenerationSmall(): void {
  setFlagsFromString('--semi-space-growth-factor=1');
}
