// A FileAccess that fails chosen directories on purpose (EIO, EROFS, ENOSPC…), for fault tests of JBOD
// and of partitions. Runs wherever the FileAccess it wraps runs (tests, or a worker started with faults enabled).
import type { FileAccess } from './file-access.js';

export type InjectedFaultCode = 'EIO' | 'EROFS' | 'ENOSPC';

export class FaultInjectingFileAccess implements FileAccess {
  private readonly failing = new Map<string, InjectedFaultCode>();
  private readonly pathByFd = new Map<number, string>();

  constructor(private readonly inner: FileAccess) {}

  /** Every later operation on a path under `dirPrefix` throws an errno error with `code`. */
  failUnder(dirPrefix: string, code: InjectedFaultCode): void {
    this.failing.set(dirPrefix.endsWith('/') ? dirPrefix : `${dirPrefix}/`, code);
  }

  heal(): void {
    this.failing.clear();
  }

  private check(path: string | undefined, op: string): void {
    if (path === undefined) return;
    for (const [prefix, code] of this.failing) {
      if (path.startsWith(prefix) || `${path}/` === prefix) {
        const error = new Error(`${code}: injected fault, ${op} '${path}'`) as NodeJS.ErrnoException;
        error.code = code;
        throw error;
      }
    }
  }

  private checkFd(fd: number, op: string): void {
    this.check(this.pathByFd.get(fd), op);
  }

  openReadWrite(path: string, create: boolean): number {
    this.check(path, 'open');
    const fd = this.inner.openReadWrite(path, create);
    this.pathByFd.set(fd, path);
    return fd;
  }
  openReadOnly(path: string): number {
    this.check(path, 'open');
    const fd = this.inner.openReadOnly(path);
    this.pathByFd.set(fd, path);
    return fd;
  }
  close(fd: number): void {
    this.pathByFd.delete(fd);
    this.inner.close(fd);
  }
  write(fd: number, buf: Buffer | Uint8Array, offset: number, length: number, position: number): number {
    this.checkFd(fd, 'write');
    return this.inner.write(fd, buf, offset, length, position);
  }
  read(fd: number, buf: Buffer | Uint8Array, offset: number, length: number, position: number): number {
    this.checkFd(fd, 'read');
    return this.inner.read(fd, buf, offset, length, position);
  }
  datasync(fd: number): void {
    this.checkFd(fd, 'fsync');
    this.inner.datasync(fd);
  }
  datasyncInBackground(fd: number): Promise<void> {
    try {
      this.checkFd(fd, 'fsync');
    } catch (error) {
      return Promise.reject(error);
    }
    return this.inner.datasyncInBackground(fd);
  }
  truncate(fd: number, lengthBytes: number): void {
    this.checkFd(fd, 'truncate');
    this.inner.truncate(fd, lengthBytes);
  }
  sizeOf(fd: number): number {
    this.checkFd(fd, 'stat');
    return this.inner.sizeOf(fd);
  }
  modifiedMs(fd: number): number {
    this.checkFd(fd, 'stat');
    return this.inner.modifiedMs(fd);
  }
  exists(path: string): boolean {
    this.check(path, 'stat');
    return this.inner.exists(path);
  }
  makeDir(path: string): void {
    this.check(path, 'mkdir');
    this.inner.makeDir(path);
  }
  listDir(path: string): string[] {
    this.check(path, 'readdir');
    return this.inner.listDir(path);
  }
  isDir(path: string): boolean {
    this.check(path, 'stat');
    return this.inner.isDir(path);
  }
  remove(path: string): void {
    this.check(path, 'unlink');
    this.inner.remove(path);
  }
  removeTree(path: string): void {
    this.check(path, 'rm');
    this.inner.removeTree(path);
  }
  rename(from: string, to: string): void {
    this.check(from, 'rename');
    this.inner.rename(from, to);
  }
  readText(path: string): string {
    this.check(path, 'read');
    return this.inner.readText(path);
  }
  writeTextAtomic(path: string, text: string): void {
    this.check(path, 'write');
    this.inner.writeTextAtomic(path, text);
  }
  syncDir(path: string): void {
    this.check(path, 'fsync');
    this.inner.syncDir(path);
  }
}
