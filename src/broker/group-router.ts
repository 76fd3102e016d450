// Where each consumer group lives: the __consumer_offsets partition its id hashes to (Kafka's
// abs(String.hashCode) mod partitions, so groups land where Kafka would put them), creating the topic
// on first use; forwards group operations to the worker owning that partition and gathers answers that
// span every partition (ListGroups). Runs on the main thread.
import type { PartitionEngine } from '../engine/partition-engine.js';
import type { TopicManager } from '../metadata/topic-manager.js';
import { type GroupListing, type GroupOperation, type GroupOperationRequest, type GroupOperationResult, OFFSETS_TOPIC } from '../shared/group-protocol.js';

export interface OffsetsTopicSettings {
  partitions: number;
  segmentBytes: number;
}

export class GroupRouter {
  private creating: Promise<void> | null = null;

  constructor(
    private readonly engine: PartitionEngine,
    private readonly topics: TopicManager,
    private readonly settings: OffsetsTopicSettings,
  ) {}

  /** The __consumer_offsets partition holding `groupId`'s offsets and metadata. */
  partitionFor(groupId: string): number {
    return offsetsPartitionOf(groupId, this.topics.topic(OFFSETS_TOPIC)?.partitions ?? this.settings.partitions);
  }

  /** Creates __consumer_offsets (compacted) the first time any group needs it; concurrent callers share one creation. */
  ensureOffsetsTopic(): Promise<void> {
    if (this.topics.topic(OFFSETS_TOPIC) !== undefined) return Promise.resolve();
    this.creating ??= this.topics
      .createTopic(OFFSETS_TOPIC, this.settings.partitions, { 'cleanup.policy': 'compact', 'segment.bytes': String(this.settings.segmentBytes) })
      .then(() => undefined)
      .finally(() => {
        this.creating = null;
      });
    return this.creating;
  }

  async call<K extends GroupOperation>(groupId: string, operation: K, request: GroupOperationRequest<K>): Promise<GroupOperationResult<K>> {
    await this.ensureOffsetsTopic();
    return this.engine.group(OFFSETS_TOPIC, this.partitionFor(groupId), operation, request);
  }

  /** Every committed offset of one group (consumer lag in /metrics). */
  fetchOffsets(groupId: string): Promise<GroupOperationResult<'fetchOffsets'>> {
    return this.call(groupId, 'fetchOffsets', { groupId, partitions: null });
  }

  /** Every group of every coordinator (partitions in offline dirs are skipped). */
  async listAll(): Promise<GroupListing[]> {
    const record = this.topics.topic(OFFSETS_TOPIC);
    if (record === undefined) return [];
    const online = new Set(
      this.engine
        .partitions()
        .filter((p) => p.topic === OFFSETS_TOPIC && p.online)
        .map((p) => p.partition),
    );
    const lists = await Promise.all([...online].map((p) => this.engine.group(OFFSETS_TOPIC, p, 'list', undefined)));
    return lists.flat();
  }
}

/** Kafka's placement of a group: Utils.abs(groupId.hashCode()) % partitions (abs of the minimum int is 0). */
export function offsetsPartitionOf(groupId: string, partitions: number): number {
  const hash = javaStringHash(groupId);
  return (hash === -(2 ** 31) ? 0 : Math.abs(hash)) % partitions;
}

/** Java's String.hashCode over UTF-16 code units, as a signed 32-bit int. */
function javaStringHash(text: string): number {
  let hash = 0;
  for (let i = 0; i < text.length; i++) hash = (Math.imul(hash, 31) + text.charCodeAt(i)) | 0;
  return hash;
}
