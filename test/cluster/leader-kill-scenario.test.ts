// Scenario: a partition's leader is killed (SIGKILL) while an idempotent acks=all producer is sending. Another
// replica leads within seconds at a higher leader epoch, the producer carries on, and once the old leader is
// started again it rejoins the ISR and catches up: every acknowledged message is present exactly once, in sending
// order, on every in-sync replica's disk (the old leader's included), and a consumer group read nothing that was
// later rolled back (cluster-scenario.ts checks the model).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterScenario } from '../helpers/cluster-scenario.js';
import { partitionKey } from '../helpers/scenario-model.js';
import { waitUntil } from '../helpers/wait-until.js';

const TOPIC = 'kill-under-load';
const PARTITIONS = 2;
const MESSAGES = 200;

let scenario: ClusterScenario;
beforeAll(async () => {
  scenario = await ClusterScenario.start({
    brokers: 3,
    settings: { 'offsets.topic.replication.factor': '3', 'offsets.topic.num.partitions': '1', 'group.initial.rebalance.delay.ms': '0' },
    topics: [{ name: TOPIC, partitions: PARTITIONS, replicationFactor: 3 }],
  });
});
afterAll(async () => {
  await scenario?.stop();
});

describe('a leader killed under an idempotent acks=all producer', () => {
  it('is replaced within seconds; nothing acknowledged is lost or doubled; the old leader rejoins and holds the same log', async () => {
    const { cluster } = scenario;
    const producer = scenario.producer('p', TOPIC);
    const consumer = await scenario.consumer('c', TOPIC, 'readers');
    const before = await scenario.leaderOf(TOPIC, 0);
    const sending = producer.send(MESSAGES);
    await waitUntil(() => producer.acknowledged >= MESSAGES / 4, 'a quarter of the messages acknowledged');
    await cluster.broker(before.leader).kill();
    const after = await cluster.waitForPartitions(
      TOPIC,
      `partition 0 led by a broker other than the killed ${before.leader}`,
      (ps) => ps[0]!.leader > 0 && ps[0]!.leader !== before.leader,
      15_000,
    );
    expect(after[0]!.leaderEpoch).toBeGreaterThan(before.leaderEpoch);
    await sending;
    expect(producer.acknowledged).toBe(MESSAGES);
    await waitUntil(() => consumer.read >= MESSAGES, 'the group to read every message', 60_000);

    await cluster.broker(before.leader).start();
    const logs = await scenario.verify();
    // Exactly once and in sending order: each partition holds the values sent to it, in that order.
    for (let partition = 0; partition < PARTITIONS; partition++) {
      const sent = Array.from({ length: MESSAGES }, (_, seq) => seq)
        .filter((seq) => seq % PARTITIONS === partition)
        .map((seq) => `p-${String(seq).padStart(6, '0')}`);
      expect(logs.get(partitionKey(TOPIC, partition))!.map((r) => r.value)).toEqual(sent);
    }
  });
});
