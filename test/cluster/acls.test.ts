// ACLs in a cluster: an ACL created through broker 1 is listed by broker 2 (both follow etcd's security/acls/
// prefix), a deletion through broker 2 is seen by broker 1, and a restarted broker reads them back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAcls, deleteAcls, describeAcls } from '../../src/client/acl-admin.js';
import { KafkaClient } from '../../src/client/kafka-client.js';
import type { AclBinding } from '../../src/security/acl-binding.js';
import { ACL_FILTER_ANY } from '../../src/security/acl-filter.js';
import { BrokerCluster } from '../helpers/broker-cluster.js';
import { waitUntil } from '../helpers/wait-until.js';

let cluster: BrokerCluster;
const clients: KafkaClient[] = [];
beforeAll(async () => {
  cluster = await BrokerCluster.start({ brokers: 2, settings: { 'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer' } });
}, 60_000);
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await cluster?.stop();
});

/** A client that only knows broker `nodeId` (bootstrap and any-broker calls go there first). */
function clientOf(nodeId: number): KafkaClient {
  const client = new KafkaClient({ bootstrapServers: [cluster.brokers.get(nodeId)!.proc.bootstrap], retryTimeoutMs: 10_000 });
  clients.push(client);
  return client;
}

/** DescribeAcls asked of broker `nodeId` itself: every ACL as "principal operation resource". */
async function aclsAt(nodeId: number): Promise<string[]> {
  const broker = await clientOf(nodeId).broker(nodeId);
  const { body } = await broker.call(29, {
    resourceTypeFilter: 1,
    resourceNameFilter: null,
    patternTypeFilter: 1,
    principalFilter: null,
    hostFilter: null,
    operation: 1,
    permissionType: 1,
  });
  return body.resources.flatMap((r) => r.acls.map((a) => `${a.principal} ${a.operation} ${r.resourceName}`));
}

const read = (principal: string, topic: string): AclBinding => ({
  resourceType: 'TOPIC',
  resourceName: topic,
  patternType: 'LITERAL',
  principal,
  host: '*',
  operation: 'READ',
  permissionType: 'ALLOW',
});

describe('ACLs in a cluster', () => {
  it('lists on broker 2 an ACL created through broker 1, and the other way round for a deletion', async () => {
    await createAcls(clientOf(1), [read('User:alice', 'orders'), read('User:bob', 'orders')]);
    expect(await aclsAt(1)).toEqual(['User:alice 3 orders', 'User:bob 3 orders']);
    await waitUntil(async () => (await aclsAt(2)).length === 2, 'broker 2 to list both ACLs', 10_000);
    expect(await describeAcls(clientOf(2))).toEqual([read('User:alice', 'orders'), read('User:bob', 'orders')]);

    expect(await deleteAcls(clientOf(2), [{ ...ACL_FILTER_ANY, principal: 'User:alice' }])).toEqual([read('User:alice', 'orders')]);
    expect(await aclsAt(2)).toEqual(['User:bob 3 orders']);
    await waitUntil(async () => (await aclsAt(1)).length === 1, 'broker 1 to see the deletion', 10_000);
  });

  it('reads the ACLs back from etcd when a broker restarts', async () => {
    await cluster.brokers.get(2)!.restart();
    expect(await aclsAt(2)).toEqual(['User:bob 3 orders']);
  }, 60_000);
});
