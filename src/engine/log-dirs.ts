// The configured log dirs (JBOD) as the main thread sees them at start-up and after: which partitions
// each holds, which are offline, the clean-shutdown markers, where a new partition goes, and which
// workers serve which dir. Runs on the main thread; touches only folder listings and marker files.
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { writeFileAtomicSync } from '../shared/atomic-file.js';

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

const PARTITION_FOLDER = /^(.+)-(\d+)$/;

export function partitionKey(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}

/** Creates missing dirs and reads each one's marker; a dir that cannot be created or read starts offline. */
export function openLogDirs(paths: readonly string[]): LogDirState[] {
  const seen = new Set<string>();
  return paths.map((raw) => {
    const path = resolve(raw);
    if (seen.has(path)) throw new Error(`log.dirs lists ${path} twice`);
    seen.add(path);
    try {
      mkdirSync(path, { recursive: true });
      const marker = join(path, CLEAN_SHUTDOWN_MARKER);
      const cleanAtStart = existsSync(marker);
      if (cleanAtStart) rmSync(marker);
      return { path, online: true, offlineReason: '', cleanAtStart, partitionCount: 0 };
    } catch (error) {
      return { path, online: false, offlineReason: (error as Error).message, cleanAtStart: false, partitionCount: 0 };
    }
  });
}

/** Every partition folder in the online dirs. The same partition in two dirs is a start-up error. */
export function discoverPartitions(dirs: LogDirState[]): DiscoveredPartition[] {
  const found = new Map<string, DiscoveredPartition>();
  for (const dir of dirs.filter((d) => d.online)) {
    for (const name of readdirSync(dir.path)) {
      const match = PARTITION_FOLDER.exec(name);
      if (!match || !statSync(join(dir.path, name)).isDirectory()) continue;
      const discovered = { topic: match[1]!, partition: Number(match[2]), logDir: dir.path };
      const key = partitionKey(discovered.topic, discovered.partition);
      const other = found.get(key);
      if (other) {
        throw new Error(
          `partition ${name} exists in two log dirs, ${other.logDir} and ${dir.path}; keep the right copy and remove the other before starting`,
        );
      }
      found.set(key, discovered);
      dir.partitionCount++;
    }
  }
  return [...found.values()];
}

/** The online dir with the fewest partitions (ties: the first listed), for a new partition. */
export function dirForNewPartition(dirs: readonly LogDirState[]): LogDirState | undefined {
  let best: LogDirState | undefined;
  for (const dir of dirs) if (dir.online && (best === undefined || dir.partitionCount < best.partitionCount)) best = dir;
  return best;
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
