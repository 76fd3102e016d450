// Runs the compiled `fjord` command (bin/fjord.js → dist/src/cli/main.js) as a child process, as a person
// would: to completion with optional stdin, or in the background with its stdout collected line by line.
// Test helper.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { compiledPath, packageRoot } from '../../src/shared/compiled-path.js';

/** bin/fjord.js imports dist/src/cli/main.js; checking that it exists gives the "npm run build first" hint. */
compiledPath('src/cli/main');
const BIN = join(packageRoot(), 'bin', 'fjord.js');
/** Without FJORD_BOOTSTRAP_SERVER, so the default and --bootstrap-server are what tests see. */
const ENV = Object.fromEntries(Object.entries(process.env).filter(([key]) => key !== 'FJORD_BOOTSTRAP_SERVER'));

export interface FjordResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

const children = new Set<ChildProcess>();
afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
});

export function fjord(args: string[], input?: string, timeoutMs = 30_000): Promise<FjordResult> {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['pipe', 'pipe', 'pipe'], env: ENV });
  children.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdin!.end(input ?? '');
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  return new Promise((resolve) =>
    child.once('close', (status) => {
      clearTimeout(timer);
      children.delete(child);
      resolve({ status, stdout, stderr });
    }),
  );
}

export interface BackgroundFjord {
  lines: string[];
  stderr(): string;
  /** The exit code once the command ends by itself. */
  exited: Promise<number | null>;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
}

export function fjordInBackground(args: string[]): BackgroundFjord {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: ENV });
  children.add(child);
  const lines: string[] = [];
  let partial = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    const parts = (partial + chunk.toString()).split('\n');
    partial = parts.pop()!;
    lines.push(...parts);
  });
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('close', (status) => resolve(status)));
  void exited.then(() => children.delete(child));
  return {
    lines,
    stderr: () => stderr,
    exited,
    stop: async () => {
      child.kill('SIGTERM');
      const status = await exited;
      children.delete(child);
      return status;
    },
  };
}
