// GET /metrics on a real in-process broker, parsed strictly and checked to move with traffic: bytes and
// records in per topic (KafkaJS and kcat produce), out per topic (fetch), requests per API with latency
// histograms, connections, log dir size, partitions, and the lag of a consumer group that consumed and
// then fell behind.
import { spawn } from 'node:child_process';
import type { Admin, Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrokerHandle } from '../../src/broker.js';
import { RawClient } from '../broker/raw-client.js';
import { kafkajsClient, startTestBroker } from '../broker/test-broker.js';
import { waitUntil } from '../helpers/wait-until.js';
import { type Family, sampleValue, scrape } from './prometheus-text.js';

let broker: BrokerHandle;
let kafka: Kafka;
let admin: Admin;
let baseUrl: string;

beforeAll(async () => {
  broker = await startTestBroker({ 'group.initial.rebalance.delay.ms': '0', 'offsets.topic.num.partitions': '4', 'group.min.session.timeout.ms': '1000' });
  baseUrl = `http://127.0.0.1:${broker.http!.port}`;
  kafka = await kafkajsClient(broker);
  admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    topics: [
      { topic: 'orders', numPartitions: 2 },
      { topic: 'lagged', numPartitions: 1 },
      { topic: 'kcat-in', numPartitions: 1 },
    ],
  });
});

afterAll(async () => {
  await admin?.disconnect();
  await broker?.stop();
});

async function produce(topic: string, values: string[]): Promise<void> {
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic, messages: values.map((value, i) => ({ key: `k${i}`, value })) });
  await producer.disconnect();
}

/** kcat as a child process without blocking this thread: the broker under test runs on it. */
function kcat(args: string[], input = ''): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('kcat', ['-b', broker.bootstrap, ...args], { stdio: ['pipe', 'pipe', 'pipe'], timeout: 20_000 });
    let [stdout, stderr] = ['', ''];
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
    child.stdin.end(input);
  });
}

const metric = (families: Map<string, Family>, name: string, labels: Record<string, string> = {}): number => sampleValue(families, name, labels) ?? 0;

describe('/metrics', () => {
  it('counts bytes and records in per topic when KafkaJS and kcat produce', async () => {
    const before = await scrape(baseUrl);
    await produce('orders', ['a', 'b', 'c', 'd', 'e']);
    const batch = await kcat(['-P', '-t', 'kcat-in', '-X', 'linger.ms=50'], 'one\ntwo\nthree\n');
    expect(batch).toMatchObject({ status: 0, stderr: '' });
    const after = await scrape(baseUrl);
    expect(metric(after, 'fjord_topic_messages_in_total', { topic: 'orders' }) - metric(before, 'fjord_topic_messages_in_total', { topic: 'orders' })).toBe(5);
    expect(metric(after, 'fjord_topic_bytes_in_total', { topic: 'orders' })).toBeGreaterThan(
      metric(before, 'fjord_topic_bytes_in_total', { topic: 'orders' }) + 61,
    );
    expect(metric(after, 'fjord_topic_messages_in_total', { topic: 'kcat-in' })).toBe(3);
    expect(metric(after, 'fjord_requests_total', { api: 'Produce' })).toBeGreaterThanOrEqual(2);
    expect(metric(after, 'fjord_request_duration_seconds_count', { api: 'Produce' })).toBeGreaterThanOrEqual(2);
    expect(metric(after, 'fjord_request_duration_seconds_bucket', { api: 'Produce', le: '+Inf' })).toBe(
      metric(after, 'fjord_request_duration_seconds_count', { api: 'Produce' }),
    );
    expect(metric(after, 'fjord_requests_total', { api: 'Metadata' })).toBeGreaterThan(metric(before, 'fjord_requests_total', { api: 'Metadata' }));
    expect(metric(after, 'fjord_purgatory_requests', { operation: 'produce' })).toBe(0);
  });

  it('counts bytes and records out per topic when a consumer fetches', async () => {
    const before = await scrape(baseUrl);
    const read = await kcat(['-C', '-t', 'kcat-in', '-o', 'beginning', '-e', '-q', '-f', '%s\n']);
    expect(read.stdout).toBe('one\ntwo\nthree\n');
    const after = await scrape(baseUrl);
    expect(metric(after, 'fjord_topic_messages_out_total', { topic: 'kcat-in' }) - metric(before, 'fjord_topic_messages_out_total', { topic: 'kcat-in' })).toBe(
      3,
    );
    expect(metric(after, 'fjord_topic_bytes_out_total', { topic: 'kcat-in' })).toBe(metric(after, 'fjord_topic_bytes_in_total', { topic: 'kcat-in' }));
    expect(metric(after, 'fjord_requests_total', { api: 'Fetch' })).toBeGreaterThan(metric(before, 'fjord_requests_total', { api: 'Fetch' }));
    expect(metric(after, 'fjord_connections_accepted_total')).toBeGreaterThan(metric(before, 'fjord_connections_accepted_total'));
  });

  it('reports storage, partitions and workers from the engine', async () => {
    const families = await scrape(baseUrl);
    const dir = broker.config.logDirs[0]!;
    expect(metric(families, 'fjord_log_dir_size_bytes', { dir })).toBeGreaterThan(0);
    expect(metric(families, 'fjord_log_dir_online', { dir })).toBe(1);
    expect(metric(families, 'fjord_log_dirs_offline')).toBe(0);
    expect(metric(families, 'fjord_partitions')).toBe(broker.engine.partitions().length);
    expect(metric(families, 'fjord_partitions_offline')).toBe(0);
    expect(metric(families, 'fjord_partitions_under_replicated')).toBe(0);
    // Alone, the broker is its own controller and leads no partition with followers.
    expect(metric(families, 'fjord_controller_active')).toBe(1);
    expect(metric(families, 'fjord_replicated_partition_leaders')).toBe(0);
    expect(metric(families, 'fjord_isr_shrinks_total')).toBe(0);
    expect(metric(families, 'fjord_worker_ring_capacity_bytes', { worker: '0' })).toBe(broker.config.ringBytes);
    const frames =
      metric(families, 'fjord_worker_frames_handled_total', { worker: '0' }) + metric(families, 'fjord_worker_frames_handled_total', { worker: '1' });
    expect(frames).toBeGreaterThan(0);
    for (const worker of ['0', '1']) {
      const busy = metric(families, 'fjord_worker_busy_seconds_total', { worker });
      expect(busy).toBeGreaterThan(0);
      expect(busy).toBeLessThan(process.uptime());
    }
    expect(metric(families, 'fjord_connections_open')).toBeGreaterThanOrEqual(1); // the admin client
    expect(families.get('process_cpu_seconds_total')?.type).toBe('counter');
  });

  it('shows the lag of a consumer group that consumed everything, then fell behind', async () => {
    await produce('lagged', ['1', '2', '3', '4']);
    const consumer = kafka.consumer({ groupId: 'billing', sessionTimeout: 3000, heartbeatInterval: 300, maxWaitTimeInMs: 50 });
    await consumer.connect();
    await consumer.subscribe({ topic: 'lagged', fromBeginning: true });
    let seen = 0;
    await consumer.run({ autoCommitThreshold: 1, eachMessage: async () => void seen++ });
    const lagOf = async (): Promise<number | undefined> =>
      sampleValue(await scrape(baseUrl), 'fjord_consumer_group_lag', { group: 'billing', topic: 'lagged', partition: '0' });
    await waitUntil(async () => seen === 4 && (await lagOf()) === 0, 'the group to consume and commit all 4 messages');
    await consumer.disconnect();
    await produce('lagged', ['5', '6', '7']);
    const families = await scrape(baseUrl);
    expect(sampleValue(families, 'fjord_consumer_group_lag', { group: 'billing', topic: 'lagged', partition: '0' })).toBe(3);
    expect(sampleValue(families, 'fjord_consumer_group_committed_offset', { group: 'billing', topic: 'lagged', partition: '0' })).toBe(4);
    expect(sampleValue(families, 'fjord_consumer_groups', { state: 'Empty' })).toBe(1);
    expect(metric(families, 'fjord_consumer_groups_lag_omitted')).toBe(0);
  });

  it("drops a deleted topic's traffic labels", async () => {
    await admin.createTopics({ topics: [{ topic: 'short-lived', numPartitions: 1 }] });
    await produce('short-lived', ['x']);
    expect(metric(await scrape(baseUrl), 'fjord_topic_messages_in_total', { topic: 'short-lived' })).toBe(1);
    await admin.deleteTopics({ topics: ['short-lived'] });
    expect(sampleValue(await scrape(baseUrl), 'fjord_topic_messages_in_total', { topic: 'short-lived' })).toBeUndefined();
  });
});

describe('/metrics bounds', () => {
  it('computes lag for at most fjord.metrics.lag.groups.max groups and counts the rest as omitted', async () => {
    const small = await startTestBroker({ 'fjord.metrics.lag.groups.max': '1', 'offsets.topic.num.partitions': '2', 'fjord.metrics.topic.labels.max': '1' });
    try {
      const client = await kafkajsClient(small);
      const smallAdmin = client.admin();
      await smallAdmin.connect();
      await smallAdmin.createTopics({
        topics: [
          { topic: 'a', numPartitions: 1 },
          { topic: 'b', numPartitions: 1 },
        ],
      });
      const producer = client.producer();
      await producer.connect();
      await producer.send({ topic: 'a', messages: [{ value: '1' }, { value: '2' }] });
      await producer.send({ topic: 'b', messages: [{ value: '3' }] });
      await producer.disconnect();
      await smallAdmin.disconnect();
      const raw = await RawClient.connect(small.address.host, small.address.port);
      for (const groupId of ['g1', 'g2']) {
        const partitions = [{ partitionIndex: 0, committedOffset: 1, committedLeaderEpoch: -1, committedMetadata: '' }];
        await raw.call(8, 8, { groupId, generationIdOrMemberEpoch: -1, memberId: '', groupInstanceId: null, topics: [{ name: 'a', partitions }] });
      }
      raw.close();
      const families = await scrape(`http://127.0.0.1:${small.http!.port}`);
      expect(sampleValue(families, 'fjord_consumer_group_lag', { group: 'g1', topic: 'a', partition: '0' })).toBe(1);
      expect(sampleValue(families, 'fjord_consumer_group_lag', { group: 'g2' })).toBeUndefined();
      expect(sampleValue(families, 'fjord_consumer_groups_lag_omitted')).toBe(1);
      expect(sampleValue(families, 'fjord_topic_messages_in_total', { topic: 'a' })).toBe(2);
      expect(sampleValue(families, 'fjord_topic_messages_in_total', { topic: '(other)' })).toBe(1);
    } finally {
      await small.stop();
    }
  });
});
