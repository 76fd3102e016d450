// Scenario: a leader frozen (SIGSTOP) past broker.session.timeout.ms looks dead to its peers and is replaced from
// its ISR; thawed, it follows the new leader and truncates its uncommitted tail. The tail is arranged so that only
// the old leader holds it: its two followers are frozen for a moment (well under the session and the ISR lag
// time) while acks=1 writes go to it, then it is frozen and they are thawed. Those writes never reappear, on any
// replica, once the old leader has caught up with what the new leader took since; nothing acknowledged with
// acks=all is lost (cluster-scenario.ts checks the model and every replica's disk).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterScenario } from '../helpers/cluster-scenario.js';
import { readReplicaLog } from '../helpers/partition-reads.js';
import { produceTo } from '../helpers/raw-produce.js';
import { partitionKey } from '../helpers/scenario-model.js';

const TOPIC = 'frozen-leader';
const TAIL = Array.from({ length: 5 }, (_, i) => `only-on-old-leader-${i}`);
/** Lets the frozen followers' pending fetches be answered (into their sockets) before the tail is written. */
const FETCH_ANSWERED_MS = 500;

let scenario: ClusterScenario;
beforeAll(async () => {
  scenario = await ClusterScenario.start({
    brokers: 3,
    settings: { 'replica.lag.time.max.ms': '10000' },
    topics: [{ name: TOPIC, partitions: 1, replicationFactor: 3 }],
  });
});
afterAll(async () => {
  await scenario?.stop();
});

const valuesOn = async (logDir: string) => (await readReplicaLog(logDir, TOPIC, 0)).map((r) => r.value);

describe('a frozen leader', () => {
  it('is replaced; thawed, it truncates the tail only it had taken, which never reappears', async () => {
    const { cluster } = scenario;
    const before = scenario.producer('before', TOPIC);
    await before.send(20);
    await before.close();
    const { leader: oldLeader, leaderEpoch, replicas } = await scenario.leaderOf(TOPIC, 0);
    const followers = replicas.filter((id) => id !== oldLeader);
    const old = cluster.broker(oldLeader);

    for (const id of followers) cluster.broker(id).freeze();
    // The first write after the freeze answers the followers' pending fetches (their sockets hold it); the
    // writes after it reach no follower.
    scenario.model.attempt('answers-pending-fetches');
    expect((await produceTo(old.proc.port, TOPIC, 0, 'answers-pending-fetches', 1)).errorCode).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, FETCH_ANSWERED_MS));
    for (const value of TAIL) {
      scenario.model.attempt(value);
      expect((await produceTo(old.proc.port, TOPIC, 0, value, 1)).errorCode).toBe(0);
    }
    old.freeze();
    for (const id of followers) cluster.broker(id).thaw();

    const [replaced] = await cluster.waitForPartitions(
      TOPIC,
      `a leader other than the frozen ${oldLeader}`,
      (ps) => ps[0]!.leader > 0 && ps[0]!.leader !== oldLeader,
    );
    expect(replaced!.leaderEpoch).toBeGreaterThan(leaderEpoch);
    const onOldLeader = await valuesOn(old.logDir);
    const onNewLeader = await valuesOn(cluster.broker(replaced!.leader).logDir);
    const onlyOld = TAIL.filter((v) => onOldLeader.includes(v) && !onNewLeader.includes(v));
    expect(onlyOld, 'the arrangement: a tail only the old leader holds').toEqual(TAIL);

    // The new leader takes writes at the offsets the old tail held.
    const after = scenario.producer('after', TOPIC);
    await after.send(20);
    expect(after.acknowledged).toBe(20);
    old.thaw();
    const logs = await scenario.verify();
    const settled = logs.get(partitionKey(TOPIC, 0))!.map((r) => r.value);
    for (const id of replicas) expect((await valuesOn(cluster.broker(id).logDir)).filter((v) => onlyOld.includes(v))).toEqual([]);
    expect(settled.filter((v) => onlyOld.includes(v))).toEqual([]);
  });
});
