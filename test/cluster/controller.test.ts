// The controller against a real etcd: topics created with their replicas spread over the live brokers, leaders
// re-elected from the ISR at the next epoch when a broker's lease ends, dead followers taken out of the ISR, a
// partition with no live in-sync replica offline until one returns, partitions added, preferred leaders restored,
// and a controller whose term ended writing nothing.
import type { Namespace } from 'etcd3';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LiveBrokers, registerBroker } from '../../src/cluster/broker-registry.js';
import { ClusterStateView } from '../../src/cluster/cluster-state-view.js';
import { swapPartitionState } from '../../src/cluster/cluster-state-writes.js';
import { Controller } from '../../src/cluster/controller.js';
import { campaignForController } from '../../src/cluster/controller-election.js';
import type { PartitionStateRecord } from '../../src/cluster/etcd-keys.js';
import { LeaseGuard } from '../../src/cluster/lease-guard.js';
import { NO_LEADER } from '../../src/cluster/partition-election.js';
import { newTopicId } from '../../src/metadata/standalone-metadata.js';
import { type EtcdProcess, startEtcdProcess } from '../helpers/etcd-process.js';
import { connect, newClusterName, revokeLease } from './cluster-etcd.js';

const WAIT_MS = 20_000;
let etcd: EtcdProcess;
beforeAll(async () => {
  etcd = await startEtcdProcess();
});
afterAll(async () => {
  await etcd.stop();
});

interface Harness {
  ns: Namespace;
  view: ClusterStateView;
  live: LiveBrokers;
  controller: Controller;
  leases: Map<number, LeaseGuard>;
  register(nodeId: number): Promise<void>;
  kill(nodeId: number): Promise<void>;
  states(topic: string): PartitionStateRecord[];
  waitFor(what: string, ok: () => boolean): Promise<void>;
  resign(): Promise<void>;
}

async function start(brokerIds: number[], unclean = false): Promise<Harness> {
  const name = newClusterName();
  const side = connect([etcd.endpoint], name);
  const leases = new Map<number, LeaseGuard>();
  const register = async (nodeId: number): Promise<void> => {
    const lease = await LeaseGuard.grant(side.ns, 30);
    leases.set(nodeId, lease);
    await registerBroker(side.ns, lease, { nodeId, listeners: [{ name: 'PLAINTEXT', host: '127.0.0.1', port: 9000 + nodeId }], rack: null, logDirs: [] });
  };
  for (const id of brokerIds) await register(id);
  const live = await LiveBrokers.watch(side);
  const view = await ClusterStateView.watch(side);
  const campaign = campaignForController(side, brokerIds[0]!, 30);
  const term = await campaign.elected;
  const inputs = {
    liveBrokers: () => live.brokers,
    view: () => view,
    subscribe: (onChange: () => void) => {
      const onState = (change: { kind: string }): void => {
        if (change.kind !== 'partition') onChange();
      };
      live.on('added', onChange).on('removed', onChange);
      view.on('change', onState);
      return () => {
        live.off('added', onChange).off('removed', onChange);
        view.off('change', onState);
      };
    },
  };
  const controller = new Controller(side.ns, term, inputs, {
    uncleanLeaderElection: () => unclean,
    newTopicId,
    leaderRebalance: null,
    logger: pino({ level: 'silent' }),
  });
  controller.start();
  const waitFor = async (what: string, ok: () => boolean): Promise<void> => {
    const deadline = Date.now() + WAIT_MS;
    while (!ok()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => view.once('change', resolve).once('error', resolve));
    }
  };
  return {
    ns: side.ns,
    view,
    live,
    controller,
    leases,
    register,
    kill: (nodeId) => revokeLease(side, leases.get(nodeId)!.leaseId),
    states: (topic) => {
      const count = view.assignments.get(topic)?.value.replicas.length ?? 0;
      return Array.from({ length: count }, (_, p) => view.partition(topic, p)?.value).filter((s): s is PartitionStateRecord => s !== undefined);
    },
    waitFor,
    resign: () => term.resign(),
  };
}

describe('controller', () => {
  it('creates a topic spread over the live brokers, each partition led by its first replica', async () => {
    const h = await start([1, 2, 3]);
    const created = await h.controller.createTopic('orders', { partitionCount: 6, replicationFactor: 3, configs: { 'retention.ms': '1000' } });
    expect(created.ok).toBe(true);
    if (created.ok) await h.view.waitForRevision(created.revision);
    const replicas = h.view.assignments.get('orders')!.value.replicas;
    expect(replicas).toHaveLength(6);
    for (const r of replicas) expect([...r].sort()).toEqual([1, 2, 3]);
    // Leaders spread: every broker leads two of the six partitions.
    expect(new Set(replicas.map((r) => r[0])).size).toBe(3);
    expect(h.states('orders').map((s) => s.leader)).toEqual(replicas.map((r) => r[0]));
    expect(h.view.topics.get('orders')!.value.configs).toEqual({ 'retention.ms': '1000' });

    expect(await h.controller.createTopic('orders', { partitionCount: 1, replicationFactor: 1, configs: {} })).toMatchObject({
      ok: false,
      kind: 'topic-exists',
    });
    expect(await h.controller.createTopic('big', { partitionCount: 1, replicationFactor: 4, configs: {} })).toMatchObject({
      ok: false,
      kind: 'invalid-replication-factor',
    });
    expect(h.view.topics.has('big')).toBe(false);
  });

  it('re-elects leaders from the ISR at the next epoch when a broker dies, and drops it from every ISR', async () => {
    const h = await start([1, 2, 3]);
    const created = await h.controller.createTopic('t', { partitionCount: 3, replicationFactor: 3, configs: {} });
    if (created.ok) await h.view.waitForRevision(created.revision);
    const before = h.states('t');
    await h.kill(2);
    await h.waitFor('broker 2 gone from every partition', () => h.states('t').every((s) => s.leader !== 2 && !s.isr.includes(2)));
    h.states('t').forEach((after, p) => {
      if (before[p]!.leader === 2) expect(after.leaderEpoch).toBe(before[p]!.leaderEpoch + 1);
      else expect(after).toEqual({ leader: before[p]!.leader, leaderEpoch: before[p]!.leaderEpoch, isr: before[p]!.isr.filter((id) => id !== 2) });
    });
  });

  it('takes a partition offline when no in-sync replica lives, keeps its last ISR, and lets that replica lead when it returns', async () => {
    const h = await start([1, 2]);
    const created = await h.controller.createTopic('solo', { partitionCount: 1, replicationFactor: 1, configs: {}, replicaAssignment: [[2]] });
    if (created.ok) await h.view.waitForRevision(created.revision);
    expect(h.states('solo')[0]).toEqual({ leader: 2, leaderEpoch: 0, isr: [2] });
    await h.kill(2);
    await h.waitFor('solo offline', () => h.states('solo')[0]?.leader === NO_LEADER);
    expect(h.states('solo')[0]).toEqual({ leader: NO_LEADER, leaderEpoch: 1, isr: [2] });
    await h.register(2);
    await h.waitFor('solo led again', () => h.states('solo')[0]?.leader === 2);
    expect(h.states('solo')[0]).toEqual({ leader: 2, leaderEpoch: 2, isr: [2] });
  });

  it('elects an out-of-sync replica only with unclean leader election', async () => {
    const h = await start([1, 2], true);
    const created = await h.controller.createTopic('u', { partitionCount: 1, replicationFactor: 2, configs: {}, replicaAssignment: [[2, 1]] });
    if (created.ok) await h.view.waitForRevision(created.revision);
    // The ISR shrinks to the leader alone (as the leader would for a lagging follower), then the leader dies.
    await h.kill(1);
    await h.waitFor('1 out of the ISR', () => h.states('u')[0]?.isr.join() === '2');
    await h.register(1);
    await h.controller.settled();
    await h.kill(2);
    await h.waitFor('1 leads uncleanly', () => h.states('u')[0]?.leader === 1);
    expect(h.states('u')[0]!.isr).toEqual([1]);
  });

  it('adds partitions with states of their own, and restores preferred leaders', async () => {
    const h = await start([1, 2, 3]);
    const created = await h.controller.createTopic('grow', {
      partitionCount: 2,
      replicationFactor: 2,
      configs: {},
      replicaAssignment: [
        [1, 2],
        [2, 3],
      ],
    });
    if (created.ok) await h.view.waitForRevision(created.revision);
    expect(await h.controller.createPartitions('grow', 2)).toMatchObject({ ok: false, kind: 'invalid-partitions' });
    const grown = await h.controller.createPartitions('grow', 4);
    expect(grown.ok).toBe(true);
    await h.waitFor('4 partition states', () => h.states('grow').length === 4);
    expect(h.view.assignments.get('grow')!.value.replicas.slice(0, 2)).toEqual([
      [1, 2],
      [2, 3],
    ]);

    await h.kill(1);
    await h.waitFor('partition 0 led by 2', () => h.states('grow')[0]?.leader === 2);
    await h.register(1);
    await h.controller.settled();
    // Back, but out of the ISR: the preferred leader waits until it is in sync again (its leader adds it).
    expect(await h.controller.electLeaders('preferred', [{ topic: 'grow', partition: 0 }])).toEqual([
      { topic: 'grow', partition: 0, outcome: 'not-available' },
    ]);
    // Its leader takes it back into the ISR (a compare-and-swap as a leader makes it); now it leads again.
    const state = h.view.partition('grow', 0)!;
    const back = await swapPartitionState(h.ns, null, 'grow', 0, state.modRevision, { ...state.value, isr: [...state.value.isr, 1] });
    if (back.ok) await h.view.waitForRevision(back.revision);
    expect(await h.controller.electLeaders('preferred', [{ topic: 'grow', partition: 0 }])).toEqual([{ topic: 'grow', partition: 0, outcome: 'elected' }]);
    await h.waitFor('partition 0 led by 1', () => h.states('grow')[0]?.leader === 1);
    expect(h.states('grow')[0]!.leaderEpoch).toBe(state.value.leaderEpoch + 1);
    expect(
      await h.controller.electLeaders('preferred', [
        { topic: 'grow', partition: 0 },
        { topic: 'grow', partition: 9 },
      ]),
    ).toEqual([
      { topic: 'grow', partition: 0, outcome: 'not-needed' },
      { topic: 'grow', partition: 9, outcome: 'unknown-partition' },
    ]);
  });

  it('writes nothing once its term has ended', async () => {
    const h = await start([1, 2]);
    await h.resign();
    expect(await h.controller.createTopic('late', { partitionCount: 1, replicationFactor: 1, configs: {} })).toMatchObject({
      ok: false,
      kind: 'not-controller',
    });
    expect(h.view.topics.has('late')).toBe(false);
  });
});
