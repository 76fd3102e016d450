// Tests of LogSegment behaviour seen through reads and lookups: whole batches only, the first batch even
// beyond maxBytes (unless the read must stay within it), a too-small destination, the high watermark inside a batch, index entries that lie,
// full indexes and file naming. Test-only.
import * as fs from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { decodeRecordBatches } from '../../../src/shared/record-batch-codec.js';
import { ErrorCode, KafkaError } from '../../../src/shared/kafka-error-codes.js';
import { LogSegment, parseSegmentBaseOffset, segmentFileName } from '../../../workers/log/log-segment.js';
import { PartitionLog } from '../../../workers/log/partition-log.js';
import {
  appendOk,
  batchSpec,
  encodeSpec,
  files,
  logConfig,
  readAll,
  readBytes,
  segmentsOnDisk,
  simpleBatch,
  tempPartitionDir,
  withBaseOffset,
} from './log-test-kit.js';

function openLog(overrides: Parameters<typeof logConfig>[0] = {}, soleReplica = true): { log: PartitionLog; dir: string } {
  const dir = tempPartitionDir();
  return { log: PartitionLog.open(files, dir, logConfig(overrides), { nowMs: 1, trustedOnDisk: true, soleReplica }), dir };
}

describe('reads', () => {
  it('return whole batches within maxBytes, but always the first batch', () => {
    const { log } = openLog();
    const sizes = [40, 200, 10, 10].map((bytes, i) => {
      const batch = encodeSpec(batchSpec(`r${i}`, 2, bytes, 1_000));
      appendOk(log, batch);
      return batch.length;
    });
    expect(readBytes(log, 0, 0).length).toBe(sizes[0]);
    expect(readBytes(log, 1, sizes[0]! + sizes[1]! - 1).length).toBe(sizes[0]);
    expect(readBytes(log, 0, sizes[0]! + sizes[1]!).length).toBe(sizes[0]! + sizes[1]!);
    expect(readBytes(log, 2, 1).length).toBe(sizes[1]);
    expect(readBytes(log, 4, 1 << 20).length).toBe(sizes[2]! + sizes[3]!);
    expect(readBytes(log, 8, 1 << 20).length).toBe(0);
    expect(() => readBytes(log, 9, 100)).toThrowError(KafkaError);
    log.close(2);
  });

  it('return minus the size of a first batch that does not fit the destination', () => {
    const { log } = openLog();
    const batch = encodeSpec(batchSpec('big', 3, 500, 1_000));
    appendOk(log, batch);
    const dest = Buffer.alloc(batch.length);
    expect(log.read(0, 100, 'high-watermark', dest, 0, batch.length - 1)).toBe(-batch.length);
    expect(log.read(0, 100, 'high-watermark', dest, 0, 20)).toBe(-batch.length);
    expect(log.read(0, 100, 'high-watermark', dest, 0, batch.length)).toBe(batch.length);
    log.close(2);
  });

  it('within maxBytes: no first batch beyond it (a read that cannot be the first with data), but one that fits maxBytes and not the destination is asked for', () => {
    const { log } = openLog();
    const batch = encodeSpec(batchSpec('big', 3, 500, 1_000));
    appendOk(log, batch);
    const dest = Buffer.alloc(batch.length);
    expect(log.read(0, 100, 'high-watermark', dest, 0, batch.length, false)).toBe(0);
    expect(log.read(0, 100, 'high-watermark', dest, 0, 20, false)).toBe(0);
    expect(log.read(0, batch.length, 'high-watermark', dest, 0, 20, false)).toBe(-batch.length);
    expect(log.read(0, batch.length, 'high-watermark', dest, 0, batch.length - 1, false)).toBe(-batch.length);
    expect(log.read(0, batch.length, 'high-watermark', dest, 0, batch.length, false)).toBe(batch.length);
    log.close(2);
  });

  it('never return a batch that reaches the high watermark (consumers) but do up to the log end (followers)', () => {
    const { log } = openLog({}, false);
    appendOk(log, withBaseOffset(simpleBatch(3), 0), 5, 'replica');
    appendOk(log, withBaseOffset(simpleBatch(3), 3), 5, 'replica');
    expect(log.logEndOffset).toBe(6);
    expect(readBytes(log, 0, 1 << 20).length).toBe(0);
    log.setHighWatermark(4);
    expect(decodeRecordBatches(readBytes(log, 0, 1 << 20)).map((r) => r.offset)).toEqual([0, 1, 2]);
    expect(readBytes(log, 3, 1 << 20).length).toBe(0);
    expect(decodeRecordBatches(readBytes(log, 3, 0, 'log-end')).map((r) => r.offset)).toEqual([3, 4, 5]);
    log.setHighWatermark(6);
    expect(readAll(log).map((r) => r.offset)).toEqual([0, 1, 2, 3, 4, 5]);
    log.close(6);
  });

  it('answer OFFSET_OUT_OF_RANGE below the log start', () => {
    const { log } = openLog();
    appendOk(log, simpleBatch(4));
    log.deleteRecordsBefore(2);
    try {
      readBytes(log, 1, 10);
      expect.unreachable();
    } catch (error) {
      expect((error as KafkaError).code).toBe(ErrorCode.OFFSET_OUT_OF_RANGE);
    }
    expect(decodeRecordBatches(readBytes(log, 2, 10)).map((r) => r.offset)).toEqual([0, 1, 2, 3]);
    log.close(2);
  });
});

describe('index entries that do not match the log', () => {
  /** A clean one-segment log of 30 batches with increasing timestamps; returns it closed, with the batch bases. */
  function closedLog(indexIntervalBytes: number): { dir: string; bases: number[]; config: ReturnType<typeof logConfig> } {
    const config = logConfig({ indexIntervalBytes });
    const { log, dir } = openLog(config);
    const bases = Array.from({ length: 30 }, (_, i) => appendOk(log, encodeSpec(batchSpec(`e${i}`, 1 + (i % 3), 20, 10_000 + i * 10, 1))));
    log.close(2);
    return { dir, bases, config };
  }

  it('an offset index entry pointing into the wrong place costs a scan, not a wrong answer', () => {
    const { dir, bases, config } = closedLog(1);
    const path = join(dir, segmentFileName(0, '.index'));
    const index = fs.readFileSync(path);
    expect(index.length).toBe(30 * 8);
    // Entry 20 keeps its offset but points one byte into batch 19: still increasing, so it passes the load checks.
    index.writeUInt32BE(index.readUInt32BE(19 * 8 + 4) + 1, 20 * 8 + 4);
    fs.writeFileSync(path, index);
    const log = PartitionLog.open(files, dir, config, { nowMs: 3, trustedOnDisk: true });
    for (const base of bases) expect(decodeRecordBatches(readBytes(log, base, 0))[0]!.offset).toBe(base);
    log.close(4);
  });

  it('a time index entry naming the wrong batch costs a scan, not a wrong answer', () => {
    const { dir, bases, config } = closedLog(300);
    const path = join(dir, segmentFileName(0, '.timeindex'));
    const index = fs.readFileSync(path);
    expect(index.length / 12).toBeGreaterThan(7);
    // Entry 5 names entry 6's batch (offsets may repeat): a scan from there would skip the batches between.
    index.writeUInt32BE(index.readUInt32BE(6 * 12 + 8), 5 * 12 + 8);
    fs.writeFileSync(path, index);
    const log = PartitionLog.open(files, dir, config, { nowMs: 3, trustedOnDisk: true });
    bases.forEach((base, i) => {
      const maxTimestamp = 10_000 + i * 10 + (i % 3);
      expect(log.offsetForTimestamp(maxTimestamp)).toBe(base);
      expect(log.offsetForTimestamp(maxTimestamp - 1)).toBe(base);
    });
    log.close(4);
  });
});

describe('truncation', () => {
  it('inside a batch removes that whole batch and keeps the indexes without a rebuild', () => {
    const config = logConfig({ indexIntervalBytes: 1 });
    const { log, dir } = openLog(config);
    for (let i = 0; i < 20; i++) appendOk(log, encodeSpec(batchSpec(`t${i}`, 3, 10, 2_000 + i, 0)));
    const recover = vi.spyOn(LogSegment.prototype, 'recover');
    log.truncateTo(31, 5);
    expect(recover).not.toHaveBeenCalled();
    recover.mockRestore();
    expect(log.logEndOffset).toBe(30);
    expect(log.offsetForTimestamp(2_009)).toBe(27);
    expect(log.offsetForTimestamp(2_010)).toBe(-1);
    expect(appendOk(log, encodeSpec(batchSpec('n', 1, 10, 9_000)))).toBe(30);
    log.close(6);
    const reopened = PartitionLog.open(files, dir, config, { nowMs: 7, trustedOnDisk: true, onRepair: (what) => expect.unreachable(what) });
    for (let offset = 0; offset <= 30; offset++) expect(decodeRecordBatches(readBytes(reopened, offset, 0))[0]!.offset).toBe(offset - (offset % 3));
    expect(reopened.offsetForTimestamp(9_000)).toBe(30);
    reopened.close(8);
  });
});

describe('full indexes', () => {
  it('roll the segment when the time index is full, and lookups stay right', () => {
    // 100 time index entries; one entry per two batches, so batches between entries raise the max.
    const batchBytes = simpleBatch(1).length;
    const config = logConfig({ segmentIndexBytes: 12 * 100, indexIntervalBytes: batchBytes + 1 });
    const { log, dir } = openLog(config);
    for (let i = 0; i < 600; i++) appendOk(log, simpleBatch(1, 1_000 + i));
    expect(log.segmentCount).toBeGreaterThan(2);
    log.close(2);
    for (const segment of segmentsOnDisk(dir)) {
      const timeIndexBytes = fs.statSync(segment.path.replace(/\.log$/, '.timeindex')).size;
      expect(timeIndexBytes).toBeLessThanOrEqual(12 * 100);
    }
    const reopened = PartitionLog.open(files, dir, config, { nowMs: 3, trustedOnDisk: true });
    for (let i = 0; i < 600; i += 7) expect(reopened.offsetForTimestamp(1_000 + i)).toBe(i);
    reopened.close(4);
  });

  it('recover a segment written with a larger segment.index.bytes', () => {
    const { log, dir } = openLog({ indexIntervalBytes: 0 });
    for (let i = 0; i < 300; i++) appendOk(log, simpleBatch(1, 1_000 + i));
    log.abandon();
    const smaller = logConfig({ indexIntervalBytes: 0, segmentIndexBytes: 120 });
    const recovered = PartitionLog.open(files, dir, smaller, { nowMs: 3, trustedOnDisk: false });
    expect(recovered.logEndOffset).toBe(300);
    expect(readAll(recovered).length).toBe(300);
    appendOk(recovered, simpleBatch(1, 5_000));
    expect(recovered.segmentCount).toBe(2);
    recovered.close(4);
  });
});

describe('segment file names', () => {
  it('are the base offset in 20 digits', () => {
    expect(segmentFileName(42, '.log')).toBe('00000000000000000042.log');
    expect(parseSegmentBaseOffset('00000000000000000042.log')).toBe(42);
    expect(parseSegmentBaseOffset('00000000000000000042.index')).toBe(-1);
    expect(parseSegmentBaseOffset('42.log')).toBe(-1);
    expect(parseSegmentBaseOffset('partition.checkpoint')).toBe(-1);
  });
});
