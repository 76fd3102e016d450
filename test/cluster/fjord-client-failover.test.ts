// Fjord's own client rides through a broker's death on a real three-broker cluster, as KafkaJS, platformatic and
// kcat do (clients-failover.test.ts): a running `fjord consume --group` process (the real CLI) keeps printing
// across a SIGKILL of a partition's leader and of its group's coordinator, while the client's Producer and
// `fjord produce` keep being acknowledged (retried at the new leader). Every acknowledged message is printed at
// the offset it was stored at (a message may be printed again after a rejoin: at least once, never skipped).
// With no live broker left, the consumer ends with the one-line "cannot reach" error after --timeout-ms.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KafkaClient } from '../../src/client/kafka-client.js';
import { BrokerUnreachableError } from '../../src/client/kafka-errors.js';
import { type Delivery, Producer } from '../../src/client/producer.js';
import { createTopic } from '../../src/client/topic-admin.js';
import { fjord, fjordInBackground } from '../cli/run-fjord.js';
import { BrokerCluster } from '../helpers/broker-cluster.js';
import { waitUntil } from '../helpers/wait-until.js';

const BATCH = 40;
const FORMAT = '%p:%o=%v';
let cluster: BrokerCluster;
let client: KafkaClient;
let bootstrap: string;

beforeAll(async () => {
  cluster = await BrokerCluster.start({
    brokers: 3,
    settings: { 'offsets.topic.replication.factor': '3', 'offsets.topic.num.partitions': '3', 'group.initial.rebalance.delay.ms': '0' },
  });
  await cluster.waitForMembers([1, 2, 3]);
  bootstrap = cluster.bootstrapServers().join(',');
  client = new KafkaClient({ bootstrapServers: cluster.bootstrapServers() });
});
afterAll(async () => {
  await client?.close();
  await cluster?.stop();
});

const batch = (prefix: string) => Array.from({ length: BATCH }, (_, i) => `${prefix}-${String(i).padStart(3, '0')}`);

/** "partition:offset" → value from the consumer's lines, checking that no offset was printed with two values. */
function byOffset(lines: readonly string[]): Map<string, string> {
  const seen = new Map<string, string>();
  for (const line of lines) {
    const at = line.slice(0, line.indexOf('='));
    const value = line.slice(line.indexOf('=') + 1);
    expect(seen.get(at) ?? value, `offset ${at}`).toBe(value);
    seen.set(at, value);
  }
  return seen;
}

const printedValues = (lines: readonly string[]) => new Set(lines.map((l) => l.slice(l.indexOf('=') + 1)));

/** A topic of two partitions replicated on all three brokers, every ISR full; returns the leader of partition 0. */
async function replicatedTopic(topic: string): Promise<number> {
  await createTopic(client, { name: topic, partitions: 2, replicationFactor: 3, configs: new Map() });
  const partitions = await cluster.waitForPartitions(
    topic,
    'led with full ISRs',
    (ps) => ps.length === 2 && ps.every((p) => p.leader > 0 && p.isr.length === 3),
  );
  return partitions[0]!.leader;
}

/** Starts the killed broker again and waits until it is back in every ISR of `topic`. */
async function revive(topic: string, nodeId: number): Promise<void> {
  await cluster.broker(nodeId).start();
  await cluster.waitForPartitions(topic, 'full ISRs again', (ps) => ps.every((p) => p.isr.length === 3), 30_000);
}

describe('fjord client failover', () => {
  it('a fjord consume --group member and the client producer carry on across the kill of a partition leader', async () => {
    const topic = 'fjord-failover-leader';
    const leader = await replicatedTopic(topic);
    const member = fjordInBackground(['consume', topic, '--group', 'leader-kill', '--from-beginning', '-f', FORMAT, '-b', bootstrap]);
    const producer = new Producer(client, { acks: -1 });
    const stored = new Map<string, string>();
    const send = async (values: string[]) => {
      for (const [i, value] of values.entries()) {
        const [delivery] = await producer.send(topic, [{ key: null, value: Buffer.from(value), partition: i % 2 }]);
        stored.set(`${(delivery as Delivery).partition}:${(delivery as Delivery).baseOffset}`, value);
      }
    };
    await send(batch('before'));
    await waitUntil(() => printedValues(member.lines).size >= BATCH, 'the member to print the first batch', 30_000);
    // Killed with no new leader yet: the producer's first tries reach the dead broker and must retry.
    await cluster.broker(leader).kill();
    await send(batch('after'));
    // Every acknowledged offset (a retry after a lost answer stores a value again, at a later offset).
    const printedAt = () => new Set(member.lines.map((l) => l.slice(0, l.indexOf('='))));
    await waitUntil(() => [...stored.keys()].every((at) => printedAt().has(at)), 'the member to print every acknowledged offset', 60_000);
    const printed = byOffset(member.lines);
    for (const [at, value] of stored) expect(printed.get(at), `the message acknowledged at ${at}`).toBe(value);
    expect(member.stderr()).toBe('');
    expect(await member.stop()).toBe(0);
    await revive(topic, leader);
  });

  it('fjord consume --group and fjord produce carry on across the kill of the group coordinator', async () => {
    const topic = 'fjord-failover-coordinator';
    const group = 'coordinator-kill';
    await replicatedTopic(topic);
    const coordinator = await client.coordinator(group);
    const coordinatorId = [...cluster.brokers.values()].find((b) => b.answering && b.bootstrap === coordinator.address)!.nodeId;
    const member = fjordInBackground(['consume', topic, '--group', group, '--from-beginning', '-f', FORMAT, '-b', bootstrap]);
    const produce = async (values: string[]) => {
      const result = await fjord(['produce', topic, '-K', ':', '-b', bootstrap], `${values.map((v) => `${v}:${v}`).join('\n')}\n`, 90_000);
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
    };
    await produce(batch('first'));
    await waitUntil(() => printedValues(member.lines).size >= BATCH, 'the member to print the first batch', 30_000);
    await cluster.broker(coordinatorId).kill();
    await produce(batch('second'));
    await waitUntil(() => printedValues(member.lines).size >= 2 * BATCH, 'the member to print both batches', 60_000);
    byOffset(member.lines);
    expect([...printedValues(member.lines)].sort()).toEqual([...batch('first'), ...batch('second')].sort());
    expect(member.stderr()).toBe('');
    expect(await member.stop()).toBe(0);
    await revive(topic, coordinatorId);
  });

  it('with no live broker left, the consumer ends with the one-line "cannot reach" error after --timeout-ms, and a send fails with it', async () => {
    const topic = 'fjord-failover-none';
    await replicatedTopic(topic);
    await new Producer(client).send(topic, [{ key: null, value: Buffer.from('only'), partition: 0 }]);
    const member = fjordInBackground(['consume', topic, '--group', 'no-broker', '--from-beginning', '--timeout-ms', '3000', '-f', FORMAT, '-b', bootstrap]);
    await waitUntil(() => member.lines.length >= 1, 'the member to print the message', 30_000);
    await Promise.all(cluster.answering().map((b) => b.kill()));
    const status = await member.exited;
    expect(member.stderr()).toMatch(/^fjord: cannot reach the broker at 127\.0\.0\.1:\d+ \([^)]+\); check that a broker is running there [^\n]*\n$/);
    expect(status).toBe(1);
    const send = new Producer(client, { deliveryTimeoutMs: 2_000 }).send(topic, [{ key: null, value: Buffer.from('lost'), partition: 0 }]);
    await expect(send).rejects.toBeInstanceOf(BrokerUnreachableError);
  });
});
