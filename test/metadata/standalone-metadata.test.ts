// The standalone metadata file: every change is written first and applied only once written, deletes leave a
// pending-delete record, and files written before pending deletes existed still load.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { METADATA_FILE, StandaloneMetadata } from '../../src/metadata/standalone-metadata.js';
import { ErrorCode } from '../../src/shared/kafka-error-codes.js';
import { FullDiskWriter } from '../helpers/full-disk-writer.js';
import { tempDir } from '../helpers/temp-dir.js';

const fileOf = (dir: string) => JSON.parse(readFileSync(join(dir, METADATA_FILE), 'utf8')) as Record<string, unknown>;
const record = { topicId: 'AAAAAAAAAAAAAAAAAAAAAQ', partitions: 2, configs: { 'retention.ms': '1000' } };

describe('StandaloneMetadata', () => {
  it('leaves memory and file as they were when a write fails, and takes the same change once there is room', async () => {
    const dir = tempDir();
    const disk = new FullDiskWriter();
    const metadata = StandaloneMetadata.open(dir, disk.write);
    await metadata.putTopic('kept', record);
    const before = readFileSync(join(dir, METADATA_FILE), 'utf8');

    disk.fillAfter(0);
    const changes = [() => metadata.putTopic('new', record), () => metadata.putTopic('kept', { ...record, partitions: 5 }), () => metadata.deleteTopic('kept')];
    for (const change of changes) {
      const failed = change();
      await expect(failed).rejects.toMatchObject({ code: ErrorCode.KAFKA_STORAGE_ERROR });
      await expect(failed).rejects.toThrow(/metadata file .* could not be written \(ENOSPC: no space left on device.*\); nothing was changed/);
    }
    expect(disk.refused).toBe(3);
    expect(metadata.topicNames()).toEqual(['kept']);
    expect(metadata.topic('kept')).toEqual(record);
    expect(metadata.pendingDeleteNames()).toEqual([]);
    expect(readFileSync(join(dir, METADATA_FILE), 'utf8')).toBe(before);

    disk.free();
    await metadata.putTopic('new', record);
    expect(StandaloneMetadata.open(dir).topicNames()).toEqual(['kept', 'new']);
  });

  it('records a delete as pending in the same write that removes the topic; a create of the name ends it', async () => {
    const dir = tempDir();
    const metadata = StandaloneMetadata.open(dir);
    await metadata.putTopic('gone', record);
    await metadata.deleteTopic('gone');
    expect(metadata.topic('gone')).toBeUndefined();
    expect(fileOf(dir)).toMatchObject({ topics: {}, pendingDeletes: { gone: { topicId: record.topicId, partitions: 2 } } });
    expect(StandaloneMetadata.open(dir).pendingDelete('gone')).toEqual({ topicId: record.topicId, partitions: 2 });

    await metadata.completeDelete('gone');
    expect(fileOf(dir)).toMatchObject({ pendingDeletes: {} });

    await metadata.putTopic('again', record);
    await metadata.deleteTopic('again');
    await metadata.putTopic('again', { ...record, topicId: 'AAAAAAAAAAAAAAAAAAAAAg' });
    expect(metadata.pendingDelete('again')).toBeUndefined();
    expect(fileOf(dir)).toMatchObject({ topics: { again: { topicId: 'AAAAAAAAAAAAAAAAAAAAAg' } }, pendingDeletes: {} });
  });

  it('loads a file written before pending deletes existed', () => {
    const dir = tempDir();
    writeFileSync(join(dir, METADATA_FILE), JSON.stringify({ version: 1, clusterId: 'c'.repeat(22), topics: { old: record } }));
    const metadata = StandaloneMetadata.open(dir);
    expect(metadata.topic('old')).toEqual(record);
    expect(metadata.pendingDeleteNames()).toEqual([]);
  });
});
