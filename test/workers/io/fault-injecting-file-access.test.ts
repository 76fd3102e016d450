// Tests of FaultInjectingFileAccess: which paths and descriptors fail, with which errno code, and healing.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FaultInjectingFileAccess } from '../../../workers/io/fault-injecting-file-access.js';
import { isStorageFailure, NodeFileAccess } from '../../../workers/io/file-access.js';
import { tempRoot } from '../log/log-test-kit.js';

function failsWith(action: () => unknown, code: string): void {
  let thrown: unknown;
  try {
    action();
  } catch (error) {
    thrown = error;
  }
  expect((thrown as NodeJS.ErrnoException | undefined)?.code).toBe(code);
  expect(isStorageFailure(thrown)).toBe(true);
}

describe('FaultInjectingFileAccess', () => {
  it('fails every operation under a failing folder, and on descriptors opened there before', () => {
    const files = new FaultInjectingFileAccess(new NodeFileAccess());
    const dir = join(tempRoot(), 'logs');
    files.makeDir(dir);
    const path = join(dir, 'seg.log');
    const fd = files.openReadWrite(path, true);
    files.write(fd, Buffer.from('abc'), 0, 3, 0);
    files.failUnder(dir, 'EIO');
    const buf = Buffer.alloc(3);
    failsWith(() => files.write(fd, buf, 0, 3, 0), 'EIO');
    failsWith(() => files.read(fd, buf, 0, 3, 0), 'EIO');
    failsWith(() => files.datasync(fd), 'EIO');
    failsWith(() => files.truncate(fd, 0), 'EIO');
    failsWith(() => files.sizeOf(fd), 'EIO');
    failsWith(() => files.openReadWrite(path, false), 'EIO');
    failsWith(() => files.openReadOnly(path), 'EIO');
    failsWith(() => files.exists(path), 'EIO');
    failsWith(() => files.listDir(dir), 'EIO');
    failsWith(() => files.isDir(dir), 'EIO');
    failsWith(() => files.makeDir(join(dir, 'sub')), 'EIO');
    failsWith(() => files.remove(path), 'EIO');
    failsWith(() => files.removeTree(dir), 'EIO');
    failsWith(() => files.rename(path, `${path}.x`), 'EIO');
    failsWith(() => files.readText(path), 'EIO');
    failsWith(() => files.writeTextAtomic(join(dir, 'cp'), 'x'), 'EIO');
    failsWith(() => files.syncDir(dir), 'EIO');
    // Closing always works: the descriptor must not leak.
    files.close(fd);
    files.heal();
    expect(files.readText(path)).toBe('abc');
  });

  it('fails only its own folder, not a sibling whose name starts the same', () => {
    const files = new FaultInjectingFileAccess(new NodeFileAccess());
    const root = tempRoot();
    const failing = join(root, 'disk1');
    const sibling = join(root, 'disk10');
    files.makeDir(failing);
    files.makeDir(sibling);
    files.failUnder(`${failing}/`, 'ENOSPC');
    failsWith(() => files.writeTextAtomic(join(failing, 'x'), 'x'), 'ENOSPC');
    files.writeTextAtomic(join(sibling, 'x'), 'fine');
    expect(files.readText(join(sibling, 'x'))).toBe('fine');
  });

  it('uses the code it was given for each folder', () => {
    const files = new FaultInjectingFileAccess(new NodeFileAccess());
    const a = tempRoot();
    const b = tempRoot();
    files.failUnder(a, 'EROFS');
    files.failUnder(b, 'ENOSPC');
    failsWith(() => files.openReadWrite(join(a, 'f'), true), 'EROFS');
    failsWith(() => files.openReadWrite(join(b, 'f'), true), 'ENOSPC');
  });
});
