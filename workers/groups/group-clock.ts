// Time as the group coordinator sees it: the current time and one-shot timers it can cancel. The real
// clock uses the worker's timers; tests drive a manual one. Runs in a partition worker.

export interface GroupClock {
  now(): number;
  /** Calls `fn` once after `ms`; the returned function cancels it. */
  after(ms: number, fn: () => void): () => void;
}

export const systemClock: GroupClock = {
  now: () => Date.now(),
  after(ms, fn) {
    const timer = setTimeout(fn, ms);
    timer.unref();
    return () => clearTimeout(timer);
  },
};
