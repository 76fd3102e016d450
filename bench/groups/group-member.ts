// A consumer-group member speaking the classic group protocol over one bench KafkaConnection, the way a
// consumer's coordinator client does: JoinGroup v5 (MEMBER_ID_REQUIRED, then the real join), SyncGroup v5
// (the leader computes a range assignment), then Heartbeat v4 every heartbeatIntervalMs, rejoining on
// REBALANCE_IN_PROGRESS / ILLEGAL_GENERATION / UNKNOWN_MEMBER_ID. One request in flight per member.
// Also AssignmentWatch (when has a group settled on N members, and is its assignment whole) and LeaveGroup.
// Runs on the bench's main thread.
import { ErrorCode, errorName } from '../../src/shared/kafka-error-codes.js';
import type { KafkaConnection } from '../perf/kafka-connection.js';
import { decodeAssignment, encodeSubscription, rangeAssign } from './consumer-protocol.js';
import { call } from './group-calls.js';

const JOIN_VERSION = 5;
const SYNC_VERSION = 5;
const HEARTBEAT_VERSION = 4;
const LEAVE_VERSION = 4;
const PROTOCOL_TYPE = 'consumer';
const PROTOCOL_NAME = 'range';

export interface MemberSettings {
  groupId: string;
  topic: string;
  topicPartitions: number;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  /** Pause between a heartbeat's answer and the next heartbeat. */
  heartbeatIntervalMs: number;
}

export interface Assigned {
  memberId: string;
  generationId: number;
  /** The leader knows how many members the generation has; -1 from followers. */
  groupSize: number;
  partitions: readonly number[];
  atMs: number;
}

/** What a member reports as it goes; swapped by the bench between phases. */
export interface MemberListener {
  assigned(event: Assigned): void;
  rebalanceHeard(memberId: string, atMs: number): void;
}

export const IGNORE: MemberListener = { assigned: () => undefined, rebalanceHeard: () => undefined };

/** Error answers a member met and handled, by "<API> <ERROR_NAME>", summed over members by the bench. */
export type ErrorCounts = Map<string, number>;

export class GroupMember {
  memberId = '';
  generationId = -1;
  listener: MemberListener = IGNORE;
  readonly errors: ErrorCounts = new Map();
  requests = 0;
  /** Settles when the member stops (after stop()) or fails (an unexpected error, a broken connection). */
  private loop: Promise<void> = Promise.resolve();
  private stopping = false;
  private wake: (() => void) | null = null;
  private readonly subscription: Buffer;

  constructor(
    private readonly connection: KafkaConnection,
    private readonly settings: MemberSettings,
  ) {
    this.subscription = encodeSubscription([settings.topic]);
  }

  /** Joins, then heartbeats and rejoins by itself until stop(). The returned promise rejects on failure. */
  start(): Promise<void> {
    this.loop = this.run();
    this.loop.catch(() => undefined);
    return this.loop;
  }

  /** Stops after the request in flight (if any); the member stays in the group until it leaves. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.loop;
  }

  private async run(): Promise<void> {
    let joinNeeded = true;
    while (!this.stopping) {
      if (joinNeeded) {
        await this.joinAndSync();
        joinNeeded = false;
        continue;
      }
      await this.pause(this.settings.heartbeatIntervalMs);
      if (!this.stopping) joinNeeded = await this.heartbeat();
    }
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wake = null;
        resolve();
      }, ms);
      this.wake = () => {
        clearTimeout(timer);
        this.wake = null;
        resolve();
      };
    });
  }

  private handled(api: string, errorCode: number): void {
    const key = `${api} ${errorName(errorCode)}`;
    this.errors.set(key, (this.errors.get(key) ?? 0) + 1);
  }

  private async joinAndSync(): Promise<void> {
    for (;;) {
      const joined = await this.join();
      if (joined !== null && (await this.sync(joined))) return;
    }
  }

  /** One JoinGroup; null when the member must send another (a new member id, or it was forgotten). */
  private async join() {
    const { groupId, sessionTimeoutMs, rebalanceTimeoutMs } = this.settings;
    this.requests++;
    const answer = await call(this.connection, 11, JOIN_VERSION, {
      groupId,
      sessionTimeoutMs,
      rebalanceTimeoutMs,
      memberId: this.memberId,
      groupInstanceId: null,
      protocolType: PROTOCOL_TYPE,
      protocols: [{ name: PROTOCOL_NAME, metadata: this.subscription }],
    });
    if (answer.errorCode === ErrorCode.MEMBER_ID_REQUIRED) {
      this.memberId = answer.memberId;
      return null;
    }
    if (answer.errorCode === ErrorCode.UNKNOWN_MEMBER_ID || answer.errorCode === ErrorCode.REBALANCE_IN_PROGRESS) {
      this.handled('JoinGroup', answer.errorCode);
      if (answer.errorCode === ErrorCode.UNKNOWN_MEMBER_ID) this.memberId = '';
      return null;
    }
    if (answer.errorCode !== ErrorCode.NONE) throw new Error(`JoinGroup ${groupId}: ${errorName(answer.errorCode)}`);
    this.generationId = answer.generationId;
    return answer;
  }

  /** SyncGroup of the generation just joined; false when the member must join again. */
  private async sync(joined: { leader: string; members: Array<{ memberId: string; metadata: Uint8Array }> }): Promise<boolean> {
    const { groupId, topicPartitions } = this.settings;
    const isLeader = joined.leader === this.memberId;
    const assignments = isLeader ? rangeAssign(joined.members, () => topicPartitions) : [];
    this.requests++;
    const answer = await call(this.connection, 14, SYNC_VERSION, {
      groupId,
      generationId: this.generationId,
      memberId: this.memberId,
      groupInstanceId: null,
      protocolType: PROTOCOL_TYPE,
      protocolName: PROTOCOL_NAME,
      assignments,
    });
    if (answer.errorCode === ErrorCode.REBALANCE_IN_PROGRESS || answer.errorCode === ErrorCode.ILLEGAL_GENERATION || answer.errorCode === ErrorCode.UNKNOWN_MEMBER_ID) {
      this.handled('SyncGroup', answer.errorCode);
      if (answer.errorCode === ErrorCode.UNKNOWN_MEMBER_ID) this.memberId = '';
      return false;
    }
    if (answer.errorCode !== ErrorCode.NONE) throw new Error(`SyncGroup ${groupId}: ${errorName(answer.errorCode)}`);
    const partitions = decodeAssignment(answer.assignment).get(this.settings.topic) ?? [];
    const groupSize = isLeader ? joined.members.length : -1;
    this.listener.assigned({ memberId: this.memberId, generationId: this.generationId, groupSize, partitions, atMs: performance.now() });
    return true;
  }

  /** One heartbeat; true when the member must rejoin. */
  private async heartbeat(): Promise<boolean> {
    const { groupId } = this.settings;
    this.requests++;
    const { errorCode } = await call(this.connection, 12, HEARTBEAT_VERSION, { groupId, generationId: this.generationId, memberId: this.memberId, groupInstanceId: null });
    if (errorCode === ErrorCode.NONE) return false;
    this.handled('Heartbeat', errorCode);
    if (errorCode === ErrorCode.REBALANCE_IN_PROGRESS) this.listener.rebalanceHeard(this.memberId, performance.now());
    else if (errorCode === ErrorCode.UNKNOWN_MEMBER_ID) this.memberId = '';
    else if (errorCode !== ErrorCode.ILLEGAL_GENERATION) throw new Error(`Heartbeat ${groupId}: ${errorName(errorCode)}`);
    return true;
  }
}

/** LeaveGroup v4 for several members at once (as an admin's removeMembersFromConsumerGroup does). */
export async function leaveGroup(connection: KafkaConnection, groupId: string, memberIds: readonly string[]): Promise<void> {
  const answer = await call(connection, 13, LEAVE_VERSION, { groupId, members: memberIds.map((memberId) => ({ memberId, groupInstanceId: null })) });
  const failed = answer.members.filter((m) => m.errorCode !== ErrorCode.NONE);
  if (answer.errorCode !== ErrorCode.NONE || failed.length > 0) {
    throw new Error(`LeaveGroup ${groupId}: ${errorName(answer.errorCode)}, ${failed.map((m) => `${m.memberId} ${errorName(m.errorCode)}`).join(', ')}`);
  }
}

export interface Settled {
  generationId: number;
  /** When the last member of that generation got its assignment. */
  atMs: number;
}

/**
 * Listens to members until one generation has `expectedMembers` (per its leader) and every one of them
 * holds its assignment; then checks that the assignment covers each of the topic's partitions exactly once.
 */
export class AssignmentWatch implements MemberListener {
  readonly settled: Promise<Settled>;
  /** Latest REBALANCE_IN_PROGRESS heartbeat answer per member. */
  readonly heard = new Map<string, number>();
  private readonly sizes = new Map<number, number>();
  private readonly byGeneration = new Map<number, Map<string, readonly number[]>>();
  private resolve!: (settled: Settled) => void;
  private reject!: (error: Error) => void;

  constructor(
    private readonly expectedMembers: number,
    private readonly topicPartitions: number,
  ) {
    this.settled = new Promise((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    this.settled.catch(() => undefined);
  }

  rebalanceHeard(memberId: string, atMs: number): void {
    this.heard.set(memberId, atMs);
  }

  assigned(event: Assigned): void {
    const members = this.byGeneration.get(event.generationId) ?? new Map<string, readonly number[]>();
    this.byGeneration.set(event.generationId, members);
    members.set(event.memberId, event.partitions);
    if (event.groupSize >= 0) this.sizes.set(event.generationId, event.groupSize);
    if (this.sizes.get(event.generationId) !== this.expectedMembers || members.size !== this.expectedMembers) return;
    const problem = this.assignmentProblem(members);
    if (problem !== null) this.reject(new Error(`generation ${event.generationId}: ${problem}`));
    else this.resolve({ generationId: event.generationId, atMs: event.atMs });
  }

  private assignmentProblem(members: ReadonlyMap<string, readonly number[]>): string | null {
    const owners = new Array<number>(this.topicPartitions).fill(0);
    const counts = [...members.values()].map((partitions) => partitions.length);
    for (const partitions of members.values()) for (const p of partitions) owners[p] = (owners[p] ?? 0) + 1;
    if (owners.length !== this.topicPartitions || owners.some((n) => n !== 1)) return `partitions not assigned exactly once: owners per partition ${owners.join(',')}`;
    if (Math.max(...counts) - Math.min(...counts) > 1) return `unbalanced range assignment: ${counts.join(',')} partitions per member`;
    return null;
  }
}
