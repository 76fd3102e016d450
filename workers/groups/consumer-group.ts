// One consumer group's membership state machine, as Kafka's classic group coordinator runs it:
// Empty → PreparingRebalance → CompletingRebalance → Stable (and back), generations, protocol selection,
// member ids (MEMBER_ID_REQUIRED), static membership (group.instance.id, FENCED_INSTANCE_ID), session and
// rebalance timeouts, and the initial rebalance delay. Offsets live beside it in the group's offset map;
// persisting metadata is the store's job. Runs in the partition worker owning the group's partition.
import { randomUUID } from 'node:crypto';
import { ErrorCode } from '../../src/shared/kafka-error-codes.js';
import type {
  CommitRequest,
  GroupDescription,
  GroupSettings,
  GroupState,
  HeartbeatRequest,
  JoinRequest,
  JoinResult,
  LeaveRequest,
  LeaveResult,
  MemberIdentity,
  SyncRequest,
  SyncResult,
} from '../../src/shared/group-protocol.js';
import type { GroupClock } from './group-clock.js';
import { EMPTY_BYTES, GroupMember } from './group-member.js';
import type { GroupValue, OffsetValue } from './group-records.js';
import { subscribedTopics } from './group-records.js';

/** Persists the group's metadata (generation, members, assignments); returns a Kafka error code. */
export type SaveGroup = (group: ConsumerGroup) => number;

export interface StoredOffset extends OffsetValue {
  topic: string;
  partition: number;
}

export class ConsumerGroup {
  state: GroupState = 'Empty';
  stateTimestamp: number;
  generationId = 0;
  protocolType: string | null = null;
  protocolName: string | null = null;
  leaderId: string | null = null;
  readonly members = new Map<string, GroupMember>();
  /** Committed offsets by `topic\0partition`; changed only by the coordinator's replay of offset records. */
  readonly offsets = new Map<string, StoredOffset>();
  /** The last metadata record written (or, at load, replayed) for this group; a load restores the members from it. */
  storedValue: GroupValue | null = null;
  private readonly staticMembers = new Map<string, string>();
  /** Member ids handed out with MEMBER_ID_REQUIRED, waiting for the member to join with them. */
  private readonly pendingMembers = new Map<string, () => void>();
  private cancelRebalanceTimer: (() => void) | null = null;
  /** While set, the first rebalance of an empty group waits for more members (group.initial.rebalance.delay.ms). */
  private initialDelay: { remainingMs: number; memberAdded: boolean } | null = null;

  constructor(
    readonly groupId: string,
    private readonly settings: GroupSettings,
    private readonly clock: GroupClock,
    private readonly save: SaveGroup,
  ) {
    this.stateTimestamp = clock.now();
  }

  // ---- JoinGroup ----

  join(request: JoinRequest): JoinResult | Promise<JoinResult> {
    if (this.state === 'Dead') return failedJoin(ErrorCode.COORDINATOR_NOT_AVAILABLE, request.memberId);
    if (!this.acceptsProtocols(request)) return failedJoin(ErrorCode.INCONSISTENT_GROUP_PROTOCOL, request.memberId);
    return request.memberId === '' ? this.joinWithoutMemberId(request) : this.joinWithMemberId(request);
  }

  private acceptsProtocols(request: JoinRequest): boolean {
    if (request.protocolType === '' || request.protocols.length === 0) return false;
    if (this.members.size === 0) return true;
    if (request.protocolType !== this.protocolType) return false;
    const common = this.commonProtocols();
    return request.protocols.some((p) => common.has(p.name));
  }

  private joinWithoutMemberId(request: JoinRequest): JoinResult | Promise<JoinResult> {
    if (request.groupInstanceId !== null) {
      const knownId = this.staticMembers.get(request.groupInstanceId);
      if (knownId !== undefined) return this.replaceStaticMember(this.members.get(knownId)!, request);
    }
    const memberId = `${request.groupInstanceId ?? request.clientId}-${randomUUID()}`;
    if (this.members.size + this.pendingMembers.size >= this.settings.maxGroupSize) return failedJoin(ErrorCode.GROUP_MAX_SIZE_REACHED, memberId);
    if (request.groupInstanceId === null && request.requireKnownMemberId) {
      this.pendingMembers.set(
        memberId,
        this.clock.after(request.sessionTimeoutMs, () => this.expirePending(memberId)),
      );
      return failedJoin(ErrorCode.MEMBER_ID_REQUIRED, memberId);
    }
    return this.addMember(memberId, request);
  }

  private joinWithMemberId(request: JoinRequest): JoinResult | Promise<JoinResult> {
    const { memberId } = request;
    const cancelPending = this.pendingMembers.get(memberId);
    if (cancelPending !== undefined) {
      cancelPending();
      this.pendingMembers.delete(memberId);
      return this.addMember(memberId, request);
    }
    const identityError = this.identityError(request);
    if (identityError !== ErrorCode.NONE) return failedJoin(identityError, memberId);
    const member = this.members.get(memberId)!;
    const sameOffer = member.offersSameAs(request.protocols);
    if (this.state === 'CompletingRebalance' && sameOffer) return this.currentGeneration(member);
    if (this.state === 'Stable' && sameOffer && memberId !== this.leaderId) return this.currentGeneration(member);
    this.updateMember(member, request);
    const answer = this.waitForJoin(member);
    if (this.state === 'PreparingRebalance') this.maybeCompleteJoin();
    else this.prepareRebalance();
    return answer;
  }

  private addMember(memberId: string, request: JoinRequest): JoinResult | Promise<JoinResult> {
    if (this.members.size >= this.settings.maxGroupSize) return failedJoin(ErrorCode.GROUP_MAX_SIZE_REACHED, memberId);
    const member = new GroupMember(
      memberId,
      request.groupInstanceId,
      request.clientId,
      request.clientHost,
      request.sessionTimeoutMs,
      request.rebalanceTimeoutMs,
      request.protocols,
    );
    this.members.set(memberId, member);
    if (member.groupInstanceId !== null) this.staticMembers.set(member.groupInstanceId, memberId);
    if (this.members.size === 1) this.protocolType = request.protocolType;
    this.leaderId ??= memberId;
    if (this.initialDelay !== null) this.initialDelay.memberAdded = true;
    const answer = this.waitForJoin(member);
    if (this.state === 'PreparingRebalance') this.maybeCompleteJoin();
    else this.prepareRebalance();
    return answer;
  }

  /** A static member came back without its member id: it takes over the old id's place, fencing the old one. */
  private replaceStaticMember(old: GroupMember, request: JoinRequest): JoinResult | Promise<JoinResult> {
    const leaderBefore = this.leaderId ?? '';
    const member = new GroupMember(
      `${request.groupInstanceId}-${randomUUID()}`,
      request.groupInstanceId,
      request.clientId,
      request.clientHost,
      request.sessionTimeoutMs,
      request.rebalanceTimeoutMs,
      old.protocols,
    );
    member.assignment = old.assignment;
    old.stopSessionTimer();
    old.answerJoin(failedJoin(ErrorCode.FENCED_INSTANCE_ID, old.memberId));
    old.answerSync(failedSync(ErrorCode.FENCED_INSTANCE_ID));
    this.members.delete(old.memberId);
    this.members.set(member.memberId, member);
    this.staticMembers.set(request.groupInstanceId!, member.memberId);
    if (this.leaderId === old.memberId) this.leaderId = member.memberId;
    if (this.state === 'Stable' && old.offersSameAs(request.protocols)) {
      this.save(this);
      // As Kafka: from JoinGroup v9 the leader learns it leads (with the members) but is told to skip the
      // assignment; before v9 it gets the leader id as it was and no member list, so a restarted leader
      // does not run an assignment the Stable group would ignore (its SyncGroup gets the stored one).
      if (request.supportSkippingAssignment) return { ...this.currentGeneration(member), skipAssignment: member.memberId === this.leaderId };
      return { ...this.currentGeneration(member), leader: leaderBefore, members: [] };
    }
    member.protocols = request.protocols;
    const answer = this.waitForJoin(member);
    if (this.state === 'PreparingRebalance') this.maybeCompleteJoin();
    else this.prepareRebalance();
    return answer;
  }

  private updateMember(member: GroupMember, request: JoinRequest): void {
    member.protocols = request.protocols;
    member.sessionTimeoutMs = request.sessionTimeoutMs;
    member.rebalanceTimeoutMs = request.rebalanceTimeoutMs;
    member.clientId = request.clientId;
    member.clientHost = request.clientHost;
  }

  private waitForJoin(member: GroupMember): Promise<JoinResult> {
    member.answerJoin(failedJoin(ErrorCode.REBALANCE_IN_PROGRESS, member.memberId));
    return new Promise((resolve) => {
      member.joinWaiter = resolve;
    });
  }

  /** The JoinGroup answer for the generation in force (a member re-sending an unchanged join). */
  private currentGeneration(member: GroupMember): JoinResult {
    this.restartSessionTimer(member);
    return {
      errorCode: ErrorCode.NONE,
      generationId: this.generationId,
      protocolType: this.protocolType,
      protocolName: this.protocolName,
      leader: this.leaderId ?? '',
      memberId: member.memberId,
      members: member.memberId === this.leaderId ? this.memberMetadata() : [],
    };
  }

  private memberMetadata(): JoinResult['members'] {
    return [...this.members.values()].map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, metadata: m.metadataFor(this.protocolName) }));
  }

  // ---- Rebalancing ----

  private prepareRebalance(): void {
    if (this.state === 'CompletingRebalance') this.failSyncWaiters(ErrorCode.REBALANCE_IN_PROGRESS);
    const wasEmpty = this.state === 'Empty';
    this.transition('PreparingRebalance');
    this.cancelRebalanceTimer?.();
    const delayMs = this.settings.initialRebalanceDelayMs;
    if (wasEmpty && delayMs > 0) {
      this.initialDelay = { remainingMs: Math.max(0, this.rebalanceTimeoutMs() - delayMs), memberAdded: false };
      this.cancelRebalanceTimer = this.clock.after(delayMs, () => this.initialDelayExpired());
      return;
    }
    this.cancelRebalanceTimer = this.clock.after(this.rebalanceTimeoutMs(), () => this.completeJoin());
    this.maybeCompleteJoin();
  }

  /** Kafka's InitialDelayedJoin: while members keep arriving, wait another delay, up to the rebalance timeout. */
  private initialDelayExpired(): void {
    const delay = this.initialDelay!;
    if (delay.memberAdded && delay.remainingMs > 0) {
      const nextMs = Math.min(this.settings.initialRebalanceDelayMs, delay.remainingMs);
      this.initialDelay = { remainingMs: delay.remainingMs - nextMs, memberAdded: false };
      this.cancelRebalanceTimer = this.clock.after(nextMs, () => this.initialDelayExpired());
      return;
    }
    this.completeJoin();
  }

  private rebalanceTimeoutMs(): number {
    let longest = 0;
    for (const m of this.members.values()) longest = Math.max(longest, m.rebalanceTimeoutMs);
    return longest;
  }

  private maybeCompleteJoin(): void {
    if (this.state !== 'PreparingRebalance' || this.initialDelay !== null || this.pendingMembers.size > 0) return;
    for (const m of this.members.values()) if (m.joinWaiter === null) return;
    this.completeJoin();
  }

  /** Ends the join phase: dynamic members that did not rejoin leave, the generation advances, every joiner hears the outcome. */
  private completeJoin(): void {
    if (this.state !== 'PreparingRebalance') return;
    this.cancelRebalanceTimer?.();
    this.cancelRebalanceTimer = null;
    this.initialDelay = null;
    // Dynamic members that did not rejoin leave; static ones keep their place until their session expires (Kafka).
    for (const m of [...this.members.values()]) if (m.joinWaiter === null && m.groupInstanceId === null) this.removeMember(m);
    const joined = [...this.members.values()].filter((m) => m.joinWaiter !== null);
    if (this.members.size > 0 && joined.length === 0) {
      // Only static members that have not rejoined: wait another rebalance timeout (their sessions may expire meanwhile).
      this.cancelRebalanceTimer = this.clock.after(this.rebalanceTimeoutMs(), () => this.completeJoin());
      return;
    }
    this.generationId++;
    if (this.members.size === 0) {
      this.protocolName = null;
      this.leaderId = null;
      this.transition('Empty');
      this.save(this);
      return;
    }
    this.protocolName = this.selectProtocol();
    // The leader must be a member that rejoined (it computes the assignment).
    if (this.leaderId === null || this.members.get(this.leaderId)?.joinWaiter == null) this.leaderId = joined[0]!.memberId;
    this.transition('CompletingRebalance');
    for (const m of this.members.values()) {
      m.assignment = EMPTY_BYTES;
      const result = this.currentGeneration(m);
      m.answerJoin(result);
    }
  }

  private commonProtocols(): Set<string> {
    let common: Set<string> | null = null;
    for (const m of this.members.values()) {
      const names = new Set(m.protocols.map((p) => p.name));
      common = common === null ? names : new Set([...common].filter((n: string) => names.has(n)));
    }
    return common ?? new Set();
  }

  /** Every member votes for its most preferred protocol that all members support; the most votes wins. */
  private selectProtocol(): string {
    const common = this.commonProtocols();
    const votes = new Map<string, number>();
    for (const m of this.members.values()) {
      const choice = m.protocols.find((p) => common.has(p.name))!.name;
      votes.set(choice, (votes.get(choice) ?? 0) + 1);
    }
    return [...votes.entries()].reduce((best, entry) => (entry[1] > best[1] ? entry : best))[0];
  }

  // ---- SyncGroup ----

  sync(request: SyncRequest): SyncResult | Promise<SyncResult> {
    const identityError = this.identityError(request);
    if (identityError !== ErrorCode.NONE) return failedSync(identityError);
    if (request.generationId !== this.generationId) return failedSync(ErrorCode.ILLEGAL_GENERATION);
    if (
      (request.protocolType !== null && request.protocolType !== this.protocolType) ||
      (request.protocolName !== null && request.protocolName !== this.protocolName)
    ) {
      return failedSync(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    }
    const member = this.members.get(request.memberId)!;
    if (this.state === 'PreparingRebalance') return failedSync(ErrorCode.REBALANCE_IN_PROGRESS);
    this.restartSessionTimer(member);
    if (this.state === 'Stable') return this.syncResult(member);
    member.answerSync(failedSync(ErrorCode.REBALANCE_IN_PROGRESS));
    const answer = new Promise<SyncResult>((resolve) => {
      member.syncWaiter = resolve;
    });
    if (member.memberId === this.leaderId) this.applyAssignments(request.assignments);
    return answer;
  }

  private applyAssignments(assignments: SyncRequest['assignments']): void {
    const byMember = new Map(assignments.map((a) => [a.memberId, a.assignment]));
    for (const m of this.members.values()) m.assignment = byMember.get(m.memberId) ?? EMPTY_BYTES;
    const code = this.save(this);
    if (code !== ErrorCode.NONE) {
      for (const m of this.members.values()) m.assignment = EMPTY_BYTES;
      this.failSyncWaiters(code);
      this.prepareRebalance();
      return;
    }
    this.transition('Stable');
    for (const m of this.members.values()) m.answerSync(this.syncResult(m));
  }

  private syncResult(member: GroupMember): SyncResult {
    return { errorCode: ErrorCode.NONE, protocolType: this.protocolType, protocolName: this.protocolName, assignment: member.assignment };
  }

  private failSyncWaiters(code: number): void {
    for (const m of this.members.values()) m.answerSync(failedSync(code));
  }

  // ---- Heartbeat, LeaveGroup, sessions ----

  heartbeat(request: HeartbeatRequest): number {
    const identityError = this.identityError(request);
    if (identityError !== ErrorCode.NONE) return identityError;
    if (request.generationId !== this.generationId) return ErrorCode.ILLEGAL_GENERATION;
    this.restartSessionTimer(this.members.get(request.memberId)!);
    return this.state === 'PreparingRebalance' ? ErrorCode.REBALANCE_IN_PROGRESS : ErrorCode.NONE;
  }

  leave(request: LeaveRequest): LeaveResult {
    const answers = request.members.map((identity) => ({ ...identity, errorCode: this.removeLeaving(identity) }));
    if (answers.some((a) => a.errorCode === ErrorCode.NONE)) this.afterMembersLeft();
    return { errorCode: ErrorCode.NONE, members: answers };
  }

  private removeLeaving(identity: MemberIdentity): number {
    let memberId = identity.memberId;
    if (identity.groupInstanceId !== null) {
      const knownId = this.staticMembers.get(identity.groupInstanceId);
      if (knownId === undefined) return ErrorCode.UNKNOWN_MEMBER_ID;
      if (memberId !== '' && memberId !== knownId) return ErrorCode.FENCED_INSTANCE_ID;
      memberId = knownId;
    }
    const cancelPending = this.pendingMembers.get(memberId);
    if (cancelPending !== undefined) {
      cancelPending();
      this.pendingMembers.delete(memberId);
      return ErrorCode.NONE;
    }
    const member = this.members.get(memberId);
    if (member === undefined) return ErrorCode.UNKNOWN_MEMBER_ID;
    this.removeMember(member);
    return ErrorCode.NONE;
  }

  private afterMembersLeft(): void {
    if (this.state === 'Stable' || this.state === 'CompletingRebalance') this.prepareRebalance();
    else this.maybeCompleteJoin();
  }

  private removeMember(member: GroupMember): void {
    member.stopSessionTimer();
    member.answerJoin(failedJoin(ErrorCode.UNKNOWN_MEMBER_ID, member.memberId));
    member.answerSync(failedSync(ErrorCode.UNKNOWN_MEMBER_ID));
    this.members.delete(member.memberId);
    if (member.groupInstanceId !== null && this.staticMembers.get(member.groupInstanceId) === member.memberId)
      this.staticMembers.delete(member.groupInstanceId);
    if (this.leaderId === member.memberId) this.leaderId = this.members.keys().next().value ?? null;
  }

  private restartSessionTimer(member: GroupMember): void {
    member.stopSessionTimer();
    member.cancelSessionTimer = this.clock.after(member.sessionTimeoutMs, () => this.sessionExpired(member));
  }

  /** A member that stopped heartbeating leaves, unless it is waiting on a join or sync the group owes it. */
  private sessionExpired(member: GroupMember): void {
    if (this.members.get(member.memberId) !== member) return;
    if (member.joinWaiter !== null || member.syncWaiter !== null) {
      this.restartSessionTimer(member);
      return;
    }
    this.removeMember(member);
    this.afterMembersLeft();
  }

  private expirePending(memberId: string): void {
    if (this.pendingMembers.delete(memberId)) this.maybeCompleteJoin();
  }

  /** Kafka's checks of who is asking: known member id, and for static members the current id of the instance. */
  private identityError(identity: MemberIdentity): number {
    if (identity.groupInstanceId !== null) {
      const knownId = this.staticMembers.get(identity.groupInstanceId);
      if (knownId !== undefined && knownId !== identity.memberId) return ErrorCode.FENCED_INSTANCE_ID;
    }
    if (this.state === 'Dead' || !this.members.has(identity.memberId)) return ErrorCode.UNKNOWN_MEMBER_ID;
    return ErrorCode.NONE;
  }

  // ---- Offsets ----

  /** Whether a commit may be written: from a member of this generation, or from outside while the group is empty. */
  commitError(request: CommitRequest): number {
    if (isStandaloneCommit(request)) return this.members.size === 0 && this.state !== 'Dead' ? ErrorCode.NONE : ErrorCode.UNKNOWN_MEMBER_ID;
    const identityError = this.identityError(request);
    if (identityError !== ErrorCode.NONE) return identityError;
    if (request.generationId !== this.generationId) return ErrorCode.ILLEGAL_GENERATION;
    if (this.state === 'CompletingRebalance') return ErrorCode.REBALANCE_IN_PROGRESS;
    this.restartSessionTimer(this.members.get(request.memberId)!);
    return ErrorCode.NONE;
  }

  /** True when a live consumer-protocol member subscribes to `topic` (its offsets may not be deleted). */
  isSubscribedTo(topic: string): boolean {
    if (this.protocolType !== 'consumer' || this.members.size === 0) return false;
    for (const m of this.members.values()) {
      try {
        if (subscribedTopics(m.metadataFor(this.protocolName ?? m.protocols[0]?.name ?? null)).includes(topic)) return true;
      } catch {
        return true;
      }
    }
    return false;
  }

  // ---- Description, persistence, shutdown ----

  describe(): GroupDescription {
    const stable = this.state === 'Stable';
    return {
      errorCode: ErrorCode.NONE,
      groupId: this.groupId,
      state: this.state,
      protocolType: this.protocolType ?? '',
      protocolName: stable ? (this.protocolName ?? '') : '',
      members: [...this.members.values()].map((m) => ({
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        metadata: stable ? m.metadataFor(this.protocolName) : EMPTY_BYTES,
        assignment: stable ? m.assignment : EMPTY_BYTES,
      })),
    };
  }

  toStoredValue(): GroupValue {
    return {
      protocolType: this.protocolType ?? '',
      generationId: this.generationId,
      protocolName: this.protocolName,
      leader: this.leaderId,
      stateTimestamp: this.stateTimestamp,
      members: [...this.members.values()].map((m) => ({
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        rebalanceTimeoutMs: m.rebalanceTimeoutMs,
        sessionTimeoutMs: m.sessionTimeoutMs,
        subscription: m.metadataFor(this.protocolName),
        assignment: m.assignment,
      })),
    };
  }

  /** Rebuilds the group from its stored metadata: Stable with its members (who must heartbeat within their sessions), or Empty. */
  restore(value: GroupValue): void {
    this.clearMembers();
    this.generationId = value.generationId;
    this.protocolType = value.protocolType === '' ? null : value.protocolType;
    this.protocolName = value.protocolName;
    this.leaderId = value.leader;
    this.stateTimestamp = value.stateTimestamp;
    for (const stored of value.members) {
      const member = new GroupMember(
        stored.memberId,
        stored.groupInstanceId,
        stored.clientId,
        stored.clientHost,
        stored.sessionTimeoutMs,
        stored.rebalanceTimeoutMs,
        value.protocolName === null ? [] : [{ name: value.protocolName, metadata: stored.subscription }],
      );
      member.assignment = stored.assignment;
      this.members.set(member.memberId, member);
      if (member.groupInstanceId !== null) this.staticMembers.set(member.groupInstanceId, member.memberId);
    }
    this.state = this.members.size > 0 && this.protocolName !== null ? 'Stable' : 'Empty';
    if (this.state === 'Empty') this.clearMembers();
  }

  /** Starts the session timers of restored members (after replay, when the group is live). */
  startSessionTimers(): void {
    for (const m of this.members.values()) this.restartSessionTimer(m);
  }

  /** The group is being deleted or unloaded: answer waiting members with `code` and stop every timer. */
  shutDown(code: number): void {
    this.transition('Dead');
    for (const m of this.members.values()) {
      m.stopSessionTimer();
      m.answerJoin(failedJoin(code, m.memberId));
      m.answerSync(failedSync(code));
    }
    this.clearMembers();
  }

  private clearMembers(): void {
    for (const m of this.members.values()) m.stopSessionTimer();
    for (const cancel of this.pendingMembers.values()) cancel();
    this.pendingMembers.clear();
    this.members.clear();
    this.staticMembers.clear();
    this.cancelRebalanceTimer?.();
    this.cancelRebalanceTimer = null;
    this.initialDelay = null;
  }

  private transition(state: GroupState): void {
    this.state = state;
    this.stateTimestamp = this.clock.now();
  }
}

/** A commit from outside any group generation (a standalone consumer, or an admin tool): generation -1, no member. */
export function isStandaloneCommit(request: CommitRequest): boolean {
  return request.generationId < 0 && request.memberId === '' && request.groupInstanceId === null;
}

function failedJoin(errorCode: number, memberId: string): JoinResult {
  return { errorCode, generationId: -1, protocolType: null, protocolName: null, leader: '', memberId, members: [] };
}

function failedSync(errorCode: number): SyncResult {
  return { errorCode, protocolType: null, protocolName: null, assignment: EMPTY_BYTES };
}
