// Preferred-leader election on real clusters (broker processes, a real etcd): after a partition's preferred leader
// is killed, replaced and back in the ISR, leadership stays where failover put it until ElectLeaders (through the
// controller; NOT_CONTROLLER from another broker, ELECTION_NOT_NEEDED when asked again) or `fjord topics
// elect-leaders` moves it back; with auto.leader.rebalance.enable and a short leader.imbalance.check.interval.seconds
// the controller moves it back by itself.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/shared/kafka-error-codes.js';
import { RawClient } from '../broker/raw-client.js';
import { fjord } from '../cli/run-fjord.js';
import { BrokerCluster, type PartitionView } from '../helpers/broker-cluster.js';

type Answer = { errorCode: number; results: Array<[string, number, number]> };

/** ElectLeaders v2 (preferred) asked of broker `nodeId`: the top-level error and [topic, partition, error] per partition. */
async function electLeaders(
  cluster: BrokerCluster,
  nodeId: number,
  topicPartitions: Array<{ topic: string; partitions: number[] }> | null,
  electionType = 0,
): Promise<Answer> {
  const client = await RawClient.connect('127.0.0.1', cluster.broker(nodeId).proc.port);
  try {
    const body = await client.call(43, 2, { electionType, topicPartitions, timeoutMs: 10_000 });
    const results = body.replicaElectionResults.flatMap((t) => t.partitionResult.map((p): [string, number, number] => [t.topic, p.partitionId, p.errorCode]));
    return { errorCode: body.errorCode, results };
  } finally {
    client.close();
  }
}

async function createTopic(cluster: BrokerCluster, topic: string, partitions: number, replicationFactor: number): Promise<void> {
  const client = await RawClient.connect('127.0.0.1', cluster.broker(1).proc.port);
  try {
    const body = await client.call(19, 7, { topics: [{ name: topic, numPartitions: partitions, replicationFactor }], timeoutMs: 10_000 });
    expect(body.topics[0]!.errorCode).toBe(ErrorCode.NONE);
  } finally {
    client.close();
  }
}

const fullIsr = (count: number, rf: number) => (ps: PartitionView[]) => ps.length === count && ps.every((p) => p.leader > 0 && p.isr.length === rf);

/**
 * Kills the preferred replica of `partition`, waits for another leader, restarts it and waits until it is back in
 * the ISR; returns the preferred replica and the leader failover chose.
 */
async function failOverAndReturn(cluster: BrokerCluster, topic: string, partition: number, rf: number): Promise<{ preferred: number; standIn: number }> {
  const before = await cluster.waitForPartitions(topic, 'fully replicated', (ps) => ps.every((p) => p.leader > 0 && p.isr.length === rf));
  const preferred = before[partition]!.replicas[0]!;
  expect(before[partition]!.leader).toBe(preferred);
  await cluster.broker(preferred).kill();
  const moved = await cluster.waitForPartitions(topic, `partition ${partition} led by another broker than ${preferred}`, (ps) => {
    const p = ps[partition];
    return p !== undefined && p.leader > 0 && p.leader !== preferred && !p.isr.includes(preferred);
  });
  await cluster.broker(preferred).start();
  await cluster.waitForPartitions(topic, `broker ${preferred} back in the ISR of partition ${partition}`, (ps) => ps[partition]!.isr.includes(preferred));
  return { preferred, standIn: moved[partition]!.leader };
}

describe('ElectLeaders and fjord topics elect-leaders (automatic rebalancing off)', () => {
  const TOPIC = 'prefs';
  let cluster: BrokerCluster;

  beforeAll(async () => {
    cluster = await BrokerCluster.start({ brokers: 3, settings: { 'auto.leader.rebalance.enable': 'false', 'replica.lag.time.max.ms': '5000' } });
    await cluster.waitForMembers([1, 2, 3]);
    await createTopic(cluster, TOPIC, 3, 3);
    await cluster.waitForPartitions(TOPIC, 'three partitions with full ISRs', fullIsr(3, 3));
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it('moves leadership back to the preferred replica through the controller only, once', async () => {
    const { preferred, standIn } = await failOverAndReturn(cluster, TOPIC, 0, 3);
    // Back in sync, but nothing moves leadership back while rebalancing is off.
    expect((await cluster.waitForPartitions(TOPIC, 'agreed', () => true))[0]!.leader).toBe(standIn);

    const [view] = await cluster.waitForMembers([1, 2, 3]);
    const controller = view!.controllerId;
    // Named controller as soon as its election key exists, a broker takes office a moment later: an election of
    // no partition answers NOT_CONTROLLER until then.
    await cluster.waitFor(`broker ${controller} in office`, async () => (await electLeaders(cluster, controller, [])).errorCode === ErrorCode.NONE);
    const other = [1, 2, 3].find((id) => id !== controller)!;
    expect(await electLeaders(cluster, other, [{ topic: TOPIC, partitions: [0] }])).toEqual({
      errorCode: ErrorCode.NOT_CONTROLLER,
      results: [[TOPIC, 0, ErrorCode.NOT_CONTROLLER]],
    });

    expect(await electLeaders(cluster, controller, [{ topic: TOPIC, partitions: [0, 9] }])).toEqual({
      errorCode: ErrorCode.NONE,
      results: [
        [TOPIC, 0, ErrorCode.NONE],
        [TOPIC, 9, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
      ],
    });
    const led = await cluster.waitForPartitions(TOPIC, `partition 0 led by its preferred replica ${preferred}`, (ps) => ps[0]!.leader === preferred);
    expect(led[0]!.isr).toHaveLength(3);
    expect(await electLeaders(cluster, controller, [{ topic: TOPIC, partitions: [0] }])).toEqual({
      errorCode: ErrorCode.NONE,
      results: [[TOPIC, 0, ErrorCode.ELECTION_NOT_NEEDED]],
    });
    // Every partition: those that needed no election are left out.
    expect(await electLeaders(cluster, controller, null)).toEqual({ errorCode: ErrorCode.NONE, results: [] });
  });

  it('fjord topics elect-leaders finds the controller from any broker and elects', async () => {
    const { preferred } = await failOverAndReturn(cluster, TOPIC, 1, 3);
    const [view] = await cluster.waitForMembers([1, 2, 3]);
    const other = [1, 2, 3].find((id) => id !== view!.controllerId)!;
    const b = ['--bootstrap-server', cluster.broker(other).bootstrap];

    const elected = await fjord(['topics', 'elect-leaders', TOPIC, '--partition', '1', ...b]);
    expect(elected).toMatchObject({ status: 0, stderr: '' });
    expect(elected.stdout.split('\n').map((line) => line.trim().split(/\s+/))).toEqual([['TOPIC', 'PARTITION', 'RESULT'], [TOPIC, '1', 'elected'], ['']]);
    await cluster.waitForPartitions(TOPIC, `partition 1 led by its preferred replica ${preferred}`, (ps) => ps[1]!.leader === preferred);

    const again = await fjord(['topics', 'elect-leaders', TOPIC, ...b]);
    expect(again.status).toBe(0);
    expect(again.stdout.trimEnd().split('\n').slice(1)).toEqual(
      [0, 1, 2].map((p) => expect.stringMatching(new RegExp(`^${TOPIC} +${p} +already led by its preferred replica$`))),
    );
    expect(await fjord(['topics', 'elect-leaders', ...b])).toEqual({
      status: 0,
      stdout: 'no partition needed an election: every preferred replica that can lead does\n',
      stderr: '',
    });

    const unknown = await fjord(['topics', 'elect-leaders', 'nowhere', ...b]);
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toMatch(/^fjord: topic "nowhere": UNKNOWN_TOPIC_OR_PARTITION \(3\)/);
    const twoTopics = await fjord(['topics', 'elect-leaders', TOPIC, 'other', '--partition', '0', ...b]);
    expect(twoTopics).toMatchObject({ status: 2, stderr: expect.stringMatching(/--partition needs exactly one topic/) });
  });
});

describe('a two-broker cluster: automatic leader rebalancing, unclean election', () => {
  const TOPIC = 'balanced';
  let cluster: BrokerCluster;

  beforeAll(async () => {
    cluster = await BrokerCluster.start({ brokers: 2, settings: { 'leader.imbalance.check.interval.seconds': '1', 'replica.lag.time.max.ms': '5000' } });
    await cluster.waitForMembers([1, 2]);
    await createTopic(cluster, TOPIC, 2, 2);
    await cluster.waitForPartitions(TOPIC, 'two partitions with full ISRs', fullIsr(2, 2));
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it('gives a partition back to its preferred replica once it is in sync again', async () => {
    const { preferred } = await failOverAndReturn(cluster, TOPIC, 0, 2);
    const settled = await cluster.waitForPartitions(TOPIC, `both partitions led by their preferred replicas`, (ps) =>
      ps.every((p) => p.leader === p.replicas[0] && p.isr.length === 2),
    );
    expect(settled[0]!.leader).toBe(preferred);
  });

  it('an unclean election (fjord topics elect-leaders --election-type unclean) brings back an offline partition', async () => {
    const topic = 'offline';
    await createTopic(cluster, topic, 1, 2);
    const [first] = await cluster.waitForPartitions(topic, 'a full ISR', fullIsr(1, 2));
    const [leader, follower] = first!.replicas as [number, number];
    await cluster.broker(follower).kill();
    await cluster.waitForPartitions(topic, `broker ${follower} out of the ISR`, (ps) => ps[0]!.isr.join() === String(leader));
    await cluster.broker(leader).kill();
    // The follower alone again, out of the ISR: with unclean.leader.election.enable off the partition stays offline.
    await cluster.broker(follower).start();
    await cluster.waitForMembers([follower]);
    await cluster.waitForPartitions(topic, 'offline, its last ISR kept', (ps) => ps[0]!.leader === -1 && ps[0]!.isr.join() === String(leader));

    expect(await electLeaders(cluster, follower, [{ topic, partitions: [0] }])).toEqual({
      errorCode: ErrorCode.NONE,
      results: [[topic, 0, ErrorCode.PREFERRED_LEADER_NOT_AVAILABLE]],
    });
    const b = ['--bootstrap-server', cluster.broker(follower).bootstrap];
    const elected = await fjord(['topics', 'elect-leaders', topic, '--election-type', 'unclean', ...b]);
    expect(elected).toMatchObject({ status: 0, stderr: '' });
    expect(elected.stdout).toMatch(new RegExp(`^${topic} +0 +elected$`, 'm'));
    const [led] = await cluster.waitForPartitions(topic, `led by ${follower}`, (ps) => ps[0]!.leader === follower);
    expect(led!.isr).toEqual([follower]);
    expect(await electLeaders(cluster, follower, [{ topic, partitions: [0] }], 1)).toEqual({
      errorCode: ErrorCode.NONE,
      results: [[topic, 0, ErrorCode.ELECTION_NOT_NEEDED]],
    });
  });
});
