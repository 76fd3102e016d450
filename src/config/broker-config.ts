// Loads the broker configuration: a Kafka-style .properties file, then FJORD_* environment variables,
// then --set overrides; every key read through the config tables (broker-config-schema.ts) with a one-line
// error per problem, then the checks across keys, so a bad config never half-starts a broker. Runs on the
// main thread at start-up.
import { resolve } from 'node:path';
import { parseTable, type ValuesOf } from '../shared/config-table.js';
import { type LogConfig, TOPIC_CONFIG_TABLE, TOPIC_ONLY_DEFAULTS } from '../shared/topic-config.js';
import { GROUP_CONFIG_TABLE, WORKER_CONFIG_TABLE, type WorkerSettings } from '../shared/worker-settings.js';
import { BROKER_CONFIG_TABLE, BROKER_KEY_NAMES, CLUSTER_CONFIG_TABLE, HTTP_LISTENER_KEY, METRICS_CONFIG_TABLE } from './broker-config-schema.js';
import { etcdTlsProblems } from '../cluster/etcd-tls.js';
import { ConfigError } from './config-error.js';
import { listenerProblems } from './listener-config.js';

export { ConfigError } from './config-error.js';
export { parseProperties, readPropertiesFile } from './properties-file.js';
export type { ListenerAddress, NamedListener, SecurityProtocol } from './listener-config.js';

/**
 * The broker's settings, typed from the tables: the broker keys by field name, the worker settings (intervals
 * and the group coordinators'), the /metrics bounds, the topic defaults, and every key's effective value.
 */
export type BrokerConfig = ValuesOf<typeof BROKER_CONFIG_TABLE> &
  WorkerSettings & {
    metrics: ValuesOf<typeof METRICS_CONFIG_TABLE>;
    /** etcd membership (fjord.etcd.endpoints empty: standalone), rack and lease TTL. */
    cluster: ValuesOf<typeof CLUSTER_CONFIG_TABLE>;
    /** Topic defaults from the log.* keys (and message.max.bytes, min.insync.replicas). */
    defaultLogConfig: LogConfig;
    /** Every broker key with its effective value as a config string (units converted, "never" as Long.MAX), for display. */
    effective: Record<string, string>;
    /** The names given (file, environment, --set; a key or one of its older names) with their values as given: Kafka's STATIC_BROKER_CONFIG. */
    given: Record<string, string>;
  };

export type LogFormat = BrokerConfig['logFormat'];

/** A standalone broker (no cluster configured) is the only replica of every partition. */
export const STANDALONE_REPLICAS = 1;

/** The longest timer Node accepts (2^31 - 1 ms, about 24.8 days): the cleaner's interval when it is disabled. */
export const CLEANER_OFF_MS = 2 ** 31 - 1;

/** FJORD_LOG_DIRS=… → log.dirs; FJORD_FJORD_WORKERS → fjord.workers (dots become underscores, upper case). */
export function environmentOverrides(env: NodeJS.ProcessEnv): Map<string, string> {
  const byEnvName = new Map<string, string>();
  for (const names of BROKER_KEY_NAMES.values()) for (const name of names) byEnvName.set(`FJORD_${name.toUpperCase().replace(/[.-]/g, '_')}`, name);
  const overrides = new Map<string, string>();
  for (const [name, value] of Object.entries(env)) {
    const key = byEnvName.get(name);
    if (key !== undefined && value !== undefined) overrides.set(key, value);
  }
  return overrides;
}

/** Merges sources in order (later wins) and validates. Throws ConfigError listing every problem. */
export function resolveBrokerConfig(...sources: Array<Map<string, string>>): BrokerConfig {
  const merged = new Map<string, string>();
  for (const source of sources) for (const [key, value] of source) merged.set(key, value);
  const known = new Set([...BROKER_KEY_NAMES.values()].flat());
  const problems = [...merged.keys()]
    .filter((key) => !known.has(key))
    .map((key) => `unknown config key "${key}" (see docs/configuration.md for the keys Fjord reads)`);
  const effective: Record<string, string> = {};
  const broker = parseTable(BROKER_CONFIG_TABLE, merged, problems, effective);
  const defaultLogConfig = parseTable(TOPIC_CONFIG_TABLE, merged, problems, effective);
  const worker = parseTable(WORKER_CONFIG_TABLE, merged, problems, effective);
  const groups = parseTable(GROUP_CONFIG_TABLE, merged, problems, effective);
  const metrics = parseTable(METRICS_CONFIG_TABLE, merged, problems, effective);
  const cluster = parseTable(CLUSTER_CONFIG_TABLE, merged, problems, effective);
  const config: BrokerConfig = {
    ...broker,
    ...worker,
    cleanerBackoffMs: broker.cleanerEnable ? worker.cleanerBackoffMs : CLEANER_OFF_MS,
    // The largest group metadata record is a record of __consumer_offsets, bounded as any batch. In a cluster a
    // coordinator runs only where its partition is led.
    groups: { ...groups, maxGroupMetadataBytes: defaultLogConfig.maxMessageBytes, coordinateOnOpen: (cluster.etcdEndpoints ?? []).length === 0 },
    metrics,
    cluster,
    defaultLogConfig: { ...defaultLogConfig, ...TOPIC_ONLY_DEFAULTS },
    effective,
    given: Object.fromEntries([...merged].map(([name, value]) => [name, value.trim()])),
  };
  if (problems.length === 0) checkContradictions(config, problems);
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

function checkContradictions(c: BrokerConfig, problems: string[]): void {
  if (c.groups.minSessionTimeoutMs > c.groups.maxSessionTimeoutMs) {
    problems.push(
      `group.min.session.timeout.ms (${c.groups.minSessionTimeoutMs}) must not exceed group.max.session.timeout.ms (${c.groups.maxSessionTimeoutMs})`,
    );
  }
  if ((c.ringBytes & (c.ringBytes - 1)) !== 0) problems.push(`fjord.ring.bytes must be a power of two, got ${c.ringBytes}`);
  const maxMessageBytes = c.defaultLogConfig.maxMessageBytes;
  if (c.ringBytes < 4 * maxMessageBytes) {
    problems.push(`fjord.ring.bytes (${c.ringBytes}) must be at least 4 x message.max.bytes (${maxMessageBytes}) so any batch fits the data path`);
  }
  checkReplication(c, problems);
  problems.push(...etcdTlsProblems(c.cluster.etcdEndpoints, c.cluster));
  checkResponseMemory(c, problems);
  checkAddresses(c, problems);
  const dirs = c.logDirs.map((dir) => resolve(dir));
  const repeated = dirs.filter((dir, i) => dirs.indexOf(dir) !== i);
  if (repeated.length > 0) problems.push(`log.dirs names ${[...new Set(repeated)].join(', ')} more than once; each dir must be listed once`);
}

/**
 * Replication keys: min.insync.replicas within the replication factor; a standalone broker holds the only replica
 * of every partition (in a cluster, a factor above the live brokers is refused per topic, as Kafka does).
 */
function checkReplication(c: BrokerConfig, problems: string[]): void {
  const [minInsync, factor] = [c.defaultLogConfig.minInsyncReplicas, c.defaultReplicationFactor];
  if (minInsync > factor) {
    problems.push(`min.insync.replicas (${minInsync}) must not exceed default.replication.factor (${factor}): acks=all produces could never succeed`);
  }
  if (c.cluster.etcdEndpoints.length > 0) return;
  const factors: Array<[string, number]> = [
    ['default.replication.factor', c.defaultReplicationFactor],
    ['offsets.topic.replication.factor', c.offsetsTopicReplicationFactor],
  ];
  for (const [key, factor] of factors) {
    if (factor > STANDALONE_REPLICAS)
      problems.push(`${key} must be ${STANDALONE_REPLICAS} on a standalone broker (it holds the only replica of every partition), got ${factor}`);
  }
  if (minInsync <= factor && minInsync > STANDALONE_REPLICAS) {
    problems.push(`min.insync.replicas (${minInsync}) must be ${STANDALONE_REPLICAS} on a standalone broker: acks=all produces could never succeed`);
  }
}

/** One connection's share fits the broker-wide budget, and so does the largest batch a fetch may have to send whole. */
function checkResponseMemory(c: BrokerConfig, problems: string[]): void {
  const shares: Array<[string, number]> = [
    ['fjord.connection.unsent.bytes.max', c.connectionUnsentBytesMax],
    ['message.max.bytes', c.defaultLogConfig.maxMessageBytes],
  ];
  for (const [key, bytes] of shares) {
    if (bytes > c.responseMemoryBytesMax) problems.push(`${key} (${bytes}) must not exceed fjord.response.memory.bytes.max (${c.responseMemoryBytesMax})`);
  }
}

function checkAddresses(c: BrokerConfig, problems: string[]): void {
  problems.push(
    ...listenerProblems({
      listeners: c.listeners,
      advertisedListeners: c.advertisedListeners,
      listenerProtocols: c.listenerProtocols,
      sslKeystoreLocation: c.sslKeystoreLocation,
      sslTruststoreLocation: c.sslTruststoreLocation,
      replicationSecurityProtocol: c.replicationSecurityProtocol,
      inCluster: c.cluster.etcdEndpoints.length > 0,
      httpListener: c.httpListener,
      httpListenerKey: HTTP_LISTENER_KEY,
    }),
  );
}
