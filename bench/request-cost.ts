// The broker's fixed cost per request, by request type: small requests (ApiVersions, Metadata of one topic, a
// one-record Produce, a Fetch answering one small batch, a Fetch answering nothing, ListOffsets) sent as fast as
// answered over a few pipelined connections to a broker child process; broker CPU microseconds per request from
// /proc/<pid>/stat (all threads) and requests per second. With --before an earlier build's broker is measured
// interleaved, rep by rep, for ratios from one run. With --profile each type also runs once against a broker
// started with --cpu-prof, and its main thread's profile is split by what the time went to (bench/perf/
// profile-split.ts). Runs on the bench's main thread; brokers are child processes.
// `node dist/bench/request-cost.js [--short] [--reps N] [--seconds S] [--only type,...] [--before <build>/dist/src/main.js] [--profile]`
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { KafkaClient } from '../src/client/kafka-client.js';
import { type KafkaConnection, toTemplate, type RequestTemplate } from '../src/client/kafka-connection.js';
import { runClosedLoop } from '../src/perf/closed-loop.js';
import { closeLoadConnections, LOAD_CLIENT_ID, openLoadConnections } from '../src/perf/load-connections.js';
import { createLoadTopic, endOffsets } from '../src/perf/load-topic.js';
import { buildProducePool, produceAsFastAsAnswered } from '../src/perf/produce-load.js';
import { fixed, median } from '../src/perf/stats.js';
import { decodeResponse, encodeRequest } from '../src/protocol/api-registry.js';
import { errorName } from '../src/shared/kafka-error-codes.js';
import { type BrokerProcess, startBrokerProcess } from './perf/broker-process.js';
import { formatSplit, mainThreadProfile, splitProfile, type ProfileSplit } from './perf/profile-split.js';

const CONNECTIONS = 4;
const IN_FLIGHT = 16;
const PARTITIONS = 6;
const RECORD_BYTES = 100;
/** Batches of one record per partition loaded before the fetches (the fetched one is always the first). */
const FETCH_LOAD_BYTES = 2_000_000;
const PRODUCE_TOPIC = 'cost-produce';
const FETCH_TOPIC = 'cost-fetch';
/** More than a batch of one RECORD_BYTES record (about 170 B), less than two. */
const ONE_BATCH_BYTES = 250;

interface RequestType {
  name: string;
  /** One request per partition (sent round robin), encoded once. */
  templates: (fetchLogEnd: readonly number[]) => RequestTemplate[];
  /** Throws on an error in the answer. */
  check: (frame: Buffer) => void;
}

const perPartition = (encode: (partition: number) => Buffer): RequestTemplate[] => Array.from({ length: PARTITIONS }, (_, p) => toTemplate(encode(p)));

function fetchRequest(partition: number, fetchOffset: number): Buffer {
  return encodeRequest(1, 12, 0, LOAD_CLIENT_ID, {
    replicaId: -1,
    maxWaitMs: 0,
    minBytes: 0,
    maxBytes: 1024 * 1024,
    isolationLevel: 0,
    sessionId: 0,
    sessionEpoch: -1,
    // Room for one batch of one record and no more.
    topics: [{ topic: FETCH_TOPIC, partitions: [{ partition, fetchOffset, partitionMaxBytes: ONE_BATCH_BYTES }] }],
    forgottenTopicsData: [],
    rackId: '',
  });
}

function checkFetch(frame: Buffer, wantRecords: boolean): void {
  const { body } = decodeResponse(1, 12, frame);
  if (body.errorCode !== 0) throw new Error(`fetch: ${errorName(body.errorCode)}`);
  for (const topic of body.responses)
    for (const p of topic.partitions) {
      if (p.errorCode !== 0) throw new Error(`fetch ${topic.topic}-${p.partitionIndex}: ${errorName(p.errorCode)}`);
      const bytes = p.records?.length ?? 0;
      if (wantRecords !== bytes > 0) throw new Error(`fetch ${topic.topic}-${p.partitionIndex}: ${bytes} record bytes`);
    }
}

const TYPES: readonly RequestType[] = [
  {
    name: 'ApiVersions v3',
    templates: () => [toTemplate(encodeRequest(18, 3, 0, LOAD_CLIENT_ID, { clientSoftwareName: 'fjord-bench', clientSoftwareVersion: '1' }))],
    check: (frame) => {
      const { body } = decodeResponse(18, 3, frame);
      if (body.errorCode !== 0) throw new Error(`ApiVersions: ${errorName(body.errorCode)}`);
    },
  },
  {
    name: 'Metadata v12, one topic',
    templates: () => [
      toTemplate(
        encodeRequest(3, 12, 0, LOAD_CLIENT_ID, {
          topics: [{ topicId: 'AAAAAAAAAAAAAAAAAAAAAA', name: FETCH_TOPIC }],
          allowAutoTopicCreation: false,
          includeTopicAuthorizedOperations: false,
        }),
      ),
    ],
    check: (frame) => {
      const { body } = decodeResponse(3, 12, frame);
      for (const t of body.topics) if (t.errorCode !== 0) throw new Error(`Metadata ${t.name}: ${errorName(t.errorCode)}`);
    },
  },
  {
    name: `Produce v7 acks=1, one ${RECORD_BYTES} B record`,
    templates: () => buildProducePool(PRODUCE_TOPIC, PARTITIONS, RECORD_BYTES, 200).templates.map((variants) => variants[0]!),
    check: (frame) => {
      const { body } = decodeResponse(0, 7, frame);
      for (const t of body.responses)
        for (const p of t.partitionResponses) if (p.errorCode !== 0) throw new Error(`produce ${t.name}-${p.index}: ${errorName(p.errorCode)}`);
    },
  },
  {
    name: 'Fetch v12, one partition, one batch',
    templates: () => perPartition((p) => fetchRequest(p, 0)),
    check: (frame) => checkFetch(frame, true),
  },
  {
    name: 'Fetch v12, one partition, nothing new',
    templates: (logEnd) => perPartition((p) => fetchRequest(p, logEnd[p]!)),
    check: (frame) => checkFetch(frame, false),
  },
  {
    name: 'ListOffsets v7, one partition, latest',
    templates: () =>
      perPartition((p) =>
        encodeRequest(2, 7, 0, LOAD_CLIENT_ID, {
          replicaId: -1,
          isolationLevel: 0,
          topics: [{ name: FETCH_TOPIC, partitions: [{ partitionIndex: p, currentLeaderEpoch: -1, timestamp: -1 }] }],
        }),
      ),
    check: (frame) => {
      const { body } = decodeResponse(2, 7, frame);
      for (const t of body.topics)
        for (const p of t.partitions) if (p.errorCode !== 0) throw new Error(`ListOffsets ${t.name}-${p.partitionIndex}: ${errorName(p.errorCode)}`);
    },
  },
];

interface Settings {
  reps: number;
  seconds: number;
  types: readonly RequestType[];
  before: string | undefined;
  profile: boolean;
}

function parseSettings(argv: readonly string[]): Settings {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      short: { type: 'boolean' },
      reps: { type: 'string' },
      seconds: { type: 'string' },
      only: { type: 'string' },
      before: { type: 'string' },
      profile: { type: 'boolean' },
    },
    strict: true,
  });
  const short = values.short === true;
  const only = values.only?.split(',');
  const types = only === undefined ? TYPES : TYPES.filter((t) => only.some((o) => t.name.toLowerCase().startsWith(o.toLowerCase())));
  if (types.length === 0) throw new Error(`--only: no request type starts with ${only!.join(' or ')} (${TYPES.map((t) => t.name).join('; ')})`);
  return {
    reps: Number(values.reps ?? (short ? 1 : 3)),
    seconds: Number(values.seconds ?? (short ? 0.5 : 3)),
    types,
    before: values.before,
    profile: values.profile === true,
  };
}

interface Target {
  name: string;
  broker: BrokerProcess;
  connections: KafkaConnection[];
  /** Log end offset of each partition of the fetch topic. */
  fetchLogEnd: number[];
}

/** The two topics, the fetch topic loaded with one-record batches; connections for the load. */
async function prepare(name: string, broker: BrokerProcess): Promise<Target> {
  const client = new KafkaClient({ bootstrapServers: [broker.address], clientId: 'fjord-bench' });
  const connections = await openLoadConnections(broker.host, broker.port, CONNECTIONS);
  try {
    await createLoadTopic(client, PRODUCE_TOPIC, PARTITIONS, 1);
    await createLoadTopic(client, FETCH_TOPIC, PARTITIONS, 1);
    const pool = buildProducePool(FETCH_TOPIC, PARTITIONS, RECORD_BYTES, 200);
    await produceAsFastAsAnswered(connections, pool, { inFlightPerConnection: IN_FLIGHT, payloadBytesMax: FETCH_LOAD_BYTES, durationMaxMs: 30_000 });
    const fetchLogEnd = await endOffsets(client, FETCH_TOPIC, PARTITIONS);
    return { name, broker, connections, fetchLogEnd };
  } catch (error) {
    closeLoadConnections(connections);
    throw error;
  } finally {
    await client.close();
  }
}

interface Measure {
  cpuMicrosPerRequest: number;
  requestsPerSecond: number;
  requests: number;
  /** The run's bounds on the monotonic clock, in µs (the clock V8's CPU profiles stamp samples with on Linux). */
  startMicros: number;
  endMicros: number;
}

const monotonicMicros = (): number => Number(process.hrtime.bigint() / 1000n);

async function measure(target: Target, type: RequestType, seconds: number): Promise<Measure> {
  const templates = type.templates(target.fetchLogEnd);
  let sequence = 0;
  const startMicros = monotonicMicros();
  const cpuBefore = target.broker.cpuSeconds();
  const result = await runClosedLoop(
    target.connections,
    (connection, onResponse) => connection.send(templates[sequence++ % templates.length]!, onResponse),
    type.check,
    { requestsMax: Number.MAX_SAFE_INTEGER, durationMaxMs: seconds * 1000, inFlightPerConnection: IN_FLIGHT },
  );
  const cpu = target.broker.cpuSeconds() - cpuBefore;
  return {
    cpuMicrosPerRequest: (cpu * 1e6) / result.requests,
    requestsPerSecond: result.requests / (result.elapsedMs / 1000),
    requests: result.requests,
    startMicros,
    endMicros: monotonicMicros(),
  };
}

function report(type: RequestType, targets: readonly Target[], runs: Map<string, Measure[]>): void {
  console.log(`  ${type.name}:`);
  for (const target of targets) {
    const r = runs.get(target.name)!;
    console.log(
      `    ${target.name}: ${fixed(median(r.map((m) => m.cpuMicrosPerRequest)), 1)} µs of broker CPU per request ` +
        `(reps ${r.map((m) => fixed(m.cpuMicrosPerRequest, 1)).join(', ')}), ${fixed(median(r.map((m) => m.requestsPerSecond)))} requests/s`,
    );
  }
  if (targets.length === 2) {
    const [after, before] = targets.map((t) => median(runs.get(t.name)!.map((m) => m.cpuMicrosPerRequest)));
    console.log(`    this build / before: CPU per request x${fixed(after! / before!, 2)}`);
  }
}

/** One run of `type` against a fresh broker with --cpu-prof; its main thread's profile split by category. */
async function profileOf(type: RequestType, seconds: number): Promise<{ split: ProfileSplit; requests: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'fjord-request-cost-prof-'));
  try {
    const broker = await startBrokerProcess({
      partitions: 1,
      nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${dir}`],
      config: { 'fjord.http.listener': 'http://127.0.0.1:0' },
    });
    let target: Target | undefined;
    let measured: Measure | undefined;
    try {
      target = await prepare('profiled', broker);
      measured = await measure(target, type, seconds);
    } finally {
      if (target !== undefined) closeLoadConnections(target.connections);
      await broker.stop();
    }
    if (measured === undefined) throw new Error('profile run did not measure');
    // The profile spans the whole broker life (start-up and loading too): only the measured samples count.
    return { split: splitProfile(mainThreadProfile(dir), measured.startMicros, measured.endMicros), requests: measured.requests };
  } finally {
    if (process.env.FJORD_BENCH_KEEP_PROFILE === undefined) rmSync(dir, { recursive: true, force: true });
    else console.log(`  (profile kept in ${dir})`);
  }
}

export async function main(argv: string[]): Promise<void> {
  const settings = parseSettings(argv);
  const targets: Target[] = [];
  try {
    const config = { 'fjord.http.listener': 'http://127.0.0.1:0' };
    targets.push(await prepare('this build', await startBrokerProcess({ partitions: 1, config })));
    if (settings.before !== undefined) targets.push(await prepare('before', await startBrokerProcess({ partitions: 1, config, brokerMain: settings.before })));
    console.log(
      `request cost: ${CONNECTIONS} connections x ${IN_FLIGHT} in flight, each type sent as fast as answered for ${settings.seconds} s per run, ` +
        `${settings.reps} reps${targets.length === 2 ? ', this build and the one before interleaved' : ''}; broker CPU (all threads) per request`,
    );
    for (const type of settings.types) {
      const runs = new Map(targets.map((t) => [t.name, [] as Measure[]]));
      for (let rep = 0; rep < settings.reps; rep++) for (const target of targets) runs.get(target.name)!.push(await measure(target, type, settings.seconds));
      report(type, targets, runs);
    }
  } finally {
    for (const target of targets) {
      closeLoadConnections(target.connections);
      await target.broker.stop();
    }
  }
  if (settings.profile) {
    console.log("main thread's CPU per request by what it went to (--cpu-prof of a broker per type, this build):");
    for (const type of settings.types) {
      const { split, requests } = await profileOf(type, settings.seconds);
      console.log(`  ${type.name}: ${formatSplit(split, requests)}`);
    }
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
