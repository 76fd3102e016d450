// What a stop in the middle of a move between log dirs leaves, settled at start-up before the partitions are
// found: the placement recorded in the metadata (the move's commit point) says which copy is the partition.
// Runs on the main thread, before any worker starts; touches only folder names (rename, remove).
//
// A move's folders (src/shared/partition-folder.ts) and what start-up does with them:
//   <target>/<tp>.<id>-future   the copy being built: renamed to <target>/<tp> when the placement names <target>
//                               and <target> has no <tp> (the move was recorded, the switch did not finish);
//                               otherwise removed (the move was not recorded: the old copy is the partition)
//   <old>/<tp>.<id>-delete      the old copy, retired after the move was recorded: removed
//   <tp> in two dirs            the one the placement names is kept, the other removed (the move was recorded
//                               and the old copy not yet retired); with no placement naming either, start-up stops
//   <tp> in a dir the placement does not name, while the named dir is offline: left alone and not opened (the
//                               partition may be in the offline dir, newer than this copy)
import { existsSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { syncDirSync } from '../shared/atomic-file.js';
import { parseMoveFolderName, parsePartitionFolderName, partitionDir } from '../shared/partition-folder.js';
import { type LogDirState, partitionKey } from './log-dirs.js';

/** The log dir a partition was last moved to (the metadata store's record), if it ever was. */
export type PlacementOf = (topic: string, partition: number) => string | undefined;

/**
 * Finishes or undoes the moves a stop interrupted (see above). Returns the partition folders that must not be
 * opened: copies the placement does not name while the dir it names is offline.
 */
export function settleInterruptedMoves(dirs: readonly LogDirState[], placementOf: PlacementOf, logger: Logger): Set<string> {
  const online = dirs.filter((d) => d.online);
  for (const dir of online) settleMoveFolders(dir, placementOf, logger);
  const copies = new Map<string, { topic: string; partition: number; dirs: string[] }>();
  for (const dir of online) {
    for (const name of readdirSync(dir.path)) {
      const folder = parsePartitionFolderName(name);
      if (folder === null || !statSync(join(dir.path, name)).isDirectory()) continue;
      const key = partitionKey(folder.topic, folder.partition);
      const entry = copies.get(key) ?? { ...folder, dirs: [] };
      entry.dirs.push(dir.path);
      copies.set(key, entry);
    }
  }
  const notToOpen = new Set<string>();
  for (const { topic, partition, dirs: holding } of copies.values()) {
    const placed = placementOf(topic, partition);
    if (placed === undefined || (holding.length === 1 && holding[0] === placed)) continue;
    const placedDir = dirs.find((d) => d.path === placed);
    if (placedDir === undefined) continue; // Not a configured dir (any more): the copies found are all there is.
    if (!placedDir.online) {
      for (const path of holding) notToOpen.add(partitionDir(path, topic, partition));
      logger.warn({ partition: `${topic}-${partition}`, logDir: placed }, 'partition was moved to a log dir that is offline; its older copy is not opened');
      continue;
    }
    if (!holding.includes(placed)) continue;
    for (const path of holding.filter((p) => p !== placed)) {
      rmSync(partitionDir(path, topic, partition), { recursive: true, force: true });
      logger.warn({ partition: `${topic}-${partition}`, logDir: path, movedTo: placed }, 'removed the old copy of a partition moved to another log dir');
    }
  }
  return notToOpen;
}

/** Future copies finished (renamed into place) or removed, retired old copies removed, in one dir. */
function settleMoveFolders(dir: LogDirState, placementOf: PlacementOf, logger: Logger): void {
  for (const name of readdirSync(dir.path)) {
    const folder = parseMoveFolderName(name);
    if (folder === null) continue;
    const path = join(dir.path, name);
    const canonical = partitionDir(dir.path, folder.topic, folder.partition);
    const partition = `${folder.topic}-${folder.partition}`;
    if (folder.kind === 'future' && placementOf(folder.topic, folder.partition) === dir.path && !existsSync(canonical)) {
      renameSync(path, canonical);
      syncDirSync(dir.path);
      logger.warn({ partition, logDir: dir.path }, 'finished moving a partition to this log dir (the move was recorded before the stop)');
      continue;
    }
    rmSync(path, { recursive: true, force: true });
    const what = folder.kind === 'future' ? 'removed the copy of a move that was not recorded before the stop' : 'removed the old copy of a moved partition';
    logger.warn({ partition, logDir: dir.path }, what);
  }
}
