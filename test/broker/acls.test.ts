// DescribeAcls, CreateAcls and DeleteAcls against a real broker process with authorizer.class.name set: Kafka's
// per-entry answers (INVALID_REQUEST with Kafka's messages), creating an existing ACL again, MATCH and prefixed
// filters, one ACL listed by two delete filters; KafkaJS's admin createAcls/describeAcls/deleteAcls; the ACLs kept
// in the metadata dir across a restart and a corrupt ACL file stopping the start; SECURITY_DISABLED without an
// authorizer; an authorizer class Fjord does not have refused at start-up.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AclOperationTypes, AclPermissionTypes, AclResourceTypes, type Admin, ResourcePatternTypes } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACLS_FILE } from '../../src/metadata/acl-file.js';
import { ErrorCode } from '../../src/shared/kafka-error-codes.js';
import { type BrokerProcess, startBrokerProcess } from '../helpers/broker-process.js';
import { tempDir } from '../helpers/temp-dir.js';
import { RawClient } from './raw-client.js';

const AUTHORIZER = { 'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer', 'super.users': 'User:admin' };
const [TOPIC, GROUP, CLUSTER] = [2, 3, 4];
const [LITERAL, PREFIXED, MATCH, ANY] = [3, 4, 2, 1];
const [READ, WRITE, ALL] = [3, 4, 2];
const [DENY, ALLOW] = [2, 3];

let broker: BrokerProcess;
let client: RawClient;
const logDir = tempDir('fjord-acls-');

beforeAll(async () => {
  broker = await startBrokerProcess(AUTHORIZER, logDir);
  client = await RawClient.connect('127.0.0.1', broker.port);
}, 30_000);
afterAll(async () => {
  client?.close();
  await broker?.stop();
});

function creation(resourceName: string, principal: string, change: Partial<Record<string, number | string>> = {}) {
  return { resourceType: TOPIC, resourceName, resourcePatternType: LITERAL, principal, host: '*', operation: READ, permissionType: ALLOW, ...change };
}
function filter(change: Partial<Record<string, number | string | null>> = {}) {
  return {
    resourceTypeFilter: ANY,
    resourceNameFilter: null,
    patternTypeFilter: ANY,
    principalFilter: null,
    hostFilter: null,
    operation: ANY,
    permissionType: ANY,
    ...change,
  };
}
const create = (creations: ReturnType<typeof creation>[], version = 3) => client.call(30, version, { creations } as never);
const describeAcls = async (change: Parameters<typeof filter>[0] = {}, version = 3) => {
  const answer = await client.call(29, version, filter(change) as never);
  expect([answer.errorCode, answer.errorMessage]).toEqual([0, null]);
  return answer.resources.flatMap((r) =>
    r.acls.map((a) => `${r.resourceType}:${r.patternType}:${r.resourceName} ${a.principal}@${a.host} ${a.operation}/${a.permissionType}`),
  );
};

describe('CreateAcls, DescribeAcls and DeleteAcls with an authorizer', () => {
  it('creates valid ACLs, refuses bad entries one by one, and creates an existing ACL again', async () => {
    const answer = await create([
      creation('orders', 'User:alice'),
      creation('ord', 'User:bob', { resourcePatternType: PREFIXED, operation: WRITE, permissionType: DENY, host: '10.0.0.1' }),
      creation('app', 'User:alice', { resourceType: GROUP, operation: ALL }),
      creation('kafka-cluster', 'User:ops', { resourceType: CLUSTER, operation: ALL }),
      creation('orders', 'User:alice'),
      creation('', 'User:alice'),
      creation('cluster', 'User:alice', { resourceType: CLUSTER }),
      creation('orders', 'alice'),
      creation('orders', 'User:alice', { host: 'example.com' }),
      creation('orders', 'User:alice', { resourceType: ANY }),
      creation('orders', 'User:alice', { resourcePatternType: MATCH }),
      creation('orders', 'User:alice', { operation: ANY }),
      creation('orders', 'User:alice', { permissionType: 0 }),
    ]);
    expect(answer.results.map((r) => r.errorCode)).toEqual([0, 0, 0, 0, 0, ...Array(8).fill(ErrorCode.INVALID_REQUEST)]);
    expect(answer.results.slice(5, 8).map((r) => r.errorMessage)).toEqual([
      'Invalid empty resource name',
      'The only valid name for the CLUSTER resource is kafka-cluster',
      'Could not parse principal from `alice` (no colon is present separating the principal type from the principal name)',
    ]);
    expect(await describeAcls()).toEqual([
      '4:3:kafka-cluster User:ops@* 2/3',
      '3:3:app User:alice@* 2/3',
      '2:3:orders User:alice@* 3/3',
      '2:4:ord User:bob@10.0.0.1 4/2',
    ]);
  });

  it('filters by MATCH (as authorization sees a resource), pattern, principal and operation; v0 sees literal ACLs only', async () => {
    expect(await describeAcls({ resourceTypeFilter: TOPIC, resourceNameFilter: 'orders', patternTypeFilter: MATCH })).toEqual([
      '2:3:orders User:alice@* 3/3',
      '2:4:ord User:bob@10.0.0.1 4/2',
    ]);
    expect(await describeAcls({ resourceTypeFilter: TOPIC, resourceNameFilter: 'orders', patternTypeFilter: LITERAL })).toEqual([
      '2:3:orders User:alice@* 3/3',
    ]);
    expect(await describeAcls({ principalFilter: 'User:alice', operation: ALL })).toEqual(['3:3:app User:alice@* 2/3']);
    expect(await describeAcls({ resourceTypeFilter: TOPIC }, 0)).toEqual(['2:3:orders User:alice@* 3/3']);
    const unknown = await client.call(29, 3, filter({ resourceTypeFilter: 0 }) as never);
    expect([unknown.errorCode, unknown.resources]).toEqual([ErrorCode.INVALID_REQUEST, []]);
  });

  it('deletes what each filter matches, listing an ACL two filters match under both', async () => {
    const answer = await client.call(31, 3, {
      filters: [
        filter({ principalFilter: 'User:alice' }),
        filter({ resourceTypeFilter: GROUP }),
        filter({ operation: 99 }),
        filter({ principalFilter: 'User:nobody' }),
      ],
    } as never);
    const results = answer.filterResults.map((r) => [r.errorCode, r.matchingAcls.map((a) => `${a.resourceType}:${a.resourceName}:${a.principal}`)]);
    expect(results).toEqual([
      [0, ['3:app:User:alice', '2:orders:User:alice']],
      [0, ['3:app:User:alice']],
      [ErrorCode.INVALID_REQUEST, []],
      [0, []],
    ]);
    expect(await describeAcls()).toEqual(['4:3:kafka-cluster User:ops@* 2/3', '2:4:ord User:bob@10.0.0.1 4/2']);
  });

  it("serves KafkaJS's admin createAcls, describeAcls and deleteAcls", async () => {
    const { Kafka, logLevel } = (await import('kafkajs')).default;
    const admin: Admin = new Kafka({ clientId: 'acl-test', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      const entry = {
        resourceType: AclResourceTypes.TOPIC,
        resourceName: 'kafkajs-',
        resourcePatternType: ResourcePatternTypes.PREFIXED,
        principal: 'User:kafkajs',
        host: '*',
        operation: AclOperationTypes.WRITE,
        permissionType: AclPermissionTypes.ALLOW,
      };
      expect(await admin.createAcls({ acl: [entry] })).toBe(true);
      const topicFilter = {
        ...entry,
        resourceName: 'kafkajs-events',
        resourcePatternType: ResourcePatternTypes.MATCH,
        operation: AclOperationTypes.ANY,
        permissionType: AclPermissionTypes.ANY,
        principal: undefined,
        host: undefined,
      };
      const described = await admin.describeAcls(topicFilter);
      expect(described.resources).toEqual([
        {
          resourceType: AclResourceTypes.TOPIC,
          resourceName: 'kafkajs-',
          resourcePatternType: ResourcePatternTypes.PREFIXED,
          acls: [{ principal: 'User:kafkajs', host: '*', operation: AclOperationTypes.WRITE, permissionType: AclPermissionTypes.ALLOW }],
        },
      ]);
      const deleted = await admin.deleteAcls({ filters: [{ ...topicFilter, resourceName: 'kafkajs-', resourcePatternType: ResourcePatternTypes.PREFIXED }] });
      expect(deleted.filterResponses.map((r) => [r.errorCode, r.matchingAcls.map((a) => a.principal)])).toEqual([[0, ['User:kafkajs']]]);
      expect((await admin.describeAcls(topicFilter)).resources).toEqual([]);
    } finally {
      await admin.disconnect();
    }
  });

  it('keeps the ACLs across a restart, and a corrupt ACL file stops the start naming the file', async () => {
    client.close();
    await broker.stop();
    broker = await startBrokerProcess(AUTHORIZER, logDir);
    client = await RawClient.connect('127.0.0.1', broker.port);
    expect(await describeAcls()).toEqual(['4:3:kafka-cluster User:ops@* 2/3', '2:4:ord User:bob@10.0.0.1 4/2']);

    const corruptDir = tempDir('fjord-acls-corrupt-');
    const path = join(corruptDir, ACLS_FILE);
    writeFileSync(path, '{"version":1,"acls":[{"resourceType":"TOPIC"}]}');
    await expect(startBrokerProcess(AUTHORIZER, corruptDir)).rejects.toThrow(`ACL file ${path} has a bad ACL at index 0`);
  }, 60_000);
});

describe('without an authorizer', () => {
  it('answers SECURITY_DISABLED, as Kafka does, and refuses an authorizer Fjord does not have', async () => {
    const plain = await startBrokerProcess();
    const raw = await RawClient.connect('127.0.0.1', plain.port);
    try {
      const described = await raw.call(29, 1, filter() as never);
      expect([described.errorCode, described.errorMessage]).toEqual([
        ErrorCode.SECURITY_DISABLED,
        'No Authorizer is configured on the broker (authorizer.class.name is empty)',
      ]);
      expect((await raw.call(30, 2, { creations: [creation('t', 'User:a'), creation('', 'x')] } as never)).results.map((r) => r.errorCode)).toEqual([
        ErrorCode.SECURITY_DISABLED,
        ErrorCode.SECURITY_DISABLED,
      ]);
      expect((await raw.call(31, 0, { filters: [filter()] } as never)).filterResults.map((r) => r.errorCode)).toEqual([ErrorCode.SECURITY_DISABLED]);
    } finally {
      raw.close();
      await plain.stop();
    }
    await expect(startBrokerProcess({ 'authorizer.class.name': 'com.example.MyAuthorizer' })).rejects.toThrow(
      'authorizer.class.name: "com.example.MyAuthorizer" is not an authorizer Fjord has',
    );
  }, 60_000);
});
