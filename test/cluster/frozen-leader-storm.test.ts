// Scenario: the leader of one partition is frozen again and again for about the session timeout (a little under
// it to well past it: the freeze ends around the moment the controller moves leadership away) while idempotent
// acks=all producers, an acks=1 producer and a consumer group run; the first freeze starts as the producers send
// their first messages. Afterwards the model must show no anomaly (cluster-scenario.ts), in particular no
// acks=all message acknowledged by a leader that was being replaced and then missing from the log.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChaosStep } from '../helpers/chaos-plan.js';
import { runChaos } from '../helpers/chaos-steps.js';
import { ClusterScenario } from '../helpers/cluster-scenario.js';

const TOPIC = 'freeze-storm';
const HOLDS_MS = [2_934, 2_100, 2_500, 2_800, 3_100, 3_400, 2_934, 2_600];

let scenario: ClusterScenario;
beforeAll(async () => {
  scenario = await ClusterScenario.start({
    brokers: 3,
    settings: {
      'offsets.topic.replication.factor': '3',
      'offsets.topic.num.partitions': '2',
      'group.initial.rebalance.delay.ms': '0',
      'replica.lag.time.max.ms': '3000',
    },
    topics: [{ name: TOPIC, partitions: 3, replicationFactor: 3, configs: { 'min.insync.replicas': '2' } }],
  });
});
afterAll(async () => {
  await scenario?.stop();
});

describe('a leader frozen about as long as its session, again and again, under load', () => {
  it('never acknowledges a message the log then lacks', { timeout: 240_000 }, async () => {
    const producers = [scenario.producer('p1', TOPIC), scenario.producer('p2', TOPIC), scenario.producer('loose', TOPIC, 1)];
    await scenario.consumer('c1', TOPIC, 'g1');
    let going = true;
    const sending = Promise.all(producers.map((p) => p.sendWhile(() => going)));
    const plan: ChaosStep[] = HOLDS_MS.map((holdMs) => ({ fault: 'freeze', target: { role: 'leader', partition: 0 }, holdMs, pauseMs: 300 }));
    await runChaos(scenario, TOPIC, plan, 120_000);
    going = false;
    await sending;
    expect(scenario.model.acknowledgedCount).toBeGreaterThan(0);
    await scenario.verify();
  });
});
