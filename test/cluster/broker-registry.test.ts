// Broker registration against a real etcd: a registered broker appears in the live set, a second broker with the
// same id is refused, and a broker whose lease ends (revoked by etcd, or expired once keep-alives stop) is
// removed, with its own lease guard no longer vouching for the lease by then.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuplicateBrokerError, LiveBrokers, registerBroker } from '../../src/cluster/broker-registry.js';
import type { BrokerRegistration } from '../../src/cluster/etcd-keys.js';
import { LeaseGuard } from '../../src/cluster/lease-guard.js';
import { type EtcdProcess, startEtcdProcess } from '../helpers/etcd-process.js';
import { connect, newClusterName, nextEvent, revokeLease } from './cluster-etcd.js';

let etcd: EtcdProcess;
beforeAll(async () => {
  etcd = await startEtcdProcess();
});
afterAll(async () => {
  await etcd.stop();
});

const broker = (nodeId: number, rack: string | null = null): BrokerRegistration => ({
  nodeId,
  listeners: [{ name: 'PLAINTEXT', host: '127.0.0.1', port: 9000 + nodeId }],
  rack,
  logDirs: [`/data/${nodeId}`],
});

describe('broker registry', () => {
  it('lists registered brokers, refuses a duplicate id, and removes a broker whose lease is revoked', async () => {
    const name = newClusterName();
    const watcherSide = connect([etcd.endpoint], name);
    const brokerSide = connect([etcd.endpoint], name);
    const live = await LiveBrokers.watch(watcherSide);
    expect(live.brokers.size).toBe(0);

    // TTL 3: the etcd3 client renews every TTL/3 seconds, which is when it learns its lease was revoked.
    const lease = await LeaseGuard.grant(brokerSide.ns, 3);
    const added = nextEvent<[BrokerRegistration]>(live, 'added');
    await registerBroker(brokerSide.ns, lease, broker(1, 'rack-a'));
    expect((await added)[0]).toEqual(broker(1, 'rack-a'));
    expect(live.brokers.get(1)).toEqual(broker(1, 'rack-a'));

    const otherLease = await LeaseGuard.grant(brokerSide.ns, 30);
    await expect(registerBroker(brokerSide.ns, otherLease, broker(1))).rejects.toBeInstanceOf(DuplicateBrokerError);
    await registerBroker(brokerSide.ns, otherLease, broker(2));

    // A snapshot taken now sees both; a late watcher gets no events for what it already holds.
    const late = await LiveBrokers.watch(watcherSide);
    expect([...late.brokers.keys()].sort()).toEqual([1, 2]);

    const removed = nextEvent<[number]>(live, 'removed');
    const lost = nextEvent<[Error]>(lease, 'lost');
    await revokeLease(watcherSide, lease.leaseId);
    expect((await removed)[0]).toBe(1);
    await lost;
    expect(lease.isSurelyAlive()).toBe(false);
    expect([...live.brokers.keys()]).toEqual([2]);
    expect([...late.brokers.keys()]).toEqual([2]);

    // The id is free again once the old registration is gone.
    const again = await LeaseGuard.grant(brokerSide.ns, 30);
    await registerBroker(brokerSide.ns, again, broker(1));
    await Promise.all([live.close(), late.close(), again.revoke(), otherLease.revoke()]);
  });

  it('removes a broker whose lease expires after its keep-alives stop, by which time its guard has given up', async () => {
    const name = newClusterName();
    const watcherSide = connect([etcd.endpoint], name);
    const brokerSide = connect([etcd.endpoint], name);
    const live = await LiveBrokers.watch(watcherSide);
    const lease = await LeaseGuard.grant(brokerSide.ns, 1);
    await registerBroker(brokerSide.ns, lease, broker(7));
    expect(lease.isSurelyAlive()).toBe(true);

    const removed = nextEvent<[number]>(live, 'removed');
    lease.raw.release(); // stops the keep-alives, as a frozen or cut-off broker would
    expect((await removed)[0]).toBe(7);
    // etcd expired the lease TTL seconds after the last keep-alive it received, which was sent after the one
    // the guard counts from: the guard must already have stopped vouching for it.
    expect(lease.isSurelyAlive()).toBe(false);
    await live.close();
  });

  it("vouches for a lease until the last acknowledged keep-alive's send time plus the TTL", async () => {
    const side = connect([etcd.endpoint], newClusterName());
    let nowMs = 1_000;
    const lease = await LeaseGuard.grant(side.ns, 3, () => nowMs);
    expect(lease.surelyAliveUntilMs).toBe(4_000); // from the grant request's send time
    nowMs = 3_999;
    expect(lease.isSurelyAlive()).toBe(true);
    nowMs = 4_000;
    expect(lease.isSurelyAlive()).toBe(false);

    // Keep-alives sent from now on carry this (fake) send time; the deadline moves to the first answered one's
    // send time plus the TTL etcd answers with (an answer to one sent before still counts from its own time).
    nowMs = 10_000;
    let ttlSeconds = 0;
    do {
      ttlSeconds = Number((await nextEvent<[{ TTL: string }]>(lease.raw, 'keepaliveSucceeded'))[0].TTL);
      expect(ttlSeconds).toBeGreaterThanOrEqual(3);
      expect([1_000 + ttlSeconds * 1000, 10_000 + ttlSeconds * 1000]).toContain(lease.surelyAliveUntilMs);
    } while (lease.surelyAliveUntilMs !== 10_000 + ttlSeconds * 1000);
    expect(lease.isSurelyAlive()).toBe(true);
    await lease.revoke();
    expect(lease.isSurelyAlive()).toBe(false);
  });

  it('deregisters on controlled shutdown while the lease lives on', async () => {
    const name = newClusterName();
    const side = connect([etcd.endpoint], name);
    const live = await LiveBrokers.watch(side);
    const lease = await LeaseGuard.grant(side.ns, 30);
    const added = nextEvent(live, 'added'); // listening first: the watch may deliver before the write returns
    const registered = await registerBroker(side.ns, lease, broker(3));
    await added;
    const removed = nextEvent<[number]>(live, 'removed');
    await registered.deregister();
    expect((await removed)[0]).toBe(3);
    expect(lease.isSurelyAlive()).toBe(true);
    await Promise.all([live.close(), lease.revoke()]);
  });

  it('ignores registrations that do not decode, in the snapshot and later, and keeps watching', async () => {
    const name = newClusterName();
    const side = connect([etcd.endpoint], name);
    await side.ns.put('brokers/7').value('not json');
    const invalid: Error[] = [];
    const live = await LiveBrokers.watch(side);
    live.on('invalid', (error) => invalid.push(error));
    expect(live.brokers.size).toBe(0);

    const lease = await LeaseGuard.grant(side.ns, 30);
    const added = nextEvent<[BrokerRegistration]>(live, 'added');
    await registerBroker(side.ns, lease, broker(8));
    await added;
    const removed = nextEvent<[number]>(live, 'removed');
    await side.ns.put('brokers/8').value('{"nodeId":"eight"}');
    expect((await removed)[0]).toBe(8);
    expect(invalid.map((e) => e.message)).toEqual(['etcd key brokers/8: nodeId must be an integer >= 0']);
    expect(live.brokers.size).toBe(0);

    const again = nextEvent<[BrokerRegistration]>(live, 'added');
    await side.ns.put('brokers/9').value(JSON.stringify(broker(9)));
    expect((await again)[0]).toEqual(broker(9));
    await lease.revoke();
    await live.close();
  });
});
