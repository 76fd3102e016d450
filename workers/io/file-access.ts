// The file-access seam: every byte a partition worker (or a recovery job) reads or writes goes through
// a FileAccess, so tests can inject disk faults (EIO, EROFS, ENOSPC) per directory. Runs in partition
// workers and piscina recovery jobs; synchronous on purpose: each worker is its own thread.
import * as fs from 'node:fs';
import { syncDirSync, writeFileAtomicSync } from '../../src/shared/atomic-file.js';

export interface FileAccess {
  /** Opens for read and write, creating the file when `create` is set. */
  openReadWrite(path: string, create: boolean): number;
  openReadOnly(path: string): number;
  close(fd: number): void;
  write(fd: number, buf: Buffer | Uint8Array, offset: number, length: number, position: number): number;
  read(fd: number, buf: Buffer | Uint8Array, offset: number, length: number, position: number): number;
  datasync(fd: number): void;
  /** fdatasync on libuv's thread pool, so the worker keeps serving while the disk catches up. */
  datasyncInBackground(fd: number): Promise<void>;
  truncate(fd: number, lengthBytes: number): void;
  sizeOf(fd: number): number;
  /** When the file was last written (ms since the epoch): what ListOffsets v0 reports per segment, as Kafka. */
  modifiedMs(fd: number): number;
  exists(path: string): boolean;
  makeDir(path: string): void;
  listDir(path: string): string[];
  isDir(path: string): boolean;
  remove(path: string): void;
  removeTree(path: string): void;
  rename(from: string, to: string): void;
  readText(path: string): string;
  /** Replaces a small file atomically: write a temp file, fsync it, rename over the target, fsync the folder. */
  writeTextAtomic(path: string, text: string): void;
  syncDir(path: string): void;
}

/** The real disk. */
export class NodeFileAccess implements FileAccess {
  openReadWrite(path: string, create: boolean): number {
    return fs.openSync(path, create ? fs.constants.O_RDWR | fs.constants.O_CREAT : fs.constants.O_RDWR, 0o644);
  }
  openReadOnly(path: string): number {
    return fs.openSync(path, 'r');
  }
  close(fd: number): void {
    fs.closeSync(fd);
  }
  write(fd: number, buf: Buffer | Uint8Array, offset: number, length: number, position: number): number {
    let written = 0;
    while (written < length) {
      written += fs.writeSync(fd, buf, offset + written, length - written, position + written);
    }
    return written;
  }
  read(fd: number, buf: Buffer | Uint8Array, offset: number, length: number, position: number): number {
    return fs.readSync(fd, buf, offset, length, position);
  }
  datasync(fd: number): void {
    fs.fdatasyncSync(fd);
  }
  datasyncInBackground(fd: number): Promise<void> {
    return new Promise((resolve, reject) => fs.fdatasync(fd, (error) => (error ? reject(error) : resolve())));
  }
  truncate(fd: number, lengthBytes: number): void {
    fs.ftruncateSync(fd, lengthBytes);
  }
  sizeOf(fd: number): number {
    return fs.fstatSync(fd).size;
  }

  modifiedMs(fd: number): number {
    return fs.fstatSync(fd).mtimeMs;
  }
  exists(path: string): boolean {
    return fs.existsSync(path);
  }
  makeDir(path: string): void {
    fs.mkdirSync(path, { recursive: true });
  }
  listDir(path: string): string[] {
    return fs.readdirSync(path);
  }
  isDir(path: string): boolean {
    return fs.statSync(path).isDirectory();
  }
  remove(path: string): void {
    fs.rmSync(path, { force: true });
  }
  removeTree(path: string): void {
    fs.rmSync(path, { recursive: true, force: true });
  }
  rename(from: string, to: string): void {
    fs.renameSync(from, to);
  }
  readText(path: string): string {
    return fs.readFileSync(path, 'utf8');
  }
  writeTextAtomic(path: string, text: string): void {
    writeFileAtomicSync(path, text);
  }
  syncDir(path: string): void {
    syncDirSync(path);
  }
}

/** Errors that mean the disk (not the request) is at fault: the log dir holding the file goes offline. */
export function isStorageFailure(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return (
    code === 'EIO' ||
    code === 'EROFS' ||
    code === 'ENOSPC' ||
    code === 'EDQUOT' ||
    code === 'ENOENT' ||
    code === 'EACCES' ||
    code === 'EPERM' ||
    code === 'EBADF' ||
    code === 'ENOTDIR'
  );
}
