// Loads the broker configuration: a Kafka-style .properties file, then FJORD_* environment variables,
// then --set overrides; every key checked against the schema with a one-line error per problem, so a
// bad config never half-starts a broker. Runs on the main thread at start-up.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { DEFAULT_LOG_CONFIG, KAFKA_LONG_MAX, type LogConfig, NEVER, parseDouble, type TimestampType, type CleanupPolicy } from '../shared/topic-config.js';
import type { GroupSettings } from '../shared/group-protocol.js';
import { ALIAS_UNIT_MS, BROKER_CONFIG_SCHEMA, type ConfigKeySpec } from './broker-config-schema.js';

export interface BrokerConfig {
  nodeId: number;
  listener: { host: string; port: number };
  /** null: advertise the bound address. */
  advertisedListener: { host: string; port: number } | null;
  /** The admin HTTP listener (/metrics, /health, /ready); null: off. */
  httpListener: ListenerAddress | null;
  autoCreateTopics: boolean;
  /** Always 1 on a standalone broker (validated). */
  defaultReplicationFactor: number;
  maxRequestBytes: number;
  maxConnections: number;
  idleTimeoutMs: number;
  maxInFlightRequestsPerConnection: number;
  /** Response bytes one connection may hold before it is muted and its fetches shrink. */
  connectionUnsentBytesMax: number;
  /** Response bytes all connections may hold together (fetched records, unsent frames). */
  responseMemoryBytesMax: number;
  /** An incomplete request older than this closes its connection. */
  requestReadTimeoutMs: number;
  maxFetchWaiters: number;
  logDirs: string[];
  numPartitions: number;
  retentionCheckIntervalMs: number;
  flushCheckIntervalMs: number;
  checkpointIntervalMs: number;
  /** How often workers look for partitions to compact (log.cleaner.backoff.ms); CLEANER_OFF_MS when log.cleaner.enable=false. */
  cleanerBackoffMs: number;
  workers: number;
  ringBytes: number;
  maxBacklogRequests: number;
  logLevel: string;
  /** 'auto': pretty when stdout is a terminal, JSON otherwise. */
  logFormat: LogFormat;
  /** Bounds on what /metrics reports: topics with their own label, consumer groups whose lag is computed per scrape. */
  metrics: { topicLabelsMax: number; lagGroupsMax: number };
  /** Group coordinator settings from the group.* and offsets.* keys. */
  groups: GroupSettings;
  offsetsTopicPartitions: number;
  offsetsTopicSegmentBytes: number;
  /** Topic defaults derived from the log.* keys. */
  defaultLogConfig: LogConfig;
  /** Every key with its effective value, for display. */
  effective: Record<string, string>;
}

export type LogFormat = 'auto' | 'json' | 'pretty';

/** A standalone broker (no cluster configured) is the only replica of every partition. */
export const STANDALONE_REPLICAS = 1;

/** The longest timer Node accepts (2^31 - 1 ms, about 24.8 days): the cleaner's interval when it is disabled. */
export const CLEANER_OFF_MS = 2 ** 31 - 1;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
    this.name = 'ConfigError';
  }
}

/** Parses Kafka .properties text: key=value or key: value lines, # and ! comments, blank lines. */
export function parseProperties(text: string, source: string): Map<string, string> {
  const entries = new Map<string, string>();
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith('!')) return;
    const match = /^([^=:\s]+)\s*[=:]\s*(.*)$/.exec(line);
    if (!match) throw new ConfigError([`${source}:${i + 1}: expected key=value, got "${line}"`]);
    entries.set(match[1]!, match[2]!);
  });
  return entries;
}

/** FJORD_LOG_DIRS=… → log.dirs; FJORD_FJORD_WORKERS → fjord.workers (dots become underscores, upper case). */
export function environmentOverrides(env: NodeJS.ProcessEnv): Map<string, string> {
  const byEnvName = new Map<string, string>();
  for (const [key, spec] of Object.entries(BROKER_CONFIG_SCHEMA)) {
    for (const name of [key, ...(spec.aliases ?? [])]) byEnvName.set('FJORD_' + name.toUpperCase().replace(/[.-]/g, '_'), name);
  }
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
  const problems: string[] = [];
  const known = new Set(Object.entries(BROKER_CONFIG_SCHEMA).flatMap(([key, spec]) => [key, ...(spec.aliases ?? [])]));
  for (const key of merged.keys()) if (!known.has(key)) problems.push(`unknown config key "${key}" (see docs/configuration.md for the keys Fjord reads)`);
  const values: Record<string, unknown> = {};
  const effective: Record<string, string> = {};
  for (const [key, spec] of Object.entries(BROKER_CONFIG_SCHEMA)) {
    const [sourceKey, raw] = pickValue(merged, key, spec);
    try {
      values[key] = parseValue(sourceKey, raw, spec);
      effective[key] = displayValue(key, values[key]);
    } catch (error) {
      problems.push((error as Error).message);
    }
  }
  if (problems.length === 0) checkContradictions(values, problems);
  if (problems.length > 0) throw new ConfigError(problems);
  return toBrokerConfig(values, effective);
}

/** The effective value as a config string (units converted, listeners as PLAINTEXT://host:port, "never" as Long.MAX). */
function displayValue(key: string, value: unknown): string {
  if (value === null) return '';
  if (Array.isArray(value)) return value.join(',');
  if (typeof value === 'object') {
    const { host, port } = value as ListenerAddress;
    return `${key === HTTP_LISTENER_KEY ? 'http' : 'PLAINTEXT'}://${host.includes(':') ? `[${host}]` : host}:${port}`;
  }
  return value === NEVER ? KAFKA_LONG_MAX : String(value);
}

function pickValue(merged: Map<string, string>, key: string, spec: ConfigKeySpec): [string, string] {
  for (const name of [key, ...(spec.aliases ?? [])]) {
    const value = merged.get(name);
    if (value !== undefined) return [name, value];
  }
  return [key, spec.default];
}

function parseValue(key: string, raw: string, spec: ConfigKeySpec): number | string | boolean | string[] | ListenerAddress | null {
  const text = raw.trim();
  if (key === 'listeners' || key === 'advertised.listeners') return parseListener(key, text);
  if (key === HTTP_LISTENER_KEY) return parseHttpListener(text);
  switch (spec.kind) {
    case 'bool':
      if (text !== 'true' && text !== 'false') throw new Error(`${key} must be true or false, got "${raw}"`);
      return text === 'true';
    case 'string':
      return text;
    case 'list': {
      const items = text.split(',').map((s) => s.trim()).filter((s) => s !== '');
      if (items.length === 0) throw new Error(`${key} must list at least one value`);
      return items;
    }
    case 'enum':
      if (!spec.values!.includes(text)) throw new Error(`${key} must be one of ${spec.values!.join(', ')}, got "${raw}"`);
      return text;
    case 'double':
      return parseDouble(key, text, spec.min ?? -Infinity, spec.max ?? Infinity);
    default:
      return parseNumber(key, text, spec);
  }
}

export interface ListenerAddress {
  host: string;
  port: number;
}

/** PLAINTEXT://host:port (IPv6 hosts in brackets); '' for advertised.listeners means "the bound address". */
function parseListener(key: string, text: string): ListenerAddress | null {
  if (text === '' && key === 'advertised.listeners') return null;
  const match = /^PLAINTEXT:\/\/(\[[0-9a-fA-F:]+\]|[^:/\s,]*):(\d{1,5})$/.exec(text);
  if (!match) throw new Error(`${key} must be PLAINTEXT://host:port (one listener), got "${text}"`);
  const port = Number(match[2]);
  if (port > 65535 || (key === 'advertised.listeners' && port === 0)) throw new Error(`${key} has an invalid port ${port}`);
  return { host: match[1]!.replace(/^\[|\]$/g, '') || '0.0.0.0', port };
}

const HTTP_LISTENER_KEY = 'fjord.http.listener';

/** http://host:port (IPv6 hosts in brackets, port 0 picks a free one); '' turns the admin listener off. */
function parseHttpListener(text: string): ListenerAddress | null {
  if (text === '') return null;
  const match = /^http:\/\/(\[[0-9a-fA-F:]+\]|[^:/\s,]*):(\d{1,5})\/?$/.exec(text);
  if (!match) throw new Error(`${HTTP_LISTENER_KEY} must be http://host:port (or empty to turn it off), got "${text}"`);
  const port = Number(match[2]);
  if (port > 65535) throw new Error(`${HTTP_LISTENER_KEY} has an invalid port ${port}`);
  return { host: match[1]!.replace(/^\[|\]$/g, '') || '0.0.0.0', port };
}

function parseNumber(key: string, text: string, spec: ConfigKeySpec): number {
  if (!/^-?\d+$/.test(text)) throw new Error(`${key} must be an integer, got "${text}"`);
  let value = Number(text);
  if (spec.kind === 'long' && value > Number.MAX_SAFE_INTEGER) value = NEVER;
  if (value > 0) value = Math.min(value * (ALIAS_UNIT_MS[key] ?? 1), NEVER);
  const min = spec.min ?? -Infinity;
  const max = spec.max ?? NEVER;
  if (value < min || value > max) throw new Error(`${key} must be between ${min} and ${max}, got ${text}`);
  return value;
}

function checkContradictions(values: Record<string, unknown>, problems: string[]): void {
  const [minSession, maxSession] = [values['group.min.session.timeout.ms'] as number, values['group.max.session.timeout.ms'] as number];
  if (minSession > maxSession) problems.push(`group.min.session.timeout.ms (${minSession}) must not exceed group.max.session.timeout.ms (${maxSession})`);
  const ringBytes = values['fjord.ring.bytes'] as number;
  if ((ringBytes & (ringBytes - 1)) !== 0) problems.push(`fjord.ring.bytes must be a power of two, got ${ringBytes}`);
  const maxMessageBytes = values['message.max.bytes'] as number;
  if (ringBytes < 4 * maxMessageBytes) {
    problems.push(`fjord.ring.bytes (${ringBytes}) must be at least 4 x message.max.bytes (${maxMessageBytes}) so any batch fits the data path`);
  }
  checkReplication(values, problems);
  checkResponseMemory(values, problems);
  checkAddresses(values, problems);
  const dirs = (values['log.dirs'] as string[]).map((dir) => resolve(dir));
  const repeated = dirs.filter((dir, i) => dirs.indexOf(dir) !== i);
  if (repeated.length > 0) problems.push(`log.dirs names ${[...new Set(repeated)].join(', ')} more than once; each dir must be listed once`);
}

/** Replication keys a standalone broker can honour: one replica per partition, so no min.insync.replicas above it. */
function checkReplication(values: Record<string, unknown>, problems: string[]): void {
  for (const key of ['default.replication.factor', 'offsets.topic.replication.factor']) {
    const factor = values[key] as number;
    if (factor > STANDALONE_REPLICAS) problems.push(`${key} must be ${STANDALONE_REPLICAS} on a standalone broker (it holds the only replica of every partition), got ${factor}`);
  }
  const [minInsync, factor] = [values['min.insync.replicas'] as number, values['default.replication.factor'] as number];
  if (minInsync > factor) {
    problems.push(`min.insync.replicas (${minInsync}) must not exceed default.replication.factor (${factor}): acks=all produces could never succeed`);
  } else if (minInsync > STANDALONE_REPLICAS) {
    problems.push(`min.insync.replicas (${minInsync}) must be ${STANDALONE_REPLICAS} on a standalone broker: acks=all produces could never succeed`);
  }
}

/** One connection's share fits the broker-wide budget, and so does the largest batch a fetch may have to send whole. */
function checkResponseMemory(values: Record<string, unknown>, problems: string[]): void {
  const budgetBytes = values['fjord.response.memory.bytes.max'] as number;
  for (const key of ['fjord.connection.unsent.bytes.max', 'message.max.bytes']) {
    const bytes = values[key] as number;
    if (bytes > budgetBytes) problems.push(`${key} (${bytes}) must not exceed fjord.response.memory.bytes.max (${budgetBytes})`);
  }
}

function checkAddresses(values: Record<string, unknown>, problems: string[]): void {
  const advertised = values['advertised.listeners'] as ListenerAddress | null;
  if (advertised !== null && isWildcard(advertised.host)) {
    problems.push(`advertised.listeners cannot use the wildcard address ${advertised.host}: clients need a host they can connect to`);
  }
  const [kafka, http] = [values['listeners'] as ListenerAddress, values[HTTP_LISTENER_KEY] as ListenerAddress | null];
  const hostsOverlap = http !== null && (kafka.host === http.host || isWildcard(kafka.host) || isWildcard(http.host));
  if (http !== null && http.port !== 0 && http.port === kafka.port && hostsOverlap) {
    problems.push(`${HTTP_LISTENER_KEY} (port ${http.port}) and listeners (port ${kafka.port}) cannot share a port`);
  }
}

function isWildcard(host: string): boolean {
  return host === '0.0.0.0' || host === '::';
}

function toBrokerConfig(v: Record<string, unknown>, effective: Record<string, string>): BrokerConfig {
  const defaultLogConfig: LogConfig = {
    ...DEFAULT_LOG_CONFIG,
    segmentBytes: v['log.segment.bytes'] as number,
    segmentMs: v['log.roll.ms'] as number,
    segmentIndexBytes: v['log.index.size.max.bytes'] as number,
    indexIntervalBytes: v['log.index.interval.bytes'] as number,
    retentionMs: v['log.retention.ms'] as number,
    retentionBytes: v['log.retention.bytes'] as number,
    maxMessageBytes: v['message.max.bytes'] as number,
    messageTimestampType: v['log.message.timestamp.type'] as TimestampType,
    flushMessages: v['log.flush.interval.messages'] as number,
    flushMs: v['log.flush.interval.ms'] as number,
    preallocate: v['log.preallocate'] as boolean,
    cleanupPolicy: v['log.cleanup.policy'] as CleanupPolicy,
    minInsyncReplicas: v['min.insync.replicas'] as number,
    deleteRetentionMs: v['log.cleaner.delete.retention.ms'] as number,
    minCompactionLagMs: v['log.cleaner.min.compaction.lag.ms'] as number,
    minCleanableDirtyRatio: v['log.cleaner.min.cleanable.ratio'] as number,
  };
  return {
    nodeId: v['node.id'] as number,
    listener: v['listeners'] as { host: string; port: number },
    advertisedListener: (v['advertised.listeners'] as { host: string; port: number } | null),
    httpListener: v[HTTP_LISTENER_KEY] as ListenerAddress | null,
    autoCreateTopics: v['auto.create.topics.enable'] as boolean,
    defaultReplicationFactor: v['default.replication.factor'] as number,
    maxRequestBytes: v['socket.request.max.bytes'] as number,
    maxConnections: v['max.connections'] as number,
    idleTimeoutMs: v['connections.max.idle.ms'] as number,
    maxInFlightRequestsPerConnection: v['fjord.max.inflight.requests.per.connection'] as number,
    connectionUnsentBytesMax: v['fjord.connection.unsent.bytes.max'] as number,
    responseMemoryBytesMax: v['fjord.response.memory.bytes.max'] as number,
    requestReadTimeoutMs: v['fjord.request.read.timeout.ms'] as number,
    maxFetchWaiters: v['fjord.max.fetch.waiters'] as number,
    logDirs: v['log.dirs'] as string[],
    numPartitions: v['num.partitions'] as number,
    retentionCheckIntervalMs: v['log.retention.check.interval.ms'] as number,
    flushCheckIntervalMs: v['log.flush.scheduler.interval.ms'] as number,
    checkpointIntervalMs: v['log.flush.offset.checkpoint.interval.ms'] as number,
    cleanerBackoffMs: v['log.cleaner.enable'] ? (v['log.cleaner.backoff.ms'] as number) : CLEANER_OFF_MS,
    workers: v['fjord.workers'] as number,
    ringBytes: v['fjord.ring.bytes'] as number,
    maxBacklogRequests: v['fjord.max.backlog.requests'] as number,
    logLevel: v['fjord.log.level'] as string,
    logFormat: v['fjord.log.format'] as LogFormat,
    metrics: { topicLabelsMax: v['fjord.metrics.topic.labels.max'] as number, lagGroupsMax: v['fjord.metrics.lag.groups.max'] as number },
    groups: {
      initialRebalanceDelayMs: v['group.initial.rebalance.delay.ms'] as number,
      minSessionTimeoutMs: v['group.min.session.timeout.ms'] as number,
      maxSessionTimeoutMs: v['group.max.session.timeout.ms'] as number,
      maxGroupSize: v['group.max.size'] as number,
      offsetsRetentionMs: (v['offsets.retention.minutes'] as number) * 60_000,
      offsetsRetentionCheckIntervalMs: v['offsets.retention.check.interval.ms'] as number,
      offsetMetadataMaxBytes: v['offset.metadata.max.bytes'] as number,
      maxGroupMetadataBytes: v['message.max.bytes'] as number,
    },
    offsetsTopicPartitions: v['offsets.topic.num.partitions'] as number,
    offsetsTopicSegmentBytes: v['offsets.topic.segment.bytes'] as number,
    defaultLogConfig,
    effective,
  };
}

/** Reads a properties file; a missing or unreadable file is a one-line ConfigError. */
export function readPropertiesFile(path: string): Map<string, string> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError([`cannot read config file ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`]);
  }
  return parseProperties(text, path);
}
