// V8 heap setting for a process whose main thread runs the broker (src/main.ts, and src/cli/main.ts for
// `fjord broker start`). Runs on the main thread, once, before the rest of the program is loaded.
//
// Why: the broker's main thread keeps a small live heap (~9 MB) and moves a lot of short-lived memory: request
// frames and socket chunks (outside the JS heap, but V8 counts what survives a scavenge against the old
// generation's limit) and a young generation that V8 grows up to 2 × 16 MB under load. V8 sets the old
// generation's limit at only ~1.5–4 × the live size, ~12–30 MB of headroom here, so both kept it at the limit:
// the main thread ran ~8 mark-compacts a second while producing at full speed and ~5 a second at a steady
// 50 MB/s, each a 2–16 ms pause (docs/benchmarks.md, "What the broker's heap was doing"). With the limit at 11 × the
// live size (~100 MB for a small broker; V8 still caps it at half way to the heap's maximum) mark-compacts
// became rare: produce throughput rose 1.6–1.9× and the p99 at 50 MB/s fell to a few milliseconds.
//
// Embedding applications (startBroker from the package, in their own process) are not changed behind their back; they can
// start node with --heap-growing-percent=1000 (a V8 flag Node passes through) for the same effect.
import { setFlagsFromString } from 'node:v8';

/** The old generation grows to 11 × its live size before the next mark-compact (V8 reads this at each one). */
export const HEAP_GROWING_PERCENT = 1000;

export function tuneHeapForBroker(): void {
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}
