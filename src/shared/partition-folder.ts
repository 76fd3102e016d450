// The folder of one partition in a log dir, `<log dir>/<topic>-<partition>` (Kafka's layout): the one place
// that builds or parses its name. Used by the main thread (finding partitions at start-up, recovery jobs) and
// by partition workers (opening and deleting a partition's log).
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
