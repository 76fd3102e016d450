// Runs a real etcd server (the installed binary: `etcd` on PATH or /usr/bin/etcd, Debian's etcd-server) as a
// child process on 127.0.0.1 with free client and peer ports and a data dir of the caller's: one member or
// several forming one cluster, its client URLs plain http:// or https:// with client-certificate auth. Resolves once
// a member serves clients; stop (SIGTERM) and kill (SIGKILL) are idempotent, and every member still running when the process exits is killed with it. Used by startCluster()
// and the cluster tests. Runs on the caller's main thread.
import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, join } from 'node:path';
import { createInterface } from 'node:readline';

export interface EtcdServer {
  /** The client URL, e.g. http://127.0.0.1:40123 (https://localhost:40123 over TLS): what `fjord.etcd.endpoints` lists. */
  readonly endpoint: string;
  readonly dataDir: string;
  /** SIGTERM; resolves with the exit code (null: ended by a signal). Idempotent. */
  stop(): Promise<number | null>;
  /** SIGKILL (a crash). Idempotent. */
  kill(): Promise<void>;
  /** Stops it (SIGTERM) and starts it again on the same ports and data dir. */
  restart(): Promise<void>;
}

/**
 * TLS on the client URLs (https://; peers still talk plain http on loopback) with --client-cert-auth: a client
 * must present a certificate signed by a CA of `trustedCaFile`. PEM paths.
 */
export interface EtcdServerTls {
  certFile: string;
  keyFile: string;
  trustedCaFile: string;
}

/** Where etcd is looked for after PATH. */
const ETCD_FALLBACKS: readonly string[] = ['/usr/bin/etcd'];
/** How many of etcd's first log lines a start-up failure quotes. */
const START_LOG_LINES_MAX = 200;

/** Thrown when no etcd binary is installed; its message says how to install one. */
export class EtcdNotFoundError extends Error {
  constructor(lookedAt: string) {
    super(
      `etcd is not installed (looked for ${lookedAt}): install it (Debian/Ubuntu: apt-get install etcd-server; ` +
        'others: https://etcd.io/docs/latest/install/) or give the path of its binary',
    );
    this.name = 'EtcdNotFoundError';
  }
}

/** The etcd binary: `etcd` in the first `searchPath` folder that has it, else the first existing fallback; null when none. */
export function findEtcdBinary(searchPath = process.env.PATH ?? '', fallbacks = ETCD_FALLBACKS): string | null {
  const candidates = [
    ...searchPath
      .split(delimiter)
      .filter((folder) => folder !== '')
      .map((folder) => join(folder, 'etcd')),
    ...fallbacks,
  ];
  return candidates.find(isExecutable) ?? null;
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** `binary` when it is executable, else the installed etcd; throws EtcdNotFoundError naming where it looked. */
export function requireEtcdBinary(binary?: string): string {
  if (binary !== undefined) {
    if (!isExecutable(binary)) throw new EtcdNotFoundError(binary);
    return binary;
  }
  const found = findEtcdBinary();
  if (found === null) throw new EtcdNotFoundError(`etcd on PATH and ${ETCD_FALLBACKS.join(', ')}`);
  return found;
}

/** A port no one listens on right now (the OS picks it); etcd cannot take port 0 itself, its URLs must be known. */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, host, resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port from the OS');
  return address.port;
}

/** `dataDirs.length` etcd members forming one cluster (each needs the others for a quorum, so all start at once). */
export async function startEtcdServers(dataDirs: readonly string[], binary?: string, tls?: EtcdServerTls): Promise<EtcdServer[]> {
  const command = requireEtcdBinary(binary);
  const members: Member[] = [];
  for (const [i, dataDir] of dataDirs.entries()) {
    members.push({
      name: `member-${i}`,
      clientPort: await freePort(),
      peerUrl: `http://127.0.0.1:${await freePort()}`,
      dataDir,
      tls,
    });
  }
  const initialCluster = members.map((m) => `${m.name}=${m.peerUrl}`).join(',');
  const started = await Promise.allSettled(members.map((m) => startMember(command, m, initialCluster)));
  const failed = started.find((s) => s.status === 'rejected');
  if (failed === undefined) return started.map((s) => (s as PromiseFulfilledResult<EtcdServer>).value);
  await Promise.all(started.map((s) => (s.status === 'fulfilled' ? s.value.kill() : undefined)));
  throw failed.reason;
}

/** One etcd member on its own. */
export async function startEtcdServer(dataDir: string, binary?: string, tls?: EtcdServerTls): Promise<EtcdServer> {
  const [member] = await startEtcdServers([dataDir], binary, tls);
  return member!;
}

interface Member {
  name: string;
  clientPort: number;
  peerUrl: string;
  dataDir: string;
  tls: EtcdServerTls | undefined;
}

async function startMember(command: string, member: Member, initialCluster: string): Promise<EtcdServer> {
  const { name, clientPort, peerUrl, dataDir, tls } = member;
  // Over TLS, clients are given a host name: they check etcd's certificate by name, and Node warns (DEP0123) when
  // a client sends an IP address as the TLS server name, which the etcd client's gRPC does for https://127.0.0.1.
  const clientUrl = tls === undefined ? `http://127.0.0.1:${clientPort}` : `https://localhost:${clientPort}`;
  const listenUrl = tls === undefined ? clientUrl : `https://127.0.0.1:${clientPort}`;
  const args = [
    ...['--name', name, '--data-dir', dataDir],
    ...['--listen-client-urls', listenUrl, '--advertise-client-urls', clientUrl],
    ...['--listen-peer-urls', peerUrl, '--initial-advertise-peer-urls', peerUrl],
    ...['--initial-cluster', initialCluster, '--initial-cluster-state', 'new'],
    ...['--logger', 'zap', '--log-outputs', 'stderr'],
    ...(tls === undefined ? [] : ['--cert-file', tls.certFile, '--key-file', tls.keyFile, '--trusted-ca-file', tls.trustedCaFile, '--client-cert-auth']),
  ];
  let running = await spawnServing(command, args);
  const end = async (signal: NodeJS.Signals): Promise<number | null> => {
    const { child, exited } = running;
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    return exited;
  };
  return {
    endpoint: clientUrl,
    dataDir,
    stop: () => end('SIGTERM'),
    kill: async () => {
      await end('SIGKILL');
    },
    restart: async () => {
      await end('SIGTERM');
      running = await spawnServing(command, args);
    },
  };
}

/** Spawns etcd and resolves once it serves clients (a member with data already on disk rejoins its cluster). */
async function spawnServing(command: string, args: string[]): Promise<{ child: ChildProcess; exited: Promise<number | null> }> {
  const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  killOnExit(child);
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      // Ended: nothing of it may keep this process alive (on Node 24 its process handle outlived the exit and held
      // the event loop open; releasing it and its stderr pipe here ends that).
      child.stderr?.destroy();
      child.unref();
      resolve(code);
    }),
  );
  const lines: string[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      child.once('error', reject);
      // Read to the end: etcd blocks once a pipe nobody reads is full.
      createInterface({ input: child.stderr! }).on('line', (line) => {
        if (lines.length < START_LOG_LINES_MAX) lines.push(line);
        // etcd 3.4+ (zap logger) logs this once it has joined its cluster and accepts client requests.
        if (/"msg":"(serving client traffic|ready to serve client requests)/.test(line)) resolve();
      });
      void exited.then((code) => reject(new Error(`etcd exited with code ${code} before serving:\n${lines.join('\n')}`)));
    });
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return { child, exited };
}

/** Children killed if this process exits while they run (a test runner that never called stop leaves no etcd behind). */
const running = new Set<ChildProcess>();
const killAll = (): void => {
  for (const child of running) child.kill('SIGKILL');
};

function killOnExit(child: ChildProcess): void {
  if (running.size === 0) process.once('exit', killAll);
  running.add(child);
  const forget = (): void => {
    running.delete(child);
    if (running.size === 0) process.off('exit', killAll);
  };
  child.once('exit', forget).once('error', forget);
}
