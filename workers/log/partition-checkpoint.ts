// The per-partition checkpoint file (`partition.checkpoint` in the partition folder): recovery point,
// log start offset and high watermark, replaced atomically. Leader epochs have their own file
// (leader-epoch-cache.ts). Runs in a partition worker or a piscina recovery job.
//
// File format (text, one "key value" pair per line):
//   version 2
//   recovery.point <offset>       everything below is on disk (fsynced); recovery scans from here
//   log.start.offset <offset>     first offset still readable
//   high.watermark <offset>
// Version 1 had a `leader.epoch <epoch>` line as well; it is read, the epoch line ignored (the leader-epoch
// file, or the batch headers it is rebuilt from, hold the epochs).
import { join } from 'node:path';
import type { FileAccess } from '../io/file-access.js';

export const CHECKPOINT_FILE = 'partition.checkpoint';

export interface PartitionCheckpoint {
  recoveryPoint: number;
  logStartOffset: number;
  highWatermark: number;
}

export const EMPTY_CHECKPOINT: Readonly<PartitionCheckpoint> = Object.freeze({
  recoveryPoint: 0,
  logStartOffset: 0,
  highWatermark: 0,
});

const KEYS: ReadonlyArray<[string, keyof PartitionCheckpoint]> = [
  ['recovery.point', 'recoveryPoint'],
  ['log.start.offset', 'logStartOffset'],
  ['high.watermark', 'highWatermark'],
];
const VERSION = 2;
const READABLE_VERSIONS = new Set([1, VERSION]);

/** Reads the checkpoint; a missing or unreadable one yields null (the caller recovers from offset 0). */
export function readCheckpoint(files: FileAccess, partitionDir: string): PartitionCheckpoint | null {
  const path = join(partitionDir, CHECKPOINT_FILE);
  if (!files.exists(path)) return null;
  return parseCheckpoint(files.readText(path));
}

export function parseCheckpoint(text: string): PartitionCheckpoint | null {
  const values = new Map<string, number>();
  for (const line of text.split('\n')) {
    const match = /^([a-z.]+) (-?\d+)$/.exec(line.trim());
    if (match) values.set(match[1]!, Number(match[2]));
  }
  if (!READABLE_VERSIONS.has(values.get('version') ?? -1)) return null;
  const checkpoint = { ...EMPTY_CHECKPOINT };
  for (const [key, field] of KEYS) {
    const value = values.get(key);
    if (value === undefined || !Number.isSafeInteger(value)) return null;
    checkpoint[field] = value;
  }
  return checkpoint;
}

export function writeCheckpoint(files: FileAccess, partitionDir: string, checkpoint: PartitionCheckpoint): void {
  const lines = [`version ${VERSION}`, ...KEYS.map(([key, field]) => `${key} ${checkpoint[field]}`)];
  files.writeTextAtomic(join(partitionDir, CHECKPOINT_FILE), `${lines.join('\n')}\n`);
}
