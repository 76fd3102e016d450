// A list of etcd endpoints: the layer keeps working when a listed endpoint is down, on a single etcd listed
// next to a dead address and on a real 3-member etcd cluster with one member killed (registration, the live
// broker watch, controller election and a fenced write).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LiveBrokers, registerBroker } from '../../src/cluster/broker-registry.js';
import { createTopic } from '../../src/cluster/cluster-state-writes.js';
import { campaignForController } from '../../src/cluster/controller-election.js';
import type { ClusterEtcd } from '../../src/cluster/etcd-client.js';
import { LeaseGuard } from '../../src/cluster/lease-guard.js';
import { deadEndpoint, type EtcdProcess, startEtcdCluster, startEtcdProcess } from '../helpers/etcd-process.js';
import { connect, newClusterName, nextEvent } from './cluster-etcd.js';

async function exercise(brokerSide: ClusterEtcd, watcherSide: ClusterEtcd, nodeId: number): Promise<void> {
  const live = await LiveBrokers.watch(watcherSide);
  const lease = await LeaseGuard.grant(brokerSide.ns, 10);
  const added = nextEvent(live, 'added');
  await registerBroker(brokerSide.ns, lease, { nodeId, listeners: [], rack: null, logDirs: ['/d'] });
  await added;
  expect([...live.brokers.keys()]).toEqual([nodeId]);
  const term = await campaignForController(brokerSide, nodeId, 10).elected;
  expect(
    await createTopic(brokerSide.ns, term.fence, 'ok', { topicId: 'AAAAAAAAAAAAAAAAAAAAAA', partitionCount: 1, configs: {} }, { replicas: [[nodeId]] }),
  ).toMatchObject({
    ok: true,
  });
  const removed = nextEvent(live, 'removed');
  await Promise.all([term.resign(), lease.revoke()]);
  await removed;
  await live.close();
}

describe('etcd endpoints', () => {
  let single: EtcdProcess;
  beforeAll(async () => {
    single = await startEtcdProcess();
  });
  afterAll(async () => {
    await single.stop();
  });

  it('works with a dead endpoint listed before and after the live one', async () => {
    const name = newClusterName();
    const dead = await deadEndpoint();
    await exercise(connect([dead, single.endpoint], name), connect([single.endpoint, dead], name), 1);
  });

  it('works on a 3-member etcd with one member killed', async () => {
    const members = await startEtcdCluster(3);
    try {
      // If this member is etcd's raft leader, the first write waits for etcd's request timeout (7 s with the
      // default 1 s election timeout) while the other two elect a new leader.
      await members[0]!.kill();
      const endpoints = members.map((m) => m.endpoint);
      const name = newClusterName();
      await exercise(connect(endpoints, name), connect([...endpoints].reverse(), name), 2);
    } finally {
      // SIGKILL: a member stopping without its lost peer would first try to hand over raft leadership for seconds.
      await Promise.all(members.slice(1).map((m) => m.kill()));
    }
  });
});
