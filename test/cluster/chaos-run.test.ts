// A randomized run, bounded in time and steps, on three brokers: two idempotent acks=all producers, one acks=1
// producer (writes a failover may truncate, which no consumer may have read) and three consumers (two members of one group, one of another) run throughout while a seeded plan (chaos-plan.ts) kills,
// freezes, restarts leaders, the controller or any broker, and stops etcd, one fault at a time. Afterwards the
// model must show no anomaly: nothing acknowledged lost, nothing stored twice, no offset read as two messages,
// nothing read later rolled back, every in-sync replica's disk the same as its leader's. The seed is printed;
// FJORD_SEED=<seed> replays the plan (the interleaving with the clients differs from run to run). The suite runs it
// for 45 s; FJORD_CHAOS_MS=<ms> runs it longer (e.g. 600000 for ten minutes).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chaosPlan } from '../helpers/chaos-plan.js';
import { runChaos } from '../helpers/chaos-steps.js';
import { ClusterScenario } from '../helpers/cluster-scenario.js';
import { seedFor } from '../helpers/test-seed.js';

const TOPIC = 'chaos';
const PARTITIONS = 3;
const BROKERS = 3;
const STEPS_MAX = 16;
const RUN_MS = Number(process.env.FJORD_CHAOS_MS ?? 45_000);

let scenario: ClusterScenario;
beforeAll(async () => {
  scenario = await ClusterScenario.start({
    brokers: BROKERS,
    settings: {
      'offsets.topic.replication.factor': '3',
      'offsets.topic.num.partitions': '2',
      'group.initial.rebalance.delay.ms': '0',
      'replica.lag.time.max.ms': '3000',
    },
    topics: [{ name: TOPIC, partitions: PARTITIONS, replicationFactor: 3, configs: { 'min.insync.replicas': '2' } }],
  });
});
afterAll(async () => {
  await scenario?.stop();
});

describe('a randomized run of produce, consume, kills, freezes, restarts and etcd outages', () => {
  it('shows no anomaly against the model', { timeout: RUN_MS + 240_000 }, async () => {
    const seed = seedFor('chaos-run');
    const plan = chaosPlan(seed, STEPS_MAX, BROKERS, PARTITIONS);
    const producers = [scenario.producer('p1', TOPIC), scenario.producer('p2', TOPIC), scenario.producer('loose', TOPIC, 1)];
    await scenario.consumer('c1', TOPIC, 'g1');
    await scenario.consumer('c2', TOPIC, 'g1');
    await scenario.consumer('c3', TOPIC, 'g2');
    let going = true;
    const sending = Promise.all(producers.map((p) => p.sendWhile(() => going)));
    const steps = await runChaos(scenario, TOPIC, plan, RUN_MS);
    going = false;
    await sending;
    const acknowledged = scenario.model.acknowledgedCount;
    console.log(`chaos run: ${steps} steps, ${acknowledged} messages acknowledged, ${scenario.model.readCount} reads (seed ${seed})`);
    expect(acknowledged).toBeGreaterThan(0);
    await scenario.verify();
  });
});
