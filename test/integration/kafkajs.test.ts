// KafkaJS 2.2.4 against a real broker process: produce with and without keys, headers, gzip, acks 0/1/-1,
// idempotence, a topic with many partitions; offsets by time and earliest/latest through its admin client.
// (KafkaJS consumers always join a group: they are exercised in consumer-groups-kafkajs.test.ts.)
import kafkajs from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBrokerProcess, type BrokerProcess } from '../helpers/broker-process.js';
import { kcat } from '../helpers/kcat.js';

const { Kafka, CompressionTypes, logLevel, Partitioners } = kafkajs;
let broker: BrokerProcess;
let kafka: InstanceType<typeof Kafka>;
beforeAll(async () => {
  broker = await startBrokerProcess({ 'num.partitions': '6' });
  kafka = new Kafka({ clientId: 'fjord-kafkajs', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
});
afterAll(async () => {
  expect(await broker.stop()).toBe(0);
});

function readBack(topic: string, partition: number): string[] {
  const result = kcat(['-b', broker.bootstrap, '-C', '-t', topic, '-p', String(partition), '-o', 'beginning', '-e', '-q', '-f', '%o %k %s %h\n']);
  return result.stdout.split('\n').filter((l) => l !== '');
}

describe('KafkaJS', () => {
  it('produces keyed, unkeyed and headed messages, gzip-compressed, with acks -1, 1 and 0', async () => {
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    const [sent] = await producer.send({
      topic: 'kjs',
      acks: -1,
      compression: CompressionTypes.GZIP,
      messages: [
        { partition: 0, key: 'k1', value: 'v1', headers: { trace: 't1' } },
        { partition: 0, key: null, value: 'no key' },
      ],
    });
    expect(sent).toMatchObject({ topicName: 'kjs', partition: 0, errorCode: 0, baseOffset: '0' });
    await producer.send({ topic: 'kjs', acks: 1, messages: [{ partition: 0, value: 'acks one' }] });
    await producer.send({ topic: 'kjs', acks: 0, messages: [{ partition: 0, value: 'acks zero' }] });
    await producer.send({ topic: 'kjs', acks: 1, messages: [{ partition: 0, value: 'after zero' }] });
    await producer.disconnect();
    expect(readBack('kjs', 0)).toEqual(['0 k1 v1 trace=t1', '1  no key ', '2  acks one ', '3  acks zero ', '4  after zero ']);
  });

  it('spreads keyed messages over the partitions of a 6-partition topic and reports offsets', async () => {
    const admin = kafka.admin();
    await admin.connect();
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, idempotent: true });
    await producer.connect();
    const before = Date.now();
    const results = await producer.send({ topic: 'wide', messages: Array.from({ length: 300 }, (_, i) => ({ key: `key-${i}`, value: `value-${i}` })) });
    await producer.disconnect();
    expect(results.every((r) => r.errorCode === 0)).toBe(true);
    const offsets = await admin.fetchTopicOffsets('wide');
    expect(offsets).toHaveLength(6);
    expect(offsets.reduce((sum, o) => sum + Number(o.high), 0)).toBe(300);
    expect(offsets.filter((o) => Number(o.high) > 0).length).toBeGreaterThan(3);
    const byTime = await admin.fetchTopicOffsetsByTimestamp('wide', before - 1000);
    expect(byTime.every((o) => o.offset === '0' || Number(offsets.find((x) => x.partition === o.partition)!.high) === 0)).toBe(true);
    expect(await admin.listTopics()).toEqual(expect.arrayContaining(['wide']));
    await admin.disconnect();
  });

  it('creates a 100-partition topic and produces to every partition in one request', async () => {
    const admin = kafka.admin();
    await admin.connect();
    expect(await admin.createTopics({ topics: [{ topic: 'hundred', numPartitions: 100 }] })).toBe(true);
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    const results = await producer.send({ topic: 'hundred', messages: Array.from({ length: 100 }, (_, p) => ({ partition: p, value: `to-${p}` })) });
    await producer.disconnect();
    expect(results.map((r) => [r.partition, r.errorCode, r.baseOffset]).sort((a, b) => Number(a[0]) - Number(b[0]))).toEqual(
      Array.from({ length: 100 }, (_, p) => [p, 0, '0']),
    );
    const offsets = await admin.fetchTopicOffsets('hundred');
    expect(offsets.map((o) => o.high)).toEqual(Array.from({ length: 100 }, () => '1'));
    await admin.disconnect();
    expect(readBack('hundred', 57)).toEqual(['0  to-57 ']);
  });

  it('keeps an idempotent producer exactly-once across its own retries', async () => {
    const producer = kafka.producer({ idempotent: true, createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    for (let i = 0; i < 20; i++) await producer.send({ topic: 'idem-kjs', messages: [{ partition: 0, value: `m${i}` }] });
    await producer.disconnect();
    expect(readBack('idem-kjs', 0).map((l) => l.split(' ')[2])).toEqual(Array.from({ length: 20 }, (_, i) => `m${i}`));
  });
});
