// The group member against a real broker process when its coordinator connection breaks: the heartbeat asks to
// rejoin (NETWORK_EXCEPTION) instead of failing, and the next join finds the coordinator again on a new connection.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GroupMember } from '../../src/client/group-member.js';
import { KafkaClient } from '../../src/client/kafka-client.js';
import { createTopic } from '../../src/client/topic-admin.js';
import { startBrokerProcess, type BrokerProcess } from '../helpers/broker-process.js';

let broker: BrokerProcess;
let client: KafkaClient;

beforeAll(async () => {
  broker = await startBrokerProcess({ 'group.initial.rebalance.delay.ms': '0' });
  client = new KafkaClient({ bootstrapServers: [broker.bootstrap] });
  await createTopic(client, { name: 'beats', partitions: 2, replicationFactor: 1, configs: new Map() });
});
afterAll(async () => {
  await client?.close();
  await broker?.stop();
});

describe('GroupMember', () => {
  it('rejoins, rather than failing, when the connection to its coordinator breaks', async () => {
    const member = new GroupMember(client, 'beats-group', ['beats'], { heartbeatIntervalMs: 50 });
    const first = await member.join();
    expect(first.assignment.get('beats')).toEqual([0, 1]);
    const rejoinNeeded = new Promise<number>((resolve) => (member.events = { rejoinNeeded: resolve }));
    const coordinator = await client.coordinator('beats-group');
    await coordinator.close();
    expect(await rejoinNeeded).toBe(13);
    expect(member.failure).toBeNull();
    expect(member.rebalanceNeeded).toBe(true);
    const again = await member.join();
    expect(again.assignment.get('beats')).toEqual([0, 1]);
    expect(member.rebalanceNeeded).toBe(false);
    expect((await client.coordinator('beats-group')).closed).toBe(false);
    await member.leave();
  });
});
