// KafkaJS against a real broker process whose metadata disk fills up (fixture: broker-with-full-metadata-disk.mjs,
// the compiled broker with its metadata writes failing ENOSPC on command): CreateTopics and DeleteTopics are
// answered KAFKA_STORAGE_ERROR and change nothing, the same create succeeds once space is freed, and after a
// kill -9 the broker command started on the same dir agrees with everything KafkaJS was told.
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import kafkajs from 'kafkajs';
import { afterAll, describe, expect, it } from 'vitest';
import { startBrokerProcess } from '../helpers/broker-process.js';
import { tempDir } from '../helpers/temp-dir.js';

const { Kafka, logLevel } = kafkajs;
const fixture = fileURLToPath(new URL('../fixtures/broker-with-full-metadata-disk.mjs', import.meta.url));
const children = new Set<ChildProcess>();
afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
});

async function startFixture(logDir: string) {
  const child = spawn(process.execPath, [fixture, logDir], { stdio: ['pipe', 'pipe', 'pipe'] });
  children.add(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const nextLine = async (): Promise<string> => {
    const { value, done } = await lines.next();
    if (done === true) throw new Error(`fixture broker exited: ${stderr}`);
    return value as string;
  };
  const ready = await nextLine();
  expect(ready).toMatch(/^ready /);
  return {
    bootstrap: ready.slice('ready '.length),
    stderr: () => stderr,
    /** Sends "fill" or "free" and waits for the fixture's answer. */
    disk: async (command: 'fill' | 'free') => {
      child.stdin!.write(`${command}\n`);
      expect(await nextLine()).toBe(command === 'fill' ? 'filled' : 'freed');
    },
    kill: async () => {
      child.kill('SIGKILL');
      await exited;
      children.delete(child);
    },
  };
}

function adminOf(bootstrap: string) {
  return new Kafka({ clientId: 'fjord-full-disk', brokers: [bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 1, initialRetryTime: 50 } }).admin();
}

describe('a real broker process with its metadata disk full', () => {
  it('answers KafkaJS KAFKA_STORAGE_ERROR on create and delete, and a restart agrees with what it was told', async () => {
    const logDir = tempDir('fjord-full-metadata-');
    const broker = await startFixture(logDir);
    const admin = adminOf(broker.bootstrap);
    await admin.connect();
    expect(await admin.createTopics({ topics: [{ topic: 'existing', numPartitions: 2 }] })).toBe(true);
    const producer = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING }).producer();
    await producer.connect();
    await producer.send({ topic: 'existing', acks: -1, messages: [{ partition: 1, value: 'kept' }] });
    await producer.disconnect();

    await broker.disk('fill');
    const createError = await admin.createTopics({ topics: [{ topic: 'orders', numPartitions: 3 }] }).then(
      () => null,
      (e: { errors?: Array<{ type: string }> }) => e,
    );
    expect(createError?.errors).toEqual([expect.objectContaining({ type: 'KAFKA_STORAGE_ERROR' })]);
    await expect(admin.deleteTopics({ topics: ['existing'] })).rejects.toMatchObject({ type: 'KAFKA_STORAGE_ERROR' });
    expect((await admin.listTopics()).sort()).toEqual(['existing']);
    expect(await admin.fetchTopicOffsets('existing')).toEqual(expect.arrayContaining([expect.objectContaining({ partition: 1, high: '1' })]));
    expect(broker.stderr()).toContain('metadata write failed; nothing was changed');

    await broker.disk('free');
    expect(await admin.createTopics({ topics: [{ topic: 'orders', numPartitions: 3 }] })).toBe(true);
    await admin.disconnect();
    await broker.kill();

    const restarted = await startBrokerProcess({}, logDir);
    const check = adminOf(restarted.bootstrap);
    await check.connect();
    try {
      expect((await check.listTopics()).sort()).toEqual(['existing', 'orders']);
      expect((await check.fetchTopicMetadata({ topics: ['orders'] })).topics[0]!.partitions).toHaveLength(3);
      expect(await check.fetchTopicOffsets('existing')).toEqual(expect.arrayContaining([expect.objectContaining({ partition: 1, high: '1' })]));
    } finally {
      await check.disconnect();
      expect(await restarted.stop()).toBe(0);
    }
  });
});
