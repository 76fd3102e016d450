// Model-based property test of ConsumerGroup: random runs of 1–5 simulated clients (dynamic or static,
// JoinGroup v0-style or v4+ with the MEMBER_ID_REQUIRED round trip) that join, sync, heartbeat, commit,
// leave, restart (a static one fences its old incarnation, which lingers as a zombie), go silent, while a
// manual clock fires session, rebalance and initial-delay timers. After every event the answers and the
// group are checked against what the clients were told and a small model. Test-only.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { GroupState, JoinRequest, JoinResult, SyncRequest, SyncResult } from '../../../src/shared/group-protocol.js';
import { ErrorCode, errorName } from '../../../src/shared/kafka-error-codes.js';
import { ConsumerGroup } from '../../../workers/groups/consumer-group.js';
import type { ProtocolOffer } from '../../../workers/groups/group-member.js';
import { seedFor } from '../log/log-test-kit.js';
import { bytes, groupSettings, ManualClock, settle, text } from './group-test-kit.js';

interface ClientConfig {
  isStatic: boolean;
  /** JoinGroup v4+: a new dynamic member is given an id and must join again with it. */
  v4: boolean;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  /** In order of preference; always includes 'range' so every group has a common protocol. */
  protocolNames: string[];
}

type Op =
  | { kind: 'progress'; client: number }
  | { kind: 'join'; client: number; bump: boolean }
  | { kind: 'sync' | 'heartbeat' | 'commit' | 'restart' | 'silence'; client: number }
  | { kind: 'leave'; client: number; byInstance: boolean }
  | { kind: 'zombie'; pick: number; action: 'join' | 'sync' | 'heartbeat' | 'commit' | 'leave' }
  | { kind: 'adminCommit' }
  | { kind: 'time'; ms: number };

/** Kafka's GroupMetadata.validPreviousStates, read as edges. */
const ALLOWED_EDGES = new Set([
  'Empty>PreparingRebalance',
  'PreparingRebalance>CompletingRebalance',
  'PreparingRebalance>Empty',
  'CompletingRebalance>PreparingRebalance',
  'CompletingRebalance>Stable',
  'Stable>PreparingRebalance',
]);

/** One process of a client: a restart makes a new one and leaves the old one behind as a zombie. */
class Incarnation {
  memberId: string | null = null;
  generation = -1;
  /** The member list of the join answer that made this incarnation leader of `generation`, else null. */
  ledMembers: string[] | null = null;
  metadataVersion = 0;
  zombie = false;
  silent = false;
  /** Told REBALANCE_IN_PROGRESS or ILLEGAL_GENERATION since its last join answer. */
  mustRejoin = false;
  synced = false;
  joinsWaiting = 0;
  syncsWaiting = 0;

  constructor(
    readonly slot: number,
    readonly config: ClientConfig,
    readonly instanceId: string | null,
  ) {}

  forget(): void {
    this.memberId = null;
    this.generation = -1;
    this.ledMembers = null;
    this.synced = false;
  }

  /** What a well-behaved client does next: join until it has a generation, sync once, then heartbeat. */
  nextAction(): 'join' | 'sync' | 'heartbeat' | null {
    if (this.joinsWaiting > 0 || this.syncsWaiting > 0) return this.generation >= 0 ? 'heartbeat' : null;
    if (this.memberId === null || this.generation < 0 || this.mustRejoin) return 'join';
    return this.synced ? 'heartbeat' : 'sync';
  }

  protocols(): ProtocolOffer[] {
    return this.config.protocolNames.map((name) => ({ name, metadata: bytes(`${name}:${this.slot}:${this.metadataVersion}`) }));
  }
}

/** What the model knows of one generation that completed its join phase with members. */
interface GenerationRecord {
  leader: string;
  protocol: string;
  /** Members of the generation (member id → group.instance.id), following static replacements. */
  slots: Map<string, string | null>;
  answered: Set<string>;
  leaderLists: string[][];
  /** Assignment text by member id, once the leader's SyncGroup was applied. */
  assigned: Map<string, string> | null;
  createdInEvent: number;
}

type Queued =
  /** identity: the identity error expected before the call (undefined: a new or pending member). */
  | { kind: 'join'; inc: Incarnation; request: JoinRequest; result: JoinResult; issuedMs: number; identity: number | null | undefined }
  | { kind: 'sync'; inc: Incarnation; request: SyncRequest; result: SyncResult; identity: number | null };

const IDENTITY_ERRORS = [ErrorCode.UNKNOWN_MEMBER_ID, ErrorCode.FENCED_INSTANCE_ID];

/** How often the runs reached each interesting path, so a weakened generator shows up as a failure. */
const reached = {
  stableGroups: 0,
  syncedAssignments: 0,
  memberIdRequired: 0,
  staticRejoinsWithoutRebalance: 0,
  fencedAnswers: 0,
  departedRefused: 0,
  membersRemovedByTimers: 0,
  generationsOfSeveralMembers: 0,
};

class Run {
  readonly clock = new ManualClock();
  readonly group: ConsumerGroup;
  readonly slots: Incarnation[];
  readonly zombies: Incarnation[] = [];
  private readonly queue: Queued[] = [];
  private outstanding = 0;
  private event = 0;
  private timerEvent = false;
  /** Member ids that were in the group and left it: they may never succeed again. */
  private readonly dead = new Set<string>();
  private members = new Set<string>();
  private generation = 0;
  private readonly generations = new Map<number, GenerationRecord>();
  /** The protocols each member id last sent in a JoinGroup. */
  private readonly offers = new Map<string, ProtocolOffer[]>();
  private readonly joinBoundMs: number;
  /** Member ids handed out with MEMBER_ID_REQUIRED and not used yet, with when they expire. */
  private readonly pending = new Map<string, number>();
  /** Leaders' member lists, whose metadata is checked once every answer of the event is in. */
  private readonly listsToCheck: Array<{ members: JoinResult['members']; protocol: string }> = [];

  constructor(configs: ClientConfig[], initialDelayMs: number) {
    this.group = new ConsumerGroup('g', groupSettings({ initialRebalanceDelayMs: initialDelayMs }), this.clock, () => ErrorCode.NONE);
    this.slots = configs.map((c, i) => new Incarnation(i, c, c.isStatic ? `instance-${i}` : null));
    this.joinBoundMs = Math.max(initialDelayMs, ...configs.map((c) => c.rebalanceTimeoutMs));
    this.watchTransitions();
  }

  /** Sees every state change as it happens (the group assigns `state` only in its transitions). */
  private watchTransitions(): void {
    let current: GroupState = this.group.state;
    Object.defineProperty(this.group, 'state', {
      configurable: true,
      enumerable: true,
      get: () => current,
      set: (next: GroupState) => {
        this.onTransition(current, next);
        current = next;
      },
    });
  }

  private onTransition(from: GroupState, to: GroupState): void {
    const group = this.group;
    expect(ALLOWED_EDGES.has(`${from}>${to}`), `transition ${from} → ${to}`).toBe(true);
    const completesJoin = from === 'PreparingRebalance';
    if (completesJoin && !this.timerEvent) {
      // Completed by a request, not a timeout: every member rejoined and no handed-out id is still unused.
      expect(
        [...this.pending.keys()].filter((id) => this.isPending(id)),
        'pending member ids at join completion',
      ).toEqual([]);
    }
    expect(group.generationId, `generation at ${from} → ${to}`).toBe(completesJoin ? this.generation + 1 : this.generation);
    this.generation = group.generationId;
    if (to === 'CompletingRebalance') {
      expect(group.members.size).toBeGreaterThan(0);
      this.generations.set(group.generationId, {
        leader: group.leaderId!,
        protocol: group.protocolName!,
        slots: new Map([...group.members.values()].map((m) => [m.memberId, m.groupInstanceId])),
        answered: new Set(),
        leaderLists: [],
        assigned: null,
        createdInEvent: this.event,
      });
    }
  }

  // ---- Operations ----

  async apply(op: Op): Promise<void> {
    switch (op.kind) {
      case 'time':
        return this.advance(op.ms);
      case 'adminCommit':
        return this.step(() => this.adminCommit());
      case 'zombie': {
        const inc = this.zombies[op.pick % Math.max(1, this.zombies.length)];
        if (inc === undefined || inc.memberId === null) return;
        return this.step(() => this.act(inc, op.action));
      }
      case 'restart':
        return this.step(() => this.restart(op.client % this.slots.length));
      default: {
        const inc = this.slots[op.client % this.slots.length]!;
        if (inc.silent) return;
        if (op.kind === 'silence') {
          inc.silent = true;
          return;
        }
        if (op.kind === 'progress') {
          const action = inc.nextAction();
          return action === null ? undefined : this.step(() => this.act(inc, action));
        }
        if (op.kind === 'join' && op.bump) inc.metadataVersion++;
        if (op.kind === 'leave' && op.byInstance && inc.instanceId !== null) return this.step(() => this.leaveByInstance(inc));
        return this.step(() => this.act(inc, op.kind as 'join' | 'sync' | 'heartbeat' | 'commit' | 'leave'));
      }
    }
  }

  private act(inc: Incarnation, action: 'join' | 'sync' | 'heartbeat' | 'commit' | 'leave'): void {
    if (action === 'join') return this.join(inc);
    if (inc.memberId === null) return action === 'sync' || action === 'heartbeat' ? this.join(inc) : undefined;
    if (action === 'sync') return this.sync(inc);
    if (action === 'heartbeat') return this.heartbeat(inc);
    if (action === 'commit') return this.commit(inc);
    return this.leave(inc);
  }

  private restart(slot: number): void {
    const old = this.slots[slot]!;
    old.zombie = true;
    this.zombies.push(old);
    const fresh = new Incarnation(slot, old.config, old.instanceId);
    fresh.metadataVersion = old.metadataVersion;
    this.slots[slot] = fresh;
    this.join(fresh);
  }

  private join(inc: Incarnation): void {
    if (inc.zombie && inc.memberId === null) return;
    const request: JoinRequest = {
      groupId: 'g',
      memberId: inc.memberId ?? '',
      groupInstanceId: inc.instanceId,
      clientId: `client-${inc.slot}`,
      clientHost: '/127.0.0.1',
      sessionTimeoutMs: inc.config.sessionTimeoutMs,
      rebalanceTimeoutMs: inc.config.rebalanceTimeoutMs,
      protocolType: 'consumer',
      protocols: inc.protocols(),
      requireKnownMemberId: inc.config.v4,
      supportSkippingAssignment: false,
    };
    if (request.memberId !== '' && !this.dead.has(request.memberId)) this.offers.set(request.memberId, request.protocols);
    const identity = request.memberId === '' || this.isPending(request.memberId) ? undefined : this.identityError(request.memberId, request.groupInstanceId);
    this.pending.delete(request.memberId);
    const issuedMs = this.clock.now();
    inc.joinsWaiting++;
    this.track(this.group.join(request), (result) => {
      inc.joinsWaiting--;
      this.queue.push({ kind: 'join', inc, request, result, issuedMs, identity });
    });
  }

  private sync(inc: Incarnation): void {
    const memberId = inc.memberId!;
    const generationId = inc.generation;
    const assignments = (inc.ledMembers ?? []).map((id) => ({ memberId: id, assignment: bytes(`gen:${generationId}:${id}`) }));
    const request: SyncRequest = {
      groupId: 'g',
      memberId,
      groupInstanceId: inc.instanceId,
      generationId,
      protocolType: 'consumer',
      protocolName: null,
      assignments,
    };
    const wasStable = this.group.state === 'Stable';
    const identity = this.identityError(memberId, inc.instanceId);
    const answer = this.group.sync(request);
    // The leader's assignment is applied (and the group turns Stable) inside this call, or never.
    if (!wasStable && this.group.state === 'Stable') {
      const record = this.generations.get(this.group.generationId)!;
      expect(inc.ledMembers, 'only the leader completes a sync').not.toBeNull();
      expect(record.assigned).toBeNull();
      record.assigned = new Map(assignments.map((a) => [a.memberId, text(a.assignment)]));
      reached.stableGroups++;
      expect(new Set(record.assigned.keys())).toEqual(new Set(record.slots.keys()));
    }
    inc.syncsWaiting++;
    this.track(answer, (result) => {
      inc.syncsWaiting--;
      this.queue.push({ kind: 'sync', inc, request, result, identity });
    });
  }

  private heartbeat(inc: Incarnation): void {
    const memberId = inc.memberId!;
    const expected = this.expectedMemberCheck(memberId, inc.instanceId, inc.generation, 'heartbeat');
    const code = this.group.heartbeat({ groupId: 'g', memberId, groupInstanceId: inc.instanceId, generationId: inc.generation });
    this.expectCode(code, expected, `heartbeat of ${memberId}`, memberId);
    this.afterMemberError(inc, memberId, code);
  }

  private commit(inc: Incarnation): void {
    const memberId = inc.memberId!;
    const expected = this.expectedMemberCheck(memberId, inc.instanceId, inc.generation, 'commit');
    const code = this.group.commitError({ groupId: 'g', memberId, groupInstanceId: inc.instanceId, generationId: inc.generation, offsets: [] });
    this.expectCode(code, expected, `commit of ${memberId}`, memberId);
    this.afterMemberError(inc, memberId, code);
  }

  private adminCommit(): void {
    const code = this.group.commitError({ groupId: 'g', memberId: '', groupInstanceId: null, generationId: -1, offsets: [] });
    expect(code).toBe(this.group.members.size === 0 ? ErrorCode.NONE : ErrorCode.UNKNOWN_MEMBER_ID);
  }

  /**
   * Kafka's validateCurrentMember, from what is observable before the call: FENCED_INSTANCE_ID when the
   * instance is held by another member id, UNKNOWN_MEMBER_ID when the id is not a member, else null.
   */
  private identityError(memberId: string, instanceId: string | null): number | null {
    const holder = instanceId === null ? undefined : [...this.group.members.values()].find((m) => m.groupInstanceId === instanceId);
    if (holder !== undefined && holder.memberId !== memberId) return ErrorCode.FENCED_INSTANCE_ID;
    if (!this.group.members.has(memberId)) return ErrorCode.UNKNOWN_MEMBER_ID;
    return null;
  }

  /** Kafka's answer to a heartbeat or commit: identity, then generation, then by the group's state. */
  private expectedMemberCheck(memberId: string, instanceId: string | null, generationId: number, kind: 'heartbeat' | 'commit'): number[] {
    if (this.dead.has(memberId)) expect(this.identityError(memberId, instanceId)).not.toBeNull();
    const identity = this.identityError(memberId, instanceId);
    if (identity !== null) return [identity];
    if (generationId !== this.group.generationId) return [ErrorCode.ILLEGAL_GENERATION];
    const state = this.group.state;
    if (kind === 'heartbeat') return [state === 'PreparingRebalance' ? ErrorCode.REBALANCE_IN_PROGRESS : ErrorCode.NONE];
    return [state === 'CompletingRebalance' ? ErrorCode.REBALANCE_IN_PROGRESS : ErrorCode.NONE];
  }

  private leave(inc: Incarnation): void {
    const memberId = inc.memberId!;
    const identity = this.isPending(memberId) ? null : this.identityError(memberId, inc.instanceId);
    this.pending.delete(memberId);
    const result = this.group.leave({ groupId: 'g', members: [{ memberId, groupInstanceId: inc.instanceId }] });
    this.expectCode(result.members[0]!.errorCode, [identity ?? ErrorCode.NONE], `leave of ${memberId}`, memberId);
    expect(this.group.members.has(memberId)).toBe(false);
    inc.forget();
  }

  private leaveByInstance(inc: Incarnation): void {
    const holder = [...this.group.members.values()].find((m) => m.groupInstanceId === inc.instanceId);
    const result = this.group.leave({ groupId: 'g', members: [{ memberId: '', groupInstanceId: inc.instanceId }] });
    expect(result.members[0]!.errorCode).toBe(holder === undefined ? ErrorCode.UNKNOWN_MEMBER_ID : ErrorCode.NONE);
    if (holder !== undefined) expect(this.group.members.has(holder.memberId)).toBe(false);
    inc.forget();
  }

  private afterMemberError(inc: Incarnation, memberId: string, code: number): void {
    if (code === ErrorCode.REBALANCE_IN_PROGRESS || code === ErrorCode.ILLEGAL_GENERATION) inc.mustRejoin = true;
    if (code === ErrorCode.UNKNOWN_MEMBER_ID || code === ErrorCode.FENCED_INSTANCE_ID) {
      if (inc.memberId === memberId) inc.forget();
    }
  }

  private isPending(memberId: string): boolean {
    return (this.pending.get(memberId) ?? -1) > this.clock.now();
  }

  private track<T>(answer: T | Promise<T>, onAnswer: (value: T) => void): void {
    if (!(answer instanceof Promise)) return onAnswer(answer);
    this.outstanding++;
    void answer.then((value) => {
      this.outstanding--;
      onAnswer(value);
    });
  }

  private expectCode(code: number, allowed: number[], what: string, memberId = ''): void {
    if (this.dead.has(memberId)) reached.departedRefused++;
    if (code === ErrorCode.FENCED_INSTANCE_ID && !what.startsWith('join') && !what.startsWith('sync')) reached.fencedAnswers++;
    expect(allowed.map(errorName), `${what} answered ${errorName(code)}`).toContain(errorName(code));
  }

  // ---- Events and checks ----

  /** One event: a request or a timer; then the answers it produced are read and everything is checked. */
  private async step(action: () => void): Promise<void> {
    this.event++;
    const deadBefore = new Set(this.dead);
    action();
    await settle();
    for (const item of this.queue.splice(0)) {
      if (item.kind === 'join') this.onJoinAnswer(item, deadBefore);
      else this.onSyncAnswer(item, deadBefore);
    }
    this.check();
  }

  private async advance(ms: number): Promise<void> {
    const untilMs = this.clock.now() + ms;
    while (this.clock.nextDueMs() !== null && this.clock.nextDueMs()! <= untilMs) await this.fireTimer(untilMs);
    this.clock.setNow(untilMs);
  }

  private async fireTimer(untilMs = Number.POSITIVE_INFINITY): Promise<void> {
    this.timerEvent = true;
    try {
      await this.step(() => this.clock.fireNext(untilMs));
    } finally {
      this.timerEvent = false;
    }
  }

  private onJoinAnswer(item: Extract<Queued, { kind: 'join' }>, deadBefore: Set<string>): void {
    const { inc, request, result } = item;
    if (result.errorCode === ErrorCode.FENCED_INSTANCE_ID) reached.fencedAnswers++;
    // Timers remove only members that are not waiting: a waiting join is never told its member is gone.
    if (this.timerEvent) expect(result.errorCode, 'a timer answered a waiting join').not.toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect(this.clock.now() - item.issuedMs, 'a join is answered within the rebalance timeout').toBeLessThanOrEqual(this.joinBoundMs);
    if (request.memberId !== '' && deadBefore.has(request.memberId))
      this.expectCode(result.errorCode, IDENTITY_ERRORS, `join of departed ${request.memberId}`, request.memberId);
    if (item.identity !== undefined) this.expectCode(result.errorCode, [item.identity ?? result.errorCode], `join of ${request.memberId}`);
    switch (result.errorCode) {
      case ErrorCode.NONE:
        return this.onJoined(inc, request, result, deadBefore);
      case ErrorCode.MEMBER_ID_REQUIRED:
        expect([request.memberId, request.groupInstanceId, request.requireKnownMemberId]).toEqual(['', null, true]);
        expect(result.memberId).not.toBe('');
        reached.memberIdRequired++;
        this.pending.set(result.memberId, item.issuedMs + request.sessionTimeoutMs);
        if (inc.memberId === null) inc.memberId = result.memberId;
        return;
      case ErrorCode.REBALANCE_IN_PROGRESS:
        return; // an earlier join of the same member, answered by its newer one
      case ErrorCode.UNKNOWN_MEMBER_ID:
      case ErrorCode.FENCED_INSTANCE_ID:
        if (result.errorCode === ErrorCode.FENCED_INSTANCE_ID) expect(request.groupInstanceId).not.toBeNull();
        if (inc.memberId === result.memberId || inc.memberId === request.memberId) inc.forget();
        return;
      default:
        throw new Error(`unexpected join answer ${errorName(result.errorCode)}`);
    }
  }

  private onJoined(inc: Incarnation, request: JoinRequest, result: JoinResult, deadBefore: Set<string>): void {
    const id = result.memberId;
    expect(deadBefore.has(id), `${id} left the group and was told it joined`).toBe(false);
    if (request.memberId !== '') expect(id).toBe(request.memberId);
    if (request.memberId === '') this.offers.set(id, request.protocols);
    const record = this.generations.get(result.generationId);
    expect(record, `generation ${result.generationId} completed a join phase`).toBeDefined();
    const rec = record!;
    const replaced =
      request.memberId === '' && request.groupInstanceId !== null
        ? [...rec.slots].find(([m, instance]) => instance === request.groupInstanceId && m !== id)
        : undefined;
    if (replaced !== undefined) {
      // A known static instance took its place back in a Stable group: same generation, no rebalance,
      // answered (as Kafka does for JoinGroup < v9) with the leader as it was and no member list.
      expect(this.group.state).toBe('Stable');
      expect([result.generationId, result.leader, result.members]).toEqual([this.group.generationId, rec.leader, []]);
      this.rename(rec, replaced[0], id);
      reached.staticRejoinsWithoutRebalance++;
    } else {
      expect(rec.slots.has(id), `${id} is a member of generation ${result.generationId}`).toBe(true);
      expect(result.leader).toBe(rec.leader);
      if (id === rec.leader) {
        expect(new Set(result.members.map((m) => m.memberId))).toEqual(new Set(rec.slots.keys()));
        rec.leaderLists.push(result.members.map((m) => m.memberId));
        this.listsToCheck.push({ members: result.members, protocol: rec.protocol });
      } else {
        expect(result.members).toEqual([]);
      }
    }
    expect([result.protocolType, result.protocolName]).toEqual(['consumer', rec.protocol]);
    rec.answered.add(id);
    if (result.generationId < inc.generation) return; // a late answer for an older generation
    inc.memberId = id;
    inc.generation = result.generationId;
    inc.ledMembers = result.leader === id ? result.members.map((m) => m.memberId) : null;
    inc.mustRejoin = false;
    inc.synced = false;
  }

  private rename(rec: GenerationRecord, oldId: string, newId: string): void {
    rec.slots = new Map([...rec.slots].map(([m, instance]) => [m === oldId ? newId : m, instance]));
    if (rec.leader === oldId) rec.leader = newId;
    if (rec.assigned?.has(oldId)) rec.assigned.set(newId, rec.assigned.get(oldId)!);
    this.offers.set(newId, this.offers.get(oldId) ?? []);
  }

  private offerOf(memberId: string, protocol: string): Uint8Array {
    const offer = this.offers.get(memberId)?.find((p) => p.name === protocol);
    expect(offer, `${memberId} offered ${protocol}`).toBeDefined();
    return offer!.metadata;
  }

  private onSyncAnswer(item: Extract<Queued, { kind: 'sync' }>, deadBefore: Set<string>): void {
    const { inc, request, result } = item;
    if (result.errorCode === ErrorCode.FENCED_INSTANCE_ID) reached.fencedAnswers++;
    if (this.timerEvent) expect(result.errorCode, 'a timer answered a waiting sync').not.toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    if (deadBefore.has(request.memberId)) this.expectCode(result.errorCode, IDENTITY_ERRORS, `sync of departed ${request.memberId}`, request.memberId);
    if (item.identity !== null) this.expectCode(result.errorCode, [item.identity], `sync of ${request.memberId}`);
    switch (result.errorCode) {
      case ErrorCode.NONE: {
        const rec = this.generations.get(request.generationId);
        const expected = rec?.assigned?.get(request.memberId);
        expect(expected, `the leader assigned ${request.memberId} in generation ${request.generationId}`).toBeDefined();
        expect(text(result.assignment)).toBe(expected);
        reached.syncedAssignments++;
        if (inc.generation === request.generationId) inc.synced = true;
        expect([result.protocolType, result.protocolName]).toEqual(['consumer', rec!.protocol]);
        return;
      }
      case ErrorCode.REBALANCE_IN_PROGRESS:
      case ErrorCode.ILLEGAL_GENERATION:
        if (inc.generation === request.generationId) inc.mustRejoin = true;
        return;
      case ErrorCode.UNKNOWN_MEMBER_ID:
      case ErrorCode.FENCED_INSTANCE_ID:
        if (inc.memberId === request.memberId) inc.forget();
        return;
      default:
        throw new Error(`unexpected sync answer ${errorName(result.errorCode)}`);
    }
  }

  check(): void {
    const { group } = this;
    const state = group.state;
    expect(group.generationId).toBe(this.generation);
    if (state === 'Empty') expect(group.members.size).toBe(0);
    if (state === 'Stable' || state === 'CompletingRebalance') {
      expect(group.members.size).toBeGreaterThan(0);
      expect(group.members.has(group.leaderId ?? '')).toBe(true);
    }
    if (state === 'Stable') expect(this.generations.get(group.generationId)?.assigned ?? null).not.toBeNull();
    for (const { members, protocol } of this.listsToCheck.splice(0)) {
      for (const m of members) expect(text(m.metadata), `metadata of ${m.memberId}`).toBe(text(this.offerOf(m.memberId, protocol)));
    }
    const now = new Set(group.members.keys());
    for (const id of this.members) {
      if (now.has(id)) continue;
      this.dead.add(id);
      if (this.timerEvent) reached.membersRemovedByTimers++;
    }
    for (const id of now) expect(this.dead.has(id), `${id} came back after leaving`).toBe(false);
    this.members = now;
    const instances = [...group.members.values()].map((m) => m.groupInstanceId).filter((i) => i !== null);
    expect(new Set(instances).size).toBe(instances.length);
    for (const [generationId, rec] of this.generations) if (rec.createdInEvent === this.event) this.checkNewGeneration(generationId, rec);
  }

  /** Right after a join phase: everyone answered is in the leader's list, which holds no one else but static members waiting to rejoin; the protocol won the vote. */
  private checkNewGeneration(generationId: number, rec: GenerationRecord): void {
    const ids = new Set(rec.slots.keys());
    if (ids.size > 1) reached.generationsOfSeveralMembers++;
    for (const id of rec.answered) expect(ids.has(id), `${id} answered in generation ${generationId} is in the leader's list`).toBe(true);
    // Members that did not rejoin stay listed only if static (Kafka keeps them until their session expires).
    for (const id of ids) {
      if (!rec.answered.has(id))
        expect(this.group.members.get(id)?.groupInstanceId ?? null, `${id} listed in generation ${generationId} without rejoining`).not.toBeNull();
    }
    expect(rec.leaderLists.length).toBe(1);
    const offers = [...ids].map((id) => this.offers.get(id)!.map((p) => p.name));
    const common = offers.reduce((acc, names) => acc.filter((n) => names.includes(n)));
    expect(common).toContain(rec.protocol);
    const votes = new Map<string, number>();
    for (const names of offers) {
      const choice = names.find((n) => common.includes(n))!;
      votes.set(choice, (votes.get(choice) ?? 0) + 1);
    }
    expect(votes.get(rec.protocol)).toBe(Math.max(...votes.values()));
  }

  /** Every client goes silent; once every timer has fired, nothing may still be waiting and the group is empty. */
  async finish(): Promise<void> {
    for (const inc of [...this.slots, ...this.zombies]) inc.silent = true;
    for (let fired = 0; this.clock.nextDueMs() !== null; fired++) {
      expect(fired, 'timers keep firing').toBeLessThan(1_000);
      await this.fireTimer();
    }
    expect(this.outstanding, 'joins and syncs still unanswered').toBe(0);
    expect([this.group.state, this.group.members.size]).toEqual(['Empty', 0]);
  }
}

const clientArbitrary: fc.Arbitrary<ClientConfig> = fc.record({
  isStatic: fc.boolean(),
  v4: fc.boolean(),
  sessionTimeoutMs: fc.constantFrom(6_000, 10_000, 30_000),
  rebalanceTimeoutMs: fc.constantFrom(5_000, 15_000, 60_000),
  protocolNames: fc
    .shuffledSubarray(['range', 'roundrobin', 'sticky'], { minLength: 1 })
    .map((names) => (names.includes('range') ? names : [...names, 'range'])),
});

const client = fc.nat(4);
const opArbitrary: fc.Arbitrary<Op> = fc.oneof(
  { weight: 30, arbitrary: fc.record({ kind: fc.constant('progress' as const), client }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('join' as const), client, bump: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('sync' as const), client }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('heartbeat' as const), client }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('commit' as const), client }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('leave' as const), client, byInstance: fc.boolean() }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('restart' as const), client }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('silence' as const), client }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('zombie' as const),
      pick: fc.nat(7),
      action: fc.constantFrom('join' as const, 'sync' as const, 'heartbeat' as const, 'commit' as const, 'leave' as const),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('adminCommit' as const) }) },
  // Mostly short steps that heartbeating members survive; now and then a jump past every timeout.
  { weight: 14, arbitrary: fc.record({ kind: fc.constant('time' as const), ms: fc.integer({ min: 0, max: 3_000 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('time' as const), ms: fc.constantFrom(5_000, 6_000, 10_000, 15_000, 30_000, 60_000, 70_000) }) },
);

describe('ConsumerGroup against a model', () => {
  it('keeps Kafka group semantics over random client runs', async () => {
    const seed = seedFor('consumer-group model');
    await fc.assert(
      fc.asyncProperty(
        fc.array(clientArbitrary, { minLength: 1, maxLength: 5 }),
        fc.constantFrom(0, 3_000),
        fc.array(opArbitrary, { minLength: 1, maxLength: 60, size: 'max' }),
        async (configs, initialDelayMs, ops) => {
          const run = new Run(configs, initialDelayMs);
          for (const op of ops) await run.apply(op);
          await run.finish();
        },
      ),
      { seed, numRuns: 200 },
    );
    console.log('consumer-group model reached', reached);
    for (const [path, count] of Object.entries(reached)) expect(count, `runs reached ${path}`).toBeGreaterThan(0);
  });
});
