// Resident memory of a child process (VmRSS in /proc/<pid>/status), read before and after a load to see
// whether the broker keeps memory per request. RSS includes garbage not yet collected, so it shows growth,
// not what leaks exactly. Linux only. Runs on the bench's main thread.
import { readFileSync } from 'node:fs';

/** VmRSS of `pid` in bytes (the kernel reports kB = 1024 bytes). */
export function residentBytes(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS:'));
  if (line === undefined) throw new Error(`/proc/${pid}/status has no VmRSS line`);
  return Number(line.split(/\s+/)[1]) * 1024;
}
