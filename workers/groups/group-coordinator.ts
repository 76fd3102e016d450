// The group coordinator for the groups of one __consumer_offsets partition: rebuilds them by replaying the
// partition at open, serves every group operation, writes offset commits and group metadata to the
// partition before acknowledging them, deletes groups and offsets with tombstones, and expires the
// offsets of groups empty for longer than offsets.retention.minutes. Runs in the partition worker that
// owns the partition (so groups spread across the workers with their partitions).
//
// Stored state (committed offsets, each group's last metadata record, which groups exist) changes in one
// way: an operation computes its records, writes them, and only then replays them through replay(), the
// same function a load runs over the partition. A failed write changes nothing. Membership (who is in a
// group right now, join and sync waiters, timers) is the live state machine's (consumer-group.ts); a load
// rebuilds it from each group's last metadata record, as Kafka's coordinator does when it loads a partition.
import { ErrorCode } from '../../src/shared/kafka-error-codes.js';
import type {
  CommitRequest,
  CommittedOffset,
  GroupDescription,
  GroupListing,
  GroupOperations,
  GroupSettings,
  HeartbeatRequest,
  JoinRequest,
  JoinResult,
  LeaveRequest,
  LeaveResult,
  OffsetDeleteRequest,
  OffsetDeleteResult,
  OffsetFetchRequest,
  OffsetFetchResult,
  PartitionError,
  SyncRequest,
  SyncResult,
} from '../../src/shared/group-protocol.js';
import { batchSizeAt, lastOffsetAt, LOG_OVERHEAD_BYTES } from '../../src/shared/record-batch.js';
import { buildRecordBatch, decodeRecordBatches, type ConsumedRecord, type ProducedRecord } from '../../src/shared/record-batch-codec.js';
import type { PartitionLog } from '../log/partition-log.js';
import { ConsumerGroup, type StoredOffset } from './consumer-group.js';
import {
  type CoordinatorRecord,
  decodeCoordinatorRecord,
  encodeCoordinatorRecord,
  groupTombstone,
  type OffsetRecord,
  offsetTombstone,
} from './coordinator-record.js';
import type { GroupClock } from './group-clock.js';
import type { GroupValue } from './group-records.js';

const REPLAY_CHUNK_BYTES = 1024 * 1024;

export interface StoredGroup {
  groupId: string;
  /** The group's last metadata record, or null when none was written since it was created. */
  metadata: GroupValue | null;
  offsets: StoredOffset[];
}

export type CoordinatorLog = (level: 'info' | 'warn' | 'error', message: string) => void;

export class GroupCoordinator implements GroupOperations {
  private readonly groups = new Map<string, ConsumerGroup>();
  private cancelExpiryTimer: (() => void) | null = null;

  constructor(
    private readonly log: PartitionLog,
    private readonly settings: GroupSettings,
    private readonly clock: GroupClock,
    private readonly report: CoordinatorLog,
  ) {}

  /**
   * Rebuilds every group of the partition by replaying its records, then the membership of each group
   * from its last metadata record, then starts members' sessions and offset expiry.
   */
  load(): void {
    const scratch = { buf: Buffer.alloc(REPLAY_CHUNK_BYTES) };
    let offset = this.log.logStartOffset;
    while (offset < this.log.logEndOffset) {
      const copied = this.log.read(offset, scratch.buf.length, 'log-end', scratch.buf, 0, scratch.buf.length);
      if (copied < 0) {
        scratch.buf = Buffer.alloc(-copied);
        continue;
      }
      if (copied === 0) break;
      for (const stored of this.decodeChunk(scratch.buf.subarray(0, copied))) {
        if (stored.offset < offset) continue;
        const record = this.decodeRecord(stored);
        if (record !== null) this.replay(record);
      }
      offset = Math.max(offset, lastOffsetOfChunk(scratch.buf, copied) + 1);
    }
    for (const group of this.groups.values()) {
      if (group.storedValue !== null) group.restore(group.storedValue);
      group.startSessionTimers();
    }
    this.scheduleExpiry();
  }

  private decodeChunk(bytes: Buffer): ConsumedRecord[] {
    try {
      return decodeRecordBatches(bytes);
    } catch (error) {
      this.report('warn', `skipped unreadable batches of ${this.log.dir}: ${(error as Error).message}`);
      return [];
    }
  }

  private decodeRecord(stored: ConsumedRecord): CoordinatorRecord | null {
    try {
      return decodeCoordinatorRecord(stored.key, stored.value);
    } catch (error) {
      this.report('warn', `skipped an unreadable record of ${this.log.dir}: ${(error as Error).message}`);
      return null;
    }
  }

  /** The one place stored state changes: live right after a record is written, and for every record at load. */
  private replay(record: CoordinatorRecord): void {
    if (record.kind === 'offset') {
      const ref = offsetRef(record.topic, record.partition);
      if (record.value === null) this.groups.get(record.groupId)?.offsets.delete(ref);
      else this.groupFor(record.groupId).offsets.set(ref, { topic: record.topic, partition: record.partition, ...record.value });
    } else if (record.value === null) {
      this.groups.get(record.groupId)?.shutDown(ErrorCode.UNKNOWN_MEMBER_ID);
      this.groups.delete(record.groupId);
    } else {
      this.groupFor(record.groupId).storedValue = record.value;
    }
  }

  private groupFor(groupId: string): ConsumerGroup {
    let group = this.groups.get(groupId);
    if (group === undefined || group.state === 'Dead') {
      group = new ConsumerGroup(groupId, this.settings, this.clock, (g) => this.saveGroup(g));
      this.groups.set(groupId, group);
    }
    return group;
  }

  /**
   * Writes the records, then replays them: what was written is what changed. Returns a Kafka error code;
   * on an error nothing was replayed. `encoded` are the records' bytes when the caller has them already.
   */
  private writeAndReplay(records: CoordinatorRecord[], encoded: ProducedRecord[] = records.map(encodeCoordinatorRecord)): number {
    const code = this.write(encoded);
    if (code === ErrorCode.NONE) for (const record of records) this.replay(record);
    return code;
  }

  /** Appends records to the partition; the write is done (or failed) when this returns. */
  private write(records: ProducedRecord[]): number {
    if (records.length === 0) return ErrorCode.NONE;
    const batch = buildRecordBatch(records, { baseTimestamp: this.clock.now() });
    const nowMs = this.clock.now();
    try {
      const code = this.log.append(batch, 0, batch.length, 'client', nowMs);
      if (code === ErrorCode.NONE && this.log.needsFlush(nowMs)) this.log.flush(nowMs);
      return code;
    } catch (error) {
      this.report('error', `writing group records to ${this.log.dir} failed: ${(error as Error).message}`);
      return ErrorCode.KAFKA_STORAGE_ERROR;
    }
  }

  private saveGroup(group: ConsumerGroup): number {
    const record = { kind: 'group', groupId: group.groupId, value: group.toStoredValue() } as const;
    const encoded = encodeCoordinatorRecord(record);
    const valueBytes = encoded.value!.length;
    if (valueBytes > this.settings.maxGroupMetadataBytes) {
      this.report('warn', `group ${group.groupId}: metadata of ${valueBytes} bytes exceeds ${this.settings.maxGroupMetadataBytes}; not stored`);
      return ErrorCode.UNKNOWN_SERVER_ERROR;
    }
    const code = this.writeAndReplay([record], [encoded]);
    if (code === ErrorCode.NONE) {
      const members = group.members.size;
      this.report(
        'info',
        members === 0
          ? `group ${group.groupId} is empty (generation ${group.generationId})`
          : `group ${group.groupId} stored: generation ${group.generationId}, ${members} members, protocol ${group.protocolName}`,
      );
    }
    return code;
  }

  join(request: JoinRequest): Promise<JoinResult> {
    return Promise.resolve(this.groupFor(request.groupId).join(request));
  }

  sync(request: SyncRequest): Promise<SyncResult> {
    const group = this.groups.get(request.groupId);
    if (group === undefined)
      return Promise.resolve({ errorCode: ErrorCode.UNKNOWN_MEMBER_ID, protocolType: null, protocolName: null, assignment: new Uint8Array(0) });
    return Promise.resolve(group.sync(request));
  }

  heartbeat(request: HeartbeatRequest): number {
    return this.groups.get(request.groupId)?.heartbeat(request) ?? ErrorCode.UNKNOWN_MEMBER_ID;
  }

  leave(request: LeaveRequest): LeaveResult {
    const group = this.groups.get(request.groupId);
    if (group === undefined) return { errorCode: ErrorCode.NONE, members: request.members.map((m) => ({ ...m, errorCode: ErrorCode.UNKNOWN_MEMBER_ID })) };
    return group.leave(request);
  }

  commit(request: CommitRequest): PartitionError[] {
    const group = this.groups.get(request.groupId);
    // A group that does not exist yet takes commits without a generation (replaying them creates it); one with a
    // generation comes from a group that is gone: ILLEGAL_GENERATION (Kafka 3.9's classic coordinator, every version).
    const groupError = group !== undefined ? group.commitError(request) : request.generationId < 0 ? ErrorCode.NONE : ErrorCode.ILLEGAL_GENERATION;
    const answer = (code: number): PartitionError[] => request.offsets.map((o) => ({ topic: o.topic, partition: o.partition, errorCode: code }));
    if (groupError !== ErrorCode.NONE) return answer(groupError);
    const nowMs = this.clock.now();
    const records: OffsetRecord[] = [];
    const errors = request.offsets.map((o): PartitionError => {
      const metadata = o.metadata ?? '';
      if (Buffer.byteLength(metadata) > this.settings.offsetMetadataMaxBytes)
        return { topic: o.topic, partition: o.partition, errorCode: ErrorCode.OFFSET_METADATA_TOO_LARGE };
      // OffsetCommit v1 may name the commit time (-1: now); retention counts from it.
      const commitTimestamp = o.commitTimestamp === undefined || o.commitTimestamp === -1 ? nowMs : o.commitTimestamp;
      const value = { offset: o.offset, leaderEpoch: o.leaderEpoch, metadata, commitTimestamp };
      records.push({ kind: 'offset', groupId: request.groupId, topic: o.topic, partition: o.partition, value });
      return { topic: o.topic, partition: o.partition, errorCode: ErrorCode.NONE };
    });
    const code = this.writeAndReplay(records);
    return code === ErrorCode.NONE ? errors : answer(code);
  }

  fetchOffsets(request: OffsetFetchRequest): OffsetFetchResult {
    const group = this.groups.get(request.groupId);
    const committed = (topic: string, partition: number): CommittedOffset => {
      const stored = group?.offsets.get(offsetRef(topic, partition));
      return {
        topic,
        partition,
        offset: stored?.offset ?? -1,
        leaderEpoch: stored?.leaderEpoch ?? -1,
        metadata: stored?.metadata ?? '',
        errorCode: ErrorCode.NONE,
      };
    };
    if (request.partitions !== null) return { errorCode: ErrorCode.NONE, offsets: request.partitions.map((p) => committed(p.topic, p.partition)) };
    return { errorCode: ErrorCode.NONE, offsets: [...(group?.offsets.values() ?? [])].map((o) => committed(o.topic, o.partition)) };
  }

  describe(groupId: string): GroupDescription {
    const group = this.groups.get(groupId);
    if (group === undefined) return { errorCode: ErrorCode.NONE, groupId, state: 'Dead', protocolType: '', protocolName: '', members: [] };
    return group.describe();
  }

  list(): GroupListing[] {
    return [...this.groups.values()].map((g) => ({ groupId: g.groupId, protocolType: g.protocolType ?? '', state: g.state }));
  }

  /**
   * The stored state: each group with a metadata record or committed offsets, as a replay of the
   * partition rebuilds it (offsets in commit order of their first commit). For checks and tests.
   */
  storedGroups(): StoredGroup[] {
    return [...this.groups.values()]
      .filter((g) => g.storedValue !== null || g.offsets.size > 0)
      .map((g) => ({ groupId: g.groupId, metadata: g.storedValue, offsets: [...g.offsets.values()] }));
  }

  deleteGroup(groupId: string): number {
    const group = this.groups.get(groupId);
    if (group === undefined) return ErrorCode.GROUP_ID_NOT_FOUND;
    if (group.state !== 'Empty') return ErrorCode.NON_EMPTY_GROUP;
    const tombstones = [...group.offsets.values()].map((o) => offsetTombstone(groupId, o.topic, o.partition));
    return this.writeAndReplay([...tombstones, groupTombstone(groupId)]);
  }

  deleteOffsets(request: OffsetDeleteRequest): OffsetDeleteResult {
    const group = this.groups.get(request.groupId);
    if (group === undefined) return { errorCode: ErrorCode.GROUP_ID_NOT_FOUND, partitions: [] };
    const partitions = request.partitions.map(
      (p): PartitionError => ({
        ...p,
        errorCode: group.isSubscribedTo(p.topic) ? ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC : ErrorCode.NONE,
      }),
    );
    const deletable = partitions.filter((p) => p.errorCode === ErrorCode.NONE && group.offsets.has(offsetRef(p.topic, p.partition)));
    const code = this.writeAndReplay(deletable.map((p) => offsetTombstone(request.groupId, p.topic, p.partition)));
    if (code !== ErrorCode.NONE) return { errorCode: code, partitions: [] };
    return { errorCode: ErrorCode.NONE, partitions };
  }

  /**
   * Offsets retention (Kafka's KIP-211): a group empty for longer than offsets.retention.minutes loses its
   * offsets that are also older than that; a group that never had members (standalone consumers) loses each
   * offset by its commit time alone; a Stable consumer group loses old offsets of topics no member subscribes
   * to any more. Deletions are tombstones; a group left with neither members nor offsets is removed.
   * Returns the number of offsets expired.
   */
  expireOffsets(nowMs = this.clock.now()): number {
    let expired = 0;
    for (const group of [...this.groups.values()]) {
      const stale = this.expiredOffsetsOf(group, nowMs);
      if (stale.length === 0) continue;
      const records: CoordinatorRecord[] = stale.map((o) => offsetTombstone(group.groupId, o.topic, o.partition));
      if (group.state === 'Empty' && stale.length === group.offsets.size) records.push(groupTombstone(group.groupId));
      if (this.writeAndReplay(records) === ErrorCode.NONE) expired += stale.length;
    }
    return expired;
  }

  private expiredOffsetsOf(group: ConsumerGroup, nowMs: number): StoredOffset[] {
    const retentionMs = this.settings.offsetsRetentionMs;
    const old = [...group.offsets.values()].filter((o) => nowMs - o.commitTimestamp > retentionMs);
    if (group.state === 'Empty') {
      const emptyLongEnough = group.protocolType === null || nowMs - group.stateTimestamp > retentionMs;
      return emptyLongEnough ? old : [];
    }
    if (group.state === 'Stable' && group.protocolType === 'consumer') return old.filter((o) => !group.isSubscribedTo(o.topic));
    return [];
  }

  private scheduleExpiry(): void {
    this.cancelExpiryTimer = this.clock.after(this.settings.offsetsRetentionCheckIntervalMs, () => {
      const expired = this.expireOffsets();
      if (expired > 0) this.report('info', `expired ${expired} committed offsets in ${this.log.dir}`);
      this.scheduleExpiry();
    });
  }

  /** The partition is closing or moving: members waiting on a join or sync are told to find the coordinator again. */
  close(): void {
    this.cancelExpiryTimer?.();
    for (const group of this.groups.values()) group.shutDown(ErrorCode.NOT_COORDINATOR);
    this.groups.clear();
  }
}

function offsetRef(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}

/** The last offset of the last whole batch in buf[0, bytes). */
function lastOffsetOfChunk(buf: Buffer, bytes: number): number {
  let last = -1;
  for (let at = 0; at + LOG_OVERHEAD_BYTES <= bytes && at + batchSizeAt(buf, at) <= bytes; at += batchSizeAt(buf, at)) last = lastOffsetAt(buf, at);
  return last;
}
