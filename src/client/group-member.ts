// Membership of a consumer group with Kafka's classic protocol: JoinGroup (with the member id the broker
// hands out), the leader's range assignment, SyncGroup, Heartbeats on a timer, LeaveGroup. Tells its owner
// when the group rebalances, or its coordinator moved or cannot be reached (died), so it rejoins (a flag to poll,
// and events); a join finds the coordinator again and retries with backoff until the retry timeout. The one group member of Fjord: the
// `fjord` consumer, tests and the group benchmarks use it. Runs on the caller's main thread.
import { decodeAssignment, decodeSubscription, encodeAssignment, encodeSubscription, type TopicPartitions } from '../shared/consumer-protocol.js';
import { ErrorCode } from '../shared/kafka-error-codes.js';
import type { BrokerConnection } from './broker-connection.js';
import type { KafkaClient } from './kafka-client.js';
import { KafkaResponseError } from './kafka-errors.js';
import { assignRange, RANGE_ASSIGNOR } from './range-assignor.js';
import { DEFAULT_RETRY, isRetriableError, type RetryPolicy, withRetries } from './retry.js';

export interface GroupMemberOptions {
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  heartbeatIntervalMs: number;
  /** How long a join keeps finding the coordinator and trying again, and the backoff between tries. */
  retry: RetryPolicy;
}

/** Kafka consumer defaults, with a shorter session so a CLI that was killed leaves the group sooner. */
export const DEFAULT_GROUP_MEMBER_OPTIONS: GroupMemberOptions = {
  sessionTimeoutMs: 10_000,
  rebalanceTimeoutMs: 30_000,
  heartbeatIntervalMs: 1_000,
  retry: DEFAULT_RETRY,
};

/** Where a member finds its group's coordinator, and the partition counts its leader assigns. */
export interface GroupRouting {
  coordinator(groupId: string): Promise<BrokerConnection>;
  partitionCounts(topics: readonly string[]): Promise<ReadonlyMap<string, number>>;
}

/** Routing through a client: FindCoordinator, and Metadata for the leader's assignment. */
export function clientRouting(client: KafkaClient): GroupRouting {
  return {
    coordinator: (groupId) => client.coordinator(groupId),
    partitionCounts: async (topics) => {
      const cluster = await client.metadata(topics);
      return new Map(topics.map((t) => [t, cluster.topics.get(t)?.partitions.length ?? 0]));
    },
  };
}

/** Routing to a coordinator already connected, for topics of known sizes (a benchmark's member per connection). */
export function fixedRouting(coordinator: BrokerConnection, partitionCounts: ReadonlyMap<string, number>): GroupRouting {
  return { coordinator: async () => coordinator, partitionCounts: async () => partitionCounts };
}

/** What a member reports as it goes, for an owner that reacts at once (or counts). */
export interface GroupMemberEvents {
  /** A heartbeat's answer (errorCode) says the member must join again; NETWORK_EXCEPTION: the coordinator is unreachable. */
  rejoinNeeded?(errorCode: number): void;
  /** A heartbeat failed in a way rejoining does not mend (`failure` is set). */
  failed?(error: Error): void;
  /** An error answer handled by joining again or backing off, e.g. ("Heartbeat", REBALANCE_IN_PROGRESS). */
  errorHandled?(api: 'JoinGroup' | 'SyncGroup' | 'Heartbeat', errorCode: number): void;
}

export interface Joined {
  assignment: TopicPartitions;
  generationId: number;
  /** Members of the generation; known to the leader only, -1 elsewhere. */
  memberCount: number;
}

/** Join rounds answered "join again" (MEMBER_ID_REQUIRED, a rebalance under way) before giving up. */
const JOIN_ROUNDS_MAX = 30;
/** Kafka's NETWORK_EXCEPTION: what a heartbeat reports when the coordinator cannot be reached. */
const NETWORK_EXCEPTION = 13;

const REJOIN_ERRORS = new Set<number>([ErrorCode.ILLEGAL_GENERATION, ErrorCode.UNKNOWN_MEMBER_ID, ErrorCode.REBALANCE_IN_PROGRESS]);
const COORDINATOR_ERRORS = new Set<number>([ErrorCode.COORDINATOR_LOAD_IN_PROGRESS, ErrorCode.COORDINATOR_NOT_AVAILABLE, ErrorCode.NOT_COORDINATOR]);

export class GroupMember {
  memberId = '';
  generationId = -1;
  /** Set when a heartbeat learns the group is rebalancing (or forgot this member): rejoin. */
  rebalanceNeeded = true;
  /** A heartbeat failure that is not a rebalance (the coordinator is gone): the owner should stop. */
  failure: Error | null = null;
  events: GroupMemberEvents = {};
  private heartbeatTimer: NodeJS.Timeout | undefined;
  /** Bumped by every start and stop, so a heartbeat in flight from an older round does not schedule another. */
  private heartbeatRound = 0;
  private readonly options: GroupMemberOptions;
  private readonly routing: GroupRouting;

  constructor(
    routing: GroupRouting | KafkaClient,
    readonly groupId: string,
    readonly topics: readonly string[],
    options: Partial<GroupMemberOptions> = {},
  ) {
    this.routing = 'partitionCounts' in routing ? routing : clientRouting(routing);
    this.options = { ...DEFAULT_GROUP_MEMBER_OPTIONS, ...options };
  }

  /**
   * Joins (or rejoins) the group and returns this member's assignment; heartbeats run until stop() or leave().
   * A coordinator that moved, loads or cannot be reached is looked up again after a backoff, until `retry.timeoutMs`.
   */
  async join(): Promise<Joined> {
    this.stopHeartbeats();
    return withRetries(() => this.joinRounds(), this.options.retry);
  }

  /** JoinGroup and SyncGroup at the coordinator until a generation settles; coordinator trouble is thrown (retriable). */
  private async joinRounds(): Promise<Joined> {
    for (let round = 1; round <= JOIN_ROUNDS_MAX; round++) {
      const coordinator = await this.routing.coordinator(this.groupId);
      const joined = await this.joinOnce(coordinator);
      if (joined === 'again') continue;
      const assignment = await this.sync(coordinator, joined.isLeader ? await this.assign(joined.members) : []);
      if (assignment === null) continue;
      this.rebalanceNeeded = false;
      this.startHeartbeats(coordinator);
      return { assignment, generationId: this.generationId, memberCount: joined.isLeader ? joined.members.length : -1 };
    }
    throw new Error(`could not join group "${this.groupId}" after ${JOIN_ROUNDS_MAX} rounds (it keeps rebalancing)`);
  }

  /** Stops heartbeats (a heartbeat in flight is ignored); the member stays in the group until it leaves or times out. */
  stopHeartbeats(): void {
    clearTimeout(this.heartbeatTimer);
    this.heartbeatTimer = undefined;
    this.heartbeatRound++;
  }

  /** Stops heartbeats and leaves the group so the others rebalance at once. Errors are ignored: we are going. */
  async leave(): Promise<void> {
    this.stopHeartbeats();
    if (this.memberId === '') return;
    try {
      const coordinator = await this.routing.coordinator(this.groupId);
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
    if (body.errorCode === ErrorCode.MEMBER_ID_REQUIRED) {
      this.memberId = body.memberId;
      return 'again' as const;
    }
    if (body.errorCode !== ErrorCode.NONE && (REJOIN_ERRORS.has(body.errorCode) || COORDINATOR_ERRORS.has(body.errorCode))) {
      this.events.errorHandled?.('JoinGroup', body.errorCode);
      if (body.errorCode === ErrorCode.UNKNOWN_MEMBER_ID) this.memberId = '';
      if (COORDINATOR_ERRORS.has(body.errorCode)) throw new KafkaResponseError(body.errorCode, `join group "${this.groupId}"`, null, true);
      return 'again' as const;
    }
    if (body.errorCode !== ErrorCode.NONE) throw new KafkaResponseError(body.errorCode, `join group "${this.groupId}"`);
    this.memberId = body.memberId;
    this.generationId = body.generationId;
    return { isLeader: body.leader === body.memberId, members: body.members };
  }

  /** The leader's range assignment of every member, encoded for SyncGroup. */
  private async assign(members: ReadonlyArray<{ memberId: string; groupInstanceId: string | null; metadata: Uint8Array }>) {
    const subscribed = members.map((m) => ({
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId,
      topics: m.metadata.byteLength < 2 ? [] : decodeSubscription(m.metadata).topics,
    }));
    const counts = await this.routing.partitionCounts([...new Set(subscribed.flatMap((m) => m.topics))]);
    return [...assignRange(subscribed, counts)].map(([memberId, assignment]) => ({ memberId, assignment: encodeAssignment(assignment) }));
  }

  /** SyncGroup; null when the group moved on meanwhile (rejoin); coordinator trouble is thrown (retriable). */
  private async sync(coordinator: BrokerConnection, assignments: Array<{ memberId: string; assignment: Buffer }>): Promise<TopicPartitions | null> {
    const { body } = await coordinator.call(
      14,
      {
        groupId: this.groupId,
        generationId: this.generationId,
        memberId: this.memberId,
        groupInstanceId: null,
        protocolType: 'consumer',
        protocolName: RANGE_ASSIGNOR,
        assignments,
      },
      { extraTimeoutMs: this.options.rebalanceTimeoutMs },
    );
    if (body.errorCode !== ErrorCode.NONE && (REJOIN_ERRORS.has(body.errorCode) || COORDINATOR_ERRORS.has(body.errorCode))) {
      this.events.errorHandled?.('SyncGroup', body.errorCode);
      if (body.errorCode === ErrorCode.UNKNOWN_MEMBER_ID) this.memberId = '';
      if (COORDINATOR_ERRORS.has(body.errorCode)) throw new KafkaResponseError(body.errorCode, `sync group "${this.groupId}"`, null, true);
      return null;
    }
    if (body.errorCode !== ErrorCode.NONE) throw new KafkaResponseError(body.errorCode, `sync group "${this.groupId}"`);
    return decodeAssignment(body.assignment);
  }

  private startHeartbeats(coordinator: BrokerConnection): void {
    const round = ++this.heartbeatRound;
    const beat = async (): Promise<void> => {
      try {
        const { body } = await coordinator.call(12, { groupId: this.groupId, generationId: this.generationId, memberId: this.memberId, groupInstanceId: null });
        if (round !== this.heartbeatRound) return;
        this.heard(body.errorCode);
      } catch (error) {
        if (round !== this.heartbeatRound) return;
        // The coordinator died or stalled: find it again and rejoin (the join retries until its timeout).
        if (isRetriableError(error)) this.heard(NETWORK_EXCEPTION);
        else {
          this.failure = error as Error;
          this.events.failed?.(this.failure);
        }
      }
      if (round === this.heartbeatRound && !this.rebalanceNeeded && this.failure === null)
        this.heartbeatTimer = setTimeout(() => void beat(), this.options.heartbeatIntervalMs);
    };
    this.heartbeatTimer = setTimeout(() => void beat(), this.options.heartbeatIntervalMs);
  }

  /** A heartbeat's answer (NETWORK_EXCEPTION: none came): carry on, rejoin, or fail. */
  private heard(errorCode: number): void {
    if (errorCode === ErrorCode.NONE) return;
    if (REJOIN_ERRORS.has(errorCode) || COORDINATOR_ERRORS.has(errorCode) || errorCode === NETWORK_EXCEPTION) {
      this.events.errorHandled?.('Heartbeat', errorCode);
      if (errorCode === ErrorCode.UNKNOWN_MEMBER_ID) this.memberId = '';
      this.rebalanceNeeded = true;
      this.events.rejoinNeeded?.(errorCode);
      return;
    }
    this.failure = new KafkaResponseError(errorCode, `heartbeat to group "${this.groupId}"`);
    this.events.failed?.(this.failure);
  }
}
