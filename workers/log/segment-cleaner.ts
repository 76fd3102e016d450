// The log cleaner's job for one compacted partition: maps the keys of the dirty segments, groups the
// cleanable segments (merging small neighbours), and writes each group as one new segment under the
// temporary names "<base>.log.cleaned" / ".index.cleaned" / ".timeindex.cleaned", keeping the last record
// per key with offsets unchanged. It never touches the live files: the owning worker swaps the result in
// (segment-swap.ts) or throws it away. Runs in a piscina thread (workers/cleaner-task.ts); tests call it directly.
import type { LogConfig } from '../../src/shared/topic-config.js';
import { baseOffsetAt, lastOffsetAt, maxTimestampAt } from '../../src/shared/record-batch.js';
import type { FileAccess } from '../io/file-access.js';
import { AppendInfo } from './batch-validator.js';
import { BatchWalker } from '../../src/shared/batch-walker.js';
import { compactBatch, RetentionRule } from './batch-compactor.js';
import { mapDirtyKeys, type MappedSegment } from './cleaner-key-map.js';
import { LogSegment, MAX_RELATIVE_OFFSET } from './log-segment.js';
import { forEachBatchIn } from './segment-batch-reader.js';
import { CLEANED_SUFFIX, removeCleanedFiles } from './segment-swap.js';
import { TIME_INDEX_ENTRY_BYTES } from './time-index.js';

export interface CleanerInput extends MappedSegment {
  /** Entries in its offset index, to keep a merged segment's index near segment.index.bytes. */
  indexEntryCount: number;
}

/** Everything a cleaner job needs; plain data (it crosses to a piscina thread). */
export interface CleanerJob {
  dir: string;
  /** The cleanable segments, ascending and contiguous: sealed, below the high watermark, old enough. */
  segments: CleanerInput[];
  /** Records from here on are dirty (not cleaned before): their keys make the map. */
  firstDirtyOffset: number;
  nowMs: number;
  /** The topic's config: delete.retention.ms, and the segment and index sizes for the new segments. */
  config: LogConfig;
  /** First offsets of batches to keep even when emptied (each idempotent producer's latest batch). */
  keepBatchOffsets: number[];
  keyMapBytesMax: number;
}

export interface CleanedGroup {
  /** Base offsets of the input segments the new segment replaces. */
  inputBaseOffsets: number[];
  /** Base offset (and file name) of the new segment: the first input's. */
  baseOffset: number;
  /**
   * 'segment': the .cleaned files replace the inputs. 'nothing': no record was left and no file was written;
   * the inputs just go. The job's first group always writes a segment, even an empty one, so the log's
   * first base offset (and with it the log start offset) does not move.
   */
  replacedBy: 'segment' | 'nothing';
  /** Size of the new .log. */
  sizeBytes: number;
}

export interface CleanerOutcome {
  groups: CleanedGroup[];
  /** End of the cleaned range: everything below is clean once the groups are swapped in. */
  cleanedEndOffset: number;
  recordsRemoved: number;
  bytesRead: number;
  bytesWritten: number;
}

/** Runs a job. On failure, removes whatever it wrote and throws. */
export async function cleanSegments(files: FileAccess, job: CleanerJob): Promise<CleanerOutcome> {
  const walker = new BatchWalker(files);
  const { map, mappedEndOffset } = await mapDirtyKeys(files, walker, job.segments, job.firstDirtyOffset, job.keyMapBytesMax);
  // Segments the map does not fully cover stay as they are this time.
  const covered = job.segments.filter((s) => s.endOffset <= mappedEndOffset);
  const groups = groupSegments(covered, job.config);
  const rule = new RetentionRule(map, job.nowMs - job.config.deleteRetentionMs);
  const keep = new Set(job.keepBatchOffsets);
  const outcome: CleanerOutcome = {
    groups: [],
    cleanedEndOffset: covered.at(-1)?.endOffset ?? job.firstDirtyOffset,
    recordsRemoved: 0,
    bytesRead: 0,
    bytesWritten: 0,
  };
  try {
    for (const group of groups) outcome.groups.push(await writeGroup(files, walker, job, group, { rule, keep, keepEmpty: group === groups[0] }, outcome));
  } catch (error) {
    for (const group of groups) removeCleanedFiles(files, job.dir, group[0]!.baseOffset);
    throw error;
  }
  return outcome;
}

/**
 * Splits ascending contiguous segments into runs that fit one segment: at most segment.bytes of input, an
 * offset span that fits relative offsets, and (like Kafka, by the inputs' index entries) an index that stays
 * near segment.index.bytes. Index capacity is a roll trigger, not a hard cap, so a sealed segment whose index
 * ends a little past it is still valid.
 */
export function groupSegments<T extends CleanerInput>(segments: readonly T[], config: Readonly<LogConfig>): T[][] {
  const maxIndexEntries = Math.max(1, Math.floor(config.segmentIndexBytes / TIME_INDEX_ENTRY_BYTES) - 1);
  const groups: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  let entries = 0;
  for (const segment of segments) {
    const first = current[0];
    const fits =
      first !== undefined &&
      bytes + segment.sizeBytes <= config.segmentBytes &&
      entries + segment.indexEntryCount <= maxIndexEntries &&
      segment.endOffset - 1 - first.baseOffset <= MAX_RELATIVE_OFFSET;
    if (!fits && current.length > 0) {
      groups.push(current);
      current = [];
      bytes = 0;
      entries = 0;
    }
    current.push(segment);
    bytes += segment.sizeBytes;
    entries += segment.indexEntryCount;
  }
  if (current.length > 0) groups.push(current);
  return groups;
}

async function writeGroup(
  files: FileAccess,
  walker: BatchWalker,
  job: CleanerJob,
  group: readonly CleanerInput[],
  { rule, keep, keepEmpty }: { rule: RetentionRule; keep: ReadonlySet<number>; keepEmpty: boolean },
  outcome: CleanerOutcome,
): Promise<CleanedGroup> {
  const baseOffset = group[0]!.baseOffset;
  const config = { ...job.config, preallocate: false };
  const output = LogSegment.create(files, job.dir, baseOffset, config, job.nowMs, CLEANED_SUFFIX);
  const run = new BatchRun(output, config.indexIntervalBytes);
  for (const input of group) {
    outcome.bytesRead += input.sizeBytes;
    await forEachBatchIn(files, walker, input.path, input.sizeBytes, async (batch) => {
      const compacted = await compactBatch(batch, rule, keep.has(baseOffsetAt(batch, 0)));
      outcome.recordsRemoved += compacted.recordsRemoved;
      if (compacted.bytes !== null) run.add(compacted.bytes);
    });
  }
  run.flush();
  const inputBaseOffsets = group.map((s) => s.baseOffset);
  if (output.sizeBytes === 0 && !keepEmpty) {
    output.closeAndDelete();
    return { inputBaseOffsets, baseOffset, replacedBy: 'nothing', sizeBytes: 0 };
  }
  output.seal();
  output.close();
  outcome.bytesWritten += output.sizeBytes;
  return { inputBaseOffsets, baseOffset, replacedBy: 'segment', sizeBytes: output.sizeBytes };
}

/**
 * Batches waiting to be appended to a new segment together: one write (and at most one index entry) per
 * run of up to index.interval.bytes, as appends from producers index them.
 */
class BatchRun {
  private readonly batches: Buffer[] = [];
  private bytes = 0;
  private readonly info = new AppendInfo();

  constructor(
    private readonly segment: LogSegment,
    private readonly indexIntervalBytes: number,
  ) {}

  add(batch: Buffer): void {
    if (this.bytes > 0 && this.bytes + batch.length > Math.max(1, this.indexIntervalBytes)) this.flush();
    const info = this.info;
    if (this.batches.length === 0) {
      info.reset();
      info.firstOffset = baseOffsetAt(batch, 0);
    }
    info.lastOffset = lastOffsetAt(batch, 0);
    if (maxTimestampAt(batch, 0) > info.maxTimestamp) {
      info.maxTimestamp = maxTimestampAt(batch, 0);
      info.offsetOfMaxTimestamp = baseOffsetAt(batch, 0);
    }
    this.batches.push(batch);
    this.bytes += batch.length;
  }

  flush(): void {
    if (this.batches.length === 0) return;
    const run = this.batches.length === 1 ? this.batches[0]! : Buffer.concat(this.batches);
    this.segment.append(run, 0, run.length, this.info, this.indexIntervalBytes);
    this.batches.length = 0;
    this.bytes = 0;
  }
}
