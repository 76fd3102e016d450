// `fjord acls` against a real broker process with an authorizer: add (principals × hosts × operations, prefixed),
// list (everything, one resource by MATCH, one principal), remove (one principal's, then a whole resource's), and
// the errors a person meets, including a broker without an authorizer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BrokerProcess, startBrokerProcess } from '../helpers/broker-process.js';
import { fjord } from './run-fjord.js';

let broker: BrokerProcess;
let b: string[];

beforeAll(async () => {
  broker = await startBrokerProcess({ 'authorizer.class.name': 'kafka.security.authorizer.AclAuthorizer' });
  b = ['--bootstrap-server', broker.bootstrap];
}, 30_000);
afterAll(() => broker?.stop());

const rows = (stdout: string) =>
  stdout
    .trimEnd()
    .split('\n')
    .map((line) => line.trim().split(/\s+/).join(' '));

describe('fjord acls', () => {
  it('adds ACLs for each principal, host and operation, and lists them', async () => {
    const added = await fjord([
      'acls',
      'add',
      '--allow-principal',
      'User:alice',
      '--allow-principal',
      'User:bob',
      '--operation',
      'read',
      '--operation',
      'DescribeConfigs',
      '--topic',
      'orders',
      ...b,
    ]);
    expect([added.status, added.stderr, rows(added.stdout)[0]]).toEqual([0, '', 'created 4 ACLs']);
    const prefixed = await fjord([
      'acls',
      'add',
      '--deny-principal',
      'User:*',
      '--deny-host',
      '10.0.0.9',
      '--operation',
      'write',
      '--topic',
      'ord',
      '--resource-pattern-type',
      'prefixed',
      ...b,
    ]);
    expect(prefixed.status).toBe(0);
    expect((await fjord(['acls', 'add', '--allow-principal', 'User:ops', '--cluster', '--group', 'app', ...b])).status).toBe(0);

    expect(rows((await fjord(['acls', 'list', ...b])).stdout)).toEqual([
      'RESOURCE_TYPE PATTERN NAME PRINCIPAL HOST OPERATION PERMISSION',
      'CLUSTER LITERAL kafka-cluster User:ops * ALL ALLOW',
      'GROUP LITERAL app User:ops * ALL ALLOW',
      'TOPIC LITERAL orders User:alice * DESCRIBE_CONFIGS ALLOW',
      'TOPIC LITERAL orders User:alice * READ ALLOW',
      'TOPIC LITERAL orders User:bob * DESCRIBE_CONFIGS ALLOW',
      'TOPIC LITERAL orders User:bob * READ ALLOW',
      'TOPIC PREFIXED ord User:* 10.0.0.9 WRITE DENY',
    ]);
    expect(rows((await fjord(['acls', 'list', '--topic', 'order-x', '--resource-pattern-type', 'match', ...b])).stdout).slice(1)).toEqual([
      'TOPIC PREFIXED ord User:* 10.0.0.9 WRITE DENY',
    ]);
    expect(rows((await fjord(['acls', 'list', '--principal', 'User:ops', ...b])).stdout)).toHaveLength(3);
  });

  it("removes one principal's ACLs of a resource, then all of it", async () => {
    const one = await fjord(['acls', 'remove', '--allow-principal', 'User:bob', '--topic', 'orders', ...b]);
    expect([one.status, rows(one.stdout)[0]]).toEqual([0, 'deleted 2 ACLs']);
    const all = await fjord(['acls', 'remove', '--topic', 'orders', ...b]);
    expect(rows(all.stdout)[0]).toBe('deleted 2 ACLs');
    expect(rows((await fjord(['acls', 'list', '--topic', 'orders', ...b])).stdout)).toHaveLength(1);
  });

  it('explains what is missing or wrong', async () => {
    expect(await fjord(['acls', 'add', '--topic', 'orders', ...b])).toMatchObject({
      status: 1,
      stderr: 'fjord: no principal named; give --allow-principal or --deny-principal (User:alice, or User:* for everyone)\n',
    });
    expect((await fjord(['acls', 'add', '--allow-principal', 'User:a', ...b])).stderr).toContain('no resource named');
    const badOperation = await fjord(['acls', 'add', '--allow-principal', 'User:a', '--operation', 'fly', '--topic', 't', ...b]);
    expect([badOperation.status, badOperation.stderr]).toEqual([2, expect.stringContaining('expected one of ALL, READ')]);
    expect((await fjord(['acls', 'add', '--allow-principal', 'alice', '--topic', 't', ...b])).stderr).toContain('Could not parse principal from `alice`');
    expect((await fjord(['acls', 'remove', ...b])).stderr).toContain('no resource named');

    const plain = await startBrokerProcess();
    try {
      const disabled = await fjord(['acls', 'list', '--bootstrap-server', plain.bootstrap]);
      expect([disabled.status, disabled.stderr]).toEqual([
        1,
        expect.stringMatching(/SECURITY_DISABLED \(54\).*; the broker has no authorizer: set authorizer.class.name/),
      ]);
    } finally {
      await plain.stop();
    }
  }, 30_000);
});
