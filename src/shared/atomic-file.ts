// Replaces a small file atomically: write a temp file beside it, fsync it, rename it over the target, fsync
// the folder. Used for checkpoints and metadata on both threads.
import * as fs from 'node:fs';
import { dirname } from 'node:path';

/** `mode`: the permissions of a new file (0o600 for one holding secrets). */
export function writeFileAtomicSync(path: string, text: string, mode = 0o644): void {
  const temp = `${path}.tmp`;
  try {
    writeAndSync(temp, Buffer.from(text, 'utf8'), mode);
  } catch (error) {
    // A half-written temp file (a full disk) would hold on to the space the next attempt needs.
    try {
      fs.rmSync(temp, { force: true });
    } catch {
      // The write's error is the one to report.
    }
    throw error;
  }
  fs.renameSync(temp, path);
  syncDirSync(dirname(path));
}

function writeAndSync(path: string, bytes: Buffer, mode: number): void {
  const fd = fs.openSync(path, 'w', mode);
  try {
    let written = 0;
    // One writeSync may write less than asked.
    while (written < bytes.length) written += fs.writeSync(fd, bytes, written, bytes.length - written, written);
    fs.fdatasyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

export function syncDirSync(path: string): void {
  const fd = fs.openSync(path, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}
