// startCluster(): etcd and three embedded brokers used by KafkaJS — an RF 3 topic written with acks=all keeps
// every acknowledged message through a stop of its leader (produce and consume again, the broker started again
// on its port and back in the ISR; on another port when its own was taken meanwhile); the one-line error when etcd is not installed; and a process that starts a cluster,
// stops it and ends on its own (no port, thread, file, timer or etcd process left).
import { spawn } from 'node:child_process';
import { chmodSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { findEtcdBinary } from '../../src/embedding/etcd-server.js';
import { EtcdNotFoundError, startCluster } from '../../src/embedding/testing.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitUntil } from '../helpers/wait-until.js';

const FIXTURE = new URL('../fixtures/started-cluster.mjs', import.meta.url).pathname;
/** KafkaJS 2.2.4 sets a negative timeout on Node 24, which prints a process warning; it is not the cluster's. */
const KAFKAJS_TIMEOUT_WARNING = /^\(node:\d+\) TimeoutNegativeWarning: .*\nTimeout duration was set to 1\.\n(\(Use `node --trace-warnings \.\.\.` .*\n)?/gm;

describe('startCluster', () => {
  it('an RF 3 topic keeps every acknowledged message through a stop and start of its leader', async () => {
    const cluster = await startCluster({ brokers: 3 });
    try {
      expect(cluster.brokers.map((b) => [b.nodeId, b.running])).toEqual([
        [1, true],
        [2, true],
        [3, true],
      ]);
      const kafka = new Kafka({ clientId: 'start-cluster', brokers: cluster.bootstrapServers, logLevel: logLevel.NOTHING });
      const admin = kafka.admin();
      await admin.connect();
      const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
      try {
        expect((await admin.describeCluster()).brokers.map((b) => b.nodeId).sort()).toEqual([1, 2, 3]);
        await admin.createTopics({ topics: [{ topic: 'payments', numPartitions: 1, replicationFactor: 3 }], waitForLeaders: true });
        const partition = async () => (await admin.fetchTopicMetadata({ topics: ['payments'] })).topics[0]!.partitions[0]!;
        await producer.connect();
        const send = (values: string[]) => producer.send({ topic: 'payments', acks: -1, messages: values.map((value) => ({ value })) });
        await send(['p1', 'p2', 'p3']);

        const { leader } = await partition();
        await cluster.stopBroker(leader);
        expect(cluster.broker(leader).running).toBe(false);
        expect(cluster.bootstrapServers).not.toContain(cluster.broker(leader).bootstrap);
        await send(['p4', 'p5']);
        const { leader: newLeader } = await partition();
        expect(newLeader).not.toBe(leader);

        const port = cluster.broker(leader).port;
        await cluster.startBroker(leader);
        expect(cluster.broker(leader).running).toBe(true);
        expect(cluster.broker(leader).port).toBe(port);
        await waitUntil(async () => (await partition()).isr.length === 3, `broker ${leader} back in the ISR of payments-0`);
        await send(['p6']);
        expect(await consumeAll(kafka, 6)).toEqual(['p1', 'p2', 'p3', 'p4', 'p5', 'p6']);

        // A broker whose port was taken while it was stopped starts on another one.
        const other = newLeader;
        const { port: taken } = cluster.broker(other);
        await cluster.stopBroker(other);
        const squatter = await listenOn(taken);
        try {
          await cluster.startBroker(other);
        } finally {
          squatter.close();
        }
        expect(cluster.broker(other).port).not.toBe(taken);
        expect(cluster.bootstrapServers).toContain(cluster.broker(other).bootstrap);
      } finally {
        await producer.disconnect();
        await admin.disconnect();
      }
    } finally {
      await cluster.stop();
    }
  }, 120_000);

  it('names how to install etcd when there is none, and leaves nothing behind', async () => {
    const missing = join(tempDir('fjord-no-etcd-'), 'etcd');
    // A temp dir of this test's own, so other test files' clusters running meanwhile do not count.
    const privateTmp = tempDir('fjord-no-etcd-tmp-');
    const tmpBefore = process.env.TMPDIR;
    process.env.TMPDIR = privateTmp;
    try {
      const failure = startCluster({ etcdBinary: missing });
      await expect(failure).rejects.toThrow(/^etcd is not installed \(looked for .*\): install it \(Debian\/Ubuntu: apt-get install etcd-server;/);
      await expect(failure).rejects.not.toThrow(/\n/);
      await expect(failure).rejects.toBeInstanceOf(EtcdNotFoundError);
    } finally {
      if (tmpBefore === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = tmpBefore;
    }
    expect(readdirSync(privateTmp)).toEqual([]);
  });

  it('finds etcd on PATH before the fallbacks, and none where there is none', () => {
    const empty = tempDir('fjord-path-');
    expect(findEtcdBinary(empty, [])).toBeNull();
    expect(findEtcdBinary('', [join(empty, 'etcd')])).toBeNull();
    const bin = tempDir('fjord-path-');
    writeFileSync(join(bin, 'etcd'), '#!/bin/sh\n');
    chmodSync(join(bin, 'etcd'), 0o755);
    expect(findEtcdBinary(`${empty}:${bin}`, ['/usr/bin/etcd'])).toBe(join(bin, 'etcd'));
  });

  it('stops everything: a process that used a cluster ends on its own with its temp dirs gone', async () => {
    const child = spawn(process.execPath, [FIXTURE], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(stderr.replace(KAFKAJS_TIMEOUT_WARNING, '')).toBe('');
    expect(code).toBe(0);
    const lines = stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toHaveLength(3);
    expect((lines[0]!.started as Array<{ nodeId: number }>).map((b) => b.nodeId)).toEqual([1, 2, 3]);
    expect(lines[1]).toEqual({ received: 'order 1' });
    expect(lines[2]).toEqual({ stopped: true, dirsLeft: [] });
  }, 120_000);
});

function listenOn(port: number): Promise<Server> {
  const server = createServer();
  return new Promise((resolve, reject) => server.once('error', reject).listen(port, '127.0.0.1', () => resolve(server)));
}

/** Every message of payments-0 in order, read by a new consumer group from the beginning. */
async function consumeAll(kafka: Kafka, count: number): Promise<string[]> {
  const consumer = kafka.consumer({ groupId: 'audit' });
  const values: string[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic: 'payments', fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => void values.push(message.value!.toString()) });
    await waitUntil(() => values.length >= count, `${count} messages from payments`);
    return values;
  } finally {
    await consumer.disconnect();
  }
}
