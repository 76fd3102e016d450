// Scenario (RF=2, min.insync.replicas=1): a leader left alone in its ISR takes a backlog of acks=all writes
// (committed at once: it is the whole ISR); its follower comes back and must not rejoin the ISR before it holds
// everything below the leader's high watermark, or a leader change right then would lose committed messages.
// Checked directly: whenever Metadata lists the follower in the ISR, its log on disk must reach the high
// watermark the leader had before the follower came back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterScenario } from '../helpers/cluster-scenario.js';
import { fetchCommitted, readReplicaLog } from '../helpers/partition-reads.js';
import { produceTo } from '../helpers/raw-produce.js';

const TOPIC = 'sole-leader';
const BACKLOG = 400;
const VALUE_BYTES = 50_000;

let scenario: ClusterScenario;
beforeAll(async () => {
  scenario = await ClusterScenario.start({ brokers: 2, topics: [{ name: TOPIC, partitions: 1, replicationFactor: 2 }] });
});
afterAll(async () => {
  await scenario?.stop();
});

describe('a follower back to a leader that was alone in its ISR', () => {
  it('rejoins the ISR only once it holds everything below the high watermark', async () => {
    const { cluster } = scenario;
    const { leader, replicas } = await scenario.leaderOf(TOPIC, 0);
    const follower = replicas.find((id) => id !== leader)!;
    await cluster.broker(follower).kill();
    await cluster.waitForPartitions(TOPIC, 'the leader alone in the ISR', (ps) => ps[0]!.isr.join() === String(leader));
    const port = cluster.broker(leader).proc.port;
    for (let i = 0; i < BACKLOG; i++) {
      const value = `backlog-${String(i).padStart(4, '0')}-${'x'.repeat(VALUE_BYTES)}`;
      scenario.model.attempt(value);
      const { errorCode, baseOffset } = await produceTo(port, TOPIC, 0, value, -1);
      expect(errorCode).toBe(0);
      scenario.model.acknowledge('raw', TOPIC, 0, baseOffset, value);
    }
    const committed = await cluster.waitFor('the leader to serve its committed log', () => fetchCommitted(port, TOPIC, 0));
    expect(committed.highWatermark).toBe(BACKLOG);

    await cluster.broker(follower).start();
    const { logDir } = cluster.broker(follower);
    await cluster.waitForPartitions(TOPIC, 'the follower back in the ISR', (ps) => ps[0]!.isr.length === 2, 60_000);
    // In the ISR: it must already hold every committed record.
    const held = (await readReplicaLog(logDir, TOPIC, 0)).length;
    expect(held, 'records on the follower as it is listed in the ISR').toBeGreaterThanOrEqual(committed.highWatermark);
    await scenario.verify();
  });
});
