// Cluster state in a real etcd: topic creation whole or not at all (also past one transaction's size), partition
// state changed only by compare-and-swap (two writers, one wins), a leader's ISR writes fenced by its own
// registration, and views that apply every change in etcd's revision order.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerBroker } from '../../src/cluster/broker-registry.js';
import { type ClusterStateChange, ClusterStateView } from '../../src/cluster/cluster-state-view.js';
import { createTopic, deleteTopic, ETCD_TXN_OPS_MAX, readPartitionState, swapPartitionState, writeAssignment } from '../../src/cluster/cluster-state-writes.js';
import { campaignForController, type ControllerTerm } from '../../src/cluster/controller-election.js';
import type { ClusterEtcd } from '../../src/cluster/etcd-client.js';
import { LeaseGuard } from '../../src/cluster/lease-guard.js';
import { type EtcdProcess, startEtcdProcess } from '../helpers/etcd-process.js';
import { connect, newClusterName, revokeLease } from './cluster-etcd.js';

let etcd: EtcdProcess;
beforeAll(async () => {
  etcd = await startEtcdProcess();
});
afterAll(async () => {
  await etcd.stop();
});

async function controllerOf(): Promise<{ side: ClusterEtcd; term: ControllerTerm; name: string }> {
  const name = newClusterName();
  const side = connect([etcd.endpoint], name);
  const term = await campaignForController(side, 1, 30).elected;
  return { side, term, name };
}

const topicRecord = (partitionCount: number) => ({ topicId: 'AAAAAAAAAAAAAAAAAAAAAA', partitionCount, configs: { 'cleanup.policy': 'delete' } });

describe('cluster state', () => {
  it('creates a topic once, with its assignment and first partition states, and deletes it whole', async () => {
    const { side, term } = await controllerOf();
    const assignment = {
      replicas: [
        [1, 2],
        [2, 3],
        [3, 1],
      ],
    };
    const created = await createTopic(side.ns, term.fence, 'orders', topicRecord(3), assignment);
    expect(created.ok).toBe(true);
    expect(await createTopic(side.ns, term.fence, 'orders', topicRecord(3), assignment)).toEqual({ ok: false, reason: 'exists' });

    const view = await ClusterStateView.watch(side);
    expect(view.topics.get('orders')?.value).toEqual(topicRecord(3));
    expect(view.assignments.get('orders')?.value).toEqual(assignment);
    expect(view.partition('orders', 1)?.value).toEqual({ leader: 2, leaderEpoch: 0, isr: [2, 3] });

    const deleted = await deleteTopic(side.ns, term.fence, 'orders');
    if (!deleted.ok) throw new Error(`delete failed: ${deleted.reason}`);
    await view.waitForRevision(deleted.revision);
    expect(view.topics.size + view.assignments.size + view.partitions.size).toBe(0);
    expect(await deleteTopic(side.ns, term.fence, 'orders')).toEqual({ ok: false, reason: 'missing' });
    await Promise.all([view.close(), term.resign()]);
  });

  it('creates every partition state of a topic larger than one etcd transaction', async () => {
    const { side, term } = await controllerOf();
    const partitionCount = ETCD_TXN_OPS_MAX * 2 + 5;
    const replicas = Array.from({ length: partitionCount }, (_, p) => [p % 3]);
    const created = await createTopic(side.ns, term.fence, 'wide', topicRecord(partitionCount), { replicas });
    expect(created.ok).toBe(true);
    const view = await ClusterStateView.watch(side);
    expect(view.partitions.size).toBe(partitionCount);
    expect(view.partition('wide', partitionCount - 1)?.value.leader).toBe((partitionCount - 1) % 3);
    await Promise.all([view.close(), term.resign()]);
  });

  it('lets exactly one of two concurrent compare-and-swaps win, and gives the loser the winner state', async () => {
    const { side, term, name } = await controllerOf();
    await createTopic(side.ns, term.fence, 't', topicRecord(1), { replicas: [[1, 2, 3]] });
    const other = connect([etcd.endpoint], name);
    const start = (await readPartitionState(side.ns, 't', 0))!;
    const byController = { leader: 2, leaderEpoch: 1, isr: [2, 3] };
    const byLeader = { leader: 1, leaderEpoch: 0, isr: [1, 2] };
    const [a, b] = await Promise.all([
      swapPartitionState(side.ns, term.fence, 't', 0, start.modRevision, byController),
      swapPartitionState(other.ns, null, 't', 0, start.modRevision, byLeader),
    ]);
    const results = [a, b];
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    const loser = results.find((r) => !r.ok)!;
    const winnerState = a.ok ? byController : byLeader;
    expect(loser).toMatchObject({ ok: false, reason: 'conflict', current: { value: winnerState } });
    expect((await readPartitionState(other.ns, 't', 0))!.value).toEqual(winnerState);
    // A swap that expects no state finds one: a conflict too.
    expect(await swapPartitionState(side.ns, term.fence, 't', 0, null, byLeader)).toMatchObject({ ok: false, reason: 'conflict' });
    await term.resign();
  });

  it("fences a leader's ISR change by its own registration", async () => {
    const { side, term, name } = await controllerOf();
    await createTopic(side.ns, term.fence, 'isr', topicRecord(1), { replicas: [[5, 6]] });
    const leaderSide = connect([etcd.endpoint], name);
    const lease = await LeaseGuard.grant(leaderSide.ns, 30);
    const registered = await registerBroker(leaderSide.ns, lease, { nodeId: 5, listeners: [], rack: null, logDirs: ['/d'] });
    const start = (await readPartitionState(leaderSide.ns, 'isr', 0))!;
    const shrunk = await swapPartitionState(leaderSide.ns, registered.fence, 'isr', 0, start.modRevision, { leader: 5, leaderEpoch: 0, isr: [5] });
    if (!shrunk.ok) throw new Error(`shrink failed: ${shrunk.reason}`);

    await revokeLease(side, lease.leaseId);
    expect(await swapPartitionState(leaderSide.ns, registered.fence, 'isr', 0, shrunk.revision, { leader: 5, leaderEpoch: 0, isr: [5, 6] })).toEqual({
      ok: false,
      reason: 'fenced',
    });
    await term.resign();
  });

  it('delivers every change to a view in revision order, also to a view that starts half-way', async () => {
    const { side, term, name } = await controllerOf();
    const early = await ClusterStateView.watch(connect([etcd.endpoint], name));
    const seenEarly: ClusterStateChange[] = [];
    early.on('change', (change) => seenEarly.push(change));

    await createTopic(side.ns, term.fence, 'moves', topicRecord(1), { replicas: [[1, 2]] });
    let current = (await readPartitionState(side.ns, 'moves', 0))!;
    let late: ClusterStateView | null = null;
    const seenLate: ClusterStateChange[] = [];
    const epochs = 40;
    for (let epoch = 1; epoch <= epochs; epoch++) {
      const next = { leader: epoch % 2 === 0 ? 1 : 2, leaderEpoch: epoch, isr: [1, 2] };
      const swapped = await swapPartitionState(side.ns, term.fence, 'moves', 0, current.modRevision, next);
      if (!swapped.ok) throw new Error(`swap ${epoch} failed: ${swapped.reason}`);
      current = { value: next, modRevision: swapped.revision };
      if (epoch === epochs / 2) {
        late = await ClusterStateView.watch(connect([etcd.endpoint], name));
        late.on('change', (change) => seenLate.push(change));
      }
    }
    const moved = await writeAssignment(side.ns, term.fence, 'moves', { replicas: [[2, 1]] });
    if (!moved.ok) throw new Error(`assignment failed: ${moved.reason}`);
    await Promise.all([early.waitForRevision(moved.revision), late!.waitForRevision(moved.revision)]);

    const epochsSeen = (seen: ClusterStateChange[]) => seen.filter((c) => c.kind === 'partition').map((c) => c.value!.leaderEpoch);
    expect(seenEarly.slice(0, 2).map((c) => c.kind)).toEqual(['topic', 'assignment']);
    expect(epochsSeen(seenEarly)).toEqual(Array.from({ length: epochs + 1 }, (_, i) => i));
    // The late view's snapshot held epoch 20; it then saw each later epoch, once, in order.
    expect(epochsSeen(seenLate)).toEqual(Array.from({ length: epochs / 2 }, (_, i) => epochs / 2 + 1 + i));
    expect(seenEarly.at(-1)).toMatchObject({ kind: 'assignment', value: { replicas: [[2, 1]] } });
    for (const seen of [seenEarly, seenLate]) {
      for (let i = 1; i < seen.length; i++) expect(seen[i]!.modRevision).toBeGreaterThanOrEqual(seen[i - 1]!.modRevision);
    }
    expect(early.partition('moves', 0)).toEqual(current);
    expect(late!.partition('moves', 0)).toEqual(current);
    await Promise.all([early.close(), late!.close(), term.resign()]);
  });

  it('keeps a view current across an etcd restart: changes made after it arrive, in order', async () => {
    const { side, term, name } = await controllerOf();
    await createTopic(side.ns, term.fence, 'restart', topicRecord(1), { replicas: [[1]] });
    const view = await ClusterStateView.watch(connect([etcd.endpoint], name));
    const seen: number[] = [];
    view.on('change', (change) => {
      if (change.kind === 'partition') seen.push(change.value!.leaderEpoch);
    });
    let current = (await readPartitionState(side.ns, 'restart', 0))!;
    const bump = async (epoch: number) => {
      const swapped = await swapPartitionState(side.ns, term.fence, 'restart', 0, current.modRevision, { leader: 1, leaderEpoch: epoch, isr: [1] });
      if (!swapped.ok) throw new Error(`swap ${epoch} failed: ${swapped.reason}`);
      current = { value: { leader: 1, leaderEpoch: epoch, isr: [1] }, modRevision: swapped.revision };
    };
    await bump(1);
    await view.waitForRevision(current.modRevision);
    await etcd.restart();
    await bump(2);
    await bump(3);
    await view.waitForRevision(current.modRevision);
    expect(seen).toEqual([1, 2, 3]);
    expect(view.partition('restart', 0)).toEqual(current);
    await Promise.all([view.close(), term.resign()]);
  });
});
