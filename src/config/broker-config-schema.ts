// Every broker configuration key Fjord reads: Kafka's names where Kafka has the setting, fjord.* for
// Fjord's own, with type, default, bounds and a one-line description (the docs are generated from
// this table). Runs on the main thread.
import { availableParallelism } from 'node:os';
import { DEFAULT_GROUP_SETTINGS } from '../shared/group-protocol.js';
import { KAFKA_LONG_MAX } from '../shared/topic-config.js';

export type ConfigKind = 'int' | 'long' | 'double' | 'bool' | 'string' | 'list' | 'enum';

export interface ConfigKeySpec {
  kind: ConfigKind;
  default: string;
  doc: string;
  min?: number;
  max?: number;
  values?: readonly string[];
  /** Other keys that mean the same (Kafka's older names); the first one present wins. */
  aliases?: readonly string[];
}

const MIB = 1024 * 1024;
const INT_MAX = 2 ** 31 - 1;

export const BROKER_CONFIG_SCHEMA: Readonly<Record<string, ConfigKeySpec>> = {
  'node.id': { kind: 'int', default: '1', min: 0, max: INT_MAX, aliases: ['broker.id'], doc: 'This broker\'s id in the cluster.' },
  'log.dirs': { kind: 'list', default: './data', aliases: ['log.dir'], doc: 'Comma-separated data directories, one per disk (JBOD). A new partition goes to an online dir that is not full (16 MiB free or more): the one with the most free space per partition.' },
  listeners: { kind: 'string', default: 'PLAINTEXT://127.0.0.1:9092', doc: 'Where the Kafka listener binds: PLAINTEXT://host:port (port 0 picks a free port).' },
  'advertised.listeners': { kind: 'string', default: '', doc: 'The address given to clients in Metadata: PLAINTEXT://host:port. Default: the bound listener address.' },
  'fjord.http.listener': { kind: 'string', default: 'http://127.0.0.1:9644', doc: 'Where the admin HTTP listener binds (GET /metrics, /health, /ready): http://host:port (port 0 picks a free port); empty turns it off.' },
  'auto.create.topics.enable': { kind: 'bool', default: 'true', doc: 'Create a topic when a client asks for its metadata (and allows auto-creation).' },
  'socket.request.max.bytes': { kind: 'int', default: String(100 * MIB), min: 1024, max: INT_MAX, doc: 'Largest request frame; a bigger one closes the connection.' },
  'max.connections': { kind: 'int', default: '10000', min: 1, max: 1_000_000, doc: 'Client connections accepted at once; more are refused.' },
  'connections.max.idle.ms': { kind: 'long', default: '600000', min: 1, doc: 'A connection idle this long is closed.' },
  'fjord.max.inflight.requests.per.connection': { kind: 'int', default: '100', min: 1, max: 100_000, doc: 'Requests read from one connection before earlier ones are answered; beyond it the socket is paused (backpressure).' },
  'fjord.connection.unsent.bytes.max': { kind: 'int', default: String(8 * MIB), min: 64 * 1024, max: INT_MAX, doc: 'Response bytes one connection may hold (unsent response frames, records read for its fetches): beyond it the connection reads no further request until its socket drains (it is muted), and its next fetch waits before reading records. A connection holding nothing may still take one whole response.' },
  'fjord.response.memory.bytes.max': { kind: 'long', default: String(512 * MIB), min: MIB, doc: 'Response bytes all connections together may hold (records read for fetches, response frames not yet sent); beyond it fetches answer with fewer or no records rather than take more memory.' },
  'fjord.request.read.timeout.ms': { kind: 'long', default: '30000', min: 1, max: INT_MAX, doc: 'A request whose first byte arrived this long ago and is still incomplete closes its connection (a client trickling bytes). Time between requests and time the connection is muted do not count.' },
  'fjord.max.fetch.waiters': { kind: 'int', default: '10000', min: 0, max: 1_000_000, doc: 'Long-polling fetches waiting for data at once; beyond it a fetch answers immediately.' },
  'default.replication.factor': { kind: 'int', default: '1', min: 1, max: 32767, doc: 'Replicas of an auto-created topic (and of CreateTopics asking for -1). A standalone broker holds the only replica of every partition, so only 1 is accepted.' },
  'num.partitions': { kind: 'int', default: '1', min: 1, max: 100_000, doc: 'Partitions of an auto-created topic.' },
  'log.segment.bytes': { kind: 'int', default: String(1024 * MIB), min: 14, max: INT_MAX, doc: 'Segment size at which a new segment is rolled.' },
  'log.roll.ms': { kind: 'long', default: String(7 * 24 * 3600 * 1000), min: 1, aliases: ['log.roll.hours'], doc: 'Age at which the active segment is rolled even if not full (log.roll.hours is read in hours).' },
  'log.retention.ms': { kind: 'long', default: String(7 * 24 * 3600 * 1000), min: -1, aliases: ['log.retention.minutes', 'log.retention.hours'], doc: 'How long a segment is kept after its newest message; -1 keeps forever (minutes/hours variants are converted).' },
  'log.retention.bytes': { kind: 'long', default: '-1', min: -1, doc: 'Size a partition is trimmed to by deleting its oldest segments; -1 means no limit.' },
  'log.retention.check.interval.ms': { kind: 'long', default: '300000', min: 1, doc: 'How often each worker applies retention.' },
  'log.index.interval.bytes': { kind: 'int', default: '4096', min: 0, max: INT_MAX, doc: 'Bytes of log between two sparse index entries.' },
  'log.index.size.max.bytes': { kind: 'int', default: String(10 * MIB), min: 12, max: INT_MAX, doc: 'Largest .index / .timeindex file; a full index rolls the segment.' },
  'message.max.bytes': { kind: 'int', default: String(MIB + 12), min: 0, max: INT_MAX, doc: 'Largest record batch accepted (topic override: max.message.bytes).' },
  'log.message.timestamp.type': { kind: 'enum', default: 'CreateTime', values: ['CreateTime', 'LogAppendTime'], doc: 'CreateTime keeps the producer\'s timestamps; LogAppendTime stamps the broker\'s clock.' },
  'log.flush.interval.messages': { kind: 'long', default: KAFKA_LONG_MAX, min: 1, doc: 'fsync after this many messages; 1 = every acknowledgement waits for fsync (group commit). Default: never, rely on the page cache and replication.' },
  'log.flush.interval.ms': { kind: 'long', default: KAFKA_LONG_MAX, min: 0, doc: 'fsync a partition when its oldest unflushed message is this old. Default: never.' },
  'log.flush.scheduler.interval.ms': { kind: 'long', default: '1000', min: 1, doc: 'How often workers check log.flush.interval.ms.' },
  'log.flush.offset.checkpoint.interval.ms': { kind: 'long', default: '60000', min: 1, doc: 'How often recovery points are checkpointed.' },
  'log.preallocate': { kind: 'bool', default: 'false', doc: 'Preallocate each new segment file to log.segment.bytes.' },
  'log.cleanup.policy': { kind: 'enum', default: 'delete', values: ['delete', 'compact', 'compact,delete'], doc: 'Default cleanup policy of topics.' },
  'log.cleaner.enable': { kind: 'bool', default: 'true', doc: 'Run the log cleaner, which compacts topics whose cleanup.policy includes compact.' },
  'log.cleaner.backoff.ms': { kind: 'long', default: '15000', min: 1, max: INT_MAX, doc: 'How often each worker checks its compacted partitions for segments to clean.' },
  'log.cleaner.delete.retention.ms': { kind: 'long', default: String(24 * 3600 * 1000), min: 0, doc: 'How long a tombstone (null value) stays in a compacted topic once it is the last record of its key (topic key: delete.retention.ms).' },
  'log.cleaner.min.compaction.lag.ms': { kind: 'long', default: '0', min: 0, doc: 'A segment of a compacted topic is cleaned only once its newest record is at least this old (topic key: min.compaction.lag.ms).' },
  'log.cleaner.min.cleanable.ratio': { kind: 'double', default: '0.5', min: 0, max: 1, doc: 'Clean a compacted partition when its not-yet-cleaned bytes reach this share of its cleanable bytes (topic key: min.cleanable.dirty.ratio).' },
  'min.insync.replicas': { kind: 'int', default: '1', min: 1, max: 1000, doc: 'Replicas that must have a message before acks=all succeeds.' },
  'offsets.topic.num.partitions': { kind: 'int', default: '50', min: 1, max: 10_000, doc: 'Partitions of __consumer_offsets (created on first group use); a group lives in the partition its id hashes to. Fixed once the topic exists.' },
  'offsets.topic.replication.factor': { kind: 'int', default: '1', min: 1, max: 32767, doc: 'Replicas of each __consumer_offsets partition. A standalone broker holds the only replica, so only 1 is accepted (Kafka\'s own default is 3).' },
  'offsets.topic.segment.bytes': { kind: 'int', default: String(100 * MIB), min: 14, max: INT_MAX, doc: 'Segment size of __consumer_offsets (small, so compaction keeps it short).' },
  'offsets.retention.minutes': { kind: 'long', default: String(DEFAULT_GROUP_SETTINGS.offsetsRetentionMs / 60_000), min: 1, doc: 'Committed offsets of a group are dropped once it has been empty this long.' },
  'offsets.retention.check.interval.ms': { kind: 'long', default: String(DEFAULT_GROUP_SETTINGS.offsetsRetentionCheckIntervalMs), min: 1, doc: 'How often each coordinator looks for expired offsets.' },
  'offset.metadata.max.bytes': { kind: 'int', default: String(DEFAULT_GROUP_SETTINGS.offsetMetadataMaxBytes), min: 0, max: INT_MAX, doc: 'Longest metadata string of an offset commit (OFFSET_METADATA_TOO_LARGE beyond).' },
  'group.initial.rebalance.delay.ms': { kind: 'int', default: String(DEFAULT_GROUP_SETTINGS.initialRebalanceDelayMs), min: 0, max: INT_MAX, doc: 'The first rebalance of an empty group waits this long for more members (extended while they keep coming).' },
  'group.min.session.timeout.ms': { kind: 'int', default: String(DEFAULT_GROUP_SETTINGS.minSessionTimeoutMs), min: 1, max: INT_MAX, doc: 'Shortest session timeout a member may ask for (INVALID_SESSION_TIMEOUT below).' },
  'group.max.session.timeout.ms': { kind: 'int', default: String(DEFAULT_GROUP_SETTINGS.maxSessionTimeoutMs), min: 1, max: INT_MAX, doc: 'Longest session timeout a member may ask for.' },
  'group.max.size': { kind: 'int', default: String(DEFAULT_GROUP_SETTINGS.maxGroupSize), min: 1, max: INT_MAX, doc: 'Members allowed in one group (GROUP_MAX_SIZE_REACHED beyond).' },
  'fjord.workers': { kind: 'int', default: String(Math.max(1, availableParallelism())), min: 1, max: 256, doc: 'Partition worker threads. Default: one per core.' },
  'fjord.ring.bytes': { kind: 'int', default: String(32 * MIB), min: 64 * 1024, max: 1024 * MIB, doc: 'Size of each data-path ring (two per worker); a power of two, at least 4 x message.max.bytes.' },
  'fjord.max.backlog.requests': { kind: 'int', default: '4096', min: 1, max: 1_000_000, doc: 'Requests that may wait for ring space per worker before new ones get a retriable error.' },
  'fjord.log.level': { kind: 'enum', default: 'info', values: ['trace', 'debug', 'info', 'warn', 'error', 'fatal'], doc: 'Lowest log level written.' },
  'fjord.log.format': { kind: 'enum', default: 'auto', values: ['auto', 'json', 'pretty'], doc: 'json: one pino JSON object per line; pretty: one human-readable line per entry; auto: pretty when stdout is a terminal, json otherwise.' },
  'fjord.metrics.topic.labels.max': { kind: 'int', default: '1000', min: 0, max: 100_000, doc: 'Topics that get their own topic label in the per-topic traffic metrics; the traffic of topics beyond it is counted under topic="(other)".' },
  'fjord.metrics.lag.groups.max': { kind: 'int', default: '100', min: 0, max: 10_000, doc: 'Consumer groups whose lag a /metrics scrape computes (the first ones by group id); 0 turns lag metrics off.' },
};

/** Multiplier to milliseconds for aliases given in other units. */
export const ALIAS_UNIT_MS: Readonly<Record<string, number>> = {
  'log.roll.hours': 3600 * 1000,
  'log.retention.minutes': 60 * 1000,
  'log.retention.hours': 3600 * 1000,
};
