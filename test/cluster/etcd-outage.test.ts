// Brokers ride through an etcd outage longer than their leases: every broker notices its lease is lost, and once
// etcd is back they register again, elect one controller and list one another as before. Watches that etcd ends
// (their start revision compacted away while etcd restarted) are started again from a fresh read.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openClusterEtcd } from '../../src/cluster/etcd-client.js';
import { BrokerCluster } from '../helpers/broker-cluster.js';

let cluster: BrokerCluster;
beforeAll(async () => {
  cluster = await BrokerCluster.start({ brokers: 3 });
});
afterAll(async () => {
  await cluster?.stop();
});

describe('an etcd outage', () => {
  it('is ridden through: the brokers register again and agree on the members and the controller', async () => {
    const [before] = await cluster.waitForMembers([1, 2, 3]);
    await cluster.etcd.stop();
    const lostLease = (id: number) =>
      cluster.broker(id).proc.logLines.some((l) => l.msg === 'etcd lease lost: this broker is out of the live brokers until it registers again');
    await cluster.waitFor('every broker to notice its lease is lost', async () => [1, 2, 3].every(lostLease));
    await cluster.etcd.restart();
    const registeredAgain = (id: number) => cluster.broker(id).proc.logLines.some((l) => l.msg === 'registered in etcd again');
    await cluster.waitFor('every broker to register again', async () => [1, 2, 3].every(registeredAgain));
    const after = await cluster.waitForMembers([1, 2, 3]);
    expect(after.map((v) => v.clusterId)).toEqual([before!.clusterId, before!.clusterId, before!.clusterId]);
    // While etcd was away, each retry loop warned once (its later failures are debug lines).
    for (const id of [1, 2, 3]) {
      const warnings = cluster.broker(id).proc.logLines.filter((l) => l.msg === 'registering again failed; retrying every 500 ms');
      expect(warnings.length).toBeLessThanOrEqual(1);
    }
  });

  it('starts watches again that etcd ended: their revision was compacted away while it restarted', async () => {
    await cluster.waitForMembers([1, 2, 3]);
    const etcd = openClusterEtcd({ endpoints: [cluster.etcd.endpoint], clusterName: cluster.clusterName });
    try {
      // Quiet first: every broker registered and campaigning (a candidate key each), so nothing the brokers watch
      // changes after the writes below (a change after them would let that watch resume past the compaction).
      await cluster.waitFor('every broker to campaign for controller', async () => (await etcd.ns.getAll().prefix('election/controller/').count()) === 3);
      // The brokers' watches last saw a revision older than these writes; compacting past them makes etcd refuse
      // to resume those watches after the restart.
      let revision = '0';
      for (let i = 0; i < 5; i++) revision = (await etcd.ns.put('test/filler').value(String(i)).exec()).header.revision;
      await etcd.client.kv.compact({ revision, physical: true });
    } finally {
      etcd.close();
    }
    await cluster.etcd.restart();
    const rewatched = (id: number) =>
      ['the watch of live brokers ended; watching again', 'the controller observer ended; observing again'].every((msg) =>
        cluster.broker(id).proc.logLines.some((l) => l.msg === msg),
      );
    await cluster.waitFor('every broker to watch the brokers and the controller again', async () => [1, 2, 3].every(rewatched));
    await cluster.waitForMembers([1, 2, 3]);
    // The new watches follow changes: a broker that stops is gone from the others' answers.
    await cluster.broker(3).stop();
    await cluster.waitForMembers([1, 2]);
    await cluster.broker(3).start();
    await cluster.waitForMembers([1, 2, 3]);
  });
});
