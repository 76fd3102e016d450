// Per-topic log configuration: one table of every topic key a Kafka 3.9 broker has, each with the broker key
// that sets its default (log.retention.ms → retention.ms), type, default, bounds and documentation, and one
// of the keys no broker key sets (throttled replicas, remote storage); LogConfig is inferred from both. Keys
// marked "does not act" are accepted, kept and described with Kafka's defaults (docs/configuration.md).
// The main thread parses and validates (CreateTopics, AlterConfigs, server.properties defaults); partition
// workers receive the resulting LogConfig object over the control plane.
import { bool, type ConfigTable, custom, defaultsOf, double, int, type KeySpec, KAFKA_LONG_MAX, long, NEVER, oneOf, type ValuesOf } from './config-table.js';

export { KAFKA_LONG_MAX, NEVER, parseDouble } from './config-table.js';

const MIB = 1024 * 1024;
const HOUR_MS = 3600 * 1000;
const DAY_MS = 24 * HOUR_MS;

/** By LogConfig field; `key` is the broker key (server.properties), `topicKey` the per-topic key. */
export const TOPIC_CONFIG_TABLE = {
  segmentBytes: int({
    key: 'log.segment.bytes',
    topicKey: 'segment.bytes',
    default: 1024 * MIB,
    min: 14,
    doc: 'Segment size at which a new segment is rolled.',
  }),
  segmentMs: long({
    key: 'log.roll.ms',
    topicKey: 'segment.ms',
    aliases: { 'log.roll.hours': HOUR_MS },
    kafkaDefaults: { 'log.roll.ms': null, 'log.roll.hours': '168' },
    default: 7 * DAY_MS,
    min: 1,
    doc: 'Age at which the active segment is rolled even if not full (log.roll.hours is read in hours).',
  }),
  // 12 bytes: one .timeindex entry (an .index entry is 8); a smaller index could hold none.
  segmentIndexBytes: int({
    key: 'log.index.size.max.bytes',
    topicKey: 'segment.index.bytes',
    default: 10 * MIB,
    min: 12,
    doc: 'Largest .index / .timeindex file; a full index rolls the segment.',
  }),
  indexIntervalBytes: int({
    key: 'log.index.interval.bytes',
    topicKey: 'index.interval.bytes',
    default: 4096,
    min: 0,
    doc: 'Bytes of log between two sparse index entries.',
  }),
  retentionMs: long({
    key: 'log.retention.ms',
    topicKey: 'retention.ms',
    aliases: { 'log.retention.minutes': 60 * 1000, 'log.retention.hours': HOUR_MS },
    kafkaDefaults: { 'log.retention.ms': null, 'log.retention.minutes': null, 'log.retention.hours': '168' },
    default: 7 * DAY_MS,
    min: -1,
    doc: 'How long a segment is kept after its newest message; -1 keeps forever (minutes/hours variants are converted).',
  }),
  retentionBytes: long({
    key: 'log.retention.bytes',
    topicKey: 'retention.bytes',
    default: -1,
    min: -1,
    doc: 'Size a partition is trimmed to by deleting its oldest segments; -1 means no limit.',
  }),
  maxMessageBytes: int({ key: 'message.max.bytes', topicKey: 'max.message.bytes', default: MIB + 12, min: 0, doc: 'Largest record batch accepted.' }),
  messageTimestampType: oneOf(['CreateTime', 'LogAppendTime'], {
    key: 'log.message.timestamp.type',
    topicKey: 'message.timestamp.type',
    default: 'CreateTime',
    doc: "CreateTime keeps the producer's timestamps; LogAppendTime stamps the broker's clock.",
  }),
  messageTimestampDifferenceMaxMs: long({
    key: 'log.message.timestamp.difference.max.ms',
    topicKey: 'message.timestamp.difference.max.ms',
    default: NEVER,
    min: 0,
    doc: 'Deprecated by the before/after keys: how far (ms) a CreateTime record timestamp may be from the broker clock, either way; a record beyond it answers INVALID_TIMESTAMP. Used for whichever of the two keys is not set.',
  }),
  messageTimestampBeforeMaxMs: long({
    key: 'log.message.timestamp.before.max.ms',
    topicKey: 'message.timestamp.before.max.ms',
    default: NEVER,
    min: 0,
    doc: 'How far (ms) in the past a CreateTime record timestamp may be; an older record answers INVALID_TIMESTAMP.',
  }),
  messageTimestampAfterMaxMs: long({
    key: 'log.message.timestamp.after.max.ms',
    topicKey: 'message.timestamp.after.max.ms',
    default: NEVER,
    min: 0,
    doc: 'How far (ms) in the future a CreateTime record timestamp may be; a later record answers INVALID_TIMESTAMP.',
  }),
  compressionType: oneOf(['uncompressed', 'zstd', 'lz4', 'snappy', 'gzip', 'producer'], {
    key: 'compression.type',
    topicKey: 'compression.type',
    default: 'producer',
    doc: "producer: batches are stored compressed as the producer sent them; any other codec: the partition's worker recompresses each produced batch with it (uncompressed: stores the records uncompressed).",
  }),
  compressionGzipLevel: int({
    key: 'compression.gzip.level',
    topicKey: 'compression.gzip.level',
    default: -1,
    min: -1,
    max: 9,
    doc: 'gzip level for compression.type=gzip (-1: the library default). Does not act: Fjord compresses at the default level.',
  }),
  compressionLz4Level: int({
    key: 'compression.lz4.level',
    topicKey: 'compression.lz4.level',
    default: 9,
    min: 1,
    max: 17,
    doc: 'lz4 level for compression.type=lz4. Does not act: Fjord compresses at the default level.',
  }),
  compressionZstdLevel: int({
    key: 'compression.zstd.level',
    topicKey: 'compression.zstd.level',
    default: 3,
    min: -131072,
    max: 22,
    doc: 'zstd level for compression.type=zstd. Does not act: Fjord compresses at level 3.',
  }),
  flushMessages: long({
    key: 'log.flush.interval.messages',
    topicKey: 'flush.messages',
    default: NEVER,
    min: 1,
    doc: 'fsync after this many messages; 1 = every acknowledgement waits for fsync (group commit). Default: never, rely on the page cache and replication.',
  }),
  flushMs: long({
    key: 'log.flush.interval.ms',
    topicKey: 'flush.ms',
    // Kafka takes the default from log.flush.scheduler.interval.ms, a key Fjord does not read.
    kafkaDefaults: { 'log.flush.interval.ms': null, 'log.flush.scheduler.interval.ms': KAFKA_LONG_MAX },
    default: NEVER,
    min: 0,
    doc: 'fsync a partition when its oldest unflushed message is this old. Default: never.',
  }),
  preallocate: bool({ key: 'log.preallocate', topicKey: 'preallocate', default: false, doc: 'Preallocate each new segment file to its segment size.' }),
  cleanupPolicy: cleanupPolicyKey({
    key: 'log.cleanup.policy',
    topicKey: 'cleanup.policy',
    default: 'delete',
    doc: 'A list of delete and compact. delete: retention by time and size deletes old segments; compact: the log cleaner keeps the last record of each key; both: both.',
  }),
  minInsyncReplicas: int({
    key: 'min.insync.replicas',
    topicKey: 'min.insync.replicas',
    default: 1,
    min: 1,
    max: 1000,
    doc: 'Replicas that must have a message before acks=all succeeds.',
  }),
  deleteRetentionMs: long({
    key: 'log.cleaner.delete.retention.ms',
    topicKey: 'delete.retention.ms',
    default: DAY_MS,
    min: 0,
    doc: 'How long a tombstone (null value) stays in a compacted topic once it is the last record of its key.',
  }),
  minCompactionLagMs: long({
    key: 'log.cleaner.min.compaction.lag.ms',
    topicKey: 'min.compaction.lag.ms',
    default: 0,
    min: 0,
    doc: 'A segment of a compacted topic is cleaned only once its newest record is at least this old.',
  }),
  minCleanableDirtyRatio: double({
    key: 'log.cleaner.min.cleanable.ratio',
    topicKey: 'min.cleanable.dirty.ratio',
    default: 0.5,
    min: 0,
    max: 1,
    doc: 'Clean a compacted partition when its not-yet-cleaned bytes reach this share of its cleanable bytes.',
  }),
  maxCompactionLagMs: long({
    key: 'log.cleaner.max.compaction.lag.ms',
    topicKey: 'max.compaction.lag.ms',
    default: NEVER,
    min: 1,
    doc: 'Longest time a record may stay uncompacted. Does not act: the cleaner goes by min.cleanable.dirty.ratio.',
  }),
  segmentJitterMs: long({
    key: 'log.roll.jitter.ms',
    topicKey: 'segment.jitter.ms',
    aliases: { 'log.roll.jitter.hours': HOUR_MS },
    kafkaDefaults: { 'log.roll.jitter.ms': null, 'log.roll.jitter.hours': '0' },
    default: 0,
    min: 0,
    doc: 'Random time subtracted from segment.ms so segments do not all roll at once. Does not act.',
  }),
  fileDeleteDelayMs: long({
    key: 'log.segment.delete.delay.ms',
    topicKey: 'file.delete.delay.ms',
    default: 60_000,
    min: 0,
    doc: 'Delay before a deleted segment file is removed from disk. Does not act: Fjord removes it at once.',
  }),
  uncleanLeaderElectionEnable: bool({
    key: 'unclean.leader.election.enable',
    topicKey: 'unclean.leader.election.enable',
    default: false,
    doc: 'Let a replica outside the ISR become leader (losing data). Does not act: a standalone broker is the only replica.',
  }),
  messageFormatVersion: custom<string>({
    key: 'log.message.format.version',
    topicKey: 'message.format.version',
    default: '3.0-IV1',
    parse: (name, text) => {
      if (!/^\d+\.\d+(\.\d+)?(-IV\d+)?$/.test(text)) throw new Error(`${name} must be a Kafka version such as 2.8 or 3.0-IV1, got "${text}"`);
      return text;
    },
    format: String,
    doc: 'Deprecated message format version. Does not act: as in Kafka 3.0 and later, the log holds record batches v2.',
  }),
  localRetentionMs: long({
    key: 'log.local.retention.ms',
    topicKey: 'local.retention.ms',
    default: -2,
    min: -2,
    doc: 'Tiered storage: time kept on local disk (-2: retention.ms). Does not act: Fjord has no tiered storage.',
  }),
  localRetentionBytes: long({
    key: 'log.local.retention.bytes',
    topicKey: 'local.retention.bytes',
    default: -2,
    min: -2,
    doc: 'Tiered storage: bytes kept on local disk (-2: retention.bytes). Does not act: Fjord has no tiered storage.',
  }),
} satisfies ConfigTable;

/** Topic keys no broker key sets (Kafka lists no synonyms for them); `key` is the topic key itself. */
export const TOPIC_ONLY_CONFIG_TABLE = {
  leaderReplicationThrottledReplicas: throttledReplicasKey('leader.replication.throttled.replicas', 'leader'),
  followerReplicationThrottledReplicas: throttledReplicasKey('follower.replication.throttled.replicas', 'follower'),
  // Only false is accepted: as a Kafka broker without remote.log.storage.system.enable, Fjord has no tiered storage.
  remoteStorageEnable: {
    ...bool({
      key: 'remote.storage.enable',
      topicKey: 'remote.storage.enable',
      topicOnly: true,
      default: false,
      doc: 'Tiered storage for the topic. Only false is accepted: Fjord has no tiered storage.',
    }),
    parse: (name: string, text: string): boolean => {
      if (text === 'true') throw new Error(`${name}=true needs tiered storage, which this broker does not have (remote.log.storage.system.enable is false)`);
      if (text !== 'false') throw new Error(`${name} must be true or false, got "${text}"`);
      return false;
    },
  },
  remoteLogCopyDisable: bool({
    key: 'remote.log.copy.disable',
    topicKey: 'remote.log.copy.disable',
    topicOnly: true,
    default: false,
    doc: 'Tiered storage: stop copying segments to remote storage. Does not act.',
  }),
  remoteLogDeleteOnDisable: bool({
    key: 'remote.log.delete.on.disable',
    topicKey: 'remote.log.delete.on.disable',
    topicOnly: true,
    default: false,
    doc: 'Tiered storage: delete remote segments when tiering is turned off. Does not act.',
  }),
} satisfies ConfigTable;

export type LogConfig = ValuesOf<typeof TOPIC_CONFIG_TABLE> & ValuesOf<typeof TOPIC_ONLY_CONFIG_TABLE>;
export type TimestampType = LogConfig['messageTimestampType'];
export type CleanupPolicy = LogConfig['cleanupPolicy'];
type TopicSpec = KeySpec<LogConfig[keyof LogConfig]>;

/** The topic-only keys' defaults, for a LogConfig made from the broker keys (server.properties). */
export const TOPIC_ONLY_DEFAULTS: Readonly<ValuesOf<typeof TOPIC_ONLY_CONFIG_TABLE>> = Object.freeze(defaultsOf(TOPIC_ONLY_CONFIG_TABLE));

export const DEFAULT_LOG_CONFIG: Readonly<LogConfig> = Object.freeze({ ...defaultsOf(TOPIC_CONFIG_TABLE), ...TOPIC_ONLY_DEFAULTS });

/** Kafka topic key → the LogConfig field it sets and its spec, in table order. */
export const TOPIC_CONFIG_KEYS: ReadonlyMap<string, { field: keyof LogConfig; spec: TopicSpec }> = new Map(
  (Object.entries({ ...TOPIC_CONFIG_TABLE, ...TOPIC_ONLY_CONFIG_TABLE }) as Array<[keyof LogConfig, TopicSpec]>).map(([field, spec]) => [
    spec.topicKey!,
    { field, spec },
  ]),
);

/** True for cleanup.policy compact and compact,delete: the log cleaner keeps the last record per key. */
export function isCompacted(config: Readonly<LogConfig>): boolean {
  return config.cleanupPolicy !== 'delete';
}

/** True for delete and compact,delete: retention by time and size deletes old segments. */
export function deletesByRetention(config: Readonly<LogConfig>): boolean {
  return config.cleanupPolicy !== 'compact';
}

/** Applies Kafka-style key/value overrides on top of a base config. Throws on the first bad entry (one line). */
export function withTopicOverrides(base: Readonly<LogConfig>, overrides: Readonly<Record<string, string>>): LogConfig {
  const config: Record<string, unknown> = { ...base };
  for (const [key, raw] of Object.entries(overrides)) {
    const entry = TOPIC_CONFIG_KEYS.get(key);
    if (entry === undefined) throw new Error(`Unknown topic config name: ${key}`);
    try {
      config[entry.field] = entry.spec.parse(key, raw.trim(), 1);
    } catch (error) {
      throw new Error(`Invalid value ${raw} for configuration ${key}: ${(error as Error).message}`);
    }
  }
  return config as LogConfig;
}

/** cleanup.policy: Kafka's LIST of delete and compact, in any order; read as one of Fjord's three policies. */
function cleanupPolicyKey(spec: Omit<KeySpec<'delete' | 'compact' | 'compact,delete'>, 'kind' | 'parse' | 'format'>) {
  return {
    ...spec,
    kind: 'list',
    values: ['delete', 'compact'],
    parse: (name: string, text: string): 'delete' | 'compact' | 'compact,delete' => {
      const items = new Set(text.split(',').map((item) => item.trim()));
      const unknown = [...items].filter((item) => item !== 'delete' && item !== 'compact');
      if (items.size === 0 || unknown.length > 0) throw new Error(`${name} must list delete and/or compact, got "${text}"`);
      return items.size === 2 ? 'compact,delete' : items.has('compact') ? 'compact' : 'delete';
    },
    format: String,
  } satisfies KeySpec<'delete' | 'compact' | 'compact,delete'>;
}

/** Kafka's throttled-replica lists: empty, "*", or partition:broker pairs. Does not act (no replication throttling). */
function throttledReplicasKey(key: string, side: string): KeySpec<string> {
  return {
    key,
    topicKey: key,
    topicOnly: true,
    kind: 'list',
    default: '',
    doc: `Replicas whose ${side} side of replication is throttled: "*", or partition:broker pairs. Does not act: Fjord has no replication throttling.`,
    parse: (name, text) => {
      const items = text.split(',').map((item) => item.trim());
      if (text === '' || text === '*' || items.every((item) => /^\d+:\d+$/.test(item))) return items.join(',');
      throw new Error(`${name} must be "*" or a list of partition:broker pairs, got "${text}"`);
    },
    format: String,
  };
}

/** The Kafka key/value view of a config, for DescribeConfigs. */
export function topicConfigEntries(config: Readonly<LogConfig>): Array<[string, string]> {
  return [...TOPIC_CONFIG_KEYS].map(([key, { field, spec }]) => [key, spec.format(config[field])]);
}
