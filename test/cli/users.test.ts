// `fjord users` against a real broker process: create (password from stdin or --password-file, never an
// argument), list, replace, delete, and the errors a person meets.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BrokerProcess, startBrokerProcess } from '../helpers/broker-process.js';
import { tempDir } from '../helpers/temp-dir.js';
import { fjord } from './run-fjord.js';

let broker: BrokerProcess;
let b: string[];

beforeAll(async () => {
  broker = await startBrokerProcess();
  b = ['--bootstrap-server', broker.bootstrap];
});
afterAll(() => broker?.stop());

describe('fjord users', () => {
  it('creates users from stdin and a password file, and lists them', async () => {
    expect(await fjord(['users', 'create', 'alice', '--mechanism', 'SCRAM-SHA-256', ...b], 'alice-secret\n')).toEqual({
      status: 0,
      stdout: 'set the SCRAM-SHA-256 credential of user "alice" (4096 iterations)\n',
      stderr: '',
    });
    const file = join(tempDir(), 'password');
    writeFileSync(file, 'bob-secret\r\nignored\n');
    expect((await fjord(['users', 'create', 'bob', '-m', 'SCRAM-SHA-512', '--iterations', '8192', '--password-file', file, ...b])).status).toBe(0);
    expect((await fjord(['users', 'create', 'alice', '-m', 'SCRAM-SHA-512', ...b], 'other')).status).toBe(0);
    const listed = await fjord(['users', 'list', ...b]);
    expect(listed.status).toBe(0);
    expect(
      listed.stdout
        .trimEnd()
        .split('\n')
        .map((line) => line.split(/\s+/)),
    ).toEqual([
      ['USER', 'MECHANISM', 'ITERATIONS'],
      ['alice', 'SCRAM-SHA-256', '4096'],
      ['alice', 'SCRAM-SHA-512', '4096'],
      ['bob', 'SCRAM-SHA-512', '8192'],
    ]);
  });

  it('deletes a credential, and explains a missing one', async () => {
    expect((await fjord(['users', 'delete', 'alice', '--mechanism', 'SCRAM-SHA-512', ...b])).stdout).toBe(
      'deleted the SCRAM-SHA-512 credential of user "alice"\n',
    );
    const again = await fjord(['users', 'delete', 'alice', '--mechanism', 'SCRAM-SHA-512', ...b]);
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(
      /^fjord: delete SCRAM-SHA-512 credential of "alice": RESOURCE_NOT_FOUND \(91\).*; list users and their mechanisms with "fjord users list"\n$/,
    );
    expect((await fjord(['users', 'list', ...b])).stdout).not.toMatch(/alice\s+SCRAM-SHA-512/);
  });

  it('refuses bad input: no password, a bad mechanism, too many iterations', async () => {
    const empty = await fjord(['users', 'create', 'carol', '-m', 'SCRAM-SHA-256', ...b], '\n');
    expect([empty.status, empty.stderr]).toEqual([1, 'fjord: no password in stdin; give it as the first line of --password-file, or pipe it to stdin\n']);
    const mechanism = await fjord(['users', 'create', 'carol', '-m', 'SCRAM-SHA-1', ...b], 'x\n');
    expect(mechanism.status).toBe(2);
    expect(mechanism.stderr).toContain('expected one of SCRAM-SHA-256, SCRAM-SHA-512');
    const iterations = await fjord(['users', 'create', 'carol', '-m', 'SCRAM-SHA-256', '--iterations', '20000', ...b], 'x\n');
    expect(iterations.status).toBe(1);
    expect(iterations.stderr).toMatch(/UNACCEPTABLE_CREDENTIAL \(93\): Too many iterations; give --iterations from 4096 to 16384/);
  });
});
