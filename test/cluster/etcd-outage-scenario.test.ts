// Scenario: etcd stops (longer than the brokers' leases) and comes back while an idempotent acks=all producer
// sends and a consumer group reads. Leaders acknowledge no acks=all write once their lease may have expired, so
// the producer waits or gives up on some sends; once etcd is back and the brokers have registered again, the
// producer carries on, and nothing acknowledged before, during or after the outage is lost, doubled or rolled back
// (cluster-scenario.ts checks the model and every replica's disk).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterScenario } from '../helpers/cluster-scenario.js';
import { waitUntil } from '../helpers/wait-until.js';

const TOPIC = 'through-etcd-outage';

let scenario: ClusterScenario;
beforeAll(async () => {
  scenario = await ClusterScenario.start({
    brokers: 3,
    settings: { 'offsets.topic.replication.factor': '3', 'offsets.topic.num.partitions': '1', 'group.initial.rebalance.delay.ms': '0' },
    topics: [{ name: TOPIC, partitions: 3, replicationFactor: 3, configs: { 'min.insync.replicas': '2' } }],
  });
});
afterAll(async () => {
  await scenario?.stop();
});

const logged = (msg: string) => (ids: number[]) => ids.every((id) => scenario.cluster.broker(id).proc.logLines.some((l) => l.msg === msg));

describe('an etcd outage under load', () => {
  it('loses nothing acknowledged; producing resumes once etcd is back', async () => {
    const { cluster } = scenario;
    const producer = scenario.producer('p', TOPIC);
    const consumer = await scenario.consumer('c', TOPIC, 'readers');
    let going = true;
    const sending = producer.sendWhile(() => going);
    await waitUntil(() => producer.acknowledged >= 50, '50 messages acknowledged before the outage');

    await cluster.etcd.stop();
    await cluster.waitFor('every broker to lose its lease', async () =>
      logged('etcd lease lost: this broker is out of the live brokers until it registers again')([1, 2, 3]),
    );
    const duringOutage = producer.acknowledged;
    await cluster.etcd.restart();
    await cluster.waitFor('every broker to register again', async () => logged('registered in etcd again')([1, 2, 3]));
    await cluster.waitForMembers([1, 2, 3]);
    await waitUntil(() => producer.acknowledged >= duringOutage + 50, '50 more messages acknowledged after the outage', 60_000);
    going = false;
    await sending;
    await waitUntil(() => consumer.read >= producer.acknowledged, 'the group to read what was acknowledged', 60_000);
    await scenario.verify();
    expect(scenario.model.acknowledgedCount).toBe(producer.acknowledged);
  });
});
