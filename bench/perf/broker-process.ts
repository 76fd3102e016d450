// Runs a Fjord broker as a child process for the Kafka perf tool: a new temp log dir (or the caller's, kept),
// `ready` parsed from the JSON log on stdout, CPU time read from /proc/<pid>/stat, stop with SIGTERM (or kill
// with SIGKILL) and the temp dir removed.
// Runs on the bench's main thread; the broker runs in its own process (main thread + its workers).
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { processCpuSeconds } from './cpu-meter.js';

const BROKER_MAIN = fileURLToPath(new URL('../../src/main.js', import.meta.url));
const READY_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 30_000;
/** Log lines kept for an error message when the broker fails. */
const LOG_TAIL_LINES = 20;

export interface BrokerProcessOptions {
  partitions: number;
  /** Extra `node` flags for the child, e.g. ['--cpu-prof', '--cpu-prof-dir=/tmp/prof']. */
  nodeArgs?: readonly string[];
  /** Extra `--set key=value` config. */
  config?: Readonly<Record<string, string>>;
  /** The broker's compiled entry (default: this build's dist/src/main.js), e.g. an earlier build's to compare against. */
  brokerMain?: string;
  /** A log dir the caller owns (kept after stop or kill, so a broker can be started again on it); default: a new temp dir, removed. */
  logDir?: string;
}

export interface BrokerProcess {
  readonly pid: number;
  readonly host: string;
  readonly port: number;
  /** host:port, as kcat's -b wants it. */
  readonly address: string;
  readonly logDir: string;
  /** User + system CPU seconds of the whole broker process (all threads) so far. */
  cpuSeconds(): number;
  /** SIGTERM, wait for exit, remove the log dir (unless the caller gave it). */
  stop(): Promise<void>;
  /** SIGKILL (a crash: no clean shutdown), wait for exit; the log dir is removed as by stop. */
  kill(): Promise<void>;
}

/** Brokers still running; killed if the bench process exits first (an error, Ctrl-C), so none outlives it. */
const running = new Set<ChildProcess>();
process.once('exit', () =>
  running.forEach((child) => {
    child.kill('SIGKILL');
  }),
);

export async function startBrokerProcess(options: BrokerProcessOptions): Promise<BrokerProcess> {
  const logDir = options.logDir ?? mkdtempSync(join(tmpdir(), 'fjord-perf-'));
  const removeLogDir = (): void => {
    if (options.logDir === undefined) rmSync(logDir, { recursive: true, force: true });
  };
  const sets = { 'log.dirs': logDir, listeners: 'PLAINTEXT://127.0.0.1:0', 'num.partitions': String(options.partitions), ...options.config };
  const args = [
    ...(options.nodeArgs ?? []),
    options.brokerMain ?? BROKER_MAIN,
    ...Object.entries(sets).flatMap(([key, value]) => ['--set', `${key}=${value}`]),
  ];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  child.once('exit', () => running.delete(child));
  const logTail: string[] = [];
  try {
    const listener = await waitForReady(child, logTail);
    const colon = listener.lastIndexOf(':');
    const host = listener.slice(0, colon);
    const port = Number(listener.slice(colon + 1));
    return {
      pid: child.pid!,
      host,
      port,
      address: listener,
      logDir,
      cpuSeconds: () => processCpuSeconds(child.pid!),
      stop: () => stopChild(child, 'SIGTERM', logTail).finally(removeLogDir),
      kill: () => stopChild(child, 'SIGKILL', logTail).finally(removeLogDir),
    };
  } catch (error) {
    child.kill('SIGKILL');
    removeLogDir();
    throw error;
  }
}

/** Reads JSON log lines until msg "ready"; keeps draining stdout afterwards (the broker writes it synchronously). */
function waitForReady(child: ChildProcess, logTail: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    let pending = '';
    const timer = setTimeout(() => reject(new Error(`broker not ready after ${READY_TIMEOUT_MS} ms:\n${logTail.join('\n')}`)), READY_TIMEOUT_MS);
    const keep = (line: string): void => {
      logTail.push(line);
      if (logTail.length > LOG_TAIL_LINES) logTail.shift();
    };
    child.stderr!.setEncoding('utf8').on('data', (text: string) => text.split('\n').filter(Boolean).forEach(keep));
    child.stdout!.setEncoding('utf8').on('data', (text: string) => {
      const lines = (pending + text).split('\n');
      pending = lines.pop()!;
      for (const line of lines) {
        keep(line);
        const listener = readyListener(line);
        if (listener !== null) {
          clearTimeout(timer);
          resolve(listener);
        }
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`broker exited before ready (code ${code}, signal ${signal}):\n${logTail.join('\n')}`));
    });
  });
}

function readyListener(line: string): string | null {
  if (!line.startsWith('{')) return null;
  try {
    const entry = JSON.parse(line) as { msg?: string; listener?: string };
    return entry.msg === 'ready' && typeof entry.listener === 'string' ? entry.listener : null;
  } catch {
    return null;
  }
}

async function stopChild(child: ChildProcess, signal: 'SIGTERM' | 'SIGKILL', logTail: string[]): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
  if (signal === 'SIGTERM' && child.exitCode !== 0) console.error(`broker exit code ${child.exitCode} (signal ${child.signalCode}):\n${logTail.join('\n')}`);
}
