import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { NodeFileAccess } from '../../../workers/io/file-access.js';
import { PartitionLog } from '../../../workers/log/partition-log.js';
import { buildRecordBatch, decodeRecordBatches } from '../../../src/client/record-batch-codec.js';
import { DEFAULT_LOG_CONFIG } from '../../../src/shared/topic-config.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function tempPartitionDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'fjord-log-'));
  dirs.push(dir);
  return join(dir, 'orders-0');
}

describe('PartitionLog smoke', () => {
  it('appends, reads back, rolls and reopens', () => {
    const dir = tempPartitionDir();
    const files = new NodeFileAccess();
    const config = { ...DEFAULT_LOG_CONFIG, segmentBytes: 1000, indexIntervalBytes: 100 };
    const log = PartitionLog.open(files, dir, config, { nowMs: 1000, trustedOnDisk: true });
    for (let i = 0; i < 50; i++) {
      const batch = buildRecordBatch([{ key: Buffer.from(`k${i}`), value: Buffer.from(`v${i}`.repeat(10)) }, { key: null, value: Buffer.from('x') }], { baseTimestamp: 1000 + i });
      expect(log.append(batch, 0, batch.length, 'client', 2000)).toBe(0);
      expect(log.lastAppend.firstOffset).toBe(i * 2);
    }
    expect(log.logEndOffset).toBe(100);
    expect(log.segmentCount).toBeGreaterThan(3);
    const dest = Buffer.alloc(1 << 20);
    const n = log.read(37, 500, 'high-watermark', dest, 0, dest.length);
    const records = decodeRecordBatches(dest.subarray(0, n));
    expect(records[0]!.offset).toBe(36);
    expect(records.find((r) => r.offset === 37)!.value!.toString()).toBe('x');
    expect(log.offsetForTimestamp(1020)).toBe(40);
    log.close(3000);
    const reopened = PartitionLog.open(files, dir, config, { nowMs: 4000, trustedOnDisk: true });
    expect(reopened.logEndOffset).toBe(100);
    expect(reopened.offsetForTimestamp(1020)).toBe(40);
    const m = reopened.read(99, 10, 'high-watermark', dest, 0, dest.length);
    expect(decodeRecordBatches(dest.subarray(0, m)).map((r) => r.offset)).toEqual([98, 99]);
    reopened.close(5000);
    const recovered = PartitionLog.open(files, dir, config, { nowMs: 4000, trustedOnDisk: false });
    expect(recovered.logEndOffset).toBe(100);
    recovered.close(5000);
  });
});
