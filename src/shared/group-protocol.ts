// The contract between the main thread's group API handlers and the group coordinator that runs in the
// partition worker owning a group's __consumer_offsets partition: settings (declared with the worker's keys in
// worker-settings.ts), and one version-independent request and result shape per operation (the handlers map
// each Kafka API version onto these). Shared by both threads; types and constants only.

/** The internal topic holding committed offsets and group metadata. */
export const OFFSETS_TOPIC = '__consumer_offsets';

/** Longest group id accepted (Kafka has no limit; Fjord keeps ids to the topic-name length). */
export const MAX_GROUP_ID_LENGTH = 249;

export { DEFAULT_GROUP_SETTINGS, type GroupSettings } from './worker-settings.js';

export type GroupState = 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable' | 'Dead';

export interface MemberIdentity {
  memberId: string;
  groupInstanceId: string | null;
}

export interface JoinRequest extends MemberIdentity {
  groupId: string;
  clientId: string;
  clientHost: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  protocolType: string;
  protocols: Array<{ name: string; metadata: Uint8Array }>;
  /** JoinGroup v4+: a dynamic member without an id is given one and asked to join again (MEMBER_ID_REQUIRED). */
  requireKnownMemberId: boolean;
  /** JoinGroup v9+: a static leader rejoining a Stable group is told it leads but should skip the assignment. */
  supportSkippingAssignment: boolean;
}

export interface JoinResult {
  errorCode: number;
  generationId: number;
  protocolType: string | null;
  protocolName: string | null;
  leader: string;
  memberId: string;
  /** Filled for the leader only: every member with its metadata for the chosen protocol. */
  members: Array<{ memberId: string; groupInstanceId: string | null; metadata: Uint8Array }>;
  /** True only for that static leader (JoinGroup v9+): it must not run an assignment the Stable group would ignore. */
  skipAssignment?: boolean;
}

export interface SyncRequest extends MemberIdentity {
  groupId: string;
  generationId: number;
  protocolType: string | null;
  protocolName: string | null;
  /** The leader's assignment for every member; empty from followers. */
  assignments: Array<{ memberId: string; assignment: Uint8Array }>;
}

export interface SyncResult {
  errorCode: number;
  protocolType: string | null;
  protocolName: string | null;
  assignment: Uint8Array;
}

export interface HeartbeatRequest extends MemberIdentity {
  groupId: string;
  generationId: number;
}

export interface LeaveRequest {
  groupId: string;
  members: MemberIdentity[];
}

export interface LeaveResult {
  errorCode: number;
  members: Array<MemberIdentity & { errorCode: number }>;
}

export interface TopicPartitionRef {
  topic: string;
  partition: number;
}

export interface CommitRequest extends MemberIdentity {
  groupId: string;
  /** -1 with an empty member id: a commit from outside the group (admin tools), allowed only while it is empty. */
  generationId: number;
  /** commitTimestamp: OffsetCommit v1's per-partition commit time; -1 or absent = when the coordinator writes it. */
  offsets: Array<TopicPartitionRef & { offset: number; leaderEpoch: number; metadata: string | null; commitTimestamp?: number }>;
}

export interface PartitionError extends TopicPartitionRef {
  errorCode: number;
}

export interface CommittedOffset extends TopicPartitionRef {
  offset: number;
  leaderEpoch: number;
  metadata: string;
  errorCode: number;
}

export interface OffsetFetchRequest {
  groupId: string;
  /** null: every partition the group has committed. */
  partitions: TopicPartitionRef[] | null;
}

export interface OffsetFetchResult {
  errorCode: number;
  offsets: CommittedOffset[];
}

export interface GroupDescription {
  errorCode: number;
  groupId: string;
  state: GroupState;
  protocolType: string;
  protocolName: string;
  members: Array<MemberIdentity & { clientId: string; clientHost: string; metadata: Uint8Array; assignment: Uint8Array }>;
}

export interface GroupListing {
  groupId: string;
  protocolType: string;
  state: GroupState;
}

export interface OffsetDeleteRequest {
  groupId: string;
  partitions: TopicPartitionRef[];
}

export interface OffsetDeleteResult {
  errorCode: number;
  partitions: PartitionError[];
}

/** The coordinator's operations; the main thread calls them on the worker owning the group's partition. */
export interface GroupOperations {
  join(request: JoinRequest): Promise<JoinResult>;
  sync(request: SyncRequest): Promise<SyncResult>;
  heartbeat(request: HeartbeatRequest): number;
  leave(request: LeaveRequest): LeaveResult;
  commit(request: CommitRequest): PartitionError[];
  fetchOffsets(request: OffsetFetchRequest): OffsetFetchResult;
  describe(groupId: string): GroupDescription;
  list(): GroupListing[];
  deleteGroup(groupId: string): number;
  deleteOffsets(request: OffsetDeleteRequest): OffsetDeleteResult;
}

export type GroupOperation = keyof GroupOperations;
export type GroupOperationRequest<K extends GroupOperation> = Parameters<GroupOperations[K]>[0];
export type GroupOperationResult<K extends GroupOperation> = Awaited<ReturnType<GroupOperations[K]>>;
