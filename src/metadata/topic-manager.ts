// Topics as clients see them on a standalone broker: create (validated names, partition counts and
// configs), delete, add partitions, change configs live. Each change is written to the metadata store first
// and applied to the engine's partitions only once written, so a failed write (a full disk) changes nothing
// and answers KAFKA_STORAGE_ERROR. Runs on the main thread.
import type { Logger } from 'pino';
import type { PartitionEngine } from '../engine/partition-engine.js';
import { OFFSETS_TOPIC } from '../shared/group-protocol.js';
import { ErrorCode, KafkaError } from '../shared/kafka-error-codes.js';
import { type LogConfig, withTopicOverrides } from '../shared/topic-config.js';
import type { MetadataStore, TopicRecord } from './metadata-store.js';
import { newTopicId } from './standalone-metadata.js';
import { topicNameProblem } from './topic-names.js';

export const MAX_PARTITIONS_PER_TOPIC = 10_000;

export class TopicManager {
  /** Pending deletes whose partitions this process removed from every disk but whose end is not written yet. */
  private readonly deletesDone = new Set<string>();

  constructor(
    private readonly metadata: MetadataStore,
    private readonly engine: PartitionEngine,
    private readonly brokerDefaults: Readonly<LogConfig>,
    private readonly logger: Logger,
  ) {}

  /** The effective log config of a topic: broker defaults plus its overrides. */
  configOf(topic: string): LogConfig {
    return withTopicOverrides(this.brokerDefaults, this.metadata.topic(topic)?.configs ?? {});
  }

  topic(name: string): TopicRecord | undefined {
    return this.metadata.topic(name);
  }

  topicNames(): string[] {
    return this.metadata.topicNames();
  }

  get clusterId(): string {
    return this.metadata.clusterId;
  }

  /** Checks a new topic's name, that it does not exist yet, and its configs; throws KafkaError with Kafka's code and message. */
  validateNewTopic(name: string, configs: Record<string, string>): void {
    checkTopicName(name);
    if (this.metadata.topic(name) !== undefined) throw new KafkaError(ErrorCode.TOPIC_ALREADY_EXISTS, `Topic '${name}' already exists.`);
    if (this.metadata.pendingDelete(name) !== undefined && !this.deletesDone.has(name)) {
      throw new KafkaError(
        ErrorCode.KAFKA_STORAGE_ERROR,
        `topic ${name} was deleted but not all of its partitions are gone from disk (a log dir is offline, or the delete is still running); it can be created again once they are`,
      );
    }
    this.configWith(configs);
  }

  /** Checks a create request without changing anything; throws KafkaError with Kafka's code. */
  validateCreate(name: string, partitions: number, configs: Record<string, string>): void {
    this.validateNewTopic(name, configs);
    checkPartitionCount(partitions);
  }

  /** A new topic's name, partition count and configs, whatever exists (a cluster's state says that): KafkaError if wrong. */
  validateShape(name: string, partitions: number, configs: Record<string, string>): void {
    checkTopicName(name);
    checkPartitionCount(partitions);
    this.configWith(configs);
  }

  /** The broker defaults with these overrides, or INVALID_CONFIG naming the key, as Kafka words it. */
  private configWith(configs: Readonly<Record<string, string>>): LogConfig {
    try {
      return withTopicOverrides(this.brokerDefaults, configs);
    } catch (error) {
      throw new KafkaError(ErrorCode.INVALID_CONFIG, (error as Error).message);
    }
  }

  /** Writes the topic, then creates its partitions; if they cannot all be created, the topic is deleted again. */
  async createTopic(name: string, partitions: number, configs: Record<string, string> = {}): Promise<TopicRecord> {
    this.validateCreate(name, partitions, configs);
    this.engine.requireRoomForNewPartition();
    const record: TopicRecord = { topicId: newTopicId(), partitions, configs };
    await this.write(`create topic ${name}`, () => this.metadata.putTopic(name, record));
    this.deletesDone.delete(name);
    await this.addPartitions(name, 0, partitions, () => this.removeTopic(name));
    return record;
  }

  /**
   * Records that a partition now lives in `logDir`, the commit point of a move between log dirs (written before
   * the switch acts on it). UNKNOWN_TOPIC_OR_PARTITION when the topic was deleted meanwhile: the move is dropped.
   */
  async recordLogDir(topic: string, partition: number, logDir: string): Promise<void> {
    const record = this.metadata.topic(topic);
    if (record === undefined || partition >= record.partitions) {
      throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `${topic}-${partition} does not exist`);
    }
    await this.write(`move ${topic}-${partition} to ${logDir}`, () => this.metadata.putLogDir(record.topicId, partition, logDir));
  }

  /**
   * Moves a partition to the log dir `path` while it serves (AlterReplicaLogDirs): the engine copies it and, when
   * it switches over, the new placement is written first (recordLogDir). Returns once the move has started.
   */
  moveToLogDir(topic: string, partition: number, path: string): Promise<void> {
    return this.engine.moveToLogDir(topic, partition, path, (t, p, dir) => this.recordLogDir(t, p, dir));
  }

  /** The log dir a partition was last moved to, if it ever was (start-up picks that copy). */
  logDirOf(topic: string, partition: number): string | undefined {
    const record = this.metadata.topic(topic);
    return record === undefined ? undefined : this.metadata.logDirOf(record.topicId, partition);
  }

  async deleteTopic(name: string): Promise<void> {
    this.requireTopic(name);
    if (name === OFFSETS_TOPIC) throw new KafkaError(ErrorCode.INVALID_TOPIC_EXCEPTION, `${OFFSETS_TOPIC} is internal and cannot be deleted`);
    await this.removeTopic(name);
  }

  /**
   * Raises a topic's partition count (Kafka cannot lower it): the new count is written, then the partitions made.
   * `checkAdded(added)` checks a manual assignment of the added partitions once the count is known good.
   */
  async createPartitions(name: string, newTotal: number, validateOnly = false, checkAdded: (added: number) => void = () => {}): Promise<void> {
    const record = this.metadata.topic(name);
    checkPartitionIncrease(name, record?.partitions, newTotal);
    if (record === undefined) return;
    checkAdded(newTotal - record.partitions);
    if (validateOnly) return;
    this.engine.requireRoomForNewPartition();
    await this.write(`raise the partition count of ${name} to ${newTotal}`, () => this.metadata.putTopic(name, { ...record, partitions: newTotal }));
    await this.addPartitions(name, record.partitions, newTotal, () => this.lowerPartitionCount(name, record.partitions));
  }

  /**
   * Replaces (or, incrementally, edits) a topic's overrides: written, then applied live to its online partitions
   * (one in an offline dir takes them from the metadata when it opens again).
   */
  async setConfigs(name: string, configs: Record<string, string>, validateOnly = false): Promise<void> {
    const record = this.requireTopic(name);
    const config = this.configWith(configs);
    if (validateOnly) return;
    await this.write(`change the configs of ${name}`, () => this.metadata.putTopic(name, { ...record, configs }));
    for (const p of this.engine.partitions()) if (p.topic === name && p.online) await this.engine.updateConfig(name, p.partition, config);
  }

  /**
   * Start-up: finishes pending deletes (their partitions found on disk are deleted, never adopted); standalone,
   * found on disk for topics the metadata does not know are adopted (the metadata file was lost or predates
   * them); partitions the metadata lists but no online dir holds are created empty, with a warning, unless a
   * log dir is offline (they may be there).
   */
  async reconcileWithEngine(inCluster = false): Promise<void> {
    for (const name of this.metadata.pendingDeleteNames()) {
      const removed = await this.finishDelete(name);
      if (removed > 0) this.logger.info({ topic: name, partitions: removed }, 'removed the partitions of a deleted topic left on disk');
    }
    // In a cluster, etcd's state says which topics and partitions this broker holds (the state applier).
    if (inCluster) return;
    await this.adoptUnknownPartitions();
    if (this.engine.offlineLogDirs().length > 0) return;
    try {
      await this.createMissingPartitions();
    } catch (error) {
      if (!(error instanceof KafkaError)) throw error;
      this.logger.error(
        { reason: error.message },
        'partitions listed in the metadata are missing and cannot be created now; they are created at the next start',
      );
    }
  }

  private async createMissingPartitions(): Promise<void> {
    for (const name of this.metadata.topicNames()) {
      const record = this.metadata.topic(name)!;
      for (let p = 0; p < record.partitions; p++) {
        if (this.engine.has(name, p)) continue;
        this.logger.warn({ topic: name, partition: p }, 'partition listed in the metadata has no data on disk; created empty');
        await this.engine.createPartition(name, p, this.configOf(name));
      }
    }
  }

  private async adoptUnknownPartitions(): Promise<void> {
    const onDisk = this.engine.partitions();
    for (const topic of new Set(onDisk.map((p) => p.topic))) {
      if (this.metadata.topic(topic) !== undefined) continue;
      const partitions = Math.max(...onDisk.filter((p) => p.topic === topic).map((p) => p.partition)) + 1;
      try {
        await this.write(`adopt topic ${topic}`, () => this.metadata.putTopic(topic, { topicId: newTopicId(), partitions, configs: {} }));
      } catch {
        continue; // Logged by write(); adopted at the next start.
      }
      this.logger.warn({ topic, partitions }, 'adopted a topic found on disk but missing from the metadata file');
    }
  }

  // ---- in a cluster: this broker's copy of etcd's topics (src/cluster/state-applier.ts) ---------------------

  /**
   * Makes this broker's copy of a topic match the cluster state's (id, partition count, configs), written first;
   * new configs then apply live to its online partitions. A copy with another id (the topic was deleted and created
   * again while this broker was away) is removed first, partitions and all. Partitions are made one by one, only
   * those assigned here (createLocalPartition).
   */
  async mirrorTopic(name: string, record: TopicRecord): Promise<void> {
    const local = this.metadata.topic(name);
    if (local !== undefined && local.topicId !== record.topicId) await this.removeTopic(name);
    const current = this.metadata.topic(name);
    const sameConfigs = current !== undefined && JSON.stringify(current.configs) === JSON.stringify(record.configs);
    if (current !== undefined && sameConfigs && current.partitions === record.partitions) return;
    await this.write(`copy topic ${name} from the cluster state`, () => this.metadata.putTopic(name, { ...record, configs: { ...record.configs } }));
    this.deletesDone.delete(name);
    if (current === undefined || sameConfigs) return;
    const config = this.configOf(name);
    for (const p of this.engine.partitions()) if (p.topic === name && p.online) await this.engine.updateConfig(name, p.partition, config);
  }

  /** The cluster state no longer has the topic (or not with this id): its partitions here are deleted, write-first. */
  async forgetTopic(name: string): Promise<void> {
    if (this.metadata.topic(name) !== undefined) await this.removeTopic(name);
  }

  /** A partition of a copied topic assigned to this broker: created empty unless it is here already. */
  async createLocalPartition(name: string, partition: number): Promise<void> {
    if (!this.engine.has(name, partition)) await this.engine.createPartition(name, partition, this.configOf(name));
  }

  /**
   * Write-first delete: the topic leaves the metadata in the same write that records its pending delete; then its
   * partitions are deleted; then the pending delete ends. A crash or a failure in between leaves the pending
   * delete, finished at the next start, so the topic never comes back, empty or not.
   */
  private async removeTopic(name: string): Promise<void> {
    await this.write(`delete topic ${name}`, () => this.metadata.deleteTopic(name));
    await this.finishDelete(name);
  }

  /** Deletes the partitions of a pending delete this broker holds and, if none can be left on any disk, ends it. Returns how many were deleted. */
  private async finishDelete(name: string): Promise<number> {
    let removed = 0;
    let filesLeft = this.engine.offlineLogDirs().length > 0;
    for (const { partition } of this.engine.partitions().filter((p) => p.topic === name)) {
      try {
        if (await this.engine.deletePartition(name, partition)) removed++;
        else filesLeft = true;
      } catch (error) {
        filesLeft = true;
        this.logger.error(
          { topic: name, partition, reason: (error as Error).message },
          'partition of a deleted topic could not be removed; retried at the next start',
        );
      }
    }
    if (filesLeft) return removed;
    this.deletesDone.add(name);
    try {
      await this.write(`end the delete of topic ${name}`, () => this.metadata.completeDelete(name));
      this.deletesDone.delete(name);
    } catch {
      // Logged by write(); the pending delete ends when the name is created again or at the next start.
    }
    return removed;
  }

  /** Creates partitions from..to-1 of a topic already written; on a failure runs `undo` (best effort) and rethrows. */
  private async addPartitions(name: string, from: number, to: number, undo: () => Promise<void>): Promise<void> {
    const config = this.configOf(name);
    try {
      for (let p = from; p < to; p++) {
        // A delete that came in while earlier partitions were being created wins: none is made after it.
        if (this.metadata.topic(name) === undefined)
          throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `topic ${name} was deleted while its partitions were being created`);
        await this.engine.createPartition(name, p, config);
      }
    } catch (error) {
      this.logger.error({ topic: name, reason: (error as Error).message }, 'partitions could not be created; undoing the change');
      await undo().catch((undoError: Error) =>
        this.logger.error(
          { topic: name, reason: undoError.message },
          'undo failed; the metadata keeps the change and its missing partitions are created at the next start',
        ),
      );
      throw error;
    }
  }

  /** Undoes a failed partition increase: the new partitions go first, then the old count is written. */
  private async lowerPartitionCount(name: string, count: number): Promise<void> {
    const record = this.requireTopic(name);
    for (let p = count; p < record.partitions; p++) if (this.engine.has(name, p)) await this.engine.deletePartition(name, p);
    await this.write(`lower the partition count of ${name} back to ${count}`, () => this.metadata.putTopic(name, { ...record, partitions: count }));
  }

  /** Runs one metadata change; a failed write is logged once and rethrown (KAFKA_STORAGE_ERROR), nothing changed. */
  private async write(change: string, commit: () => Promise<void>): Promise<void> {
    try {
      await commit();
    } catch (error) {
      this.logger.error({ change, reason: (error as Error).message }, 'metadata write failed; nothing was changed');
      throw error;
    }
  }

  private requireTopic(name: string): TopicRecord {
    const record = this.metadata.topic(name);
    if (record === undefined) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `topic ${name} does not exist`);
    return record;
  }
}

function checkTopicName(name: string): void {
  const problem = topicNameProblem(name);
  if (problem !== null) throw new KafkaError(ErrorCode.INVALID_TOPIC_EXCEPTION, problem);
}

function checkPartitionCount(partitions: number): void {
  if (!Number.isInteger(partitions) || partitions < 1 || partitions > MAX_PARTITIONS_PER_TOPIC) {
    throw new KafkaError(ErrorCode.INVALID_PARTITIONS, `partition count must be 1..${MAX_PARTITIONS_PER_TOPIC}, got ${partitions}`);
  }
}

/** CreatePartitions' checks, as Kafka words them: the topic exists (`current` its count), is not the offsets topic, and grows within the limit. */
export function checkPartitionIncrease(name: string, current: number | undefined, newTotal: number): void {
  if (current === undefined) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `The topic '${name}' does not exist.`);
  if (name === OFFSETS_TOPIC) throw new KafkaError(ErrorCode.INVALID_PARTITIONS, `${OFFSETS_TOPIC} keeps its partition count: groups are placed by it`);
  if (newTotal === current) throw new KafkaError(ErrorCode.INVALID_PARTITIONS, `Topic already has ${current} partition(s).`);
  if (!Number.isInteger(newTotal) || newTotal < current) {
    throw new KafkaError(ErrorCode.INVALID_PARTITIONS, `The topic ${name} currently has ${current} partition(s); ${newTotal} would not be an increase.`);
  }
  if (newTotal > MAX_PARTITIONS_PER_TOPIC) {
    throw new KafkaError(ErrorCode.INVALID_PARTITIONS, `topic ${name} may have at most ${MAX_PARTITIONS_PER_TOPIC} partitions, got ${newTotal}`);
  }
}
