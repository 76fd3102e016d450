// Runs kcat (librdkafka) against a broker, with a time limit; returns its output.
import { spawnSync } from 'node:child_process';

export function kcat(args: string[], input?: string, timeoutMs = 30_000): { stdout: string; stderr: string; status: number | null } {
  const result = spawnSync('kcat', args, { input, encoding: 'utf8', timeout: timeoutMs });
  if (result.error) throw result.error;
  return { stdout: result.stdout, stderr: result.stderr, status: result.status };
}
