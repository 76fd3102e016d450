// Per-topic log configuration: Kafka's topic config keys, their types, defaults and checks, in one table.
// The main thread parses and validates (CreateTopics, AlterConfigs, server.properties defaults); partition
// workers receive the resulting LogConfig object over the control plane.

export type TimestampType = 'CreateTime' | 'LogAppendTime';
export type CleanupPolicy = 'delete' | 'compact' | 'compact,delete';

export interface LogConfig {
  segmentBytes: number;
  segmentMs: number;
  segmentIndexBytes: number;
  indexIntervalBytes: number;
  retentionMs: number;
  retentionBytes: number;
  maxMessageBytes: number;
  messageTimestampType: TimestampType;
  /** fsync after this many messages; 1 = every acknowledgement waits for fsync (group commit shares one). */
  flushMessages: number;
  flushMs: number;
  preallocate: boolean;
  cleanupPolicy: CleanupPolicy;
  minInsyncReplicas: number;
  /** Compacted topics: how long a tombstone (null value) is kept once it is the last record of its key. */
  deleteRetentionMs: number;
  /** Compacted topics: a segment is cleaned only once its newest record is at least this old. */
  minCompactionLagMs: number;
  /** Compacted topics: clean when dirty bytes / cleanable bytes reaches this ratio. */
  minCleanableDirtyRatio: number;
}

/** Kafka's "never" for flush.messages / flush.ms (Long.MAX_VALUE), kept exact as a JS number. */
export const NEVER = Number.MAX_SAFE_INTEGER;
/** How "never" is written in Kafka configs (Long.MAX_VALUE); parsing it gives NEVER. */
export const KAFKA_LONG_MAX = '9223372036854775807';

interface KeySpec {
  field: keyof LogConfig;
  kind: 'int' | 'long' | 'double' | 'bool' | 'enum';
  min?: number;
  /** Only for 'double' (integers are bounded by their width). */
  max?: number;
  values?: readonly string[];
}

/** Kafka topic config key → LogConfig field. Broker-wide defaults use the same keys prefixed with "log." where Kafka does. */
export const TOPIC_CONFIG_KEYS: Readonly<Record<string, KeySpec>> = {
  'segment.bytes': { field: 'segmentBytes', kind: 'int', min: 14 },
  'segment.ms': { field: 'segmentMs', kind: 'long', min: 1 },
  'segment.index.bytes': { field: 'segmentIndexBytes', kind: 'int', min: 4 },
  'index.interval.bytes': { field: 'indexIntervalBytes', kind: 'int', min: 0 },
  'retention.ms': { field: 'retentionMs', kind: 'long', min: -1 },
  'retention.bytes': { field: 'retentionBytes', kind: 'long', min: -1 },
  'max.message.bytes': { field: 'maxMessageBytes', kind: 'int', min: 0 },
  'message.timestamp.type': { field: 'messageTimestampType', kind: 'enum', values: ['CreateTime', 'LogAppendTime'] },
  'flush.messages': { field: 'flushMessages', kind: 'long', min: 1 },
  'flush.ms': { field: 'flushMs', kind: 'long', min: 0 },
  preallocate: { field: 'preallocate', kind: 'bool' },
  'cleanup.policy': { field: 'cleanupPolicy', kind: 'enum', values: ['delete', 'compact', 'compact,delete'] },
  'min.insync.replicas': { field: 'minInsyncReplicas', kind: 'int', min: 1 },
  'delete.retention.ms': { field: 'deleteRetentionMs', kind: 'long', min: 0 },
  'min.compaction.lag.ms': { field: 'minCompactionLagMs', kind: 'long', min: 0 },
  'min.cleanable.dirty.ratio': { field: 'minCleanableDirtyRatio', kind: 'double', min: 0, max: 1 },
};

export const DEFAULT_LOG_CONFIG: Readonly<LogConfig> = Object.freeze({
  segmentBytes: 1024 * 1024 * 1024,
  segmentMs: 7 * 24 * 3600 * 1000,
  segmentIndexBytes: 10 * 1024 * 1024,
  indexIntervalBytes: 4096,
  retentionMs: 7 * 24 * 3600 * 1000,
  retentionBytes: -1,
  maxMessageBytes: 1024 * 1024 + 12,
  messageTimestampType: 'CreateTime',
  flushMessages: NEVER,
  flushMs: NEVER,
  preallocate: false,
  cleanupPolicy: 'delete',
  minInsyncReplicas: 1,
  deleteRetentionMs: 24 * 3600 * 1000,
  minCompactionLagMs: 0,
  minCleanableDirtyRatio: 0.5,
});

/** True for cleanup.policy compact and compact,delete: the log cleaner keeps the last record per key. */
export function isCompacted(config: Readonly<LogConfig>): boolean {
  return config.cleanupPolicy !== 'delete';
}

/** True for delete and compact,delete: retention by time and size deletes old segments. */
export function deletesByRetention(config: Readonly<LogConfig>): boolean {
  return config.cleanupPolicy !== 'compact';
}

/** Parses one key's string value; throws Error with a one-line reason (the caller adds the key's name). */
export function parseTopicConfigValue(key: string, raw: string): LogConfig[keyof LogConfig] {
  const spec = TOPIC_CONFIG_KEYS[key];
  if (spec === undefined) throw new Error(`unknown topic config "${key}"`);
  const text = raw.trim();
  switch (spec.kind) {
    case 'bool':
      if (text !== 'true' && text !== 'false') throw new Error(`${key} must be true or false, got "${raw}"`);
      return text === 'true';
    case 'enum':
      if (!spec.values!.includes(text)) throw new Error(`${key} must be one of ${spec.values!.join(', ')}, got "${raw}"`);
      return text as LogConfig[keyof LogConfig];
    case 'double':
      return parseDouble(key, text, spec.min ?? -Infinity, spec.max ?? Infinity);
    default: {
      if (!/^-?\d+$/.test(text)) throw new Error(`${key} must be an integer, got "${raw}"`);
      const value = Number(text);
      const max = spec.kind === 'int' ? 2 ** 31 - 1 : Number.MAX_SAFE_INTEGER;
      if (value < (spec.min ?? -Infinity) || value > max) {
        // Kafka's Long.MAX_VALUE means "never"; accept it and anything beyond 2^53 as NEVER.
        if (spec.kind === 'long' && value > max) return NEVER;
        throw new Error(`${key} must be between ${spec.min} and ${max}, got ${text}`);
      }
      return value;
    }
  }
}

/** A decimal number (Kafka's DOUBLE: "0.5", "1", "5e-1") within [min, max]. */
export function parseDouble(key: string, text: string, min: number, max: number): number {
  const value = text === '' ? Number.NaN : Number(text);
  if (!Number.isFinite(value)) throw new Error(`${key} must be a number, got "${text}"`);
  if (value < min || value > max) throw new Error(`${key} must be between ${min} and ${max}, got ${text}`);
  return value;
}

/** Applies Kafka-style key/value overrides on top of a base config. Throws on the first bad entry. */
export function withTopicOverrides(base: Readonly<LogConfig>, overrides: Readonly<Record<string, string>>): LogConfig {
  const config: LogConfig = { ...base };
  for (const [key, raw] of Object.entries(overrides)) {
    const spec = TOPIC_CONFIG_KEYS[key];
    if (spec === undefined) throw new Error(`unknown topic config "${key}"`);
    (config as unknown as Record<string, unknown>)[spec.field] = parseTopicConfigValue(key, raw);
  }
  return config;
}

/** The Kafka key/value view of a config, for DescribeConfigs and docs. */
export function topicConfigEntries(config: Readonly<LogConfig>): Array<[string, string]> {
  return Object.entries(TOPIC_CONFIG_KEYS).map(([key, spec]) => [key, config[spec.field] === NEVER ? KAFKA_LONG_MAX : String(config[spec.field])]);
}
