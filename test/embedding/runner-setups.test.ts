// The test-runner helpers of `fjord/testing`: the vitest globalSetup module driving a real nested vitest run,
// the Jest globalSetup/globalTeardown modules loaded with require and called as Jest calls them, and
// startTestBroker's topics up front and reset() between tests, checked with KafkaJS's admin client.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { Kafka, logLevel } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { startTestBroker } from '../../src/embedding/testing.js';

const require = createRequire(import.meta.url);
const VITEST_PROJECT = new URL('../fixtures/vitest-global-setup/', import.meta.url).pathname;
const VITEST_BIN = new URL('../../node_modules/vitest/vitest.mjs', import.meta.url).pathname;

function admin(bootstrap: string) {
  return new Kafka({ clientId: 'runner-setups', brokers: [bootstrap], logLevel: logLevel.NOTHING }).admin();
}

describe('fjord/testing', () => {
  it('vitest globalSetup: a nested vitest run reaches the broker through inject() and exits', async () => {
    const child = spawn(process.execPath, [VITEST_BIN, 'run', '--root', VITEST_PROJECT], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(output).toMatch(/1 passed/);
    expect(code).toBe(0);
  }, 120_000);

  it('Jest globalSetup/globalTeardown: a broker at KAFKA_BOOTSTRAP_SERVERS between the two', async () => {
    const setup = require('../../dist/src/embedding/jest-global-setup.cjs') as () => Promise<void>;
    const teardown = require('../../dist/src/embedding/jest-global-teardown.cjs') as () => Promise<void>;
    const previous = process.env.KAFKA_BOOTSTRAP_SERVERS;
    await setup();
    try {
      const client = admin(process.env.KAFKA_BOOTSTRAP_SERVERS!);
      await client.connect();
      await client.createTopics({ topics: [{ topic: 'from-jest' }] });
      expect(await client.listTopics()).toContain('from-jest');
      await client.disconnect();
    } finally {
      await teardown();
      if (previous === undefined) delete process.env.KAFKA_BOOTSTRAP_SERVERS;
      else process.env.KAFKA_BOOTSTRAP_SERVERS = previous;
    }
  }, 60_000);

  it('startTestBroker creates topics up front; reset() deletes every topic and group', async () => {
    const broker = await startTestBroker({ topics: ['plain', { name: 'wide', partitions: 3, config: { 'cleanup.policy': 'compact' } }] });
    try {
      const client = admin(broker.bootstrap);
      await client.connect();
      const described = await client.fetchTopicMetadata({ topics: ['plain', 'wide'] });
      expect(described.topics.map((t) => [t.name, t.partitions.length]).sort()).toEqual([
        ['plain', 1],
        ['wide', 3],
      ]);
      await client.setOffsets({ groupId: 'billing', topic: 'plain', partitions: [{ partition: 0, offset: '0' }] });
      expect((await client.listGroups()).groups.map((g) => g.groupId)).toEqual(['billing']);

      await client.disconnect();

      await broker.reset();
      // A new admin client: KafkaJS keeps asking for the topics it knew, which no longer exist.
      const after = admin(broker.bootstrap);
      await after.connect();
      const userTopics = async () => (await after.listTopics()).filter((name) => name !== '__consumer_offsets');
      expect(await userTopics()).toEqual([]);
      expect((await after.listGroups()).groups).toEqual([]);
      await broker.createTopics(['again']);
      expect(await userTopics()).toEqual(['again']);
      await after.disconnect();
    } finally {
      await broker.stop();
    }
  }, 60_000);
});
