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

function checkpointText(checkpoint: PartitionCheckpoint): string {
  const lines = [`version ${VERSION}`, ...KEYS.map(([key, field]) => `${key} ${checkpoint[field]}`)];
  return `${lines.join('\n')}\n`;
}

export function writeCheckpoint(files: FileAccess, partitionDir: string, checkpoint: PartitionCheckpoint): void {
  files.writeTextAtomic(join(partitionDir, CHECKPOINT_FILE), checkpointText(checkpoint));
}

/** The temp file of a checkpoint written in the background (a `.tmp`: start-up removes a leftover one). */
const BACKGROUND_TEMP = `${CHECKPOINT_FILE}.bg.tmp`;

/**
 * The slow half of a checkpoint written in the background: the text into its temp file, fdatasynced on libuv's
 * pool while the worker goes on serving. The caller then either commits it (commitCheckpointInBackground) or,
 * when a newer checkpoint was written meanwhile, drops it (discardCheckpointInBackground): both on its own thread.
 */
export async function prepareCheckpointInBackground(files: FileAccess, partitionDir: string, checkpoint: PartitionCheckpoint): Promise<void> {
  const bytes = Buffer.from(checkpointText(checkpoint), 'utf8');
  const fd = files.openReadWrite(join(partitionDir, BACKGROUND_TEMP), true);
  try {
    files.truncate(fd, 0);
    files.write(fd, bytes, 0, bytes.length, 0);
    await files.datasyncInBackground(fd);
  } finally {
    files.close(fd);
  }
}

/** Renames the prepared checkpoint over the current one (on the caller's thread), then fsyncs the folder in the background. */
export async function commitCheckpointInBackground(files: FileAccess, partitionDir: string): Promise<void> {
  files.rename(join(partitionDir, BACKGROUND_TEMP), join(partitionDir, CHECKPOINT_FILE));
  const fd = files.openReadOnly(partitionDir);
  try {
    await files.datasyncInBackground(fd);
  } finally {
    files.close(fd);
  }
}

export function discardCheckpointInBackground(files: FileAccess, partitionDir: string): void {
  files.remove(join(partitionDir, BACKGROUND_TEMP));
}
