// Runs one etcd server (Debian's etcd-server) as a child process for the cluster benchmarks: free client and
// peer ports on 127.0.0.1 (etcd cannot take port 0, its URLs must be known), the caller's data dir, ready once
// /health answers, stopped with SIGTERM; killed if the bench process exits first. Runs on the bench's main
// thread; etcd runs in its own process.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';

const ETCD_BINARY = '/usr/bin/etcd';
const READY_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 10_000;
const HEALTH_POLL_MS = 100;
/** stderr kept for an error message when etcd fails to start. */
const LOG_TAIL_CHARS = 4000;

export interface EtcdProcess {
  /** The client URL, e.g. http://127.0.0.1:40123: what `fjord.etcd.endpoints` lists. */
  readonly endpoint: string;
  /** SIGTERM, wait for exit (SIGKILL after STOP_TIMEOUT_MS). */
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();
process.once('exit', () =>
  running.forEach((child) => {
    child.kill('SIGKILL');
  }),
);

/** A port no one listens on right now, picked by the OS. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port from the OS');
  return address.port;
}

export async function startEtcdProcess(dataDir: string): Promise<EtcdProcess> {
  if (!existsSync(ETCD_BINARY))
    throw new Error(`cluster bench: ${ETCD_BINARY} missing; install the Debian package etcd-server ("apt-get install -y etcd-server")`);
  const endpoint = `http://127.0.0.1:${await freePort()}`;
  const peer = `http://127.0.0.1:${await freePort()}`;
  const args = [
    ...['--name', 'bench', '--data-dir', dataDir],
    ...['--listen-client-urls', endpoint, '--advertise-client-urls', endpoint],
    ...['--listen-peer-urls', peer, '--initial-advertise-peer-urls', peer, '--initial-cluster', `bench=${peer}`],
  ];
  const child = spawn(ETCD_BINARY, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  running.add(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void exited.then(() => running.delete(child));
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (text: string) => (stderr = (stderr + text).slice(-LOG_TAIL_CHARS)));
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
  };
  try {
    await waitForHealth(endpoint, child, () => stderr);
  } catch (error) {
    await stop();
    throw error;
  }
  return { endpoint, stop };
}

async function waitForHealth(endpoint: string, child: ChildProcess, stderr: () => string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`etcd exited while starting:\n${stderr()}`);
    try {
      if ((await fetch(`${endpoint}/health`)).ok) return;
    } catch {}
    await new Promise((resolve) => setTimeout(resolve, HEALTH_POLL_MS));
  }
  throw new Error(`etcd not ready after ${READY_TIMEOUT_MS} ms:\n${stderr()}`);
}
