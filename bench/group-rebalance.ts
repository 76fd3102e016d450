// Consumer-group rebalance time against a Fjord broker child process: N members of Fjord's client (src/client
// GroupMember, one connection each, JoinGroup + SyncGroup at the negotiated versions, the leader computing a
// range assignment of a 60-partition topic) join a new group at once; then one more member joins the Stable
// group, which the others hear of by heartbeat.
// Optionally N KafkaJS consumers, and (full mode) the broker's default group.initial.rebalance.delay.ms.
// Runs on the bench's main thread; the broker is a child process.
// `node dist/bench/group-rebalance.js [--short] [--only raw,kafkajs,default-delay] [--members N] [--rounds N] [--heartbeat-ms N]`
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { BrokerConnection } from '../src/client/broker-connection.js';
import { removeGroupMembers } from '../src/client/group-admin.js';
import { KafkaClient } from '../src/client/kafka-client.js';
import { createLoadTopic } from '../src/perf/load-topic.js';
import { fixed, LatencyRecorder, median } from '../src/perf/stats.js';
import { type BrokerProcess, startBrokerProcess } from './perf/broker-process.js';
import { kafkajsJoin } from './groups/kafkajs-group.js';
import { AssignmentWatch, type ErrorCounts, type MemberSettings, RejoiningMember, type Settled } from './groups/rejoining-member.js';

export type RebalanceFigures = Record<string, number>;

const SECTIONS = ['raw', 'kafkajs', 'default-delay'] as const;
type Section = (typeof SECTIONS)[number];

const TOPIC = 'rebalance';
const TOPIC_PARTITIONS = 60;
const SESSION_TIMEOUT_MS = 10_000;
const REBALANCE_TIMEOUT_MS = 10_000;
/** A round that has not settled by then is a broker (or bench) bug. */
const SETTLE_TIMEOUT_MS = 30_000;
/**
 * Heartbeats run at least this long between the group settling and the extra member joining. The members
 * synced together, so their heartbeats are in phase: round r adds a fraction of the interval (r x golden
 * ratio mod 1) so that the rounds sample the whole heartbeat phase evenly, as a member arriving at a random
 * moment would.
 */
const STABLE_PAUSE_MS = 150;
const PHASE_STEP = 0.618_034;
/** Kafka's default, used by the default-delay section. */
const DEFAULT_INITIAL_DELAY_MS = 3000;

interface RebalanceSettings {
  sections: ReadonlySet<Section>;
  members: number;
  rounds: number;
  heartbeatIntervalMs: number;
  kafkajsRounds: number;
  defaultDelayRounds: number;
}

function parseSettings(argv: readonly string[]): RebalanceSettings {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      short: { type: 'boolean' },
      only: { type: 'string' },
      members: { type: 'string' },
      rounds: { type: 'string' },
      'heartbeat-ms': { type: 'string' },
    },
    strict: true,
  });
  const short = values.short === true;
  const sections = (values.only?.split(',') ?? (short ? ['raw', 'kafkajs'] : [...SECTIONS])).map((name) => {
    if (!(SECTIONS as readonly string[]).includes(name)) throw new Error(`--only: unknown section "${name}" (${SECTIONS.join(', ')})`);
    return name as Section;
  });
  return {
    sections: new Set(sections),
    members: Number(values.members ?? 10),
    rounds: Number(values.rounds ?? (short ? 8 : 50)),
    heartbeatIntervalMs: Number(values['heartbeat-ms'] ?? 50),
    kafkajsRounds: short ? 1 : 5,
    defaultDelayRounds: 2,
  };
}

interface Session {
  broker: BrokerProcess;
  /** members + 1 connections: one per member, the last for the member that joins a Stable group. */
  connections: BrokerConnection[];
  /** Setup and LeaveGroup for the members of a finished round. */
  client: KafkaClient;
}

async function withSession<T>(members: number, config: Record<string, string>, run: (session: Session) => Promise<T>): Promise<T> {
  const broker = await startBrokerProcess({ partitions: 1, config });
  const client = new KafkaClient({ bootstrapServers: [broker.address], clientId: 'fjord-bench' });
  const connections: BrokerConnection[] = [];
  try {
    for (let i = 0; i <= members; i++)
      connections.push(await BrokerConnection.open(broker.host, broker.port, { clientId: 'fjord-bench', requestTimeoutMs: SETTLE_TIMEOUT_MS }));
    await createLoadTopic(client, TOPIC, TOPIC_PARTITIONS, 1);
    // The first group request creates __consumer_offsets (50 partitions): outside every timed window.
    await client.coordinator('warm-up');
    return await run({ broker, connections, client });
  } finally {
    for (const connection of connections) await connection.close();
    await client.close();
    await broker.stop();
  }
}

/** The watch settling, or the first member failing, or the timeout. */
async function settle(watch: AssignmentWatch, loops: ReadonlyArray<Promise<void>>, what: string): Promise<Settled> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not settled after ${SETTLE_TIMEOUT_MS} ms`)), SETTLE_TIMEOUT_MS);
  });
  const stopped = loops.map((loop) => loop.then(() => Promise.reject(new Error(`${what}: a member stopped early`))));
  try {
    return await Promise.race([watch.settled, timeout, ...stopped]);
  } finally {
    clearTimeout(timer);
  }
}

interface Round {
  /** First JoinGroup sent → every member holds its SyncGroup assignment. */
  joinMs: number;
  /** Generation the group settled in (1 = no repeated rebalance). */
  joinGenerations: number;
  /** The extra member's first JoinGroup → all N + 1 hold their assignments (NaN when not measured). */
  addMs: number;
  /** …of which until the last existing member heard REBALANCE_IN_PROGRESS on a heartbeat. */
  addHeardMs: number;
  /** Generations the extra member's join took (1 = one rebalance). */
  addGenerations: number;
  errors: ErrorCounts;
}

function memberSettings(groupId: string, heartbeatIntervalMs: number): MemberSettings {
  return {
    groupId,
    topic: TOPIC,
    topicPartitions: TOPIC_PARTITIONS,
    sessionTimeoutMs: SESSION_TIMEOUT_MS,
    rebalanceTimeoutMs: REBALANCE_TIMEOUT_MS,
    heartbeatIntervalMs,
  };
}

/** One round on a fresh group id: N members join at once; then (withExtraMember) one more joins; then all leave. */
async function round(session: Session, settings: RebalanceSettings, groupId: string, index: number, withExtraMember: boolean): Promise<Round> {
  const perMember = memberSettings(groupId, settings.heartbeatIntervalMs);
  const members = session.connections.slice(0, settings.members).map((c) => new RejoiningMember(c, perMember));
  const joinWatch = new AssignmentWatch(settings.members, TOPIC_PARTITIONS);
  members.forEach((m) => {
    m.listener = joinWatch;
  });
  const startedMs = performance.now();
  const loops = members.map((m) => m.start());
  const joined = await settle(joinWatch, loops, `${groupId}: ${settings.members} members joining`);
  const result: Round = {
    joinMs: joined.atMs - startedMs,
    joinGenerations: joined.generationId,
    addMs: NaN,
    addHeardMs: NaN,
    addGenerations: NaN,
    errors: new Map(),
  };
  if (withExtraMember) {
    await sleep(STABLE_PAUSE_MS + ((index * PHASE_STEP) % 1) * settings.heartbeatIntervalMs);
    members.push(new RejoiningMember(session.connections[settings.members]!, perMember));
    const addWatch = new AssignmentWatch(members.length, TOPIC_PARTITIONS);
    members.forEach((m) => {
      m.listener = addWatch;
    });
    const addStartedMs = performance.now();
    loops.push(members.at(-1)!.start());
    const added = await settle(addWatch, loops, `${groupId}: member ${members.length} joining`);
    result.addMs = added.atMs - addStartedMs;
    result.addHeardMs = addWatch.heard.size === 0 ? NaN : Math.max(...addWatch.heard.values()) - addStartedMs;
    result.addGenerations = added.generationId - joined.generationId;
  }
  for (const m of members) await m.stop();
  await removeGroupMembers(
    session.client,
    groupId,
    members.map((m) => m.memberId),
  );
  for (const m of members) for (const [key, n] of m.errors) result.errors.set(key, (result.errors.get(key) ?? 0) + n);
  return result;
}

function percentile(values: readonly number[], q: number): number {
  const recorder = new LatencyRecorder(values.length);
  values.forEach((v) => {
    recorder.record(v);
  });
  return recorder.percentiles([q])[0]!;
}

function spread(values: readonly number[]): string {
  return `p50 ${fixed(percentile(values, 0.5), 1)} ms, p99 ${fixed(percentile(values, 0.99), 1)} ms, min ${fixed(Math.min(...values), 1)} ms, max ${fixed(Math.max(...values), 1)} ms`;
}

function errorsText(rounds: readonly Round[]): string {
  const total = new Map<string, number>();
  for (const r of rounds) for (const [key, n] of r.errors) total.set(key, (total.get(key) ?? 0) + n);
  return total.size === 0 ? 'none' : [...total].map(([key, n]) => `${key} x${n}`).join(', ');
}

async function rawSection(session: Session, settings: RebalanceSettings, figures: RebalanceFigures): Promise<void> {
  await round(session, settings, 'rebalance-warm-up', 0, true);
  const rounds: Round[] = [];
  for (let r = 0; r < settings.rounds; r++) rounds.push(await round(session, settings, `rebalance-${r}`, r + 1, true));
  const n = settings.members;
  const join = rounds.map((r) => r.joinMs);
  const add = rounds.map((r) => r.addMs);
  const heard = rounds.map((r) => r.addHeardMs);
  const afterHeard = rounds.map((r) => r.addMs - r.addHeardMs);
  Object.assign(figures, {
    'join.p50Ms': percentile(join, 0.5),
    'join.p99Ms': percentile(join, 0.99),
    'join.minMs': Math.min(...join),
    'add.p50Ms': percentile(add, 0.5),
    'add.p99Ms': percentile(add, 0.99),
    'add.minMs': Math.min(...add),
    'add.heardP50Ms': percentile(heard, 0.5),
    'add.afterHeardP50Ms': percentile(afterHeard, 0.5),
  });
  console.log(
    `raw protocol members, group.initial.rebalance.delay.ms=0: ${n} members (one connection each, JoinGroup v${session.connections[0]!.version(11)} + SyncGroup v${session.connections[0]!.version(14)}, range over ${TOPIC_PARTITIONS} partitions), ` +
      `heartbeat every ${settings.heartbeatIntervalMs} ms, ${rounds.length} rounds (fresh group each) after 1 warm-up round`,
  );
  console.log(
    `  ${n} members join a new group, first JoinGroup -> all assigned: ${spread(join)} (generations per round: median ${median(rounds.map((r) => r.joinGenerations))}, max ${Math.max(...rounds.map((r) => r.joinGenerations))})`,
  );
  console.log(
    `  member ${n + 1} joins the Stable group, its first JoinGroup -> all ${n + 1} assigned: ${spread(add)} (rebalances per round: max ${Math.max(...rounds.map((r) => r.addGenerations))})`,
  );
  console.log(
    `    of which until the last of the ${n} heard REBALANCE_IN_PROGRESS on a heartbeat: p50 ${fixed(percentile(heard, 0.5), 1)} ms; after that (rejoin + sync): p50 ${fixed(percentile(afterHeard, 0.5), 1)} ms, max ${fixed(Math.max(...afterHeard), 1)} ms`,
  );
  console.log(`  error answers the members handled over all rounds: ${errorsText(rounds)}`);
  console.log(`  join reps (ms): ${join.map((v) => fixed(v, 1)).join(', ')}`);
  console.log(`  add reps (ms): ${add.map((v) => fixed(v, 1)).join(', ')}`);
}

async function defaultDelaySection(settings: RebalanceSettings, figures: RebalanceFigures): Promise<void> {
  const rounds = await withSession(settings.members, {}, async (session) => {
    const results: Round[] = [];
    for (let r = 0; r < settings.defaultDelayRounds; r++) results.push(await round(session, settings, `rebalance-default-delay-${r}`, r, false));
    return results;
  });
  const join = rounds.map((r) => r.joinMs);
  figures['join.defaultDelayMs'] = median(join);
  console.log(
    `raw protocol members, default group.initial.rebalance.delay.ms=${DEFAULT_INITIAL_DELAY_MS}: ${settings.members} members join a new group: ` +
      `${join.map((v) => fixed(v, 0)).join(', ')} ms over ${rounds.length} rounds (generations: ${rounds.map((r) => r.joinGenerations).join(', ')}; errors: ${errorsText(rounds)})`,
  );
}

async function kafkajsSection(session: Session, settings: RebalanceSettings, figures: RebalanceFigures): Promise<void> {
  const heartbeatIntervalMs = settings.heartbeatIntervalMs;
  const maxWaitTimeMs = 100;
  const results = [];
  for (let r = 0; r < settings.kafkajsRounds; r++) {
    results.push(
      await kafkajsJoin({
        address: session.broker.address,
        groupId: `kafkajs-${r}`,
        topic: TOPIC,
        topicPartitions: TOPIC_PARTITIONS,
        members: settings.members,
        heartbeatIntervalMs,
        maxWaitTimeMs,
        sessionTimeoutMs: SESSION_TIMEOUT_MS,
        rebalanceTimeoutMs: REBALANCE_TIMEOUT_MS,
        timeoutMs: SETTLE_TIMEOUT_MS,
      }),
    );
  }
  figures['kafkajs.joinMs'] = median(results.map((r) => r.joinMs));
  console.log(
    `KafkaJS 2.2.4 consumers, group.initial.rebalance.delay.ms=0: ${settings.members} consumers (heartbeatInterval ${heartbeatIntervalMs} ms, maxWaitTimeInMs ${maxWaitTimeMs}) ` +
      `connected and subscribed, run() -> every latest GROUP_JOIN tiles the ${TOPIC_PARTITIONS} partitions: median ${fixed(figures['kafkajs.joinMs']!, 0)} ms ` +
      `(reps: ${results.map((r) => fixed(r.joinMs, 0)).join(', ')} ms; GROUP_JOIN events per round: ${results.map((r) => r.groupJoins).join(', ')})`,
  );
}

export async function main(argv: string[]): Promise<RebalanceFigures> {
  const settings = parseSettings(argv);
  const figures: RebalanceFigures = {};
  if (settings.sections.has('raw') || settings.sections.has('kafkajs')) {
    await withSession(settings.members, { 'group.initial.rebalance.delay.ms': '0' }, async (session) => {
      if (settings.sections.has('raw')) await rawSection(session, settings, figures);
      if (settings.sections.has('kafkajs')) await kafkajsSection(session, settings, figures);
    });
  }
  if (settings.sections.has('default-delay')) await defaultDelaySection(settings, figures);
  return figures;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
