// Brokers joining a cluster through a real etcd, as real processes: three brokers list one another and one
// controller in Metadata and DescribeCluster (and to KafkaJS and `fjord cluster describe`); a killed controller is
// replaced and drops out within its lease, and rejoins when restarted (at once, or after its old registration
// expires); a stopped broker's keys are gone when it exits; a frozen broker (SIGSTOP) drops out and
// registers again once thawed; a second broker with a live node id and a broker that cannot reach etcd are
// refused with one line each.
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openClusterEtcd } from '../../src/cluster/etcd-client.js';
import { RawClient } from '../broker/raw-client.js';
import { BrokerCluster, type ClusterView } from '../helpers/broker-cluster.js';
import { startBrokerProcess } from '../helpers/broker-process.js';
import { deadEndpoint } from '../helpers/etcd-process.js';
import { tempDir } from '../helpers/temp-dir.js';
import { fjord } from '../cli/run-fjord.js';

let cluster: BrokerCluster;
beforeAll(async () => {
  cluster = await BrokerCluster.start({ brokers: 3, settingsOf: (nodeId) => ({ 'broker.rack': `rack-${nodeId % 2}` }) });
});
afterAll(async () => {
  await cluster?.stop();
});

/** A broker's last log line about its own controller term, if any. */
function lastTermLine(nodeId: number): unknown {
  const lines = cluster.broker(nodeId).proc.logLines.filter((l) => String(l.msg).startsWith('this broker is'));
  return lines.at(-1)?.msg;
}

/** The single controller every view names. */
function controllerOf(views: ClusterView[]): number {
  const controllers = new Set(views.map((v) => v.controllerId));
  expect(controllers.size).toBe(1);
  return views[0]!.controllerId;
}

describe('brokers in an etcd cluster', () => {
  it('list all three brokers, one controller and one cluster id in Metadata and DescribeCluster on every broker', async () => {
    const views = await cluster.waitForMembers([1, 2, 3]);
    const described = await Promise.all([1, 2, 3].map((id) => cluster.broker(id).describeCluster()));
    const all = [...views, ...(described as ClusterView[])];
    expect(all.map((v) => v.askedNodeId).sort()).toEqual([1, 1, 2, 2, 3, 3]);
    expect(new Set(all.map((v) => v.clusterId)).size).toBe(1);
    expect(all[0]!.clusterId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    const controller = controllerOf(all);
    // The broker named is the one the election chose: the only one whose last word on it is that it holds a term
    // (its key names it before its campaign has logged the election).
    await cluster.waitFor('the controller to log its term', async () => lastTermLine(controller) === 'this broker is the controller');
    const holdingTerm = [1, 2, 3].filter((id) => lastTermLine(id) === 'this broker is the controller');
    expect(holdingTerm).toEqual([controller]);
    for (const view of all) {
      expect(view.brokers).toEqual(
        [1, 2, 3].map((nodeId) => ({ nodeId, host: '127.0.0.1', port: cluster.broker(nodeId).proc.port, rack: `rack-${nodeId % 2}` })),
      );
    }
  });

  it('answers every Metadata and DescribeCluster version with the three brokers (rack from v1, cluster id from v2)', async () => {
    await cluster.waitForMembers([1, 2, 3]);
    const client = await RawClient.connect('127.0.0.1', cluster.broker(1).proc.port);
    try {
      for (let version = 0; version <= 12; version++) {
        const body = await client.call(3, version, { topics: [], allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false });
        expect(body.brokers.map((b) => [b.nodeId, b.rack])).toEqual([1, 2, 3].map((id) => [id, version >= 1 ? `rack-${id % 2}` : null]));
        if (version >= 1) expect([1, 2, 3]).toContain(body.controllerId);
        if (version >= 2) expect(body.clusterId).toMatch(/^[A-Za-z0-9_-]{22}$/);
      }
      for (const version of [0, 1]) {
        const body = await client.call(60, version, { includeClusterAuthorizedOperations: false, endpointType: 1 });
        expect(body.brokers.map((b) => b.brokerId)).toEqual([1, 2, 3]);
      }
    } finally {
      client.close();
    }
  });

  it('shows the three brokers to a KafkaJS admin and to `fjord cluster describe`', async () => {
    const admin = new Kafka({ clientId: 'membership-test', brokers: cluster.bootstrapServers(), logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      const described = await admin.describeCluster();
      expect(described.brokers.map((b) => b.nodeId).sort()).toEqual([1, 2, 3]);
      expect([1, 2, 3]).toContain(described.controller);
    } finally {
      await admin.disconnect();
    }
    const result = await fjord(['cluster', 'describe', '--bootstrap-server', cluster.broker(3).bootstrap]);
    expect(result.status).toBe(0);
    const rows = result.stdout.trimEnd().split('\n').slice(2);
    expect(rows.map((row) => row.split(/\s+/)[0])).toEqual(['1', '2', '3']);
    expect(rows.map((row) => row.split(/\s+/)[3])).toEqual(['rack-1', 'rack-0', 'rack-1']);
  });

  it('elects a new controller when the controller is killed, drops the dead broker, and takes it back on restart', async () => {
    const before = controllerOf(await cluster.waitForMembers([1, 2, 3]));
    await cluster.broker(before).kill();
    const others = [1, 2, 3].filter((id) => id !== before);
    const after = controllerOf(await cluster.waitForMembers(others));
    expect(others).toContain(after);

    await cluster.broker(before).start();
    const views = await cluster.waitForMembers([1, 2, 3]);
    expect(views.find((v) => v.askedNodeId === before)!.controllerId).toBe(after);
  });

  it('takes a broker restarted right after a kill back once its old registration expires', async () => {
    // A long lease, so the new process surely starts while the old registration is still live.
    const broker = cluster.add(4, { settings: { 'broker.session.timeout.ms': '10000' } });
    await broker.start();
    await cluster.waitForMembers([1, 2, 3, 4]);
    await broker.kill();
    // Same host and log dir: the new process waits the old registration out instead of failing.
    await broker.start();
    expect(broker.proc.logLines.some((l) => l.msg === "waiting for this broker's previous registration in etcd to expire")).toBe(true);
    await cluster.waitForMembers([1, 2, 3, 4]);
    const etcd = openClusterEtcd({ endpoints: [cluster.etcd.endpoint], clusterName: cluster.clusterName });
    try {
      // The killed process's candidate key lives as long as its own lease, which it took after its registration's: once
      // only the new process's is left, whatever names broker 4 after the stop is the new process's.
      const candidatesOf4 = async () => Object.values(await etcd.ns.getAll().prefix('election/controller/').strings()).filter((id) => id === '4').length;
      await cluster.waitFor("the killed process's candidate key to expire", async () => (await candidatesOf4()) === 1);
      // A clean stop gives the lease back at once (it would live 10 s more): its keys are gone when the process exits.
      expect(await broker.stop()).toBe(0);
      expect(await etcd.ns.get('brokers/4').string()).toBeNull();
      expect(Object.values(await etcd.ns.getAll().prefix('election/controller/').strings())).not.toContain('4');
    } finally {
      etcd.close();
    }
    await cluster.waitForMembers([1, 2, 3]);
  });

  it('drops a frozen broker once its lease expires and registers it again when it thaws', async () => {
    await cluster.waitForMembers([1, 2, 3]);
    const frozen = cluster.broker(3);
    frozen.freeze();
    await cluster.waitForMembers([1, 2]);
    frozen.thaw();
    await cluster.waitForMembers([1, 2, 3]);
    // Its lease is gone, so it is listed again only by registering again (the line may trail the others' answers).
    await cluster.waitFor('the thawed broker to log its new registration', async () => frozen.proc.logLines.some((l) => l.msg === 'registered in etcd again'));
  });

  it('joins through a list of etcd endpoints whose first one is down', async () => {
    await cluster.waitForMembers([1, 2, 3]);
    const broker = cluster.add(5, { settings: { 'fjord.etcd.endpoints': `${await deadEndpoint()},${cluster.etcd.endpoint}` } });
    await broker.start();
    await cluster.waitForMembers([1, 2, 3, 5]);
    expect(await broker.stop()).toBe(0);
    await cluster.waitForMembers([1, 2, 3]);
  });

  it('refuses a second broker with a node id a live broker holds, in one line', async () => {
    await cluster.waitForMembers([1, 2, 3]);
    const logDir = tempDir('fjord-duplicate-');
    const started = startBrokerProcess(cluster.settingsFor(1, logDir), logDir);
    const error = await started.then(
      () => null,
      (e: Error) => e,
    );
    expect(error).not.toBeNull();
    const stderr = error!.message.slice(error!.message.indexOf(': ') + 2).trimEnd();
    expect(stderr.split('\n')).toEqual([
      expect.stringMatching(/^fjord: cannot join the cluster: node\.id 1 is held by a live broker at 127\.0\.0\.1:\d+ in etcd cluster "test-[\w-]+"; /),
    ]);
    await cluster.waitForMembers([1, 2, 3]);
  });
});

describe('a broker that cannot reach etcd', () => {
  it('fails to start with one line naming the endpoints', async () => {
    const endpoints = [await deadEndpoint(), await deadEndpoint()];
    const error = await startBrokerProcess({ 'fjord.etcd.endpoints': endpoints.join(','), 'fjord.etcd.connect.timeout.ms': '1000' }).then(
      () => null,
      (e: Error) => e,
    );
    expect(error).not.toBeNull();
    const stderr = error!.message.slice(error!.message.indexOf(': ') + 2).trimEnd();
    expect(stderr.split('\n')).toEqual([
      expect.stringContaining(`fjord: cannot join the cluster: cannot reach etcd at ${endpoints.join(', ')} within 1000 ms`),
    ]);
  });
});
