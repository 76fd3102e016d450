// `fjord cluster describe` (cluster id, controller, brokers), `fjord log-dirs describe` (every broker's log
// dirs: state, partitions, bytes; --partitions for each partition's size and the copies moves are building) and
// `fjord log-dirs move` (a topic's partitions into another log dir of their broker, --wait until switched over).
// Runs on the main thread.
import type { Command } from 'commander';
import { describeCluster, describeLogDirs, type LogDirMoveResult, moveToLogDir } from '../../client/cluster-admin.js';
import type { KafkaClient } from '../../client/kafka-client.js';
import { kafkaErrorName } from '../../client/kafka-errors.js';
import { type ClientFlags, withBootstrapOption, withClient } from '../broker-client.js';
import { CliError } from '../cli-errors.js';
import { collect, nonNegative, partitionList } from '../option-parsers.js';
import { write } from '../output.js';
import { renderTable } from '../table.js';

interface LogDirFlags extends ClientFlags {
  topic?: string[];
  partitions?: boolean;
}

interface MoveFlags extends ClientFlags {
  partitions?: number[];
  broker?: number;
  wait?: boolean;
}

/** How often `log-dirs move --wait` asks whether the moves have switched over. */
const MOVE_POLL_MS = 200;

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
  withBootstrapOption(
    logDirs
      .command('move')
      .description("move a topic's partitions into another log dir of their broker while they keep serving")
      .argument('<topic>', 'the topic')
      .argument('<log-dir>', "the target log dir, as the broker's log.dirs names it (absolute)"),
  )
    .option('-p, --partitions <list>', 'only these partitions, e.g. 0,2 or 0-3 (default: all)', partitionList)
    .option('--broker <id>', "the broker whose log dirs (default: each partition's leader)", nonNegative)
    .option('-w, --wait', 'wait until every move has switched over to the new dir')
    .action((topic: string, logDir: string, flags: MoveFlags) => withClient(flags, (client) => moveDirs(client, topic, logDir, flags)));
}

async function moveDirs(client: KafkaClient, topic: string, logDir: string, flags: MoveFlags): Promise<void> {
  const info = await client.topic(topic);
  const wanted = info.partitions.filter((p) => flags.partitions === undefined || flags.partitions.includes(p.partition));
  const missing = (flags.partitions ?? []).filter((p) => !info.partitions.some((q) => q.partition === p));
  if (missing.length > 0) throw new CliError(`${topic} has no partition ${missing.join(', ')}`, `it has ${info.partitions.length} partitions`);
  const byBroker = new Map<number, number[]>();
  for (const p of wanted) byBroker.set(flags.broker ?? p.leader, [...(byBroker.get(flags.broker ?? p.leader) ?? []), p.partition]);
  const results: Array<LogDirMoveResult & { brokerId: number }> = [];
  for (const [brokerId, partitions] of byBroker) {
    for (const result of await moveToLogDir(client, brokerId, logDir, topic, partitions)) results.push({ ...result, brokerId });
  }
  results.sort((a, b) => a.partition - b.partition);
  const rows = results.map((r) => [r.topic, r.partition, r.brokerId, r.errorCode === 0 ? 'ok' : kafkaErrorName(r.errorCode)]);
  await write(renderTable(['TOPIC', 'PARTITION', 'BROKER', 'RESULT'], rows));
  const refused = results.filter((r) => r.errorCode !== 0);
  if (refused.length > 0) {
    throw new CliError(`${refused.length} of ${results.length} moves did not start`, 'see the RESULT column (log dirs: "fjord log-dirs describe")');
  }
  if (flags.wait) await waitForMoves(client, topic, logDir, results);
}

/** Asks DescribeLogDirs until no move of these partitions is building a copy; fails for a move that ended elsewhere. */
async function waitForMoves(client: KafkaClient, topic: string, logDir: string, moves: ReadonlyArray<{ partition: number; brokerId: number }>): Promise<void> {
  for (;;) {
    const dirs = await describeLogDirs(client, new Map([[topic, moves.map((m) => m.partition)]]));
    const where = (m: { partition: number; brokerId: number }, future: boolean) =>
      dirs.filter((d) => d.brokerId === m.brokerId && d.partitions.some((p) => p.partition === m.partition && p.isFuture === future)).map((d) => d.path);
    const pending = moves.filter((m) => where(m, true).length > 0);
    if (pending.length === 0) {
      const failed = moves.filter((m) => !where(m, false).includes(logDir));
      if (failed.length > 0) {
        const names = failed.map((m) => `${topic}-${m.partition}`).join(', ');
        throw new CliError(`the move of ${names} ended without switching over to ${logDir}`, "see the broker's log for why");
      }
      await write(`moved ${moves.length} partition${moves.length === 1 ? '' : 's'} of ${topic} to ${logDir}\n`);
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, MOVE_POLL_MS));
  }
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
    d.partitions.filter((p) => !p.isFuture).length,
    d.partitions.reduce((n, p) => n + p.sizeBytes, 0),
    d.usableBytes < 0 ? '-' : d.usableBytes,
  ]);
  let out = renderTable(['BROKER', 'LOG-DIR', 'STATE', 'PARTITIONS', 'SIZE-BYTES', 'USABLE-BYTES'], rows);
  if (flags.partitions) {
    const detail = dirs.flatMap((d) =>
      d.partitions.map((p) => [d.brokerId, d.path, p.topic, p.partition, p.sizeBytes, p.offsetLag, p.isFuture ? 'future' : 'current']),
    );
    detail.sort((a, b) => String(a[2]).localeCompare(String(b[2])) || Number(a[3]) - Number(b[3]));
    out += `\n${renderTable(['BROKER', 'LOG-DIR', 'TOPIC', 'PARTITION', 'SIZE-BYTES', 'OFFSET-LAG', 'COPY'], detail)}`;
  }
  await write(out);
}
