// What a partition worker runs with beyond its partitions' LogConfig: its periodic tasks' intervals and its
// group coordinators' settings, as tables of broker keys (types and defaults inferred from them). The main
// thread reads them with the broker config and hands the worker one WorkerSettings object at start.
import { type ConfigTable, defaultsOf, int, INT_MAX, long, type ValuesOf } from './config-table.js';

export const WORKER_CONFIG_TABLE = {
  retentionCheckIntervalMs: long({ key: 'log.retention.check.interval.ms', default: 300_000, min: 1, doc: 'How often each worker applies retention.' }),
  flushCheckIntervalMs: long({ key: 'log.flush.scheduler.interval.ms', default: 1000, min: 1, doc: 'How often workers check log.flush.interval.ms.' }),
  checkpointIntervalMs: long({ key: 'log.flush.offset.checkpoint.interval.ms', default: 60_000, min: 1, doc: 'How often recovery points are checkpointed.' }),
  cleanerBackoffMs: long({
    key: 'log.cleaner.backoff.ms',
    default: 15_000,
    min: 1,
    max: INT_MAX,
    doc: 'How often each worker checks its compacted partitions for segments to clean.',
  }),
} satisfies ConfigTable;

export const GROUP_CONFIG_TABLE = {
  initialRebalanceDelayMs: int({
    key: 'group.initial.rebalance.delay.ms',
    default: 3000,
    min: 0,
    doc: 'The first rebalance of an empty group waits this long for more members (extended while they keep coming).',
  }),
  minSessionTimeoutMs: int({
    key: 'group.min.session.timeout.ms',
    default: 6000,
    min: 1,
    doc: 'Shortest session timeout a member may ask for (INVALID_SESSION_TIMEOUT below).',
  }),
  maxSessionTimeoutMs: int({ key: 'group.max.session.timeout.ms', default: 1_800_000, min: 1, doc: 'Longest session timeout a member may ask for.' }),
  maxGroupSize: int({ key: 'group.max.size', default: INT_MAX, min: 1, doc: 'Members allowed in one group (GROUP_MAX_SIZE_REACHED beyond).' }),
  offsetsRetentionMs: long({
    key: 'offsets.retention.minutes',
    unitMs: 60_000,
    default: 7 * 24 * 3600 * 1000,
    min: 1,
    doc: 'Committed offsets of a group are dropped once it has been empty this long.',
  }),
  offsetsRetentionCheckIntervalMs: long({
    key: 'offsets.retention.check.interval.ms',
    default: 600_000,
    min: 1,
    doc: 'How often each coordinator looks for expired offsets.',
  }),
  offsetMetadataMaxBytes: int({
    key: 'offset.metadata.max.bytes',
    default: 4096,
    min: 0,
    doc: 'Longest metadata string of an offset commit (OFFSET_METADATA_TOO_LARGE beyond).',
  }),
} satisfies ConfigTable;

export type GroupSettings = ValuesOf<typeof GROUP_CONFIG_TABLE> & {
  /** Largest group metadata record (every member's subscription and assignment): the offsets topic's max.message.bytes. */
  maxGroupMetadataBytes: number;
  /**
   * Whether a __consumer_offsets partition gets its coordinator when it opens (standalone: this broker leads it).
   * In a cluster it gets one only while this broker leads it (WorkerControl.setCoordinating).
   */
  coordinateOnOpen: boolean;
};

/** Kafka's defaults. */
export const DEFAULT_GROUP_SETTINGS: Readonly<GroupSettings> = Object.freeze({
  ...defaultsOf(GROUP_CONFIG_TABLE),
  maxGroupMetadataBytes: 1024 * 1024,
  coordinateOnOpen: true,
});

export type WorkerSettings = ValuesOf<typeof WORKER_CONFIG_TABLE> & { groups: GroupSettings };

/** What holds a worker's settings (the broker or engine config); without groups, Kafka's defaults. */
export type WorkerSettingsSource = ValuesOf<typeof WORKER_CONFIG_TABLE> & { groups?: GroupSettings };

/** The worker's settings out of a larger object holding them: the table's fields and the groups. */
export function workerSettingsOf(source: WorkerSettingsSource): WorkerSettings {
  const settings: Record<string, unknown> = { groups: source.groups ?? DEFAULT_GROUP_SETTINGS };
  for (const field of Object.keys(WORKER_CONFIG_TABLE) as Array<keyof typeof WORKER_CONFIG_TABLE>) settings[field] = source[field];
  return settings as WorkerSettings;
}
