// Splits a broker main thread's V8 CPU profile (`node --cpu-prof`) by what the time went to: the Kafka codec,
// framing and sockets, routing, the request handlers, the hand-off to workers and their completions, metrics,
// Node's own stream and net code, garbage collection. A sample counts for the innermost frame whose script is
// Fjord's or Node's (native frames take their caller's category). Only samples inside a window of the monotonic
// clock count (V8 stamps samples with CLOCK_MONOTONIC on Linux, as process.hrtime does). Runs on the bench's
// main thread.
//
// .cpuprofile (JSON): { nodes: [{ id, callFrame: { functionName, url }, children?: [id] }], startTime (µs),
//   samples: [node id per sample], timeDeltas: [µs since the previous sample, the first since startTime] }
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}

export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** Category → µs of main-thread time in the window, idle excluded. */
export type ProfileSplit = Map<string, number>;

/** Categories in report order, each with the path fragments of the scripts it covers (first match wins). */
const CATEGORIES: readonly (readonly [string, readonly string[]])[] = [
  ['codec', ['/src/protocol/']],
  ['framing and sockets', ['/src/network/']],
  ['routing', ['/src/broker/request-router', '/src/broker/api-handler', '/src/broker/handler-table', '/src/broker/broker-context']],
  ['handlers', ['/src/broker/']],
  ['workers hand-off', ['/src/engine/', '/src/buffer-pool', '/src/shared/ring']],
  ['metrics', ['/src/observability/']],
  ['other Fjord', ['/src/', '/workers/']],
  ['logging', ['/node_modules/pino', '/node_modules/sonic-boom']],
  ['Node streams and net', ['node:']],
];
const GC = '(garbage collector)';
const IDLE = new Set(['(idle)', '(program)']);

/** The main thread's profile in `dir` (Node names it CPU.<date>.<time>.<pid>.<thread id>.<seq>.cpuprofile; main = 0). */
export function mainThreadProfile(dir: string): CpuProfile {
  const name = readdirSync(dir).find((f) => /^CPU\.\d+\.\d+\.\d+\.0\.\d+\.cpuprofile$/.test(f));
  if (name === undefined) throw new Error(`no main-thread .cpuprofile in ${dir}`);
  return JSON.parse(readFileSync(join(dir, name), 'utf8')) as CpuProfile;
}

function categoryOfUrl(url: string): string | null {
  if (url === '') return null;
  for (const [category, fragments] of CATEGORIES) if (fragments.some((f) => url.includes(f))) return category;
  return 'other';
}

/** Each node's category: its own script's, else its caller's; GC and idle by name. */
function categorize(profile: CpuProfile): Map<number, string | null> {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parentOf = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parentOf.set(c, n.id);
  const categories = new Map<number, string | null>();
  const resolve = (id: number): string | null => {
    const known = categories.get(id);
    if (known !== undefined) return known;
    const node = byId.get(id)!;
    const name = node.callFrame.functionName;
    let category: string | null;
    if (IDLE.has(name)) category = null;
    else if (name === GC) category = 'garbage collection';
    else {
      category = categoryOfUrl(node.callFrame.url);
      if (category === null) {
        const parent = parentOf.get(id);
        category = parent === undefined ? 'other' : (resolve(parent) ?? 'other');
      }
    }
    categories.set(id, category);
    return category;
  };
  for (const n of profile.nodes) resolve(n.id);
  return categories;
}

/** µs per category for the samples stamped within [fromMicros, toMicros]. */
export function splitProfile(profile: CpuProfile, fromMicros: number, toMicros: number): ProfileSplit {
  const categories = categorize(profile);
  const split: ProfileSplit = new Map();
  let at = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    const delta = profile.timeDeltas[i]!;
    at += delta;
    if (at < fromMicros || at > toMicros) continue;
    const category = categories.get(profile.samples[i]!);
    if (category === null || category === undefined) continue;
    split.set(category, (split.get(category) ?? 0) + delta);
  }
  if (split.size === 0) throw new Error('the profile has no busy sample in the measured window (clocks differ?)');
  return split;
}

/** "12.3 µs per request: codec 3.1, framing and sockets 2.0, …" in report order. */
export function formatSplit(split: ProfileSplit, requests: number): string {
  const total = [...split.values()].reduce((a, b) => a + b, 0);
  const order = [...CATEGORIES.map(([c]) => c), 'garbage collection', 'other'];
  const parts = order.filter((c) => split.has(c)).map((c) => `${c} ${(split.get(c)! / requests).toFixed(1)}`);
  return `${(total / requests).toFixed(1)} µs of main thread per request: ${parts.join(', ')}`;
}
