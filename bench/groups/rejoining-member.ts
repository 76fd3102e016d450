// The group benches' members, over src/client's GroupMember: `RejoiningMember` joins, then rejoins by itself the
// moment a heartbeat says so (as a consumer's poll loop would), reporting each assignment and each
// REBALANCE_IN_PROGRESS heard to a listener and counting the error answers it handled; `AssignmentWatch` says
// when a generation of N members all hold their assignments, and checks that they cover each partition exactly
// once. Runs on the bench's main thread.
import type { BrokerConnection } from '../../src/client/broker-connection.js';
import { fixedRouting, GroupMember } from '../../src/client/group-member.js';
import { ErrorCode, errorName } from '../../src/shared/kafka-error-codes.js';

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

/** A member of one group on its own coordinator connection (the topic's size is known: no Metadata). */
export function benchMember(coordinator: BrokerConnection, settings: MemberSettings): GroupMember {
  const { groupId, topic, topicPartitions, sessionTimeoutMs, rebalanceTimeoutMs, heartbeatIntervalMs } = settings;
  return new GroupMember(fixedRouting(coordinator, new Map([[topic, topicPartitions]])), groupId, [topic], {
    sessionTimeoutMs,
    rebalanceTimeoutMs,
    heartbeatIntervalMs,
  });
}

export class RejoiningMember {
  listener: MemberListener = IGNORE;
  readonly errors: ErrorCounts = new Map();
  readonly member: GroupMember;
  /** Settles when the member stops (after stop()) or fails (an unexpected error, a broken connection). */
  private loop: Promise<void> = Promise.resolve();
  private stopping = false;
  private wake: (() => void) | null = null;

  constructor(
    coordinator: BrokerConnection,
    private readonly settings: MemberSettings,
  ) {
    this.member = benchMember(coordinator, settings);
    this.member.events = {
      rejoinNeeded: (errorCode) => {
        if (errorCode === ErrorCode.REBALANCE_IN_PROGRESS) this.listener.rebalanceHeard(this.member.memberId, performance.now());
        this.wake?.();
      },
      failed: () => this.wake?.(),
      errorHandled: (api, errorCode) => {
        const key = `${api} ${errorName(errorCode)}`;
        this.errors.set(key, (this.errors.get(key) ?? 0) + 1);
      },
    };
  }

  get memberId(): string {
    return this.member.memberId;
  }

  /** Joins, then heartbeats and rejoins by itself until stop(). The returned promise rejects on failure. */
  start(): Promise<void> {
    this.loop = this.run();
    this.loop.catch(() => undefined);
    return this.loop;
  }

  /** Stops after the join in flight (if any) and stops heartbeating; the member stays in the group until removed. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.loop;
    this.member.stopHeartbeats();
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      const joined = await this.member.join();
      const partitions = joined.assignment.get(this.settings.topic) ?? [];
      this.listener.assigned({
        memberId: this.member.memberId,
        generationId: joined.generationId,
        groupSize: joined.memberCount,
        partitions,
        atMs: performance.now(),
      });
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        if (this.stopping || this.member.rebalanceNeeded || this.member.failure !== null) resolve();
      });
      this.wake = null;
      if (this.member.failure !== null) throw this.member.failure;
    }
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
    if (owners.length !== this.topicPartitions || owners.some((n) => n !== 1))
      return `partitions not assigned exactly once: owners per partition ${owners.join(',')}`;
    if (Math.max(...counts) - Math.min(...counts) > 1) return `unbalanced range assignment: ${counts.join(',')} partitions per member`;
    return null;
  }
}
