// `fjord dev-cluster`: a local cluster to try Fjord with — one etcd (Debian's etcd-server) and N brokers on
// consecutive ports of 127.0.0.1, each with its own log dir under one folder and its log in <dir>/logs, started
// in order and stopped together by Ctrl-C (brokers with SIGTERM first, then etcd). A broker that dies (e.g.
// killed to watch a failover) is reported with the command that starts it again. Data stays in the folder, so
// the next run starts the same cluster. Runs on the CLI's main thread; etcd and brokers are child processes.
import { type ChildProcess, spawn } from 'node:child_process';
import { findEtcdBinary } from '../embedding/etcd-server.js';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CliError } from './cli-errors.js';

export interface DevClusterOptions {
  brokers: number;
  dir: string;
  /** Broker i (1-based) serves clients on port + i - 1, replication on port + 100 + i - 1, /metrics on port + 200 + i - 1. */
  port: number;
  /** etcd's client port; its peer port is the next one. */
  etcdPort: number;
  /** Extra `--set key=value` for every broker. */
  sets: string[];
  out: (line: string) => void;
}

const FJORD_BIN = fileURLToPath(new URL('../../../bin/fjord.js', import.meta.url));
const READY_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 30_000;
const ETCD_POLL_MS = 200;
const REPLICATION_PORT_OFFSET = 100;
const HTTP_PORT_OFFSET = 200;

interface Member {
  name: string;
  args: string[];
  child: ChildProcess;
  log: WriteStream;
}

/** Starts etcd and the brokers, prints how to reach them, and resolves once Ctrl-C (or SIGTERM) has stopped them all. */
export async function runDevCluster(options: DevClusterOptions): Promise<void> {
  const etcdBinary = findEtcdBinary();
  if (etcdBinary === null) throw new CliError('etcd is not installed', 'install the Debian package etcd-server ("apt-get install -y etcd-server")');
  const dir = resolve(options.dir);
  const logs = join(dir, 'logs');
  mkdirSync(logs, { recursive: true });
  await requireFreePorts(options);

  const members: Member[] = [];
  let stopping = false;
  const stopAll = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    options.out('stopping: brokers, then etcd');
    for (const m of members.slice(1).reverse()) await stop(m);
    if (members[0] !== undefined) await stop(members[0]);
  };
  const stopped = new Promise<void>((resolveStopped) => {
    const onSignal = (): void => void stopAll().then(resolveStopped);
    process.once('SIGINT', onSignal).once('SIGTERM', onSignal);
  });
  try {
    const etcdEndpoint = `http://127.0.0.1:${options.etcdPort}`;
    const peer = `http://127.0.0.1:${options.etcdPort + 1}`;
    const etcdArgs = [
      '--name=fjord-dev',
      `--data-dir=${join(dir, 'etcd')}`,
      `--listen-client-urls=${etcdEndpoint}`,
      `--advertise-client-urls=${etcdEndpoint}`,
      `--listen-peer-urls=${peer}`,
      `--initial-advertise-peer-urls=${peer}`,
      `--initial-cluster=fjord-dev=${peer}`,
    ];
    members.push(launch('etcd', etcdBinary, etcdArgs, join(logs, 'etcd.log'), options, () => stopping));
    await waitForEtcd(options.etcdPort, members[0]!);
    for (let id = 1; id <= options.brokers; id++) {
      const args = brokerArgs(id, dir, etcdEndpoint, options);
      const member = launch(`broker ${id}`, process.execPath, [FJORD_BIN, ...args], join(logs, `broker-${id}.log`), options, () => stopping);
      members.push(member);
      await waitForReady(member);
    }
    const bootstrap = Array.from({ length: options.brokers }, (_, i) => `127.0.0.1:${options.port + i}`).join(',');
    options.out(`dev cluster up: etcd ${etcdEndpoint} (pid ${members[0]!.child.pid})`);
    for (const [i, m] of members.slice(1).entries()) options.out(`  ${m.name}: 127.0.0.1:${options.port + i} (pid ${m.child.pid})`);
    options.out(`  bootstrap servers: ${bootstrap}`);
    options.out(`  logs: ${logs}; data: ${dir} (kept; remove it for a fresh cluster)`);
    options.out('  Ctrl-C stops everything');
  } catch (error) {
    await stopAll();
    throw error;
  }
  await stopped;
}

function brokerArgs(id: number, dir: string, etcdEndpoint: string, options: DevClusterOptions): string[] {
  const settings = [
    `node.id=${id}`,
    `listeners=PLAINTEXT://127.0.0.1:${options.port + id - 1}`,
    `log.dirs=${join(dir, `broker-${id}`)}`,
    `fjord.etcd.endpoints=${etcdEndpoint}`,
    `replication.listener=REPLICATION://127.0.0.1:${options.port + REPLICATION_PORT_OFFSET + id - 1}`,
    `fjord.http.listener=http://127.0.0.1:${options.port + HTTP_PORT_OFFSET + id - 1}`,
    // Groups survive a broker's loss: their offsets are replicated as widely as the cluster allows (up to 3).
    `offsets.topic.replication.factor=${Math.min(3, options.brokers)}`,
    ...options.sets,
  ];
  return ['broker', 'start', ...settings.flatMap((s) => ['--set', s])];
}

function launch(name: string, command: string, args: string[], logPath: string, options: DevClusterOptions, stopping: () => boolean): Member {
  const log = createWriteStream(logPath, { flags: 'a' });
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.pipe(log, { end: false });
  child.stderr!.pipe(log, { end: false });
  const member = { name, args, child, log };
  child.once('exit', (code, signal) => {
    if (stopping()) return;
    const how = signal === null ? `with code ${code}` : `on ${signal}`;
    const again = name === 'etcd' ? '' : `; start it again with: ${[process.execPath, ...args].map(quote).join(' ')}`;
    options.out(`${name} exited ${how} (its log: ${logPath})${again}`);
  });
  return member;
}

const quote = (arg: string): string => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", `'\\''`)}'`);

async function stop(member: Member): Promise<void> {
  const { child } = member;
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise<void>((resolveExit) => child.once('exit', () => resolveExit()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
  }
  await new Promise<void>((resolveEnd) => member.log.end(resolveEnd));
}

/** A broker is ready when it logs its "ready" line (JSON, on stdout). */
function waitForReady(member: Member): Promise<void> {
  return new Promise((resolveReady, reject) => {
    let pending = '';
    const timer = setTimeout(() => fail(`${member.name} not ready after ${READY_TIMEOUT_MS / 1000} s`), READY_TIMEOUT_MS);
    const onData = (text: Buffer): void => {
      const lines = (pending + text.toString('utf8')).split('\n');
      pending = lines.pop()!;
      if (lines.some((line) => line.includes('"msg":"ready"'))) done();
    };
    const onExit = (): void => fail(`${member.name} exited while starting`);
    const cleanUp = (): void => {
      clearTimeout(timer);
      member.child.stdout!.off('data', onData);
      member.child.off('exit', onExit);
    };
    const done = (): void => {
      cleanUp();
      resolveReady();
    };
    const fail = (what: string): void => {
      cleanUp();
      reject(new CliError(what, `see its log: ${member.log.path.toString()}`));
    };
    member.child.stdout!.on('data', onData);
    member.child.once('exit', onExit);
  });
}

/** etcd serves once its client port answers /health. */
async function waitForEtcd(port: number, member: Member): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (member.child.exitCode !== null || member.child.signalCode !== null) {
      throw new CliError('etcd exited while starting', `see its log: ${member.log.path.toString()}`);
    }
    try {
      const response = await fetch(`http://127.0.0.1:${port}/health`);
      if (response.ok) return;
    } catch {}
    await new Promise((resolveSleep) => setTimeout(resolveSleep, ETCD_POLL_MS));
  }
  throw new CliError(`etcd not ready after ${READY_TIMEOUT_MS / 1000} s`, `see its log: ${member.log.path.toString()}`);
}

/** Every port the cluster will listen on must be free now (a clear message beats a broker failing to bind). */
async function requireFreePorts(options: DevClusterOptions): Promise<void> {
  const ports = [options.etcdPort, options.etcdPort + 1];
  for (let i = 0; i < options.brokers; i++) ports.push(options.port + i, options.port + REPLICATION_PORT_OFFSET + i, options.port + HTTP_PORT_OFFSET + i);
  for (const port of ports) {
    if (!(await isFree(port))) throw new CliError(`port ${port} on 127.0.0.1 is in use`, 'pick other ports with --port and --etcd-port');
  }
}

/** Whether nothing listens on 127.0.0.1:port now (a listen that succeeds, closed at once). */
export function isFree(port: number): Promise<boolean> {
  return new Promise((resolveFree) => {
    const server = createServer();
    server.once('error', () => resolveFree(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolveFree(true)));
  });
}
