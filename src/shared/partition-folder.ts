// The folder of one partition in a log dir, `<log dir>/<topic>-<partition>` (Kafka's layout), and the two folders
// of a move between log dirs, `<topic>-<partition>.<move id>-future` (the copy being built in the target dir) and
// `<topic>-<partition>.<move id>-delete` (the old copy once the move is recorded): the one place that builds or
// parses their names. Used by the main thread (finding partitions and leftovers of moves at start-up, recovery
// jobs) and by partition workers (opening, moving and deleting a partition's log).
import { join } from 'node:path';

/** A topic name may itself hold '-': the partition number is what follows the last one. */
const PARTITION_FOLDER_NAME = /^(.+)-(\d+)$/;

export function partitionFolderName(topic: string, partition: number): string {
  return `${topic}-${partition}`;
}

/** A partition's folder: `<log dir>/<topic>-<partition>`. */
export function partitionDir(logDir: string, topic: string, partition: number): string {
  return join(logDir, partitionFolderName(topic, partition));
}

/** The topic and partition a folder name stands for, or null when it is not a partition folder's name. */
export function parsePartitionFolderName(name: string): { topic: string; partition: number } | null {
  const match = PARTITION_FOLDER_NAME.exec(name);
  return match === null ? null : { topic: match[1]!, partition: Number(match[2]) };
}

export type MoveFolderKind = 'future' | 'delete';

/** `<topic>-<partition>.<move id>-future|delete`; a move id is 32 lowercase hex digits (as Kafka's, a uuid without dashes). */
const MOVE_FOLDER_NAME = /^(.+)-(\d+)\.([0-9a-f]{32})-(future|delete)$/;

export function moveFolderName(topic: string, partition: number, moveId: string, kind: MoveFolderKind): string {
  return `${partitionFolderName(topic, partition)}.${moveId}-${kind}`;
}

/** The folder of a move's future copy or retired old copy under `logDir`. */
export function moveDir(logDir: string, topic: string, partition: number, moveId: string, kind: MoveFolderKind): string {
  return join(logDir, moveFolderName(topic, partition, moveId, kind));
}

/** The partition, move id and kind a move folder's name stands for, or null when it is not one. */
export function parseMoveFolderName(name: string): { topic: string; partition: number; moveId: string; kind: MoveFolderKind } | null {
  const match = MOVE_FOLDER_NAME.exec(name);
  return match === null ? null : { topic: match[1]!, partition: Number(match[2]), moveId: match[3]!, kind: match[4] as MoveFolderKind };
}
