// `fjord cluster describe` (cluster id, controller, brokers) and `fjord log-dirs describe` (every broker's
// log dirs: state, partitions, bytes; --partitions for each partition's size). Runs on the main thread.
import type { Command } from 'commander';
import { describeCluster, describeLogDirs } from '../../client/cluster-admin.js';
import type { KafkaClient } from '../../client/kafka-client.js';
import { kafkaErrorName } from '../../client/kafka-errors.js';
import { type ClientFlags, withBootstrapOption, withClient } from '../broker-client.js';
import { collect } from '../option-parsers.js';
import { write } from '../output.js';
import { renderTable } from '../table.js';

interface LogDirFlags extends ClientFlags {
  topic?: string[];
  partitions?: boolean;
}

export function registerCluster(program: Command): void {
  const cluster = program.command('cluster').description('the cluster: id, controller, brokers');
  withBootstrapOption(cluster.command('describe').description('cluster id, controller and every broker')).action((flags: ClientFlags) =>
    withClient(flags, describe),
  );
  const logDirs = program.command('log-dirs').description("brokers' log directories");
  withBootstrapOption(logDirs.command('describe').description('every log dir of every broker: online or not, partitions, bytes'))
    .option('-t, --topic <topic>', 'only partitions of this topic (repeatable)', collect)
    .option('-p, --partitions', 'list each partition with its size')
    .action((flags: LogDirFlags) => withClient(flags, (client) => describeDirs(client, flags)));
}

async function describe(client: KafkaClient): Promise<void> {
  const cluster = await describeCluster(client);
  await write(
    `Cluster: ${cluster.clusterId ?? '-'}  Controller: ${cluster.controllerId}\n` +
      renderTable(
        ['BROKER', 'HOST', 'PORT', 'RACK'],
        cluster.brokers.map((b) => [b.nodeId, b.host, b.port, b.rack]),
      ),
  );
}

async function describeDirs(client: KafkaClient, flags: LogDirFlags): Promise<void> {
  let topics: Map<string, number[]> | null = null;
  if (flags.topic !== undefined) {
    const infos = await Promise.all(flags.topic.map((t) => client.topic(t)));
    topics = new Map(infos.map((t) => [t.name, t.partitions.map((p) => p.partition)]));
  }
  const dirs = await describeLogDirs(client, topics);
  const rows = dirs.map((d) => [
    d.brokerId,
    d.path,
    d.errorCode === 0 ? 'online' : `offline (${kafkaErrorName(d.errorCode)})`,
    d.partitions.length,
    d.partitions.reduce((n, p) => n + p.sizeBytes, 0),
  ]);
  let out = renderTable(['BROKER', 'LOG-DIR', 'STATE', 'PARTITIONS', 'SIZE-BYTES'], rows);
  if (flags.partitions) {
    const detail = dirs.flatMap((d) => d.partitions.map((p) => [d.brokerId, d.path, p.topic, p.partition, p.sizeBytes, p.offsetLag]));
    detail.sort((a, b) => String(a[2]).localeCompare(String(b[2])) || Number(a[3]) - Number(b[3]));
    out += `\n${renderTable(['BROKER', 'LOG-DIR', 'TOPIC', 'PARTITION', 'SIZE-BYTES', 'OFFSET-LAG'], detail)}`;
  }
  await write(out);
}
