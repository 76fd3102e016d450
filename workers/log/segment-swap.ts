// Swaps segments written by the log cleaner into a partition folder so that a crash at any point loses
// nothing (Kafka's .cleaned → .swap → final protocol), and finishes or undoes an interrupted swap when the
// partition is opened. Runs in the partition worker that owns the partition (and in piscina recovery jobs,
// through PartitionLog.open).
//
// One cleaned group replaces a contiguous run of old segments, in three steps:
//   1. the cleaner job wrote <base>.log.cleaned (+ .index.cleaned, .timeindex.cleaned), fsynced;
//   2. rename <base>.log.cleaned → <base>.log.swap, fsync the folder       ← the commit point
//   3. delete the old segments (ascending), rename the indexes and then <base>.log.swap → <base>.log, fsync.
// Crash cases, resolved on open by completeInterruptedSwaps():
//   - before 2: only .cleaned files exist → they are deleted; the old segments are intact.
//   - after 2: <base>.log.swap exists → every old segment whose base offset lies in [base, the swap file's
//     next offset) is deleted, the indexes at <base> are dropped (rebuilt on open), and the .swap is renamed.
//     Old segments after the swap file's last offset are kept: the cleaner dropped every record from them, so
//     they hold nothing older than what the new segment holds, and keeping them is consistent (an empty swap
//     file, from a first group left with no record, replaces just the old segment at its own base offset).
// A group the cleaner left nothing of (and that is not the job's first) has no new segment: its old
// segments are deleted in ascending order, consistent at any point.
// Groups are swapped in ascending order, so a crash between groups leaves older groups cleaned and newer
// ones untouched, never the reverse (a tombstone is only dropped once every older value is gone).
import { join } from 'node:path';
import type { LogConfig } from '../../src/shared/topic-config.js';
import { lastOffsetAt } from '../../src/shared/record-batch.js';
import type { FileAccess } from '../io/file-access.js';
import { type BatchWalker, Visit } from '../../src/shared/batch-walker.js';
import {
  deleteSegmentFiles,
  INDEX_SUFFIX,
  LOG_SUFFIX,
  LogSegment,
  parseSegmentBaseOffset,
  segmentFileName,
  segmentPaths,
  TIME_INDEX_SUFFIX,
} from './log-segment.js';

/** Suffix of the files a cleaner job writes. */
export const CLEANED_SUFFIX = '.cleaned';
/** Suffix of a cleaned .log committed to replace old segments. */
export const SWAP_SUFFIX = '.swap';

/**
 * Deletes `olds` (taken out of the log by the caller) that a cleaning left nothing of: every record was
 * superseded by a later one. Deleting in ascending order is consistent at any point.
 */
export function dropCleanedAway(files: FileAccess, dir: string, olds: readonly LogSegment[]): void {
  for (const old of olds) old.closeAndDelete();
  files.syncDir(dir);
}

/**
 * Puts the cleaned segment at `baseOffset` in place of `olds`, which the caller has taken out of the log.
 * Returns the opened new segment.
 */
export function swapInCleanedSegment(
  files: FileAccess,
  dir: string,
  baseOffset: number,
  olds: readonly LogSegment[],
  config: Readonly<LogConfig>,
  walker: BatchWalker,
  nowMs: number,
): LogSegment {
  const [logPath, indexPath, timeIndexPath] = segmentPaths(dir, baseOffset) as [string, string, string];
  files.rename(logPath + CLEANED_SUFFIX, logPath + SWAP_SUFFIX);
  files.syncDir(dir);
  for (const old of olds) old.closeAndDelete();
  files.rename(indexPath + CLEANED_SUFFIX, indexPath);
  files.rename(timeIndexPath + CLEANED_SUFFIX, timeIndexPath);
  files.rename(logPath + SWAP_SUFFIX, logPath);
  files.syncDir(dir);
  const { segment, scanned } = LogSegment.open(files, dir, baseOffset, config, walker, nowMs, false);
  // Indexes that failed their check were rebuilt preallocated: trim them as any sealed segment's.
  if (scanned !== null) segment.seal();
  return segment;
}

/** Removes the files a cleaner job wrote for the group based at `baseOffset` (those that exist). */
export function removeCleanedFiles(files: FileAccess, dir: string, baseOffset: number): void {
  for (const path of segmentPaths(dir, baseOffset)) files.remove(path + CLEANED_SUFFIX);
}

/**
 * Before a partition folder is opened: deletes every .cleaned file and completes every committed swap (see
 * the crash cases above). Reports each completed swap through `onRepair`.
 */
export function completeInterruptedSwaps(files: FileAccess, dir: string, walker: BatchWalker, onRepair?: (what: string) => void): void {
  const names = files.listDir(dir);
  const swapBases: number[] = [];
  for (const name of names) {
    const swapBase = name.endsWith(LOG_SUFFIX + SWAP_SUFFIX) ? parseSegmentBaseOffset(name.slice(0, -SWAP_SUFFIX.length)) : -1;
    if (swapBase >= 0) swapBases.push(swapBase);
    else if (name.endsWith(CLEANED_SUFFIX) || name.endsWith(SWAP_SUFFIX)) files.remove(join(dir, name));
  }
  if (swapBases.length === 0) return;
  const liveBases = names.map(parseSegmentBaseOffset).filter((base) => base >= 0);
  for (const base of swapBases.sort((a, b) => a - b)) {
    const swapPath = join(dir, segmentFileName(base, LOG_SUFFIX) + SWAP_SUFFIX);
    const nextOffset = nextOffsetOf(files, swapPath, base, walker);
    const replaced = liveBases.filter((old) => old >= base && old < nextOffset);
    for (const old of replaced) deleteSegmentFiles(files, dir, old);
    for (const suffix of [INDEX_SUFFIX, TIME_INDEX_SUFFIX]) files.remove(join(dir, segmentFileName(base, suffix)));
    files.rename(swapPath, join(dir, segmentFileName(base, LOG_SUFFIX)));
    onRepair?.(`${dir}: completed an interrupted compaction: segment ${base} replaced ${replaced.length} old segment(s)`);
  }
  files.syncDir(dir);
}

/** The offset after the last whole batch in the file (its base offset when it holds none). */
function nextOffsetOf(files: FileAccess, path: string, baseOffset: number, walker: BatchWalker): number {
  const fd = files.openReadOnly(path);
  try {
    let next = baseOffset;
    walker.walk(fd, 0, files.sizeOf(fd), false, (buf, at) => {
      next = lastOffsetAt(buf, at) + 1;
      return Visit.CONTINUE;
    });
    return next;
  } finally {
    files.close(fd);
  }
}
