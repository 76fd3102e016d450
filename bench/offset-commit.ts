// Offset-commit throughput of the group coordinators in a Fjord broker child process: G groups (spread by
// id hash over the 50 __consumer_offsets partitions, so both partition workers serve coordinators) each
// commit offsets for a few partitions, pipelined over C connections, as admin commits to empty groups
// (generation -1) and as the single live member of each group; every run ends by checking with OffsetFetch
// that each group holds its last commit. Runs on the bench's main thread; the broker is a child process.
// `node dist/bench/offset-commit.js [--short] [--only admin,member] [--groups N] [--connections N] [--in-flight N]
//  [--partitions-per-commit N] [--reps N] [--cpu-prof-dir DIR]`
import { availableParallelism } from 'node:os';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { offsetsPartitionOf } from '../src/broker/group-router.js';
import { BrokerConnection } from '../src/client/broker-connection.js';
import { removeGroupMembers } from '../src/client/group-admin.js';
import { KafkaClient } from '../src/client/kafka-client.js';
import { IN_FLIGHT_LIMIT } from '../src/client/kafka-connection.js';
import { LOAD_CLIENT_ID } from '../src/perf/load-connections.js';
import { createLoadTopic } from '../src/perf/load-topic.js';
import { fixed, type LatencySummary, median } from '../src/perf/stats.js';
import { type BrokerProcess, startBrokerProcess } from './perf/broker-process.js';
import { machineBusySeconds } from './perf/cpu-meter.js';
import {
  ADMIN,
  buildCommitGroup,
  type CommitGroup,
  COMMIT_VERSION,
  commitAsFastAsAnswered,
  type CommitResult,
  type CommitTarget,
  type Committer,
  verifyLastCommits,
} from './groups/commit-load.js';
import { benchMember } from './groups/rejoining-member.js';
import { residentBytes } from './groups/process-memory.js';
import { busiestThreads, threadTicks } from './groups/thread-cpu.js';

export type CommitFigures = Record<string, number>;

const VARIANTS = ['admin', 'member'] as const;
type Variant = (typeof VARIANTS)[number];

const TOPIC = 'commits';
const TOPIC_PARTITIONS = 8;
/** The broker default, written out because the bench reports coverage against it. */
const OFFSETS_PARTITIONS = 50;
const MEMBER_SESSION_TIMEOUT_MS = 30_000;

interface CommitSettings {
  variants: ReadonlySet<Variant>;
  groups: number;
  connections: number;
  inFlightPerConnection: number;
  partitionsPerCommit: number;
  reps: number;
  durationMs: number;
  warmupMs: number;
  commitsMax: number;
  /** When set, the broker child runs with --cpu-prof and writes its profiles here. */
  cpuProfDir: string | undefined;
}

function parseSettings(argv: readonly string[]): CommitSettings {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      short: { type: 'boolean' },
      only: { type: 'string' },
      groups: { type: 'string' },
      connections: { type: 'string' },
      'in-flight': { type: 'string' },
      'partitions-per-commit': { type: 'string' },
      reps: { type: 'string' },
      'cpu-prof-dir': { type: 'string' },
    },
    strict: true,
  });
  const short = values.short === true;
  const variants = (values.only?.split(',') ?? [...VARIANTS]).map((name) => {
    if (!(VARIANTS as readonly string[]).includes(name)) throw new Error(`--only: unknown variant "${name}" (${VARIANTS.join(', ')})`);
    return name as Variant;
  });
  const partitionsPerCommit = Number(values['partitions-per-commit'] ?? 4);
  if (partitionsPerCommit > TOPIC_PARTITIONS) throw new Error(`--partitions-per-commit: at most ${TOPIC_PARTITIONS}`);
  return {
    variants: new Set(variants),
    groups: Number(values.groups ?? 200),
    connections: Number(values.connections ?? 4),
    inFlightPerConnection: Number(values['in-flight'] ?? 32),
    partitionsPerCommit,
    reps: Number(values.reps ?? (short ? 1 : 3)),
    durationMs: short ? 1000 : 5000,
    warmupMs: short ? 300 : 1000,
    commitsMax: short ? 200_000 : 2_000_000,
    cpuProfDir: values['cpu-prof-dir'],
  };
}

interface Session {
  broker: BrokerProcess;
  /** Members join over these; the commit load is pipelined on their KafkaConnections. */
  connections: BrokerConnection[];
  /** Setup, and LeaveGroup for the members of a finished rep. */
  client: KafkaClient;
}

interface Rep {
  result: CommitResult;
  checkedOffsets: number;
  brokerCores: number;
  clientCores: number;
  machineCores: number;
  mainThreadCores: number;
  otherThreadCores: number[];
  /** Member variant: joining every group (JoinGroup x2 + SyncGroup each), ms. */
  joinMs: number;
  /** __consumer_offsets partitions the rep's group ids hash to. */
  offsetsPartitions: number;
  /** Broker resident memory before the warm-up and after the timed run. */
  rssBeforeBytes: number;
  rssAfterBytes: number;
}

function target(settings: CommitSettings): CommitTarget {
  return { topic: TOPIC, partitions: Array.from({ length: settings.partitionsPerCommit }, (_, i) => i) };
}

/** A live single member of `groupId` (joined and synced, then idle: its commits keep its session alive). */
async function joinSingleMember(connection: BrokerConnection, groupId: string): Promise<Committer> {
  const member = benchMember(connection, {
    groupId,
    topic: TOPIC,
    topicPartitions: TOPIC_PARTITIONS,
    sessionTimeoutMs: MEMBER_SESSION_TIMEOUT_MS,
    rebalanceTimeoutMs: MEMBER_SESSION_TIMEOUT_MS,
    heartbeatIntervalMs: MEMBER_SESSION_TIMEOUT_MS / 3,
  });
  const joined = await member.join();
  member.stopHeartbeats();
  const assigned = joined.assignment.get(TOPIC) ?? [];
  if (joined.memberCount !== 1 || assigned.length !== TOPIC_PARTITIONS)
    throw new Error(`${groupId}: a single member was assigned ${assigned.length} of ${TOPIC_PARTITIONS} partitions`);
  return { generationId: joined.generationId, memberId: member.memberId };
}

/** Groups of one rep, group g on connection g mod C; members join first in the member variant (connections in parallel). */
async function buildGroups(
  session: Session,
  settings: CommitSettings,
  variant: Variant,
  rep: number,
): Promise<{ groups: CommitGroup[]; committers: Committer[]; joinMs: number; offsetsPartitions: number }> {
  const ids = Array.from({ length: settings.groups }, (_, g) => `commit-${variant}-${rep}-${g}`);
  const connectionOf = (g: number): BrokerConnection => session.connections[g % session.connections.length]!;
  const committers: Committer[] = ids.map(() => ADMIN);
  const startedMs = performance.now();
  if (variant === 'member') {
    await Promise.all(
      session.connections.map(async (_, c) => {
        for (let g = c; g < ids.length; g += session.connections.length) committers[g] = await joinSingleMember(connectionOf(g), ids[g]!);
      }),
    );
  }
  const joinMs = variant === 'member' ? performance.now() - startedMs : NaN;
  const groups = ids.map((id, g) => buildCommitGroup(id, connectionOf(g).connection, target(settings), committers[g]!));
  return { groups, committers, joinMs, offsetsPartitions: new Set(ids.map((id) => offsetsPartitionOf(id, OFFSETS_PARTITIONS))).size };
}

async function commitRep(session: Session, settings: CommitSettings, variant: Variant, rep: number): Promise<Rep> {
  const { groups, committers, joinMs, offsetsPartitions } = await buildGroups(session, settings, variant, rep);
  const load = { inFlightPerConnection: settings.inFlightPerConnection, commitsMax: settings.commitsMax };
  const rssBeforeBytes = residentBytes(session.broker.pid);
  await commitAsFastAsAnswered(groups, { ...load, durationMaxMs: settings.warmupMs });
  const pid = session.broker.pid;
  const [brokerBefore, threadsBefore, clientBefore, machineBefore] = [session.broker.cpuSeconds(), threadTicks(pid), process.cpuUsage(), machineBusySeconds()];
  const result = await commitAsFastAsAnswered(groups, { ...load, durationMaxMs: settings.durationMs });
  const seconds = result.elapsedMs / 1000;
  const client = process.cpuUsage(clientBefore);
  const rest = {
    brokerCores: (session.broker.cpuSeconds() - brokerBefore) / seconds,
    clientCores: (client.user + client.system) / 1e6 / seconds,
    machineCores: (machineBusySeconds() - machineBefore) / seconds,
  };
  const threads = busiestThreads(pid, threadsBefore, threadTicks(pid), rest.brokerCores, 2);
  const rssAfterBytes = residentBytes(pid);
  const checkedOffsets = await verifyLastCommits(session.connections[0]!, groups, target(settings));
  if (variant === 'member') {
    for (let g = 0; g < groups.length; g++) await removeGroupMembers(session.client, groups[g]!.groupId, [committers[g]!.memberId]);
  }
  return {
    result,
    checkedOffsets,
    joinMs,
    offsetsPartitions,
    rssBeforeBytes,
    rssAfterBytes,
    mainThreadCores: threads.main,
    otherThreadCores: threads.others,
    ...rest,
  };
}

function latencyText(l: LatencySummary): string {
  return `p50 ${fixed(l.p50Ms, 2)} ms, p99 ${fixed(l.p99Ms, 2)} ms, p99.9 ${fixed(l.p999Ms, 2)} ms, max ${fixed(l.maxMs, 1)} ms`;
}

function report(settings: CommitSettings, variant: Variant, reps: readonly Rep[], figures: CommitFigures): void {
  const rate = reps.map((r) => r.result.commits / (r.result.elapsedMs / 1000));
  const key = `commit.${variant}`;
  figures[`${key}.commitsPerSecond`] = median(rate);
  figures[`${key}.partitionOffsetsPerSecond`] = median(rate) * settings.partitionsPerCommit;
  figures[`${key}.p50Ms`] = median(reps.map((r) => r.result.latency.p50Ms));
  figures[`${key}.p99Ms`] = median(reps.map((r) => r.result.latency.p99Ms));
  figures[`${key}.brokerCpuUsPerCommit`] = median(reps.map((r) => (r.brokerCores * 1e6) / (r.result.commits / (r.result.elapsedMs / 1000))));
  const latency: LatencySummary = {
    p50Ms: figures[`${key}.p50Ms`]!,
    p99Ms: figures[`${key}.p99Ms`]!,
    p999Ms: median(reps.map((r) => r.result.latency.p999Ms)),
    maxMs: median(reps.map((r) => r.result.latency.maxMs)),
    samples: median(reps.map((r) => r.result.latency.samples)),
  };
  const who =
    variant === 'admin'
      ? 'admin commits (generation -1, no member id) to empty groups'
      : 'commits from the single live member of each group (its generation and member id)';
  console.log(
    `${who}: ${settings.groups} groups (on ${reps.map((r) => r.offsetsPartitions).join(', ')} of the ${OFFSETS_PARTITIONS} __consumer_offsets partitions), ${settings.connections} connections x ${settings.inFlightPerConnection} in flight, OffsetCommit v${COMMIT_VERSION} of ` +
      `${settings.partitionsPerCommit} partitions, ${settings.durationMs / 1000} s per rep after ${settings.warmupMs / 1000} s warm-up, ${reps.length} reps`,
  );
  console.log(
    `  ${variant} commit throughput: median ${fixed(figures[`${key}.commitsPerSecond`]!)} commits/s = ${fixed(figures[`${key}.partitionOffsetsPerSecond`]!)} partition offsets/s ` +
      `(reps commits/s: ${rate.map((v) => fixed(v)).join(', ')})`,
  );
  console.log(
    `  ${variant} commit latency, send -> response, ${settings.inFlightPerConnection} in flight per connection: ${latencyText(latency)} (medians of reps)`,
  );
  console.log(
    `  ${variant} CPU: broker ${fixed(figures[`${key}.brokerCpuUsPerCommit`]!)} CPU µs per commit, busy ${fixed(median(reps.map((r) => r.brokerCores)), 2)} cores (main thread ${fixed(median(reps.map((r) => r.mainThreadCores)), 2)}, ` +
      `busiest other threads ${[0, 1].map((i) => fixed(median(reps.map((r) => r.otherThreadCores[i] ?? 0)), 2)).join(' and ')}), bench client ` +
      `${fixed(median(reps.map((r) => r.clientCores)), 2)}, whole machine ${fixed(median(reps.map((r) => r.machineCores)), 2)} of ${availableParallelism()} cores`,
  );
  console.log(
    `  ${variant} broker resident memory, before warm-up -> after the timed run: ${reps.map((r) => `${fixed(r.rssBeforeBytes / 2 ** 20)} -> ${fixed(r.rssAfterBytes / 2 ** 20)} MiB`).join(', ')}`,
  );
  const joined =
    variant === 'member'
      ? `; ${settings.groups} single-member groups joined (JoinGroup x2 + SyncGroup each, ${settings.connections} connections) in median ${fixed(median(reps.map((r) => r.joinMs)))} ms`
      : '';
  console.log(
    `  checked: OffsetFetch v8 read back the last commit of every group, ${reps.map((r) => r.checkedOffsets).join(', ')} partition offsets per rep${joined}`,
  );
  if (variant === 'member') figures[`${key}.joinAllMs`] = median(reps.map((r) => r.joinMs));
}

export async function main(argv: string[]): Promise<CommitFigures> {
  const settings = parseSettings(argv);
  const figures: CommitFigures = {};
  const nodeArgs = settings.cpuProfDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${settings.cpuProfDir}`];
  const broker = await startBrokerProcess({ partitions: 1, nodeArgs, config: { 'group.initial.rebalance.delay.ms': '0' } });
  const client = new KafkaClient({ bootstrapServers: [broker.address], clientId: 'fjord-bench' });
  const connections: BrokerConnection[] = [];
  try {
    const options = { clientId: LOAD_CLIENT_ID, requestTimeoutMs: MEMBER_SESSION_TIMEOUT_MS, inFlightMax: IN_FLIGHT_LIMIT };
    for (let i = 0; i < settings.connections; i++) connections.push(await BrokerConnection.open(broker.host, broker.port, options));
    const session: Session = { broker, connections, client };
    await createLoadTopic(client, TOPIC, TOPIC_PARTITIONS, 1);
    const createdAt = performance.now();
    await client.coordinator('commit-warm-up');
    figures['offsetsTopicCreateMs'] = performance.now() - createdAt;
    console.log(
      `broker: group.initial.rebalance.delay.ms=0, offsets.topic.num.partitions=${OFFSETS_PARTITIONS} (default); __consumer_offsets created by the first FindCoordinator in ` +
        `${fixed(figures['offsetsTopicCreateMs'], 0)} ms`,
    );
    for (const variant of VARIANTS) {
      if (!settings.variants.has(variant)) continue;
      const reps: Rep[] = [];
      for (let rep = 0; rep < settings.reps; rep++) reps.push(await commitRep(session, settings, variant, rep));
      report(settings, variant, reps, figures);
    }
    if (figures['commit.admin.commitsPerSecond'] !== undefined && figures['commit.member.commitsPerSecond'] !== undefined) {
      console.log(`  member / admin commits/s (medians): ${fixed(figures['commit.member.commitsPerSecond'] / figures['commit.admin.commitsPerSecond'], 2)}`);
    }
  } finally {
    for (const connection of connections) connection.connection.destroy();
    await client.close();
    await broker.stop();
  }
  return figures;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
