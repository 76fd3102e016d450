// The controller's duties follow the election: among three brokers' memberships (in this process, against a
// real etcd) exactly one holds a Controller; it creates a replicated topic; registrations carry the replication
// listener; a partition's leader (and only it) writes its ISR; when a broker leaves, partitions it
// led get new leaders at the next epoch; when the controller itself leaves, the next controller takes office and
// does the same for the partitions the old one led.
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterMembership } from '../../src/cluster/cluster-membership.js';
import { DEFAULT_LOG_CONFIG } from '../../src/shared/topic-config.js';
import { type EtcdProcess, startEtcdProcess } from '../helpers/etcd-process.js';
import { newClusterName } from './cluster-etcd.js';

const WAIT_MS = 30_000;
let etcd: EtcdProcess;
beforeAll(async () => {
  etcd = await startEtcdProcess();
});
afterAll(async () => {
  await etcd.stop();
});

async function waitFor(what: string, ok: () => boolean): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('controller in office', () => {
  it('runs on the elected broker only, and moves leadership away from brokers that leave, itself included', async () => {
    const clusterName = newClusterName();
    const logger = pino({ level: 'silent' });
    const members = new Map<number, ClusterMembership>();
    for (const nodeId of [1, 2, 3]) {
      const options = {
        endpoints: [etcd.endpoint],
        clusterName,
        nodeId,
        rack: null,
        logDirs: [`/data/${nodeId}`],
        advertisedHost: '127.0.0.1',
        sessionTimeoutMs: 10_000,
        connectTimeoutMs: 15_000,
        logDefaults: DEFAULT_LOG_CONFIG,
        leaderRebalance: null,
        logger,
      };
      const member = await ClusterMembership.connect(options, 'AAAAAAAAAAAAAAAAAAAAAQ');
      await member.join([{ name: 'PLAINTEXT', host: '127.0.0.1', port: 9000 + nodeId }], 9100 + nodeId);
      members.set(nodeId, member);
    }
    try {
      const inOffice = (): ClusterMembership[] => [...members.values()].filter((m) => m.controller !== null);
      await waitFor('a controller in office', () => inOffice().length === 1 && [...members.values()].every((m) => m.controllerId() !== -1));
      const first = inOffice()[0]!;
      expect([...members.values()].map((m) => m.controllerId())).toEqual([1, 2, 3].map(() => first.controllerId()));

      const created = await first.controller!.createTopic('replicated', { partitionCount: 3, replicationFactor: 3, configs: {} });
      expect(created.ok).toBe(true);
      const state = (m: ClusterMembership, p: number) => m.clusterState?.partition('replicated', p)?.value;
      await waitFor('every broker sees the topic', () => [...members.values()].every((m) => [0, 1, 2].every((p) => state(m, p) !== undefined)));

      // Each broker's replication listener is in its registration, for followers to fetch from.
      await waitFor('every registration seen', () => [1, 2, 3].every((id) => first.replicationAddressOf(id) !== null));
      expect(first.replicationAddressOf(2)).toEqual({ host: '127.0.0.1', port: 9102 });

      // A leader writes its own ISR change; a broker that does not lead the partition cannot.
      const leaderOf0 = members.get(state(first, 0)!.leader)!;
      const notLeader = members.get([1, 2, 3].find((id) => id !== state(first, 0)!.leader)!)!;
      const leaderId = state(first, 0)!.leader;
      const shrunk = [leaderId, [1, 2, 3].find((id) => id !== leaderId)!];
      await leaderOf0.writeIsr('replicated', 0, shrunk);
      await waitFor("the leader's ISR write seen by all", () => [...members.values()].every((m) => state(m, 0)!.isr.join() === shrunk.join()));
      await expect(notLeader.writeIsr('replicated', 0, [1, 2, 3])).rejects.toThrow(/does not name broker/);
      expect(state(first, 0)!.isr).toEqual(shrunk);
      // The follower caught up: the leader writes the full ISR back.
      await leaderOf0.writeIsr('replicated', 0, [1, 2, 3]);
      await waitFor('the full ISR back', () => [...members.values()].every((m) => state(m, 0)!.isr.length === 3));

      // A broker that is not the controller leaves: the partitions it led get new leaders.
      const leaverId = [1, 2, 3].find((id) => id !== first.controllerId())!;
      const ledByLeaver = [0, 1, 2].filter((p) => state(first, p)!.leader === leaverId);
      const epochs = [0, 1, 2].map((p) => state(first, p)!.leaderEpoch);
      await members.get(leaverId)!.leave();
      members.delete(leaverId);
      await waitFor('no partition led by or in sync with the leaver', () =>
        [0, 1, 2].every((p) => state(first, p)!.leader !== leaverId && !state(first, p)!.isr.includes(leaverId)),
      );
      for (const p of ledByLeaver) expect(state(first, p)!.leaderEpoch).toBe(epochs[p]! + 1);

      // The controller leaves: the last broker takes office and leads everything.
      const lastId = [...members.keys()].find((id) => id !== first.controllerId())!;
      const last = members.get(lastId)!;
      await first.leave();
      members.delete(first.controllerId());
      await waitFor('the last broker in office', () => last.controller !== null);
      await waitFor('the last broker leads every partition', () => [0, 1, 2].every((p) => state(last, p)!.leader === lastId));
      expect([0, 1, 2].map((p) => state(last, p)!.isr)).toEqual([[lastId], [lastId], [lastId]]);
    } finally {
      for (const member of members.values()) await member.leave();
    }
  }, 90_000);
});
