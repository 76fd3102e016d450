// Topics as clients see them on a standalone broker: create (validated names, partition counts and
// configs), delete, add partitions, change configs live; each change applied to the engine's partitions
// and recorded in the metadata file. Runs on the main thread.
import type { Logger } from 'pino';
import type { PartitionEngine } from '../engine/partition-engine.js';
import { OFFSETS_TOPIC } from '../shared/group-protocol.js';
import { ErrorCode, KafkaError } from '../shared/kafka-error-codes.js';
import { type LogConfig, withTopicOverrides } from '../shared/topic-config.js';
import { newTopicId, type StandaloneMetadata, type TopicRecord } from './standalone-metadata.js';
import { topicNameProblem } from './topic-names.js';

export const MAX_PARTITIONS_PER_TOPIC = 10_000;

export class TopicManager {
  constructor(
    private readonly metadata: StandaloneMetadata,
    private readonly engine: PartitionEngine,
    private readonly brokerDefaults: Readonly<LogConfig>,
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

  /** Checks a create request without changing anything; throws KafkaError with Kafka's code. */
  validateCreate(name: string, partitions: number, configs: Record<string, string>): void {
    const problem = topicNameProblem(name);
    if (problem !== null) throw new KafkaError(ErrorCode.INVALID_TOPIC_EXCEPTION, problem);
    if (this.metadata.topic(name) !== undefined) throw new KafkaError(ErrorCode.TOPIC_ALREADY_EXISTS, `topic ${name} already exists`);
    if (!Number.isInteger(partitions) || partitions < 1 || partitions > MAX_PARTITIONS_PER_TOPIC) {
      throw new KafkaError(ErrorCode.INVALID_PARTITIONS, `partition count must be 1..${MAX_PARTITIONS_PER_TOPIC}, got ${partitions}`);
    }
    try {
      withTopicOverrides(this.brokerDefaults, configs);
    } catch (error) {
      throw new KafkaError(ErrorCode.INVALID_CONFIG, (error as Error).message);
    }
  }

  async createTopic(name: string, partitions: number, configs: Record<string, string> = {}): Promise<TopicRecord> {
    this.validateCreate(name, partitions, configs);
    const record: TopicRecord = { topicId: newTopicId(), partitions, configs };
    this.metadata.putTopic(name, record);
    const config = this.configOf(name);
    for (let p = 0; p < partitions; p++) await this.engine.createPartition(name, p, config);
    return record;
  }

  async deleteTopic(name: string): Promise<void> {
    const record = this.requireTopic(name);
    if (name === OFFSETS_TOPIC) throw new KafkaError(ErrorCode.INVALID_TOPIC_EXCEPTION, `${OFFSETS_TOPIC} is internal and cannot be deleted`);
    for (let p = 0; p < record.partitions; p++) if (this.engine.has(name, p)) await this.engine.deletePartition(name, p);
    this.metadata.deleteTopic(name);
  }

  /** Raises a topic's partition count (Kafka cannot lower it). */
  async createPartitions(name: string, newTotal: number, validateOnly = false): Promise<void> {
    const record = this.requireTopic(name);
    if (name === OFFSETS_TOPIC) throw new KafkaError(ErrorCode.INVALID_PARTITIONS, `${OFFSETS_TOPIC} keeps its partition count: groups are placed by it`);
    if (!Number.isInteger(newTotal) || newTotal <= record.partitions || newTotal > MAX_PARTITIONS_PER_TOPIC) {
      throw new KafkaError(ErrorCode.INVALID_PARTITIONS, `topic ${name} has ${record.partitions} partitions; the new count must be larger (at most ${MAX_PARTITIONS_PER_TOPIC}), got ${newTotal}`);
    }
    if (validateOnly) return;
    const config = this.configOf(name);
    for (let p = record.partitions; p < newTotal; p++) await this.engine.createPartition(name, p, config);
    this.metadata.putTopic(name, { ...record, partitions: newTotal });
  }

  /** Replaces (or, incrementally, edits) a topic's overrides and applies them to its partitions live. */
  async setConfigs(name: string, configs: Record<string, string>, validateOnly = false): Promise<void> {
    const record = this.requireTopic(name);
    let config: LogConfig;
    try {
      config = withTopicOverrides(this.brokerDefaults, configs);
    } catch (error) {
      throw new KafkaError(ErrorCode.INVALID_CONFIG, (error as Error).message);
    }
    if (validateOnly) return;
    this.metadata.putTopic(name, { ...record, configs });
    for (let p = 0; p < record.partitions; p++) if (this.engine.has(name, p)) await this.engine.updateConfig(name, p, config);
  }

  /**
   * Start-up: partitions found on disk for topics the metadata does not know are adopted (the metadata
   * file was lost or predates them); partitions the metadata lists but no online dir holds are created
   * empty, with a warning, unless a log dir is offline (they may be there).
   */
  async reconcileWithEngine(logger: Logger): Promise<void> {
    const onDisk = this.engine.partitions();
    for (const topic of new Set(onDisk.map((p) => p.topic))) {
      if (this.metadata.topic(topic) !== undefined) continue;
      const partitions = Math.max(...onDisk.filter((p) => p.topic === topic).map((p) => p.partition)) + 1;
      this.metadata.putTopic(topic, { topicId: newTopicId(), partitions, configs: {} });
      logger.warn({ topic, partitions }, 'adopted a topic found on disk but missing from the metadata file');
    }
    if ((await this.engine.stats()).logDirs.some((d) => !d.online)) return;
    for (const name of this.metadata.topicNames()) {
      const record = this.metadata.topic(name)!;
      for (let p = 0; p < record.partitions; p++) {
        if (this.engine.has(name, p)) continue;
        logger.warn({ topic: name, partition: p }, 'partition listed in the metadata has no data on disk; created empty');
        await this.engine.createPartition(name, p, this.configOf(name));
      }
    }
  }

  private requireTopic(name: string): TopicRecord {
    const record = this.metadata.topic(name);
    if (record === undefined) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `topic ${name} does not exist`);
    return record;
  }
}
