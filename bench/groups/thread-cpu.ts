// How a child process's CPU time splits over its threads during a window, from /proc/<pid>/task/<tid>/stat,
// to show which broker threads a load keeps busy: the main thread (tid = pid) and the busiest others
// (partition workers, or libuv and GC helpers). Linux only. Runs on the bench's main thread.
import { readdirSync, readFileSync } from 'node:fs';

/** utime + stime clock ticks by thread id. */
export type ThreadTicks = ReadonlyMap<number, number>;

/** Fields 14 and 15 of a thread's stat (counted after the ')' closing its name), as cpu-meter reads a process's. */
export function threadTicks(pid: number): ThreadTicks {
  const ticks = new Map<number, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`).map(Number)) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks.set(tid, Number(fields[11]) + Number(fields[12]));
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return ticks;
}

/**
 * The process's busy cores over a window split by thread: the main thread's and the `others` busiest other
 * threads' (busiest first), as their share of the ticks of all threads times `processCores`.
 */
export function busiestThreads(pid: number, before: ThreadTicks, after: ThreadTicks, processCores: number, others: number): { main: number; others: number[] } {
  const delta = (tid: number): number => (after.get(tid) ?? 0) - (before.get(tid) ?? 0);
  const total = [...after.keys()].reduce((sum, tid) => sum + delta(tid), 0);
  const cores = (ticks: number): number => (total === 0 ? 0 : (ticks / total) * processCores);
  const rest = [...after.keys()]
    .filter((tid) => tid !== pid)
    .map(delta)
    .sort((a, b) => b - a);
  return { main: cores(delta(pid)), others: rest.slice(0, others).map(cores) };
}
