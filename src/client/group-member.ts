// Membership of a consumer group with Kafka's classic protocol: JoinGroup (with the member id the broker
// hands out), the leader's range assignment, SyncGroup, Heartbeats on a timer, LeaveGroup. Tells its owner
// when the group rebalances so it rejoins. Runs on the caller's main thread.
import type { BrokerConnection } from './broker-connection.js';
import { decodeAssignment, decodeSubscription, encodeAssignment, encodeSubscription, type TopicPartitions } from './consumer-protocol.js';
import type { KafkaClient } from './kafka-client.js';
import { KafkaResponseError } from './kafka-errors.js';
import { assignRange, RANGE_ASSIGNOR } from './range-assignor.js';

export interface GroupMemberOptions {
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  heartbeatIntervalMs: number;
}

/** Kafka consumer defaults, with a shorter session so a CLI that was killed leaves the group sooner. */
export const DEFAULT_GROUP_MEMBER_OPTIONS: GroupMemberOptions = { sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 30_000, heartbeatIntervalMs: 1_000 };

/** Join attempts before giving up (each MEMBER_ID_REQUIRED, rebalance or coordinator move is one). */
const JOIN_ATTEMPTS_MAX = 30;
const COORDINATOR_BACKOFF_MS = 200;

const Err = {
  COORDINATOR_LOAD_IN_PROGRESS: 14,
  COORDINATOR_NOT_AVAILABLE: 15,
  NOT_COORDINATOR: 16,
  ILLEGAL_GENERATION: 22,
  UNKNOWN_MEMBER_ID: 25,
  REBALANCE_IN_PROGRESS: 27,
  MEMBER_ID_REQUIRED: 79,
} as const;
const REJOIN_ERRORS = new Set<number>([Err.ILLEGAL_GENERATION, Err.UNKNOWN_MEMBER_ID, Err.REBALANCE_IN_PROGRESS]);
const COORDINATOR_ERRORS = new Set<number>([Err.COORDINATOR_LOAD_IN_PROGRESS, Err.COORDINATOR_NOT_AVAILABLE, Err.NOT_COORDINATOR]);

export class GroupMember {
  memberId = '';
  generationId = -1;
  /** Set when a heartbeat learns the group is rebalancing (or forgot this member): rejoin. */
  rebalanceNeeded = true;
  /** A heartbeat failure that is not a rebalance (the coordinator is gone): the owner should stop. */
  failure: Error | null = null;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  /** Bumped by every start and stop, so a heartbeat in flight from an older round does not schedule another. */
  private heartbeatRound = 0;
  private readonly options: GroupMemberOptions;

  constructor(
    private readonly client: KafkaClient,
    readonly groupId: string,
    readonly topics: readonly string[],
    options: Partial<GroupMemberOptions> = {},
  ) {
    this.options = { ...DEFAULT_GROUP_MEMBER_OPTIONS, ...options };
  }

  /** Joins (or rejoins) the group and returns this member's assignment; heartbeats run until leave(). */
  async join(): Promise<TopicPartitions> {
    this.stopHeartbeats();
    for (let attempt = 1; attempt <= JOIN_ATTEMPTS_MAX; attempt++) {
      const coordinator = await this.client.coordinator(this.groupId);
      const joined = await this.joinOnce(coordinator);
      if (joined === 'again') continue;
      if (joined === 'backoff') {
        await new Promise((resolve) => setTimeout(resolve, COORDINATOR_BACKOFF_MS));
        continue;
      }
      const assignment = await this.sync(coordinator, joined.isLeader ? await this.assign(joined.members) : []);
      if (assignment === null) continue;
      this.rebalanceNeeded = false;
      this.startHeartbeats(coordinator);
      return assignment;
    }
    throw new Error(`could not join group "${this.groupId}" after ${JOIN_ATTEMPTS_MAX} attempts (it keeps rebalancing)`);
  }

  /** Stops heartbeats and leaves the group so the others rebalance at once. Errors are ignored: we are going. */
  async leave(): Promise<void> {
    this.stopHeartbeats();
    if (this.memberId === '') return;
    try {
      const coordinator = await this.client.coordinator(this.groupId);
      await coordinator.call(13, { groupId: this.groupId, memberId: this.memberId, members: [{ memberId: this.memberId, groupInstanceId: null }] });
    } catch {
      // The session timeout removes us anyway.
    }
    this.memberId = '';
  }

  private async joinOnce(coordinator: BrokerConnection) {
    const { body } = await coordinator.call(
      11,
      {
        groupId: this.groupId,
        sessionTimeoutMs: this.options.sessionTimeoutMs,
        rebalanceTimeoutMs: this.options.rebalanceTimeoutMs,
        memberId: this.memberId,
        groupInstanceId: null,
        protocolType: 'consumer',
        protocols: [{ name: RANGE_ASSIGNOR, metadata: encodeSubscription(this.topics) }],
      },
      { minVersion: 1, extraTimeoutMs: this.options.rebalanceTimeoutMs },
    );
    if (body.errorCode === Err.MEMBER_ID_REQUIRED) {
      this.memberId = body.memberId;
      return 'again' as const;
    }
    if (body.errorCode === Err.UNKNOWN_MEMBER_ID) this.memberId = '';
    if (REJOIN_ERRORS.has(body.errorCode)) return 'again' as const;
    if (COORDINATOR_ERRORS.has(body.errorCode)) return 'backoff' as const;
    if (body.errorCode !== 0) throw new KafkaResponseError(body.errorCode, `join group "${this.groupId}"`);
    this.memberId = body.memberId;
    this.generationId = body.generationId;
    return { isLeader: body.leader === body.memberId, members: body.members };
  }

  /** The leader's range assignment of every member, encoded for SyncGroup. */
  private async assign(members: ReadonlyArray<{ memberId: string; groupInstanceId: string | null; metadata: Uint8Array }>) {
    const subscribed = members.map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, topics: decodeSubscription(m.metadata) }));
    const topics = [...new Set(subscribed.flatMap((m) => m.topics))];
    const cluster = await this.client.metadata(topics);
    const counts = new Map(topics.map((t) => [t, cluster.topics.get(t)?.partitions.length ?? 0]));
    return [...assignRange(subscribed, counts)].map(([memberId, assignment]) => ({ memberId, assignment: encodeAssignment(assignment) }));
  }

  /** SyncGroup; null when the group moved on meanwhile (rejoin). */
  private async sync(coordinator: BrokerConnection, assignments: Array<{ memberId: string; assignment: Buffer }>): Promise<TopicPartitions | null> {
    const { body } = await coordinator.call(
      14,
      { groupId: this.groupId, generationId: this.generationId, memberId: this.memberId, groupInstanceId: null, protocolType: 'consumer', protocolName: RANGE_ASSIGNOR, assignments },
      { extraTimeoutMs: this.options.rebalanceTimeoutMs },
    );
    if (body.errorCode === Err.UNKNOWN_MEMBER_ID) this.memberId = '';
    if (REJOIN_ERRORS.has(body.errorCode) || COORDINATOR_ERRORS.has(body.errorCode)) return null;
    if (body.errorCode !== 0) throw new KafkaResponseError(body.errorCode, `sync group "${this.groupId}"`);
    return decodeAssignment(body.assignment);
  }

  private startHeartbeats(coordinator: BrokerConnection): void {
    const round = ++this.heartbeatRound;
    const beat = async (): Promise<void> => {
      try {
        const { body } = await coordinator.call(12, { groupId: this.groupId, generationId: this.generationId, memberId: this.memberId, groupInstanceId: null });
        if (REJOIN_ERRORS.has(body.errorCode) || COORDINATOR_ERRORS.has(body.errorCode)) this.rebalanceNeeded = true;
        else if (body.errorCode !== 0) this.failure = new KafkaResponseError(body.errorCode, `heartbeat to group "${this.groupId}"`);
      } catch (error) {
        this.failure = error as Error;
      }
      if (round === this.heartbeatRound && !this.rebalanceNeeded && this.failure === null) this.heartbeatTimer = setTimeout(() => void beat(), this.options.heartbeatIntervalMs);
    };
    this.heartbeatTimer = setTimeout(() => void beat(), this.options.heartbeatIntervalMs);
  }

  private stopHeartbeats(): void {
    clearTimeout(this.heartbeatTimer);
    this.heartbeatTimer = undefined;
    this.heartbeatRound++;
  }
}
