// `fjord dev-cluster`: registers the command and its flags; the work is in ../dev-cluster.ts, loaded only when
// used. Runs on the main thread.
import type { Command } from 'commander';
import { usageError } from '../cli-errors.js';
import { collect, positive } from '../option-parsers.js';

interface DevClusterFlags {
  brokers: number;
  dir: string;
  port: number;
  etcdPort: number;
  set?: string[];
}

const BROKERS_MAX = 9;
const PORT_MAX = 65535;

export function registerDevCluster(program: Command): void {
  program
    .command('dev-cluster')
    .description('start etcd and N brokers on this machine to try a cluster (Ctrl-C stops them all)')
    .option('--brokers <n>', `brokers to start (1 to ${BROKERS_MAX})`, positive, 3)
    .option('--dir <path>', 'folder for their data and logs (kept between runs)', './fjord-dev-cluster')
    .option('--port <port>', 'client port of broker 1; broker i takes port+i-1, its replication port+100+i-1, its /metrics port+200+i-1', positive, 9092)
    .option('--etcd-port <port>', "etcd's client port (its peer port is the next one)", positive, 2379)
    .option('--set <key=value>', 'config for every broker (repeatable)', collect)
    .action(async (flags: DevClusterFlags) => {
      const command = 'fjord dev-cluster';
      if (flags.brokers > BROKERS_MAX) throw usageError(`--brokers ${flags.brokers}: at most ${BROKERS_MAX}`, command);
      if (flags.port + 200 + flags.brokers > PORT_MAX) throw usageError(`--port ${flags.port}: the brokers' ports would pass ${PORT_MAX}`, command);
      if (flags.etcdPort + 1 > PORT_MAX) throw usageError(`--etcd-port ${flags.etcdPort}: above ${PORT_MAX - 1}`, command);
      for (const s of flags.set ?? []) if (!/^[^=\s]+=/.test(s)) throw usageError(`--set ${s}: expected key=value`, command);
      const { runDevCluster } = await import('../dev-cluster.js');
      await runDevCluster({
        brokers: flags.brokers,
        dir: flags.dir,
        port: flags.port,
        etcdPort: flags.etcdPort,
        sets: flags.set ?? [],
        out: (line) => process.stdout.write(`${line}\n`),
      });
    });
}
