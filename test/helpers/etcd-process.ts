// Starts a real etcd server process (Debian's etcd-server) on 127.0.0.1 with free client and peer ports and a
// temp data dir, waits until it serves clients, and stops (SIGTERM) or kills (SIGKILL) it; every process still
// running is killed when the test file ends. Test helper, like broker-process.ts.
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';
import { afterAll } from 'vitest';
import { tempDir } from './temp-dir.js';

export interface EtcdProcess {
  /** The client URL, e.g. http://127.0.0.1:40123: what `fjord.etcd.endpoints` lists. */
  endpoint: string;
  dataDir: string;
  stop(): Promise<number | null>;
  kill(): Promise<void>;
  /** Stops it (SIGTERM) and starts it again on the same ports and data dir. */
  restart(): Promise<void>;
}

const started = new Set<ChildProcess>();
afterAll(() => {
  for (const child of started) child.kill('SIGKILL');
});

/** A port no one listens on right now (the OS picks it); etcd cannot take port 0 itself, its URLs must be known. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port from the OS');
  return address.port;
}

/** A port that refuses connections: an endpoint of an etcd member that is down. */
export async function deadEndpoint(): Promise<string> {
  return `http://127.0.0.1:${await freePort()}`;
}

/** One etcd member; `startEtcdCluster` for several. */
export async function startEtcdProcess(dataDir = tempDir('fjord-etcd-')): Promise<EtcdProcess> {
  const [member] = await startEtcdCluster(1, [dataDir]);
  return member!;
}

/** `size` etcd members forming one cluster (each needs the others for a quorum, so all start at once). */
export async function startEtcdCluster(size: number, dataDirs = Array.from({ length: size }, () => tempDir('fjord-etcd-'))): Promise<EtcdProcess[]> {
  const members: Array<{ name: string; clientUrl: string; peerUrl: string; dataDir: string }> = [];
  for (let i = 0; i < size; i++) {
    members.push({
      name: `member-${i}`,
      clientUrl: `http://127.0.0.1:${await freePort()}`,
      peerUrl: `http://127.0.0.1:${await freePort()}`,
      dataDir: dataDirs[i]!,
    });
  }
  const initialCluster = members.map((m) => `${m.name}=${m.peerUrl}`).join(',');
  return Promise.all(members.map((m) => startMember(m, initialCluster)));
}

async function startMember(member: { name: string; clientUrl: string; peerUrl: string; dataDir: string }, initialCluster: string): Promise<EtcdProcess> {
  const { name, clientUrl, peerUrl, dataDir } = member;
  const args = [
    ...['--name', name, '--data-dir', dataDir],
    ...['--listen-client-urls', clientUrl, '--advertise-client-urls', clientUrl],
    ...['--listen-peer-urls', peerUrl, '--initial-advertise-peer-urls', peerUrl],
    ...['--initial-cluster', initialCluster, '--initial-cluster-state', 'new'],
    ...['--logger', 'zap', '--log-outputs', 'stderr'],
  ];
  let running = await spawnServing(args);
  const end = async (signal: NodeJS.Signals) => {
    running.child.kill(signal);
    const code = await running.exited;
    started.delete(running.child);
    return code;
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
      running = await spawnServing(args);
    },
  };
}

/** Spawns etcd and resolves once it serves clients (a member with data already on disk rejoins its cluster). */
async function spawnServing(args: string[]): Promise<{ child: ChildProcess; exited: Promise<number | null> }> {
  const child = spawn('etcd', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  started.add(child);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const lines: string[] = [];
  await new Promise<void>((resolve, reject) => {
    child.once('error', reject);
    createInterface({ input: child.stderr! }).on('line', (line) => {
      if (lines.length < 200) lines.push(line);
      // etcd 3.4+ (zap logger) logs this once it has joined its cluster and accepts client requests.
      if (/"msg":"(serving client traffic|ready to serve client requests)/.test(line)) resolve();
    });
    void exited.then((code) => reject(new Error(`etcd exited with code ${code} before serving:\n${lines.join('\n')}`)));
  });
  return { child, exited };
}
