// Topic configs changed with AlterConfigs take effect on the running partitions at once: a lower
// max.message.bytes refuses a KafkaJS produce with MESSAGE_TOO_LARGE, a tiny retention.ms lets retention
// delete what was written.
import { ConfigResourceTypes, type Admin, type Kafka, type Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrokerHandle } from '../../src/broker.js';
import { kafkajsClient, startTestBroker } from './test-broker.js';

let broker: BrokerHandle;
let kafka: Kafka;
let admin: Admin;
let producer: Producer;

beforeAll(async () => {
  broker = await startTestBroker();
  kafka = await kafkajsClient(broker);
  admin = kafka.admin();
  await admin.connect();
  producer = kafka.producer({ allowAutoTopicCreation: false, retry: { retries: 0 } });
  await producer.connect();
});

afterAll(async () => {
  await producer?.disconnect();
  await admin?.disconnect();
  await broker?.stop();
});

const setTopicConfigs = (topic: string, entries: Record<string, string>) =>
  admin.alterConfigs({
    validateOnly: false,
    resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configEntries: Object.entries(entries).map(([name, value]) => ({ name, value })) }],
  });

describe('live topic config changes', () => {
  it('max.message.bytes: a produce larger than the new limit is refused with MESSAGE_TOO_LARGE', async () => {
    await admin.createTopics({ topics: [{ topic: 'limited', numPartitions: 1 }] });
    const big = 'x'.repeat(2000);
    await producer.send({ topic: 'limited', messages: [{ value: big }] });
    await setTopicConfigs('limited', { 'max.message.bytes': '1024' });
    await expect(producer.send({ topic: 'limited', messages: [{ value: big }] })).rejects.toMatchObject({ type: 'MESSAGE_TOO_LARGE' });
    await producer.send({ topic: 'limited', messages: [{ value: 'small' }] });
    await setTopicConfigs('limited', {});
    await producer.send({ topic: 'limited', messages: [{ value: big }] });
    expect((await admin.fetchTopicOffsets('limited'))[0]!.high).toBe('3');
  });

  it('retention.ms: after lowering it, retention deletes the old data', async () => {
    await admin.createTopics({ topics: [{ topic: 'expiring', numPartitions: 1 }] });
    for (let i = 0; i < 5; i++) await producer.send({ topic: 'expiring', messages: [{ value: `message-${i}` }] });
    const later = Date.now() + 60_000;
    await broker.engine.applyRetention(later);
    expect(await admin.fetchTopicOffsets('expiring')).toEqual([{ partition: 0, offset: '5', high: '5', low: '0' }]);
    await setTopicConfigs('expiring', { 'retention.ms': '1000' });
    expect(await broker.engine.applyRetention(later)).toBeGreaterThan(0);
    expect(await admin.fetchTopicOffsets('expiring')).toEqual([{ partition: 0, offset: '5', high: '5', low: '5' }]);
  });
});
