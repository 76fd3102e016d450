// Controller election against a real etcd: one controller at a time, observers follow it, and when the
// controller's lease is revoked it learns it lost, the waiting candidate takes over, and the old controller's
// fence no longer lets its writes through while the new one's does.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTopic } from '../../src/cluster/cluster-state-writes.js';
import { campaignForController, ControllerObserver } from '../../src/cluster/controller-election.js';
import { type EtcdProcess, startEtcdProcess } from '../helpers/etcd-process.js';
import { waitUntil } from '../helpers/wait-until.js';
import { connect, newClusterName, nextEvent, revokeLease } from './cluster-etcd.js';

let etcd: EtcdProcess;
beforeAll(async () => {
  etcd = await startEtcdProcess();
});
afterAll(async () => {
  await etcd.stop();
});

const topic = (id: string) => ({ topicId: id, partitionCount: 1, configs: {} });

describe('controller election', () => {
  it('fails over to the waiting candidate when the controller loses its lease, and fences the old one', async () => {
    const name = newClusterName();
    const one = connect([etcd.endpoint], name);
    const two = connect([etcd.endpoint], name);
    const observing = connect([etcd.endpoint], name);
    const observer = await ControllerObserver.observe(observing);
    expect(observer.controllerId).toBeNull();

    const firstChange = nextEvent<[number | null]>(observer, 'change');
    const term1 = await campaignForController(one, 1, 3).elected;
    expect(term1.isController).toBe(true);
    expect((await firstChange)[0]).toBe(1);

    let secondElected = false;
    const candidate2 = campaignForController(two, 2, 3);
    void candidate2.elected.then(() => (secondElected = true));
    await waitUntil(async () => (await observing.ns.getAll().prefix('election/controller/').count()) === 2, "node 2's campaign key");
    // Node 2 campaigns, behind node 1: the controller stays node 1.
    expect(await createTopic(one.ns, term1.fence, 'by-one', topic('AAAAAAAAAAAAAAAAAAAAAA'), { replicas: [[1]] })).toMatchObject({ ok: true });
    expect(secondElected).toBe(false);
    expect(observer.controllerId).toBe(1);

    const lost = nextEvent<[Error]>(term1, 'lost');
    const handedOver = nextEvent<[number | null]>(observer, 'change');
    await revokeLease(observing, term1.leaseId);
    const term2 = await candidate2.elected;
    expect(term2.nodeId).toBe(2);
    expect((await handedOver)[0]).toBe(2);
    await lost;
    expect(term1.isController).toBe(false);

    // The old controller's fence is void; the new one's holds.
    expect(await createTopic(one.ns, term1.fence, 'late-write', topic('BBBBBBBBBBBBBBBBBBBBBB'), { replicas: [[1]] })).toEqual({ ok: false, reason: 'fenced' });
    expect(await createTopic(two.ns, term2.fence, 'by-two', topic('CCCCCCCCCCCCCCCCCCCCCC'), { replicas: [[2]] })).toMatchObject({ ok: true });
    expect((await observing.ns.getAll().prefix('state/topics/').keys()).sort()).toEqual(['state/topics/by-one', 'state/topics/by-two']);

    const none = nextEvent<[number | null]>(observer, 'change');
    await term2.resign();
    expect((await none)[0]).toBeNull();
    expect(term2.isController).toBe(false);
    await observer.close();
  });

  it('elects a candidate that was waiting when the controller resigns (controlled shutdown)', async () => {
    const name = newClusterName();
    const one = connect([etcd.endpoint], name);
    const two = connect([etcd.endpoint], name);
    const term1 = await campaignForController(one, 1, 30).elected;
    const candidate2 = campaignForController(two, 2, 30);
    await term1.resign();
    const term2 = await candidate2.elected;
    expect(term2.fence.createRevision).toBeGreaterThan(term1.fence.createRevision);
    await term2.resign();
  });

  it('leaves no watch open and no key behind when a candidate withdraws while it waits, or resigns as controller', async () => {
    // A watch left open is re-opened by etcd3 every second for the life of the process, even once the client is
    // closed, so a process that ran a broker would never end on its own.
    const name = newClusterName();
    const one = connect([etcd.endpoint], name);
    const two = connect([etcd.endpoint], name);
    const term1 = await campaignForController(one, 1, 30).elected;
    expect(one.watches.size).toBe(0);
    const candidate2 = campaignForController(two, 2, 30);
    let settled = false;
    void candidate2.elected.then(
      () => (settled = true),
      () => (settled = true),
    );
    await waitUntil(() => two.watches.size === 1, "node 2's wait for node 1's key");
    await candidate2.withdraw();
    await candidate2.withdraw();
    expect(two.watches.size).toBe(0);
    expect(await one.ns.getAll().prefix('election/controller/').keys()).toEqual([term1.fence.key]);
    await term1.resign();
    expect(await one.ns.getAll().prefix('election/controller/').count()).toBe(0);
    expect(settled).toBe(false);
  });

  it('cancels the watches still open when the client closes', async () => {
    const name = newClusterName();
    const holder = connect([etcd.endpoint], name);
    const term = await campaignForController(holder, 1, 30).elected;
    const closing = connect([etcd.endpoint], name);
    const observer = await ControllerObserver.observe(closing);
    void campaignForController(closing, 2, 30).elected.catch(() => undefined);
    await waitUntil(() => closing.watches.size === 2, 'the observer and the waiting candidate');
    expect(observer.controllerId).toBe(1);
    closing.close();
    expect(closing.watches.size).toBe(0);
    await term.resign();
  });

  it('observes the candidate the campaigns elect when several campaign at once', async () => {
    // Candidates appearing together reach an observer in one watch response; the oldest key is the controller.
    for (let round = 0; round < 5; round++) {
      const name = newClusterName();
      const observer = await ControllerObserver.observe(connect([etcd.endpoint], name));
      const candidates = [1, 2, 3].map((nodeId) => campaignForController(connect([etcd.endpoint], name), nodeId, 10));
      const term = await Promise.race(candidates.map((c) => c.elected));
      await waitUntil(() => observer.controllerId !== null, 'an observed controller');
      expect(observer.controllerId).toBe(term.nodeId);
      await Promise.all(candidates.map((c) => c.withdraw()));
      await observer.close();
    }
  });
});
