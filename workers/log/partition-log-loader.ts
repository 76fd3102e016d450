// Opening one partition folder, as Kafka's LogLoader does: finish a log cleaner swap a crash interrupted,
// drop leftovers of interrupted writes, read the checkpoint, open the segments (after an unclean stop,
// validating and repairing every one from the recovery point on), work out the offsets to start from, and
// load the idempotent-producer table (from the snapshot a clean close left, else rebuilt from the batch
// headers) and the leader-epoch cache (its file, else rebuilt from the batch headers). Also writes that
// snapshot. Runs in the worker opening the partition, or a piscina recovery thread.
import { join } from 'node:path';
import type { LogConfig } from '../../src/shared/topic-config.js';
import type { FileAccess } from '../io/file-access.js';
import { BatchWalker } from '../../src/shared/batch-walker.js';
import { BatchField, readInt64 } from '../../src/shared/record-batch.js';
import { readCleanerCheckpoint } from './cleaner-checkpoint.js';
import { deleteSegmentFiles, LogSegment, parseSegmentBaseOffset } from './log-segment.js';
import { type PartitionCheckpoint, readCheckpoint } from './partition-checkpoint.js';
import { type EpochEntry, LEADER_EPOCH_FILE, LeaderEpochCache, UNDEFINED_EPOCH } from './leader-epoch-cache.js';
import { ProducerStateTable } from './producer-state.js';
import { completeInterruptedSwaps } from './segment-swap.js';

export interface LoadOptions {
  nowMs: number;
  /** The folder was closed cleanly (or was just recovered): skip the validating scan. */
  trustedOnDisk: boolean;
  /** Called once for each segment whose torn tail or broken index was repaired, for logging. */
  onRepair?: (what: string) => void;
  /**
   * This broker holds the only replica (standalone): everything appended is committed, so the high
   * watermark follows the log end. Replicated partitions (false) advance it from follower progress.
   */
  soleReplica?: boolean;
}

/** The epoch a sole replica leads its partition at until told otherwise (what Metadata and ListOffsets report). */
const SOLE_REPLICA_LEADER_EPOCH = 0;

/** What a partition starts from: its open segments (never none) and the offsets and tables derived from them. */
export interface LoadedPartition {
  segments: LogSegment[];
  logStartOffset: number;
  highWatermark: number;
  recoveryPoint: number;
  /** Which leader epoch started where, within [log start, log end]; a sole replica's is never empty. */
  leaderEpochs: LeaderEpochCache;
  soleReplica: boolean;
  producers: ProducerStateTable;
  /** The log cleaner's checkpoint, at most the log end. */
  cleanedOffset: number;
}

/** Snapshot of the idempotent-producer table, written at a clean close: { logEndOffset, producers }. */
export const PRODUCER_SNAPSHOT_FILE = 'producer-state.snapshot';

/** Opens (or creates) the partition in `dir`. Without `trustedOnDisk`, segments from the recovery point on are validated and repaired. */
export function loadPartition(files: FileAccess, dir: string, config: Readonly<LogConfig>, options: LoadOptions): LoadedPartition {
  files.makeDir(dir);
  completeInterruptedSwaps(files, dir, new BatchWalker(files), options.onRepair);
  removeLeftovers(files, dir);
  const checkpoint = readCheckpoint(files, dir);
  const segments = openSegments(files, dir, config, checkpoint, options);
  const checkpointedStart = checkpoint?.logStartOffset ?? 0;
  if (segments.length === 0 || logEndOf(segments) < checkpointedStart) {
    // Recovery lost everything up to the log start (as Kafka's LogLoader does): start empty there.
    if (segments.length > 0)
      options.onRepair?.(`${dir}: log end ${logEndOf(segments)} is below the log start ${checkpointedStart}; starting empty at ${checkpointedStart}`);
    for (const segment of segments.splice(0)) segment.closeAndDelete();
    segments.push(LogSegment.create(files, dir, checkpointedStart, config, options.nowMs));
  }
  const logEndOffset = logEndOf(segments);
  const first = segments[0]!.baseOffset;
  const logStartOffset = Math.max(checkpoint?.logStartOffset ?? first, first);
  const soleReplica = options.soleReplica ?? true;
  const highWatermark = checkpoint?.highWatermark ?? logEndOffset;
  const leaderEpochs = loadLeaderEpochs(files, dir, segments, options.onRepair);
  // Entries beyond what recovery kept, or below the log start (a crash between a change of the log and of the file), go.
  leaderEpochs.truncateFromEnd(logEndOffset + 1);
  leaderEpochs.truncateFromStart(logStartOffset);
  if (soleReplica && leaderEpochs.latestEpoch === UNDEFINED_EPOCH) leaderEpochs.assign(SOLE_REPLICA_LEADER_EPOCH, logEndOffset);
  return {
    segments,
    logStartOffset,
    highWatermark: soleReplica ? logEndOffset : Math.min(Math.max(highWatermark, logStartOffset), logEndOffset),
    recoveryPoint: options.trustedOnDisk ? Math.min(checkpoint?.recoveryPoint ?? logEndOffset, logEndOffset) : logEndOffset,
    leaderEpochs,
    soleReplica,
    producers: loadProducerState(files, dir, segments, options.trustedOnDisk),
    cleanedOffset: Math.min(readCleanerCheckpoint(files, dir), logEndOffset),
  };
}

function logEndOf(segments: LogSegment[]): number {
  return segments[segments.length - 1]!.nextOffset;
}

/**
 * Opens the segments in `dir`. Without `trustedOnDisk`, every segment from the one holding the recovery
 * point on is validated; a repair that cut data drops every later segment. Segments whose indexes were
 * rebuilt are sealed (or, for the last, flushed) so they look like any other on the next open.
 */
function openSegments(files: FileAccess, dir: string, config: Readonly<LogConfig>, checkpoint: PartitionCheckpoint | null, options: LoadOptions): LogSegment[] {
  const baseOffsets = listSegmentBaseOffsets(files, dir);
  const scanFrom = options.trustedOnDisk ? Number.POSITIVE_INFINITY : floorOf(baseOffsets, checkpoint?.recoveryPoint ?? 0);
  const walker = new BatchWalker(files);
  const segments: LogSegment[] = [];
  for (let i = 0; i < baseOffsets.length; i++) {
    const baseOffset = baseOffsets[i]!;
    const validate = baseOffset >= scanFrom;
    const { segment, scanned } = LogSegment.open(files, dir, baseOffset, config, walker, options.nowMs, validate);
    segments.push(segment);
    if (scanned === null) continue;
    if (!validate) options.onRepair?.(`${dir}: rebuilt the damaged or missing indexes of segment ${baseOffset}`);
    const cut = scanned.truncatedBytes > 0;
    if (cut) options.onRepair?.(`${dir}: cut ${scanned.truncatedBytes} bytes of torn or corrupt data from segment ${baseOffset}`);
    if (cut || i === baseOffsets.length - 1) {
      segment.flush();
      for (const later of baseOffsets.slice(i + 1)) deleteSegmentFiles(files, dir, later);
      if (cut) break;
    } else {
      segment.seal();
    }
  }
  return segments;
}

/** The largest base offset <= offset (the segment holding it), or the first one. */
function floorOf(sortedBaseOffsets: number[], offset: number): number {
  let floor = sortedBaseOffsets[0] ?? 0;
  for (const base of sortedBaseOffsets) if (base <= offset) floor = base;
  return floor;
}

function listSegmentBaseOffsets(files: FileAccess, dir: string): number[] {
  return files
    .listDir(dir)
    .map(parseSegmentBaseOffset)
    .filter((offset) => offset >= 0)
    .sort((a, b) => a - b);
}

/** Temp files of an interrupted checkpoint write and index files without a log are dropped. */
function removeLeftovers(files: FileAccess, dir: string): void {
  const names = new Set(files.listDir(dir));
  for (const name of names) {
    const stem = name.replace(/\.(index|timeindex)$/, '');
    const orphanIndex = stem !== name && !names.has(`${stem}.log`);
    if (name.endsWith('.tmp') || name.endsWith('.deleted') || orphanIndex) files.remove(join(dir, name));
  }
}

/** The leader-epoch cache from its file; a missing or unreadable one is rebuilt from every stored batch header's epoch. */
function loadLeaderEpochs(files: FileAccess, dir: string, segments: LogSegment[], onRepair: LoadOptions['onRepair']): LeaderEpochCache {
  const cache = LeaderEpochCache.read(files, dir);
  if (cache !== null) return cache;
  if (files.exists(join(dir, LEADER_EPOCH_FILE))) onRepair?.(`${dir}: rebuilt the unreadable ${LEADER_EPOCH_FILE} from the batch headers`);
  const entries: EpochEntry[] = [];
  const walker = new BatchWalker(files);
  for (const segment of segments) {
    segment.forEachBatch(walker, (buf, at) => {
      const epoch = buf.readInt32BE(at + BatchField.PARTITION_LEADER_EPOCH);
      if (epoch >= 0 && epoch !== entries.at(-1)?.epoch) entries.push({ epoch, startOffset: readInt64(buf, at + BatchField.BASE_OFFSET) });
    });
  }
  return LeaderEpochCache.rebuild(files, dir, entries);
}

/** Loads the snapshot a clean close left for this exact log end, else replays every stored batch header. */
function loadProducerState(files: FileAccess, dir: string, segments: LogSegment[], trustedOnDisk: boolean): ProducerStateTable {
  const producers = new ProducerStateTable();
  const path = join(dir, PRODUCER_SNAPSHOT_FILE);
  const snapshot = files.exists(path) ? parseProducerSnapshot(files.readText(path)) : null;
  if (snapshot !== null) files.remove(path);
  if (trustedOnDisk && snapshot?.logEndOffset === logEndOf(segments) && producers.loadSnapshot(snapshot.producers)) return producers;
  producers.clear();
  const walker = new BatchWalker(files);
  for (const segment of segments) segment.forEachBatch(walker, (buf, at) => producers.recordStoredBatch(buf, at));
  return producers;
}

/** Writes the producer table for the next open to load instead of rebuilding it (clean close). */
export function writeProducerSnapshot(files: FileAccess, dir: string, logEndOffset: number, producers: ProducerStateTable): void {
  files.writeTextAtomic(join(dir, PRODUCER_SNAPSHOT_FILE), JSON.stringify({ logEndOffset, producers: producers.toSnapshot() }));
}

function parseProducerSnapshot(text: string): { logEndOffset: number; producers: unknown } | null {
  try {
    const parsed = JSON.parse(text) as { logEndOffset?: unknown; producers?: unknown };
    return typeof parsed.logEndOffset === 'number' ? { logEndOffset: parsed.logEndOffset, producers: parsed.producers } : null;
  } catch {
    return null;
  }
}
