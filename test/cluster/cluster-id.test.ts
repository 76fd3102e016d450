// The cluster id of brokers in an etcd cluster has one source of truth, etcd: the first broker writes it (the id in
// its own metadata file if it was a standalone broker before), every broker answers clients with it and its
// metadata file takes it, and a broker whose log dir holds another cluster's id is refused in one line.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrokerCluster } from '../helpers/broker-cluster.js';
import { startBrokerProcess } from '../helpers/broker-process.js';
import { type EtcdProcess, startEtcdProcess } from '../helpers/etcd-process.js';
import { tempDir } from '../helpers/temp-dir.js';

let etcd: EtcdProcess;
beforeAll(async () => {
  etcd = await startEtcdProcess();
});
afterAll(async () => {
  await etcd?.stop();
});

/** Runs a standalone broker on a new log dir once, so the dir holds a metadata file; its dir and cluster id. */
async function standaloneDir(): Promise<{ logDir: string; clusterId: string }> {
  const logDir = tempDir('fjord-standalone-');
  const broker = await startBrokerProcess({ 'fjord.workers': '1' }, logDir);
  const clusterId = String(broker.logLines.find((l) => l.msg === 'ready')!.clusterId);
  expect(await broker.stop()).toBe(0);
  return { logDir, clusterId };
}

const fileClusterId = (logDir: string) => (JSON.parse(readFileSync(join(logDir, 'fjord-metadata.json'), 'utf8')) as { clusterId: string }).clusterId;

describe('the cluster id in etcd', () => {
  it("is the first broker's: a former standalone broker keeps its id and the others take it", async () => {
    const standalone = await standaloneDir();
    const cluster = await BrokerCluster.start({ brokers: 0, etcd });
    try {
      await cluster.add(1, { logDir: standalone.logDir }).start();
      const second = cluster.add(2);
      await second.start();
      const views = await cluster.waitForMembers([1, 2]);
      expect(views.map((v) => v.clusterId)).toEqual([standalone.clusterId, standalone.clusterId]);
      expect(fileClusterId(second.logDir)).toBe(standalone.clusterId);
    } finally {
      await cluster.stop();
    }
  });

  it('refuses a broker whose log dir belongs to another cluster, in one line', async () => {
    const cluster = await BrokerCluster.start({ brokers: 1, etcd });
    try {
      const [view] = await cluster.waitForMembers([1]);
      const foreign = await standaloneDir();
      expect(foreign.clusterId).not.toBe(view!.clusterId);
      const error = await cluster
        .add(2, { logDir: foreign.logDir })
        .start()
        .then(
          () => null,
          (e: Error) => e,
        );
      const stderr = error!.message.slice(error!.message.indexOf(': ') + 2).trimEnd();
      expect(stderr.split('\n')).toEqual([
        expect.stringContaining(`belongs to cluster ${foreign.clusterId}, but this broker's cluster has id ${view!.clusterId}`),
      ]);
      expect(fileClusterId(foreign.logDir)).toBe(foreign.clusterId);
      await cluster.waitForMembers([1]);
    } finally {
      await cluster.stop();
    }
  });
});
