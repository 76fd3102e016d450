// CPU time from /proc for the perf tool: a child process's user + system seconds (all its threads), and the
// whole machine's busy time, to tell "the broker is slow" from "the two vCPUs are full", and the time the
// hypervisor took from this VM (steal). Linux only.
// Runs on the bench's main thread.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

let clockTicksPerSecond: number | undefined;

function ticksPerSecond(): number {
  if (clockTicksPerSecond === undefined) {
    try {
      clockTicksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicksPerSecond = 100;
    }
  }
  return clockTicksPerSecond;
}

/** utime + stime of a process: fields 14 and 15 of /proc/<pid>/stat, counted after the ')' closing its name. */
export function processCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond();
}

/** The first line of /proc/stat: `cpu user nice system idle iowait irq softirq steal …`, in clock ticks. */
function machineTicks(): number[] {
  const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!;
  return line.trim().split(/\s+/).slice(1, 9).map(Number);
}

/** Busy CPU seconds of the whole machine (all cores, kernel threads and interrupts included): all − idle − iowait. */
export function machineBusySeconds(): number {
  const ticks = machineTicks();
  const all = ticks.reduce((a, b) => a + b, 0);
  return (all - ticks[3]! - ticks[4]!) / ticksPerSecond();
}

/** CPU seconds the hypervisor gave to others while this VM's vCPUs wanted to run (steal), all vCPUs together. */
export function machineStealSeconds(): number {
  return machineTicks()[7]! / ticksPerSecond();
}
