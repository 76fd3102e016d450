// The contract between the main thread and a partition worker outside the data path: what the worker
// is started with, the control-plane calls' argument and result shapes (served over comlink), and the
// events a worker posts on its own. Shared by both threads; types and constants only.
import type { LogConfig } from './topic-config.js';
import type { WorkerSettings } from './worker-settings.js';

export interface PartitionWorkerData {
  workerId: number;
  requestRing: SharedArrayBuffer;
  completionRing: SharedArrayBuffer;
  /** Where the worker reads a fetch's records when the FETCH frame lends it an extent (src/engine/fetch-arena.ts). */
  fetchArena: SharedArrayBuffer;
  /** Wrap the file-access seam so tests can inject disk faults through `injectFault`. */
  faultInjection: boolean;
  /** Its periodic tasks' intervals and how the group coordinators of its __consumer_offsets partitions behave. */
  settings: WorkerSettings;
}

export interface PartitionSpec {
  slot: number;
  topic: string;
  partition: number;
  logDir: string;
  config: LogConfig;
  /** The files were closed cleanly or already recovered: open without a validating scan. */
  trustedOnDisk: boolean;
}

export interface PartitionOffsets {
  logStartOffset: number;
  highWatermark: number;
  logEndOffset: number;
}

/** A replica's offsets with its latest leader epoch (the epoch of its last batch, or of its leadership): what replication tracks. */
export interface ReplicaLogState extends PartitionOffsets {
  leaderEpoch: number;
}

/** What OffsetForLeaderEpoch answers for a requested epoch: the largest known epoch <= it, and where that epoch ended (-1, -1: none). */
export interface EpochEndOffset {
  epoch: number;
  endOffset: number;
}

export interface PartitionStats extends PartitionOffsets {
  topic: string;
  partition: number;
  logDir: string;
  online: boolean;
  sizeBytes: number;
  segmentCount: number;
  recoveryPoint: number;
}

/** A partition's future copy, being built in another log dir by a move (DescribeLogDirs' isFutureKey). */
export interface FutureLogStats {
  topic: string;
  partition: number;
  /** The dir the copy is being built in. */
  logDir: string;
  sizeBytes: number;
  /** Offsets the copy is behind the partition's log end. */
  offsetLag: number;
}

export interface WorkerStats {
  workerId: number;
  framesHandled: number;
  offlineDirs: string[];
  partitions: PartitionStats[];
  futureLogs: FutureLogStats[];
}

/** Messages a worker posts to the main thread outside comlink's request/response pairs. */
export type WorkerEvent =
  | { fjordEvent: 'dir-offline'; logDir: string; reason: string }
  | { fjordEvent: 'log'; level: 'info' | 'warn' | 'error'; message: string };

export function isWorkerEvent(message: unknown): message is WorkerEvent {
  return typeof message === 'object' && message !== null && 'fjordEvent' in message;
}
