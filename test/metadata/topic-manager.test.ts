// Topic changes against a broker whose metadata disk fills up (the metadata file's writer fails with ENOSPC):
// each change is written first, so a failed write leaves topics, partitions and data exactly as they were, and
// what a restart finds agrees with what clients were told. Deletes interrupted after their metadata write
// (a crash, an offline dir) are finished at the next start, never undone by adopting the data.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type BrokerHandle, launchBroker, type LaunchBrokerOptions } from '../../src/broker.js';
import { METADATA_FILE, StandaloneMetadata } from '../../src/metadata/standalone-metadata.js';
import { ErrorCode } from '../../src/shared/kafka-error-codes.js';
import { buildRecordBatch, decodeRecordBatches } from '../../src/shared/record-batch-codec.js';
import { captureLogger } from '../helpers/capture-logger.js';
import { FullDiskWriter } from '../helpers/full-disk-writer.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitUntil } from '../helpers/wait-until.js';

const running = new Set<BrokerHandle>();
afterEach(async () => {
  for (const broker of running) await broker.stop();
  running.clear();
});

async function start(logDirs: string[], disk: FullDiskWriter, options: Partial<LaunchBrokerOptions> = {}) {
  const { logger, lines } = captureLogger();
  const config = { 'log.dirs': logDirs.join(','), listeners: 'PLAINTEXT://127.0.0.1:0', 'fjord.http.listener': '', 'fjord.workers': '2' };
  const broker = await launchBroker({ config, logger, metadataFileWriter: disk.write, ...options });
  running.add(broker);
  return { broker, lines };
}

async function stop(broker: BrokerHandle): Promise<void> {
  running.delete(broker);
  await broker.stop();
}

async function append(broker: BrokerHandle, topic: string, partition: number, ...keys: string[]): Promise<void> {
  const outcome = await broker.engine.append(topic, partition, buildRecordBatch(keys.map((key) => ({ key: Buffer.from(key), value: Buffer.from('v') }))));
  expect(outcome.errorCode).toBe(ErrorCode.NONE);
}

async function keysOf(broker: BrokerHandle, topic: string, partition: number): Promise<string[]> {
  const fetched = await broker.engine.fetch(topic, partition, 0, 1 << 20);
  expect(fetched.errorCode).toBe(ErrorCode.NONE);
  return decodeRecordBatches(fetched.records).map((r) => r.key!.toString());
}

function pendingDeletesIn(dir: string): Record<string, unknown> {
  return (JSON.parse(readFileSync(join(dir, METADATA_FILE), 'utf8')) as { pendingDeletes: Record<string, unknown> }).pendingDeletes;
}

const STORAGE_ERROR = { code: ErrorCode.KAFKA_STORAGE_ERROR };
const metadataWriteFailed = (change: string) => expect.objectContaining({ msg: 'metadata write failed; nothing was changed', change });

describe('TopicManager with the metadata disk full', () => {
  it('a create that cannot be written leaves no trace, succeeds once space is freed, and a restart agrees', async () => {
    const dir = tempDir();
    const disk = new FullDiskWriter();
    const { broker, lines } = await start([dir], disk);
    disk.fillAfter(0);
    for (const name of ['orders', 'never']) {
      const refused = broker.topics.createTopic(name, 3);
      await expect(refused).rejects.toMatchObject(STORAGE_ERROR);
      await expect(refused).rejects.toThrow(/could not be written \(ENOSPC/);
      expect(broker.topics.topic(name)).toBeUndefined();
      expect(broker.engine.partitions().filter((p) => p.topic === name)).toEqual([]);
      expect(existsSync(join(dir, `${name}-0`))).toBe(false);
    }
    expect(lines).toContainEqual(metadataWriteFailed('create topic orders'));

    disk.free();
    const created = await broker.topics.createTopic('orders', 3);
    expect(broker.engine.partitions().filter((p) => p.topic === 'orders').length).toBe(3);
    await append(broker, 'orders', 2, 'a');
    await stop(broker);

    const again = await start([dir], disk);
    expect(again.broker.topics.topicNames()).toEqual(['orders']);
    expect(again.broker.topics.topic('orders')).toEqual(created);
    expect(await keysOf(again.broker, 'orders', 2)).toEqual(['a']);
  });

  it('a delete that cannot be written leaves the topic whole and readable, and a restart agrees', async () => {
    const dir = tempDir();
    const disk = new FullDiskWriter();
    const { broker } = await start([dir], disk);
    const record = await broker.topics.createTopic('kept', 2);
    for (const p of [0, 1]) await append(broker, 'kept', p, `k${p}`);
    disk.fillAfter(0);
    await expect(broker.topics.deleteTopic('kept')).rejects.toMatchObject(STORAGE_ERROR);
    expect(broker.topics.topic('kept')).toEqual(record);
    for (const p of [0, 1]) expect(await keysOf(broker, 'kept', p)).toEqual([`k${p}`]);
    await append(broker, 'kept', 0, 'after');
    await stop(broker);

    disk.free();
    const restarted = (await start([dir], disk)).broker;
    expect(restarted.topics.topic('kept')).toEqual(record);
    expect(await keysOf(restarted, 'kept', 0)).toEqual(['k0', 'after']);
    await restarted.topics.deleteTopic('kept');
    expect(pendingDeletesIn(dir)).toEqual({});
    await stop(restarted);

    const afterDelete = (await start([dir], disk)).broker;
    expect(afterDelete.topics.topicNames()).toEqual([]);
    expect(afterDelete.engine.partitions()).toEqual([]);
    expect(existsSync(join(dir, 'kept-0'))).toBe(false);
  });

  it('a partition increase or a config change that cannot be written changes nothing, live or after a restart', async () => {
    const dir = tempDir();
    const disk = new FullDiskWriter();
    const { broker, lines } = await start([dir], disk);
    const record = await broker.topics.createTopic('grow', 1, { 'retention.ms': '60000' });
    disk.fillAfter(0);
    await expect(broker.topics.createPartitions('grow', 4)).rejects.toMatchObject(STORAGE_ERROR);
    await expect(broker.topics.setConfigs('grow', { 'retention.ms': '1000' })).rejects.toMatchObject(STORAGE_ERROR);
    expect(broker.topics.topic('grow')).toEqual(record);
    expect(broker.topics.configOf('grow').retentionMs).toBe(60_000);
    expect(broker.engine.partitions().map((p) => p.partition)).toEqual([0]);
    expect(existsSync(join(dir, 'grow-1'))).toBe(false);
    expect(lines).toContainEqual(metadataWriteFailed('raise the partition count of grow to 4'));
    expect(lines).toContainEqual(metadataWriteFailed('change the configs of grow'));
    await stop(broker);

    disk.free();
    const restarted = (await start([dir], disk)).broker;
    expect(restarted.topics.topic('grow')).toEqual(record);
    expect(restarted.engine.partitions().map((p) => p.partition)).toEqual([0]);
    await restarted.topics.createPartitions('grow', 4);
    expect(
      restarted.engine
        .partitions()
        .map((p) => p.partition)
        .sort(),
    ).toEqual([0, 1, 2, 3]);
  });

  it('a delete whose end cannot be written is still a delete: the name can be created again once there is room', async () => {
    const dir = tempDir();
    const disk = new FullDiskWriter();
    const { broker, lines } = await start([dir], disk);
    await broker.topics.createTopic('again', 2);
    await append(broker, 'again', 0, 'old');
    disk.fillAfter(1); // the delete's write lands; the write ending its pending delete does not
    await broker.topics.deleteTopic('again');
    expect(broker.topics.topic('again')).toBeUndefined();
    expect(existsSync(join(dir, 'again-0'))).toBe(false);
    expect(Object.keys(pendingDeletesIn(dir))).toEqual(['again']);
    expect(lines).toContainEqual(metadataWriteFailed('end the delete of topic again'));

    await expect(broker.topics.createTopic('again', 1)).rejects.toMatchObject(STORAGE_ERROR);
    disk.free();
    await broker.topics.createTopic('again', 1);
    expect(pendingDeletesIn(dir)).toEqual({});
    expect(await keysOf(broker, 'again', 0)).toEqual([]);
    await stop(broker);

    const restarted = (await start([dir], disk)).broker;
    expect(restarted.topics.topic('again')!.partitions).toBe(1);
    expect(await keysOf(restarted, 'again', 0)).toEqual([]);
  });
});

describe('TopicManager finishing deletes at start-up', () => {
  it('deletes, rather than adopts, the partitions of a topic whose delete was written but not carried out', async () => {
    const dir = tempDir();
    const disk = new FullDiskWriter();
    const { broker } = await start([dir], disk);
    await broker.topics.createTopic('doomed', 2);
    await append(broker, 'doomed', 1, 'x');
    await stop(broker);
    // What a crash right after the delete's metadata write leaves: the file says deleted, the data is all there.
    await StandaloneMetadata.open(dir).deleteTopic('doomed');

    const { broker: restarted, lines } = await start([dir], disk);
    expect(restarted.topics.topicNames()).toEqual([]);
    expect(restarted.engine.partitions()).toEqual([]);
    expect(existsSync(join(dir, 'doomed-1'))).toBe(false);
    expect(pendingDeletesIn(dir)).toEqual({});
    expect(lines).toContainEqual(expect.objectContaining({ msg: 'removed the partitions of a deleted topic left on disk', topic: 'doomed', partitions: 2 }));
    expect(lines.some((l) => String(l.msg).startsWith('adopted a topic'))).toBe(false);
  });

  it('keeps the delete pending while a log dir holding its partitions is offline, and finishes it when the dir is back', async () => {
    const [first, second] = [tempDir(), tempDir()];
    const disk = new FullDiskWriter();
    const { broker } = await start([first, second], disk, { faultInjection: true });
    await broker.topics.createTopic('spread', 2);
    expect(broker.engine.partitions().find((p) => p.partition === 1)!.logDir).toBe(second);
    await broker.engine.injectFault(second, 'EIO');
    expect((await broker.engine.append('spread', 1, buildRecordBatch([{ key: null, value: Buffer.from('v') }]))).errorCode).toBe(ErrorCode.KAFKA_STORAGE_ERROR);
    await waitUntil(() => broker.engine.offlineLogDirs().includes(second), 'the second dir offline');

    await broker.topics.deleteTopic('spread');
    expect(broker.topics.topic('spread')).toBeUndefined();
    expect(existsSync(join(first, 'spread-0'))).toBe(false);
    expect(existsSync(join(second, 'spread-1'))).toBe(true);
    expect(Object.keys(pendingDeletesIn(first))).toEqual(['spread']);
    await expect(broker.topics.createTopic('spread', 1)).rejects.toThrow(/spread was deleted but not all of its partitions are gone from disk/);
    await stop(broker);

    const { broker: restarted, lines } = await start([first, second], disk);
    expect(restarted.engine.offlineLogDirs()).toEqual([]);
    expect(existsSync(join(second, 'spread-1'))).toBe(false);
    expect(pendingDeletesIn(first)).toEqual({});
    expect(lines).toContainEqual(expect.objectContaining({ msg: 'removed the partitions of a deleted topic left on disk', topic: 'spread', partitions: 1 }));
    await restarted.topics.createTopic('spread', 1);
    expect(await keysOf(restarted, 'spread', 0)).toEqual([]);
  });
});
