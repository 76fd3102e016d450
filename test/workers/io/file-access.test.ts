// Tests of NodeFileAccess (the real disk behind the FileAccess seam) and of isStorageFailure. Test-only.
import * as fs from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isStorageFailure, NodeFileAccess } from '../../../workers/io/file-access.js';
import { tempRoot } from '../log/log-test-kit.js';

const files = new NodeFileAccess();

describe('NodeFileAccess', () => {
  it('writes and reads at positions, truncates, sizes and syncs', () => {
    const path = join(tempRoot(), 'data.bin');
    const fd = files.openReadWrite(path, true);
    expect(files.write(fd, Buffer.from('xxhello world'), 2, 11, 0)).toBe(11);
    expect(files.write(fd, Buffer.from('WORLD'), 0, 5, 6)).toBe(5);
    expect(files.write(fd, Buffer.from('!'), 0, 1, 20)).toBe(1);
    expect(files.sizeOf(fd)).toBe(21);
    const buf = Buffer.alloc(11);
    expect(files.read(fd, buf, 0, 11, 0)).toBe(11);
    expect(buf.toString()).toBe('hello WORLD');
    expect(files.read(fd, buf, 0, 11, 21)).toBe(0);
    files.datasync(fd);
    files.truncate(fd, 5);
    expect(files.sizeOf(fd)).toBe(5);
    files.truncate(fd, 100);
    expect(fs.readFileSync(path).subarray(0, 6)).toEqual(Buffer.from('hello\0'));
    files.close(fd);
    const readOnly = files.openReadOnly(path);
    expect(files.read(readOnly, buf, 0, 5, 0)).toBe(5);
    expect(() => files.write(readOnly, buf, 0, 1, 0)).toThrow();
    files.close(readOnly);
  });

  it('opens without create only existing files', () => {
    const path = join(tempRoot(), 'missing.bin');
    expect(() => files.openReadWrite(path, false)).toThrow(expect.objectContaining({ code: 'ENOENT' }));
    files.close(files.openReadWrite(path, true));
    files.close(files.openReadWrite(path, false));
  });

  it('replaces small files atomically, leaving no temp file', () => {
    const dir = tempRoot();
    const path = join(dir, 'partition.checkpoint');
    files.writeTextAtomic(path, 'one\n');
    files.writeTextAtomic(path, 'two\n');
    expect(files.readText(path)).toBe('two\n');
    expect(files.listDir(dir)).toEqual(['partition.checkpoint']);
  });

  it('manages folders and files', () => {
    const root = tempRoot();
    const dir = join(root, 'a', 'b');
    files.makeDir(dir);
    files.makeDir(dir);
    expect(files.isDir(dir)).toBe(true);
    fs.writeFileSync(join(dir, 'f'), 'x');
    expect(files.isDir(join(dir, 'f'))).toBe(false);
    expect(files.exists(join(dir, 'f'))).toBe(true);
    files.rename(join(dir, 'f'), join(dir, 'g'));
    expect(files.listDir(dir)).toEqual(['g']);
    files.remove(join(dir, 'g'));
    files.remove(join(dir, 'g'));
    expect(files.exists(join(dir, 'g'))).toBe(false);
    files.syncDir(dir);
    files.removeTree(join(root, 'a'));
    expect(files.exists(join(root, 'a'))).toBe(false);
  });
});

describe('isStorageFailure', () => {
  it('is true for errno errors that mean the disk is at fault', () => {
    for (const code of ['EIO', 'EROFS', 'ENOSPC', 'EDQUOT', 'ENOENT', 'EACCES', 'EPERM', 'EBADF', 'ENOTDIR']) {
      expect(isStorageFailure(Object.assign(new Error(code), { code }))).toBe(true);
    }
    expect(isStorageFailure(Object.assign(new Error('x'), { code: 'EINVAL' }))).toBe(false);
    expect(isStorageFailure(new RangeError('bug'))).toBe(false);
    expect(isStorageFailure(undefined)).toBe(false);
  });
});
