// Starts a real Fjord broker process (the compiled command) on 127.0.0.1 with ephemeral ports (Kafka and
// admin HTTP) and a temp data dir, waits for its "ready" line, and stops it (SIGTERM) or kills it (SIGKILL).
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { afterAll } from 'vitest';
import { compiledPath } from '../../src/shared/compiled-path.js';
import { tempDir } from './temp-dir.js';

export interface BrokerProcess {
  bootstrap: string;
  port: number;
  /** Every Kafka listener's bound port by name (the first one is `port`). */
  listenerPorts: Record<string, number>;
  /** The admin HTTP listener's base URL (http://127.0.0.1:PORT), null when turned off. */
  httpUrl: string | null;
  logDir: string;
  logLines: Array<Record<string, unknown>>;
  /** Resolves with the exit code once the process has ended (null: ended by a signal). */
  exited: Promise<number | null>;
  /** Sends a signal without waiting (SIGSTOP freezes the process, SIGCONT thaws it). */
  signal(signal: NodeJS.Signals): void;
  stop(): Promise<number | null>;
  kill(): Promise<void>;
}

const started = new Set<ChildProcess>();
afterAll(() => {
  for (const child of started) child.kill('SIGKILL');
});

export async function startBrokerProcess(settings: Record<string, string> = {}, logDir = tempDir('fjord-broker-')): Promise<BrokerProcess> {
  const sets = Object.entries({
    'log.dirs': logDir,
    listeners: 'PLAINTEXT://127.0.0.1:0',
    'fjord.http.listener': 'http://127.0.0.1:0',
    'fjord.workers': '2',
    ...settings,
  }).flatMap(([k, v]) => ['--set', `${k}=${v}`]);
  const child = spawn(process.execPath, [compiledPath('src/main'), ...sets], { stdio: ['ignore', 'pipe', 'pipe'] });
  started.add(child);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const logLines: Array<Record<string, unknown>> = [];
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const ready = new Promise<Record<string, unknown>>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const entry = JSON.parse(line) as Record<string, unknown>;
      logLines.push(entry);
      if (entry.msg === 'ready') resolve(entry);
    });
    void exited.then((code) => reject(new Error(`broker exited with code ${code} before ready: ${stderr}`)));
  });
  const readyLine = await ready;
  const listener = String(readyLine.listener);
  const port = Number(listener.slice(listener.lastIndexOf(':') + 1));
  const listenerPorts = Object.fromEntries((readyLine.listeners as string[]).map((l) => [l.slice(0, l.indexOf(':')), Number(l.slice(l.lastIndexOf(':') + 1))]));
  return {
    bootstrap: `127.0.0.1:${port}`,
    port,
    listenerPorts,
    httpUrl: typeof readyLine.http === 'string' ? readyLine.http : null,
    logDir,
    logLines,
    exited,
    signal: (signal) => child.kill(signal),
    stop: async () => {
      child.kill('SIGTERM');
      const code = await exited;
      started.delete(child);
      return code;
    },
    kill: async () => {
      child.kill('SIGKILL');
      await exited;
      started.delete(child);
    },
  };
}
