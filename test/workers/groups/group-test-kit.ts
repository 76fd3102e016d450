// Shared helpers for the group coordinator tests: a manual GroupClock whose timers fire only when a test
// advances it, group settings for tests, and request builders. Test-only; runs in the vitest process.
import { DEFAULT_GROUP_SETTINGS, type GroupSettings, type JoinRequest, type SyncRequest } from '../../../src/shared/group-protocol.js';
import type { GroupClock } from '../../../workers/groups/group-clock.js';

interface ManualTimer {
  dueMs: number;
  seq: number;
  fn: () => void;
}

/** A GroupClock that only moves when told to; timers fire in due order (ties in scheduling order). */
export class ManualClock implements GroupClock {
  private nowMs: number;
  private seq = 0;
  private readonly timers = new Set<ManualTimer>();

  constructor(startMs = 1_000_000) {
    this.nowMs = startMs;
  }

  now(): number {
    return this.nowMs;
  }

  after(ms: number, fn: () => void): () => void {
    const timer: ManualTimer = { dueMs: this.nowMs + Math.max(0, ms), seq: this.seq++, fn };
    this.timers.add(timer);
    return () => {
      this.timers.delete(timer);
    };
  }

  get pendingTimers(): number {
    return this.timers.size;
  }

  /** Due time of the earliest timer, or null. */
  nextDueMs(): number | null {
    return this.earliest()?.dueMs ?? null;
  }

  /** Fires the earliest timer if it is due by `untilMs` (moving the time to it); false when none is. */
  fireNext(untilMs = Number.POSITIVE_INFINITY): boolean {
    const timer = this.earliest();
    if (timer === null || timer.dueMs > untilMs) return false;
    this.timers.delete(timer);
    this.nowMs = Math.max(this.nowMs, timer.dueMs);
    timer.fn();
    return true;
  }

  /** Moves the time forward by `ms`, firing every timer that falls due on the way (synchronously). */
  advance(ms: number): void {
    const untilMs = this.nowMs + ms;
    while (this.fireNext(untilMs));
    this.nowMs = untilMs;
  }

  /** Moves the time to `untilMs` without firing anything (after the caller fired what was due). */
  setNow(untilMs: number): void {
    this.nowMs = Math.max(this.nowMs, untilMs);
  }

  private earliest(): ManualTimer | null {
    let best: ManualTimer | null = null;
    for (const t of this.timers) if (best === null || t.dueMs < best.dueMs || (t.dueMs === best.dueMs && t.seq < best.seq)) best = t;
    return best;
  }
}

export function groupSettings(overrides: Partial<GroupSettings> = {}): GroupSettings {
  return { ...DEFAULT_GROUP_SETTINGS, ...overrides };
}

export const bytes = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'utf8'));
export const text = (data: Uint8Array): string => Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('utf8');

export function joinRequest(overrides: Partial<JoinRequest> = {}): JoinRequest {
  return {
    groupId: 'g',
    memberId: '',
    groupInstanceId: null,
    clientId: 'client',
    clientHost: '/127.0.0.1',
    sessionTimeoutMs: 10_000,
    rebalanceTimeoutMs: 30_000,
    protocolType: 'consumer',
    protocols: [{ name: 'range', metadata: bytes('range-meta') }],
    requireKnownMemberId: false,
    supportSkippingAssignment: false,
    ...overrides,
  };
}

export function syncRequest(memberId: string, generationId: number, overrides: Partial<SyncRequest> = {}): SyncRequest {
  return { groupId: 'g', memberId, groupInstanceId: null, generationId, protocolType: null, protocolName: null, assignments: [], ...overrides };
}

/** Lets promise reactions (join / sync answers) run. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Tracks a join/sync answer that may come later: `.value` is set once it resolves. */
export class Answer<T> {
  value: T | undefined = undefined;

  constructor(result: T | Promise<T>) {
    if (result instanceof Promise) void result.then((v) => (this.value = v));
    else this.value = result;
  }

  get done(): boolean {
    return this.value !== undefined;
  }

  /** The answer; throws if it has not come yet. */
  get(): T {
    if (this.value === undefined) throw new Error('no answer yet');
    return this.value;
  }
}
