// Per-topic log configuration: one table of Kafka's topic keys, each with the broker key that sets its default
// (log.retention.ms → retention.ms), type, default, bounds and documentation; LogConfig is inferred from it.
// The main thread parses and validates (CreateTopics, AlterConfigs, server.properties defaults); partition
// workers receive the resulting LogConfig object over the control plane.
import { bool, type ConfigTable, defaultsOf, double, int, type KeySpec, long, NEVER, oneOf, type ValuesOf } from './config-table.js';

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
    default: NEVER,
    min: 0,
    doc: 'fsync a partition when its oldest unflushed message is this old. Default: never.',
  }),
  preallocate: bool({ key: 'log.preallocate', topicKey: 'preallocate', default: false, doc: 'Preallocate each new segment file to its segment size.' }),
  cleanupPolicy: oneOf(['delete', 'compact', 'compact,delete'], {
    key: 'log.cleanup.policy',
    topicKey: 'cleanup.policy',
    default: 'delete',
    doc: 'delete: retention by time and size deletes old segments; compact: the log cleaner keeps the last record of each key; compact,delete: both.',
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
  messageDownconversionEnable: bool({
    key: 'log.message.downconversion.enable',
    topicKey: 'message.downconversion.enable',
    default: true,
    doc: 'Answer Fetch v0-3 (old message formats, converted down by the partition worker); false answers them UNSUPPORTED_VERSION.',
  }),
} satisfies ConfigTable;

export type LogConfig = ValuesOf<typeof TOPIC_CONFIG_TABLE>;
export type TimestampType = LogConfig['messageTimestampType'];
export type CleanupPolicy = LogConfig['cleanupPolicy'];
type TopicSpec = KeySpec<LogConfig[keyof LogConfig]>;

export const DEFAULT_LOG_CONFIG: Readonly<LogConfig> = Object.freeze(defaultsOf(TOPIC_CONFIG_TABLE));

/** Kafka topic key → the LogConfig field it sets and its spec, in table order. */
export const TOPIC_CONFIG_KEYS: ReadonlyMap<string, { field: keyof LogConfig; spec: TopicSpec }> = new Map(
  (Object.entries(TOPIC_CONFIG_TABLE) as Array<[keyof LogConfig, TopicSpec]>).map(([field, spec]) => [spec.topicKey!, { field, spec }]),
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
    if (entry === undefined) throw new Error(`unknown topic config "${key}"`);
    config[entry.field] = entry.spec.parse(key, raw.trim(), 1);
  }
  return config as LogConfig;
}

/** The Kafka key/value view of a config, for DescribeConfigs. */
export function topicConfigEntries(config: Readonly<LogConfig>): Array<[string, string]> {
  return [...TOPIC_CONFIG_KEYS].map(([key, { field, spec }]) => [key, spec.format(config[field])]);
}
