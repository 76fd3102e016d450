// The cluster's ACL store against a real etcd: two stores on one cluster namespace (two brokers) see each other's
// changes; a change resolves once the writer's own set shows it; a store opened later starts from the snapshot;
// keys follow etcd-keys.ts's layout; values that do not decode, or are not their key's ACL, are ignored.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EtcdAclStore } from '../../src/cluster/etcd-acl-store.js';
import { aclKey } from '../../src/cluster/etcd-keys.js';
import type { AclBinding } from '../../src/security/acl-binding.js';
import { captureLogger } from '../helpers/capture-logger.js';
import { type EtcdProcess, startEtcdProcess } from '../helpers/etcd-process.js';
import { waitUntil } from '../helpers/wait-until.js';
import { connect, newClusterName } from './cluster-etcd.js';

let etcd: EtcdProcess;
beforeAll(async () => {
  etcd = await startEtcdProcess();
});
afterAll(async () => {
  await etcd?.stop();
});

const aliceRead: AclBinding = {
  resourceType: 'TOPIC',
  resourceName: 'orders/eu',
  patternType: 'LITERAL',
  principal: 'User:alice',
  host: '*',
  operation: 'READ',
  permissionType: 'ALLOW',
};
const bobDeny: AclBinding = { ...aliceRead, principal: 'User:bob', resourceName: 'ord', patternType: 'PREFIXED', permissionType: 'DENY', host: '10.0.0.1' };

describe('EtcdAclStore', () => {
  it("keeps two brokers' sets in step, each change visible to its writer when it resolves", async () => {
    const name = newClusterName();
    const { logger } = captureLogger();
    const one = await EtcdAclStore.open(connect([etcd.endpoint], name), logger);
    const two = await EtcdAclStore.open(connect([etcd.endpoint], name), logger);
    expect(one.list()).toEqual([]);

    await one.add([aliceRead, bobDeny]);
    expect(one.list()).toEqual([aliceRead, bobDeny]);
    await waitUntil(() => two.list().length === 2, 'broker 2 to see the ACLs', 10_000);
    expect([...two.forResource('TOPIC', 'orders/eu')]).toEqual([aliceRead, bobDeny]);

    await two.remove([aliceRead]);
    expect(two.list()).toEqual([bobDeny]);
    await waitUntil(() => one.list().length === 1, 'broker 1 to see the removal', 10_000);
    await one.remove([aliceRead]);

    const late = await EtcdAclStore.open(connect([etcd.endpoint], name), logger);
    expect(late.list()).toEqual([bobDeny]);
    await Promise.all([one.close(), two.close(), late.close()]);
  });

  it('stores each ACL under its own key and ignores values that do not decode', async () => {
    const name = newClusterName();
    const client = connect([etcd.endpoint], name);
    const { logger, lines } = captureLogger();
    const store = await EtcdAclStore.open(client, logger);
    await store.add([bobDeny]);
    expect(aclKey(aliceRead)).toBe('security/acls/TOPIC/LITERAL/orders%2Feu/User%3Aalice/*/READ/ALLOW');
    expect(JSON.parse((await client.ns.get(aclKey(bobDeny)).string()) ?? 'null')).toEqual(bobDeny);

    // A broken value replaces a good one: that ACL is gone here; a value under another ACL's key is ignored.
    await client.ns.put(aclKey(bobDeny)).value('{"resourceType":"TOPIC"}');
    await client.ns.put(aclKey(aliceRead)).value(JSON.stringify(bobDeny));
    await waitUntil(() => lines.filter((l) => l.msg === 'ignored an ACL in etcd that does not decode').length === 2, 'both bad values logged', 10_000);
    expect(store.list()).toEqual([]);
    await store.close();
  });
});
