// The log cleaner's checkpoint of one partition (`cleaner.checkpoint` in the partition folder): the offset
// below which the log has been cleaned, so the dirty ratio counts only what came after (Kafka keeps this
// per log dir in cleaner-offset-checkpoint). Replaced atomically. Runs in the partition worker.
//
// File format (text): "version 1" then "cleaned.offset <offset>". Missing or unreadable → 0 (all dirty),
// which costs one extra cleaning, never data.
import { join } from 'node:path';
import type { FileAccess } from '../io/file-access.js';

export const CLEANER_CHECKPOINT_FILE = 'cleaner.checkpoint';

export function readCleanerCheckpoint(files: FileAccess, partitionDir: string): number {
  const path = join(partitionDir, CLEANER_CHECKPOINT_FILE);
  if (!files.exists(path)) return 0;
  const match = /^version 1\ncleaned\.offset (\d+)\n?$/.exec(files.readText(path));
  const offset = match ? Number(match[1]) : 0;
  return Number.isSafeInteger(offset) ? offset : 0;
}

export function writeCleanerCheckpoint(files: FileAccess, partitionDir: string, cleanedOffset: number): void {
  files.writeTextAtomic(join(partitionDir, CLEANER_CHECKPOINT_FILE), `version 1\ncleaned.offset ${cleanedOffset}\n`);
}
