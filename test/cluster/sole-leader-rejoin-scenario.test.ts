// Scenario (RF=2, min.insync.replicas=1): a leader left alone in its ISR takes a backlog of acks=all writes
// (committed at once: it is the whole ISR); its follower comes back and must not rejoin the ISR before it holds
// everything below the leader's high watermark, or a leader change right then would lose committed messages.
// The leader is killed as soon as Metadata lists the follower in the ISR: nothing acknowledged may be lost (the
// model), and the follower's disk must have held the whole committed log.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterScenario } from '../helpers/cluster-scenario.js';
import { fetchCommitted, readReplicaLog } from '../helpers/partition-reads.js';
import { produceTo } from '../helpers/raw-produce.js';

const TOPIC = 'sole-leader';
const BACKLOG = 400;
/** Big records, so the follower needs many fetches to catch up. */
const KEY_BYTES = 50_000;

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
      const value = `backlog-${String(i).padStart(4, '0')}`;
      scenario.model.attempt(value);
      const { errorCode, baseOffset } = await produceTo(port, TOPIC, 0, value, -1, KEY_BYTES);
      expect(errorCode).toBe(0);
      scenario.model.acknowledge('raw', TOPIC, 0, baseOffset, value);
    }
    const committed = await cluster.waitFor('the leader to serve its committed log', () => fetchCommitted(port, TOPIC, 0));
    expect(committed.highWatermark).toBe(BACKLOG);

    await cluster.broker(follower).start();
    const { logDir } = cluster.broker(follower);
    await cluster.waitForPartitions(TOPIC, 'the follower back in the ISR', (ps) => ps[0]!.isr.length === 2, 60_000);
    // The leader dies as soon as the follower is listed in the ISR: the follower, in sync by the ISR, must lead
    // with every committed record.
    await cluster.broker(leader).kill();
    const held = (await readReplicaLog(logDir, TOPIC, 0)).length;
    await cluster.waitForPartitions(TOPIC, 'the follower leading', (ps) => ps[0]!.leader === follower);
    await cluster.broker(leader).start();
    await scenario.verify();
    expect(held, 'records on the follower when it was listed in the ISR').toBeGreaterThanOrEqual(committed.highWatermark);
  });
});
