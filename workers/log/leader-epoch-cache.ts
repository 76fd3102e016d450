// The leader-epoch cache of one partition (Kafka's LeaderEpochFileCache): which leader epoch started at which
// offset, so a follower can find where its log diverges from a new leader's and consumers can detect
// truncation (OffsetForLeaderEpoch), and its file `leader-epoch-checkpoint` in the partition folder. Every
// change is written first (temp file, fsync, rename) and applied after. Runs in the partition worker that owns
// the partition (or a piscina recovery thread opening it).
//
// File format (text, Kafka's own layout; every line ends with "\n"):
//   0                        version
//   <count>                  number of entry lines that follow
//   <epoch> <startOffset>    one line per entry, epochs strictly increasing, start offsets non-decreasing
// Anything else (other version, count not matching the lines, a number that is not a non-negative safe integer,
// entries out of order) makes the file unreadable: the loader rebuilds the cache from the segments' batch headers.
import { join } from 'node:path';
import type { FileAccess } from '../io/file-access.js';
import type { EpochEndOffset } from '../../src/shared/worker-protocol.js';

export const LEADER_EPOCH_FILE = 'leader-epoch-checkpoint';
const FILE_VERSION = 0;

/** OffsetForLeaderEpoch's "no such epoch" and "no such offset" (Kafka's UNDEFINED_EPOCH / UNDEFINED_EPOCH_OFFSET). */
export const UNDEFINED_EPOCH = -1;
export const UNDEFINED_EPOCH_OFFSET = -1;

export interface EpochEntry {
  epoch: number;
  /** The first offset written under this epoch (or, after truncateFromStart, the log start). */
  startOffset: number;
}

export class LeaderEpochCache {
  private constructor(
    private readonly files: FileAccess,
    private readonly path: string,
    private entries: readonly EpochEntry[],
  ) {}

  /** The cache of the partition in `dir` as its file holds it, or null when the file is missing or unreadable. */
  static read(files: FileAccess, dir: string): LeaderEpochCache | null {
    const path = join(dir, LEADER_EPOCH_FILE);
    if (!files.exists(path)) return null;
    const entries = parseLeaderEpochs(files.readText(path));
    return entries === null ? null : new LeaderEpochCache(files, path, entries);
  }

  /** A cache built from `entries` (each assigned in turn, as Kafka's rules keep them), written to its file at once. */
  static rebuild(files: FileAccess, dir: string, entries: Iterable<EpochEntry>): LeaderEpochCache {
    let built: readonly EpochEntry[] = [];
    for (const { epoch, startOffset } of entries) built = assigned(built, epoch, startOffset) ?? built;
    const cache = new LeaderEpochCache(files, join(dir, LEADER_EPOCH_FILE), []);
    cache.replace(built);
    return cache;
  }

  /** The entries, oldest first. */
  get epochEntries(): readonly EpochEntry[] {
    return this.entries;
  }

  /** The newest epoch, or UNDEFINED_EPOCH (-1) when the cache is empty. */
  get latestEpoch(): number {
    return this.entries.at(-1)?.epoch ?? UNDEFINED_EPOCH;
  }

  /**
   * Records that `epoch` starts at `startOffset`, as Kafka's assign does: nothing changes when it is the latest
   * epoch already starting at or before that offset; otherwise the entries it contradicts (an epoch at or above
   * it, or a start at or after its offset) are dropped from the end and it becomes the latest. A negative epoch
   * (a batch without one) is ignored. Returns whether the cache changed.
   */
  assign(epoch: number, startOffset: number): boolean {
    if (epoch < 0) return false;
    const next = assigned(this.entries, epoch, startOffset);
    if (next === null) return false;
    this.replace(next);
    return true;
  }

  /** The log was truncated to `endOffset`: drops every entry starting at or after it. */
  truncateFromEnd(endOffset: number): void {
    let keep = this.entries.length;
    while (keep > 0 && this.entries[keep - 1]!.startOffset >= endOffset) keep--;
    if (keep < this.entries.length) this.replace(this.entries.slice(0, keep));
  }

  /**
   * The log start moved to `logStartOffset` (retention, DeleteRecords): entries starting at or below it go, except
   * the last of them, which now starts at the log start (Kafka's truncateFromStart; an entry at it stays as it is).
   */
  truncateFromStart(logStartOffset: number): void {
    let below = 0;
    while (below < this.entries.length && this.entries[below]!.startOffset <= logStartOffset) below++;
    if (below === 0) return;
    const first = this.entries[below - 1]!;
    if (below === 1 && first.startOffset === logStartOffset) return;
    this.replace([{ epoch: first.epoch, startOffset: logStartOffset }, ...this.entries.slice(below)]);
  }

  /**
   * Kafka's endOffsetFor: for the latest epoch, the log end offset; for an older one, the largest epoch <= it
   * and the start of the first epoch above it (when no known epoch is <= it, the requested epoch itself with the
   * start of the first known one: data of earlier epochs is gone); UNDEFINED (-1, -1) for epoch -1, for an epoch
   * above every known one, and for an empty cache.
   */
  endOffsetFor(requestedEpoch: number, logEndOffset: number): EpochEndOffset {
    const undefinedAnswer = { epoch: UNDEFINED_EPOCH, endOffset: UNDEFINED_EPOCH_OFFSET };
    if (requestedEpoch === UNDEFINED_EPOCH) return undefinedAnswer;
    if (requestedEpoch === this.latestEpoch) return { epoch: requestedEpoch, endOffset: logEndOffset };
    const higher = this.entries.findIndex((e) => e.epoch > requestedEpoch);
    if (higher < 0) return undefinedAnswer;
    const endOffset = this.entries[higher]!.startOffset;
    return { epoch: higher === 0 ? requestedEpoch : this.entries[higher - 1]!.epoch, endOffset };
  }

  /** Writes `next` to the file, then makes it the cache: a failed write leaves both as they were. */
  private replace(next: readonly EpochEntry[]): void {
    this.files.writeTextAtomic(this.path, formatLeaderEpochs(next));
    this.entries = next;
  }
}

/** The entries after assigning (epoch, startOffset), or null when nothing changes (see LeaderEpochCache.assign). */
function assigned(entries: readonly EpochEntry[], epoch: number, startOffset: number): readonly EpochEntry[] | null {
  const latest = entries.at(-1);
  if (latest !== undefined && latest.epoch === epoch && latest.startOffset <= startOffset) return null;
  let keep = entries.length;
  while (keep > 0 && (entries[keep - 1]!.epoch >= epoch || entries[keep - 1]!.startOffset >= startOffset)) keep--;
  return [...entries.slice(0, keep), { epoch, startOffset }];
}

export function formatLeaderEpochs(entries: readonly EpochEntry[]): string {
  return `${FILE_VERSION}\n${entries.length}\n${entries.map((e) => `${e.epoch} ${e.startOffset}\n`).join('')}`;
}

/** The entries a leader-epoch-checkpoint file holds, or null when it is not one (see the layout at the top). */
export function parseLeaderEpochs(text: string): EpochEntry[] | null {
  const lines = text.split('\n');
  // Every line ends with "\n": a file cut inside its last line (say "3 10" cut to "3 1") is refused.
  if (lines.pop() !== '') return null;
  if (lines.length < 2 || lines[0] !== String(FILE_VERSION)) return null;
  const count = wholeNumber(lines[1]!);
  if (count === null || lines.length !== count + 2) return null;
  const entries: EpochEntry[] = [];
  for (const line of lines.slice(2)) {
    const fields = line.split(' ');
    const epoch = fields.length === 2 ? wholeNumber(fields[0]!) : null;
    const startOffset = fields.length === 2 ? wholeNumber(fields[1]!) : null;
    if (epoch === null || startOffset === null || epoch > 0x7fffffff) return null;
    const previous = entries.at(-1);
    if (previous !== undefined && (epoch <= previous.epoch || startOffset < previous.startOffset)) return null;
    entries.push({ epoch, startOffset });
  }
  return entries;
}

/** A non-negative safe integer written in plain decimal, or null. */
function wholeNumber(text: string): number | null {
  if (!/^\d{1,16}$/.test(text)) return null;
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : null;
}
