// Where moved partitions live, in the standalone metadata file: written first (a failed write changes nothing),
// read back after a reopen, keyed by topic id so a topic created again under the same name starts without them,
// and gone with the topic's delete; files written before placements existed still load.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { METADATA_FILE, StandaloneMetadata } from '../../src/metadata/standalone-metadata.js';
import { ErrorCode } from '../../src/shared/kafka-error-codes.js';
import { FullDiskWriter } from '../helpers/full-disk-writer.js';
import { tempDir } from '../helpers/temp-dir.js';

const first = { topicId: 'AAAAAAAAAAAAAAAAAAAAAQ', partitions: 2, configs: {} };
const second = { topicId: 'AAAAAAAAAAAAAAAAAAAAAg', partitions: 2, configs: {} };

describe('log dir placements in the metadata file', () => {
  it('are written first, read back after a reopen, and leave with the topic', async () => {
    const dir = tempDir();
    const disk = new FullDiskWriter();
    const metadata = StandaloneMetadata.open(dir, disk.write);
    await metadata.putTopic('t', first);
    expect(metadata.logDirOf(first.topicId, 1)).toBeUndefined();
    disk.fillAfter(0);
    await expect(metadata.putLogDir(first.topicId, 1, '/disk2')).rejects.toMatchObject({ code: ErrorCode.KAFKA_STORAGE_ERROR });
    expect(metadata.logDirOf(first.topicId, 1)).toBeUndefined();
    disk.free();
    await metadata.putLogDir(first.topicId, 1, '/disk2');
    expect(StandaloneMetadata.open(dir).logDirOf(first.topicId, 1)).toBe('/disk2');
    expect(StandaloneMetadata.open(dir).logDirOf(first.topicId, 0)).toBeUndefined();
    await metadata.deleteTopic('t');
    await metadata.putTopic('t', second);
    expect(metadata.logDirOf(first.topicId, 1)).toBeUndefined();
    expect(metadata.logDirOf(second.topicId, 1)).toBeUndefined();
    expect(JSON.parse(readFileSync(join(dir, METADATA_FILE), 'utf8')).logDirs).toEqual({});
  });

  it('a file without placements loads as none moved', () => {
    const dir = tempDir();
    writeFileSync(join(dir, METADATA_FILE), JSON.stringify({ version: 1, clusterId: 'c'.repeat(22), topics: { t: first } }));
    expect(StandaloneMetadata.open(dir).logDirOf(first.topicId, 0)).toBeUndefined();
  });
});
