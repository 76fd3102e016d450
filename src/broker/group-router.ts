// Where each consumer group lives: the __consumer_offsets partition its id hashes to (Kafka's
// abs(String.hashCode) mod partitions, so groups land where Kafka would put them), creating the topic
// on first use (in a cluster: in etcd's state, with offsets.topic.replication.factor replicas); forwards group
// operations to the worker owning that partition — in a cluster only while this broker leads it, else
// NOT_COORDINATOR, and what they write answered once every in-sync replica has it — and gathers answers that span every partition coordinated here (ListGroups). Main thread.
import type { ClusterTopics } from '../cluster/membership.js';
import type { PartitionEngine } from '../engine/partition-engine.js';
import type { TopicManager } from '../metadata/topic-manager.js';
import { type GroupListing, type GroupOperation, type GroupOperationRequest, type GroupOperationResult, OFFSETS_TOPIC } from '../shared/group-protocol.js';
import { ErrorCode, KafkaError } from '../shared/kafka-error-codes.js';
import { changeClusterTopics } from './cluster-topic-changes.js';
import type { DataWaiters } from './data-waiters.js';
import { ANY_LEADER_EPOCH, type CommitWaits, type PartitionLeadership } from './partition-leadership.js';

export interface OffsetsTopicSettings {
  partitions: number;
  segmentBytes: number;
  replicationFactor: number;
  /** offsets.commit.timeout.ms: how long a write waits for the in-sync replicas (in a cluster). */
  commitTimeoutMs: number;
}

/** Operations that may write group records (offsets, group metadata); in a cluster they answer once replicated. */
const WRITING_OPERATIONS: ReadonlySet<GroupOperation> = new Set<GroupOperation>(['join', 'sync', 'leave', 'commit', 'deleteGroup', 'deleteOffsets']);

export class GroupRouter {
  private creating: Promise<void> | null = null;

  constructor(
    private readonly engine: PartitionEngine,
    private readonly topics: TopicManager,
    private readonly settings: OffsetsTopicSettings,
    private readonly leadership: PartitionLeadership,
    /** The cluster's topics; null standalone. */
    private readonly cluster: ClusterTopics | null = null,
    /** In a cluster, the replica manager's commit waits: a write is answered once every in-sync replica has it. */
    private readonly commits: CommitWaits | null = null,
    /** Woken after a write, as after a produce: followers long-polling the partition fetch it at once. */
    private readonly waiters: DataWaiters | null = null,
  ) {}

  private offsetsPartitionCount(): number | undefined {
    return this.cluster === null ? this.topics.topic(OFFSETS_TOPIC)?.partitions : this.cluster.topic(OFFSETS_TOPIC)?.partitionCount;
  }

  /** The __consumer_offsets partition holding `groupId`'s offsets and metadata. */
  partitionFor(groupId: string): number {
    return offsetsPartitionOf(groupId, this.offsetsPartitionCount() ?? this.settings.partitions);
  }

  /** Creates __consumer_offsets (compacted) the first time any group needs it; concurrent callers share one creation. */
  ensureOffsetsTopic(): Promise<void> {
    if (this.offsetsPartitionCount() !== undefined) return Promise.resolve();
    this.creating ??= this.createOffsetsTopic().finally(() => {
      this.creating = null;
    });
    return this.creating;
  }

  private async createOffsetsTopic(): Promise<void> {
    const { partitions, segmentBytes, replicationFactor } = this.settings;
    const configs = { 'cleanup.policy': 'compact', 'segment.bytes': String(segmentBytes) };
    const cluster = this.cluster;
    if (cluster === null) {
      await this.topics.createTopic(OFFSETS_TOPIC, partitions, configs);
      return;
    }
    try {
      await changeClusterTopics(cluster, () => cluster.createTopic(OFFSETS_TOPIC, { partitionCount: partitions, replicationFactor, configs }));
    } catch (error) {
      // Another broker created it first: as good.
      if (!(error instanceof KafkaError) || error.code !== ErrorCode.TOPIC_ALREADY_EXISTS) throw error;
    }
  }

  async call<K extends GroupOperation>(groupId: string, operation: K, request: GroupOperationRequest<K>): Promise<GroupOperationResult<K>> {
    await this.ensureOffsetsTopic();
    const partition = this.partitionFor(groupId);
    if (!this.coordinatesHere(partition)) throw new KafkaError(ErrorCode.NOT_COORDINATOR, `${OFFSETS_TOPIC}-${partition} is not led by this broker`);
    const result = await this.engine.group(OFFSETS_TOPIC, partition, operation, request);
    if (this.commits !== null && WRITING_OPERATIONS.has(operation)) {
      this.waiters?.notify(OFFSETS_TOPIC, partition);
      await this.awaitReplicated(partition);
    }
    return result;
  }

  /**
   * Waits until every in-sync replica of the partition has what it holds now (what the operation wrote included), as
   * Kafka's coordinator waits for acks=all: a commit acknowledged survives the coordinator's death.
   */
  private async awaitReplicated(partition: number): Promise<void> {
    const { logEndOffset } = await this.engine.offsets(OFFSETS_TOPIC, partition);
    if (logEndOffset === 0) return;
    const code = await this.commits!.waitForCommit(OFFSETS_TOPIC, partition, logEndOffset - 1, this.settings.commitTimeoutMs);
    if (code === ErrorCode.NONE) return;
    const why = code === ErrorCode.REQUEST_TIMED_OUT ? `not every in-sync replica had it within ${this.settings.commitTimeoutMs} ms` : 'leadership moved';
    throw new KafkaError(
      code === ErrorCode.REQUEST_TIMED_OUT ? ErrorCode.COORDINATOR_NOT_AVAILABLE : ErrorCode.NOT_COORDINATOR,
      `${OFFSETS_TOPIC}-${partition}: ${why}`,
    );
  }

  /** Whether this broker leads (so coordinates) the __consumer_offsets partition: always standalone. */
  private coordinatesHere(partition: number): boolean {
    return this.leadership.leaderProblem(OFFSETS_TOPIC, partition, ANY_LEADER_EPOCH) === ErrorCode.NONE;
  }

  /** Every committed offset of one group (consumer lag in /metrics). */
  fetchOffsets(groupId: string): Promise<GroupOperationResult<'fetchOffsets'>> {
    return this.call(groupId, 'fetchOffsets', { groupId, partitions: null });
  }

  /** Every group of every coordinator here (partitions in offline dirs, and in a cluster those led elsewhere, are skipped). */
  async listAll(): Promise<GroupListing[]> {
    const record = this.topics.topic(OFFSETS_TOPIC);
    if (record === undefined) return [];
    const online = new Set(
      this.engine
        .partitions()
        .filter((p) => p.topic === OFFSETS_TOPIC && p.online && this.coordinatesHere(p.partition))
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
