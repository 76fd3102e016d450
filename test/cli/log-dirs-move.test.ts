// `fjord log-dirs move` against a real broker process with two log dirs: a move with --wait and what
// `log-dirs describe --partitions` shows after it, a dir that is not one of the broker's (LOG_DIR_NOT_FOUND, exit 1),
// a partition the topic does not have, and a move into the dir a partition is in (nothing to do).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBrokerProcess, type BrokerProcess } from '../helpers/broker-process.js';
import { tempDir } from '../helpers/temp-dir.js';
import { fjord } from './run-fjord.js';

let broker: BrokerProcess;
let b: string[];
const dirs = [tempDir('fjord-cli-dir-a-'), tempDir('fjord-cli-dir-b-')];

beforeAll(async () => {
  broker = await startBrokerProcess({ 'log.dirs': dirs.join(',') }, dirs[0]);
  b = ['--bootstrap-server', broker.bootstrap];
  await fjord(['topics', 'create', 'cli-moved', '--partitions', '2', ...b]);
  await fjord(['produce', 'cli-moved', ...b], 'one\ntwo\nthree\n');
});
afterAll(() => broker?.stop());

/** `log-dirs describe --partitions` detail rows of the topic: [log dir, partition, copy]. */
async function placement(): Promise<string[][]> {
  const result = await fjord(['log-dirs', 'describe', '--topic', 'cli-moved', '--partitions', ...b]);
  expect(result.status).toBe(0);
  const lines = result.stdout.trimEnd().split('\n');
  const detail = lines.slice(lines.findIndex((l) => l.startsWith('BROKER  LOG-DIR  ') && l.includes('TOPIC')) + 1);
  return detail.map((l) => l.split(/\s+/)).map((f) => [f[1]!, f[3]!, f[6]!]);
}

describe('fjord log-dirs move', () => {
  it('moves every partition of a topic into a dir and waits for the switch-over', async () => {
    const result = await fjord(['log-dirs', 'move', 'cli-moved', dirs[1]!, '--wait', ...b]);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('moved 2 partitions of cli-moved');
    expect(await placement()).toEqual([
      [dirs[1], '0', 'current'],
      [dirs[1], '1', 'current'],
    ]);
    const into = await fjord(['log-dirs', 'move', 'cli-moved', dirs[1]!, '-p', '1', '--wait', ...b]);
    expect(into.status).toBe(0);
    expect(into.stdout.split('\n')[1]!.split(/\s+/)).toEqual(['cli-moved', '1', '1', 'ok']);
  });

  it("shows a dir that is not one of the broker's as LOG_DIR_NOT_FOUND and exits 1", async () => {
    const result = await fjord(['log-dirs', 'move', 'cli-moved', '/no/such/dir', '-p', '0', ...b]);
    expect(result.status).toBe(1);
    expect(result.stdout.split('\n')[1]!.split(/\s+/)).toEqual(['cli-moved', '0', '1', 'LOG_DIR_NOT_FOUND']);
    expect(result.stderr).toMatch(/^fjord: 1 of 1 moves did not start; /);
  });

  it('refuses a partition the topic does not have', async () => {
    const result = await fjord(['log-dirs', 'move', 'cli-moved', dirs[0]!, '-p', '7', ...b]);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^fjord: cli-moved has no partition 7; it has 2 partitions/);
  });
});
