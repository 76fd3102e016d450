// Scenario, RF=3 and min.insync.replicas=2, adding to replicated-topics.test.ts (which takes two followers down):
// one follower is killed and acks=all produce goes on with the ISR of two; then the leader is killed too, and the
// one in-sync replica left leads alone: it holds everything acknowledged, and answers acks=all with
// NOT_ENOUGH_REPLICAS (nothing appended) until a replica catches up with it. Once both are back nothing
// acknowledged is lost and every replica holds the same log (cluster-scenario.ts checks the model).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/shared/kafka-error-codes.js';
import { ClusterScenario } from '../helpers/cluster-scenario.js';
import { produceTo } from '../helpers/raw-produce.js';

const TOPIC = 'min-insync';

let scenario: ClusterScenario;
beforeAll(async () => {
  scenario = await ClusterScenario.start({
    brokers: 3,
    topics: [{ name: TOPIC, partitions: 1, replicationFactor: 3, configs: { 'min.insync.replicas': '2' } }],
  });
});
afterAll(async () => {
  await scenario?.stop();
});

describe('RF=3, min.insync.replicas=2', () => {
  it('goes on with one follower down; with the leader down too the last in-sync replica leads, holds every acknowledged message and refuses acks=all', async () => {
    const { cluster } = scenario;
    const producer = scenario.producer('p', TOPIC);
    await producer.send(30);
    const { leader, replicas } = await scenario.leaderOf(TOPIC, 0);
    const [first, second] = replicas.filter((id) => id !== leader) as [number, number];

    await cluster.broker(first).kill();
    await cluster.waitForPartitions(TOPIC, `broker ${first} out of the ISR`, (ps) => ps[0]!.isr.length === 2);
    await producer.send(30);
    expect(producer.acknowledged).toBe(60);
    await producer.close();

    await cluster.broker(leader).kill();
    await cluster.waitForPartitions(TOPIC, `broker ${second} leading alone`, (ps) => ps[0]!.leader === second && ps[0]!.isr.join() === String(second));
    scenario.model.attempt('refused');
    // Metadata names it leader as soon as etcd does; the broker answers as leader once it has taken the role.
    const refused = await cluster.waitFor(`broker ${second} to answer as leader`, async () => {
      const answer = await produceTo(cluster.broker(second).proc.port, TOPIC, 0, 'refused', -1);
      return answer.errorCode === ErrorCode.NOT_LEADER_OR_FOLLOWER ? null : answer;
    });
    expect(refused.errorCode).toBe(ErrorCode.NOT_ENOUGH_REPLICAS);

    await cluster.broker(first).start();
    await cluster.broker(leader).start();
    const logs = await scenario.verify();
    expect(logs.get(`${TOPIC}/0`)!.map((r) => r.value)).not.toContain('refused');
    expect(logs.get(`${TOPIC}/0`)!.length).toBe(60);
  });
});
