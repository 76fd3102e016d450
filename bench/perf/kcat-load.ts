// kcat (librdkafka) as an independent client for the perf tool: produce a prepared file of fixed-size
// lines, consume a topic from the beginning to its end, each timed from spawn to exit.
// Runs on the bench's main thread; kcat runs in its own process.
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, writeSync } from 'node:fs';

const LINES_PER_CHUNK = 1024;
const ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

export function kcatAvailable(): boolean {
  try {
    execFileSync('kcat', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Writes `lines` lines of exactly `recordBytes` printable bytes plus '\n' (kcat -P sends one record per line). */
export function writeLinesFile(path: string, recordBytes: number, lines: number): void {
  const chunk = Buffer.allocUnsafe(LINES_PER_CHUNK * (recordBytes + 1));
  for (let i = 0; i < chunk.length; i++) chunk[i] = ALPHABET.charCodeAt(Math.floor(Math.random() * ALPHABET.length));
  for (let line = 1; line <= LINES_PER_CHUNK; line++) chunk[line * (recordBytes + 1) - 1] = 0x0a;
  const fd = openSync(path, 'wx');
  try {
    for (let written = 0; written < lines; written += LINES_PER_CHUNK) {
      writeSync(fd, chunk, 0, Math.min(LINES_PER_CHUNK, lines - written) * (recordBytes + 1));
    }
  } finally {
    closeSync(fd);
  }
}

const TIME_BINARY = '/usr/bin/time';
const CPU_MARK = 'fjord-perf-cpu';

export interface KcatRun {
  elapsedMs: number;
  /** kcat's user + system CPU seconds (from /usr/bin/time; NaN without it). */
  cpuSeconds: number;
}

/** kcat with stdin from `stdinPath` (or nothing) and stdout to /dev/null, timed spawn to exit; fails on a non-zero exit or the timeout. */
export function runKcat(args: readonly string[], stdinPath: string | null, timeoutMs: number): Promise<KcatRun> {
  const timed = existsSync(TIME_BINARY);
  const [command, commandArgs] = timed ? [TIME_BINARY, ['-f', `${CPU_MARK} %U %S`, 'kcat', ...args]] : ['kcat', [...args]];
  const stdinFd = stdinPath === null ? 'ignore' : openSync(stdinPath, 'r');
  return new Promise((resolve, reject) => {
    const startedMs = performance.now();
    const child = spawn(command, commandArgs, { stdio: [stdinFd, 'ignore', 'pipe'] });
    if (typeof stdinFd === 'number') closeSync(stdinFd);
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (text: string) => (stderr = (stderr + text).slice(-4000)));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      const elapsedMs = performance.now() - startedMs;
      if (code !== 0) return reject(new Error(`kcat ${args.join(' ')}: exit ${code} ${signal ?? ''} after ${elapsedMs.toFixed(0)} ms\n${stderr}`));
      resolve({ elapsedMs, cpuSeconds: cpuFrom(stderr) });
    });
  });
}

function cpuFrom(stderr: string): number {
  const line = stderr.split('\n').find((l) => l.startsWith(CPU_MARK));
  if (line === undefined) return Number.NaN;
  const [user, system] = line.slice(CPU_MARK.length).trim().split(' ').map(Number);
  return user! + system!;
}
