// Placement of new partitions over log dirs (offline, full, free space, partition count) and the start-up
// check that keeps a full dir offline, with free space given by the test instead of statfs.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  CLEAN_SHUTDOWN_MARKER,
  dirForNewPartition,
  LOG_DIR_FULL_BELOW_BYTES,
  type LogDirState,
  openLogDirs,
  statfsFreeBytes,
} from '../../src/engine/log-dirs.js';
import { tempDir } from '../helpers/temp-dir.js';

const GIB = 1024 ** 3;

function dir(path: string, partitionCount: number, offlineReason = ''): LogDirState {
  return { path, online: offlineReason === '', offlineReason, cleanAtStart: true, partitionCount };
}

function probe(free: Record<string, number>): (path: string) => number {
  return (path) => {
    if (!(path in free)) throw new Error(`ENOENT: no such file or directory, statfs '${path}'`);
    return free[path]!;
  };
}

describe('dirForNewPartition', () => {
  it('passes over offline and full dirs, however few partitions they hold', () => {
    const dirs = [dir('/a', 0, 'EIO: disk failed'), dir('/b', 0), dir('/c', 50)];
    const placement = dirForNewPartition(dirs, probe({ '/a': 100 * GIB, '/b': LOG_DIR_FULL_BELOW_BYTES - 1, '/c': 10 * GIB }));
    expect(placement.dir?.path).toBe('/c');
  });

  it('takes the dir with the most free space per partition: fewest partitions on equal disks, more on a larger one', () => {
    expect(dirForNewPartition([dir('/a', 3), dir('/b', 2)], probe({ '/a': 100 * GIB, '/b': 100 * GIB })).dir?.path).toBe('/b');
    expect(dirForNewPartition([dir('/a', 4), dir('/b', 20)], probe({ '/a': 100 * GIB, '/b': 1000 * GIB })).dir?.path).toBe('/b');
    expect(dirForNewPartition([dir('/a', 4), dir('/b', 20)], probe({ '/a': 100 * GIB, '/b': 200 * GIB })).dir?.path).toBe('/a');
  });

  it('breaks ties by the order of log.dirs, ignoring what else was written between two statfs calls', () => {
    const dirs = [dir('/a', 2), dir('/b', 2)];
    expect(dirForNewPartition(dirs, probe({ '/a': 50 * GIB, '/b': 50 * GIB + 4096 })).dir?.path).toBe('/a');
  });

  it('with no dir left, says why each one was passed over', () => {
    const dirs = [dir('/a', 0, 'EIO: disk failed'), dir('/b', 0), dir('/c', 0)];
    const placement = dirForNewPartition(dirs, probe({ '/b': 1024 }));
    expect(placement.dir).toBeUndefined();
    expect(placement.problems).toEqual([
      '/a is offline (EIO: disk failed)',
      `/b is full: 1024 bytes free, below the ${LOG_DIR_FULL_BELOW_BYTES} a log dir needs to take writes`,
      "/c is unreadable (statfs: ENOENT: no such file or directory, statfs '/c')",
    ]);
  });
});

describe('openLogDirs', () => {
  it('starts a full dir offline, leaving its clean-shutdown marker for when it comes back; a dir with room starts online', () => {
    const [full, roomy] = [tempDir(), tempDir()];
    for (const path of [full, roomy]) writeFileSync(join(path, CLEAN_SHUTDOWN_MARKER), 'clean\n');
    const [fullState, roomyState] = openLogDirs([full, roomy], probe({ [full]: 0, [roomy]: 10 * GIB }));
    expect(fullState).toMatchObject({ online: false, offlineReason: expect.stringMatching(/^full: 0 bytes free/), cleanAtStart: false });
    expect(existsSync(join(full, CLEAN_SHUTDOWN_MARKER))).toBe(true);
    expect(roomyState).toMatchObject({ online: true, cleanAtStart: true });
    expect(existsSync(join(roomy, CLEAN_SHUTDOWN_MARKER))).toBe(false);
  });

  it('reads free space with statfs by default', () => {
    const path = join(tempDir(), 'data');
    mkdirSync(path);
    expect(statfsFreeBytes(path)).toBeGreaterThan(0);
    expect(() => statfsFreeBytes(join(path, 'missing'))).toThrow(/ENOENT/);
  });
});
