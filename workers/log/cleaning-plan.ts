// Decides what the log cleaner may rewrite in one partition now (Kafka's LogCleanerManager.cleanableOffsets
// and dirty ratio): which sealed segments are cleanable, whether enough of them is dirty, and the job for
// the cleaner. Pure; runs in the partition worker that owns the partition.
//
// Cleanable segments: from the first one not wholly below the log start, up to (not including) the first
// that is the active segment, reaches the high watermark, or holds a record newer than now - min.compaction.lag.ms.
// Dirty: the part of them at or after the cleaner checkpoint (what no cleaning has seen yet).
import { isCompacted, type LogConfig } from '../../src/shared/topic-config.js';
import { LOG_SUFFIX, type LogSegment } from './log-segment.js';
import type { CleanerJob } from './segment-cleaner.js';

/** The partition facts a plan needs besides its segments. */
export interface CleaningFacts {
  dir: string;
  logStartOffset: number;
  highWatermark: number;
  /** The cleaner checkpoint: below it the log was cleaned. */
  cleanedOffset: number;
  /** First offset of each idempotent producer's latest batch. */
  producerLastBatchOffsets: readonly number[];
}

/** A job and the live segments it was planned from (the owner swaps results in only if those are unchanged). */
export interface PlannedCleaning {
  job: CleanerJob;
  segments: LogSegment[];
}

/** The job to run now, or null when the topic is not compacted, nothing is cleanable, or too little is dirty. */
export function planCleaning(
  segments: readonly LogSegment[],
  facts: Readonly<CleaningFacts>,
  config: Readonly<LogConfig>,
  nowMs: number,
  keyMapBytesMax: number,
): PlannedCleaning | null {
  if (!isCompacted(config)) return null;
  const [from, to] = cleanableRange(segments, facts, config, nowMs);
  if (to <= from) return null;
  const chosen = segments.slice(from, to);
  const firstDirtyOffset = Math.max(facts.cleanedOffset, chosen[0]!.baseOffset);
  const inputs = chosen.map((segment, i) => ({
    baseOffset: segment.baseOffset,
    endOffset: segments[from + i + 1]!.baseOffset,
    path: segment.pathOf(LOG_SUFFIX),
    sizeBytes: segment.sizeBytes,
    indexEntryCount: segment.indexEntryCount,
  }));
  let dirtyBytes = 0;
  let totalBytes = 0;
  for (const input of inputs) {
    totalBytes += input.sizeBytes;
    if (input.endOffset > firstDirtyOffset) dirtyBytes += input.sizeBytes;
  }
  if (dirtyBytes === 0 || dirtyBytes < config.minCleanableDirtyRatio * totalBytes) return null;
  const start = inputs[0]!.baseOffset;
  const end = inputs[inputs.length - 1]!.endOffset;
  const keepBatchOffsets = facts.producerLastBatchOffsets.filter((offset) => offset >= start && offset < end);
  return {
    job: { dir: facts.dir, segments: inputs, firstDirtyOffset, nowMs, config: { ...config }, keepBatchOffsets, keyMapBytesMax },
    segments: chosen,
  };
}

/** Indexes [from, to) of the cleanable segments in `segments`. */
function cleanableRange(segments: readonly LogSegment[], facts: Readonly<CleaningFacts>, config: Readonly<LogConfig>, nowMs: number): [number, number] {
  const last = segments.length - 1;
  let from = 0;
  while (from < last && segments[from + 1]!.baseOffset <= facts.logStartOffset) from++;
  const newestAllowedMs = nowMs - config.minCompactionLagMs;
  let to = from;
  while (to < last && segments[to + 1]!.baseOffset <= facts.highWatermark && segments[to]!.maxTimestamp <= newestAllowedMs) to++;
  return [from, to];
}
