// The configured log dirs (JBOD) as the main thread sees them at start-up and after: which partitions
// each holds, which are offline or full, the clean-shutdown markers, where a new partition goes, and which
// workers serve which dir. Runs on the main thread; touches only folder listings, marker files and statfs.
import { existsSync, mkdirSync, readdirSync, rmSync, statfsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { writeFileAtomicSync } from '../shared/atomic-file.js';
import { parsePartitionFolderName } from '../shared/partition-folder.js';

/** Marker written into a log dir after every partition in it was closed cleanly. */
export const CLEAN_SHUTDOWN_MARKER = '.fjord-clean-shutdown';

export interface TopicPartition {
  topic: string;
  partition: number;
}

export interface DiscoveredPartition extends TopicPartition {
  logDir: string;
}

export interface LogDirState {
  path: string;
  online: boolean;
  offlineReason: string;
  /** The dir held a clean-shutdown marker at start-up. */
  cleanAtStart: boolean;
  partitionCount: number;
}

/**
 * A log dir is full while its filesystem has less free space than this: it gets no new partition, and at
 * start-up it stays offline (a dir that went offline for ENOSPC comes back only once space was freed). 16 MiB
 * is room for a few batches of the default message.max.bytes (1 MiB) plus index, checkpoint and marker files;
 * a partition created now takes a few KiB at once, but the disk under it must take its appends.
 */
export const LOG_DIR_FULL_BELOW_BYTES = 16 * 1024 * 1024;

/** Free bytes of the filesystem holding `path`; throws if it cannot be read. Injectable for tests. */
export type FreeSpaceProbe = (path: string) => number;

/** statfs: the blocks an unprivileged writer may still use (bavail, not bfree: root's reserve does not count). */
export const statfsFreeBytes: FreeSpaceProbe = (path) => statfsBytes(path).usableBytes;

function statfsBytes(path: string): { totalBytes: number; usableBytes: number } {
  const stats = statfsSync(path);
  return { totalBytes: stats.blocks * stats.bsize, usableBytes: stats.bavail * stats.bsize };
}

export function partitionKey(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}

/**
 * Creates missing dirs and reads each one's marker; a dir that cannot be created or read starts offline, and so
 * does a full one (its marker is left as it is: none of its partitions is opened).
 */
export function openLogDirs(paths: readonly string[], freeBytesOf: FreeSpaceProbe = statfsFreeBytes): LogDirState[] {
  const seen = new Set<string>();
  return paths.map((raw) => {
    const path = resolve(raw);
    if (seen.has(path)) throw new Error(`log.dirs lists ${path} twice`);
    seen.add(path);
    try {
      mkdirSync(path, { recursive: true });
      const fullReason = fullnessProblem(freeBytesOf(path));
      if (fullReason !== null) return { path, online: false, offlineReason: fullReason, cleanAtStart: false, partitionCount: 0 };
      const marker = join(path, CLEAN_SHUTDOWN_MARKER);
      const cleanAtStart = existsSync(marker);
      if (cleanAtStart) rmSync(marker);
      return { path, online: true, offlineReason: '', cleanAtStart, partitionCount: 0 };
    } catch (error) {
      return { path, online: false, offlineReason: (error as Error).message, cleanAtStart: false, partitionCount: 0 };
    }
  });
}

/**
 * Every partition folder in the online dirs but those in `notToOpen` (move-leftovers.ts). The same partition in
 * two dirs is a start-up error.
 */
export function discoverPartitions(dirs: LogDirState[], notToOpen: ReadonlySet<string> = new Set()): DiscoveredPartition[] {
  const found = new Map<string, DiscoveredPartition>();
  for (const dir of dirs.filter((d) => d.online)) {
    for (const name of readdirSync(dir.path)) {
      const folder = parsePartitionFolderName(name);
      if (folder === null || notToOpen.has(join(dir.path, name)) || !statSync(join(dir.path, name)).isDirectory()) continue;
      const discovered = { ...folder, logDir: dir.path };
      const key = partitionKey(discovered.topic, discovered.partition);
      const other = found.get(key);
      if (other) {
        throw new Error(`partition ${name} exists in two log dirs, ${other.logDir} and ${dir.path}; keep the right copy and remove the other before starting`);
      }
      found.set(key, discovered);
      dir.partitionCount++;
    }
  }
  return [...found.values()];
}

/** Why a dir with `freeBytes` free is full, or null when it is not. */
export function fullnessProblem(freeBytes: number): string | null {
  if (freeBytes >= LOG_DIR_FULL_BELOW_BYTES) return null;
  return `full: ${freeBytes} bytes free, below the ${LOG_DIR_FULL_BELOW_BYTES} a log dir needs to take writes`;
}

export type Placement = { dir: LogDirState; problems?: undefined } | { dir?: undefined; problems: string[] };

/**
 * Free space is compared in steps of this size, so that dirs sharing a filesystem (or disks of one size) tie on
 * it and are told apart by partition count, not by whatever else was written between two statfs calls.
 */
const FREE_SPACE_STEP_BYTES = LOG_DIR_FULL_BELOW_BYTES;

/**
 * Where a new partition goes: among the online dirs that are not full, the one with the most free space per
 * partition, counting the new one, so that dirs on disks of one size fill by partition count and a disk with
 * more room takes more partitions (ties: the first listed). With no such dir, why each dir was passed over.
 */
export function dirForNewPartition(dirs: readonly LogDirState[], freeBytesOf: FreeSpaceProbe = statfsFreeBytes): Placement {
  let best: LogDirState | undefined;
  let bestRoom = -1;
  const problems: string[] = [];
  for (const dir of dirs) {
    const free = freeBytesForPlacement(dir, freeBytesOf);
    if (typeof free === 'string') {
      problems.push(`${dir.path} is ${free}`);
      continue;
    }
    const room = Math.floor(free / FREE_SPACE_STEP_BYTES) / (dir.partitionCount + 1);
    if (room > bestRoom) [best, bestRoom] = [dir, room];
  }
  return best !== undefined ? { dir: best } : { problems };
}

/** A dir's free bytes, or why it takes no new partition (offline, full, or its free space unreadable). */
function freeBytesForPlacement(dir: LogDirState, freeBytesOf: FreeSpaceProbe): number | string {
  if (!dir.online) return `offline (${dir.offlineReason})`;
  let free: number;
  try {
    free = freeBytesOf(dir.path);
  } catch (error) {
    return `unreadable (statfs: ${(error as Error).message})`;
  }
  return fullnessProblem(free) ?? free;
}

/**
 * Which workers serve each dir: with at least as many workers as dirs, worker w serves dir w mod D (so
 * each disk has its own threads); with fewer, dir d is served by worker d mod W.
 */
export function workersByDir(dirCount: number, workerCount: number): number[][] {
  const byDir: number[][] = Array.from({ length: dirCount }, () => []);
  if (workerCount >= dirCount) for (let w = 0; w < workerCount; w++) byDir[w % dirCount]!.push(w);
  else for (let d = 0; d < dirCount; d++) byDir[d]!.push(d % workerCount);
  return byDir;
}

export function writeCleanShutdownMarker(dir: LogDirState): void {
  writeFileAtomicSync(join(dir.path, CLEAN_SHUTDOWN_MARKER), `${new Date().toISOString()}\n`);
}

/** The size of the volume holding `path` and the bytes an unprivileged writer may still use (DescribeLogDirs v4); -1 each when unreadable. */
export function volumeBytes(path: string): { totalBytes: number; usableBytes: number } {
  try {
    return statfsBytes(path);
  } catch {
    return { totalBytes: -1, usableBytes: -1 };
  }
}
