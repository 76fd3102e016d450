// Tests of BatchWalker: header-only and whole-batch walks, stopping, torn and malformed tails, batches
// larger than the walker's scratch buffer, and copies handed out in rounds to a visitor that awaits. Test-only.
import * as fs from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { baseOffsetAt, BatchField, computeBatchCrc, storedBatchCrc } from '../../src/shared/record-batch.js';
import { AppendInfo, stampBatches } from '../../workers/log/batch-validator.js';
import { BatchWalker, Visit } from '../../src/shared/batch-walker.js';
import { batchSpec, encodeSpec, files, tempRoot } from '../workers/log/log-test-kit.js';

/** Writes stamped batches of the given value sizes to a file; returns the path, the batch sizes and the fd. */
function segmentFile(valueSizes: number[]): { path: string; sizes: number[]; fd: number } {
  const batches = valueSizes.map((bytes, i) => encodeSpec(batchSpec(`s${i}`, 1, bytes, 1_000 + i)));
  const all = Buffer.concat(batches);
  stampBatches(all, 0, all.length, 0, 0, -1, new AppendInfo());
  const path = join(tempRoot(), 'segment.log');
  fs.writeFileSync(path, all);
  return { path, sizes: batches.map((b) => b.length), fd: files.openReadWrite(path, false) };
}

function visitAll(walker: BatchWalker, fd: number, end: number, wholeBatches: boolean): Array<[position: number, bytes: number, base: number]> {
  const seen: Array<[number, number, number]> = [];
  walker.walk(fd, 0, end, wholeBatches, (buf, at, position, batchBytes) => {
    seen.push([position, batchBytes, baseOffsetAt(buf, at)]);
    if (wholeBatches) expect(computeBatchCrc(buf, at, batchBytes)).toBe(storedBatchCrc(buf, at));
    return Visit.CONTINUE;
  });
  return seen;
}

function expectedVisits(sizes: number[]): Array<[number, number, number]> {
  let position = 0;
  return sizes.map((size, i) => {
    const visit: [number, number, number] = [position, size, i];
    position += size;
    return visit;
  });
}

describe('BatchWalker', () => {
  it('visits every batch header, and whole batches, across many chunk refills', () => {
    const { sizes, fd } = segmentFile(Array.from({ length: 50 }, (_, i) => (i * 53) % 300));
    const end = sizes.reduce((a, b) => a + b, 0);
    for (const scratch of [64, 100, 333, 4096, 1 << 20]) {
      const walker = new BatchWalker(files, scratch);
      expect(visitAll(walker, fd, end, false)).toEqual(expectedVisits(sizes));
      expect(walker.lastEnd).toBe('end');
      expect(visitAll(walker, fd, end, true)).toEqual(expectedVisits(sizes));
      expect(walker.lastEnd).toBe('end');
    }
    files.close(fd);
  });

  it('walks whole batches larger than its scratch buffer, first or not', () => {
    const { sizes, fd } = segmentFile([5_000, 10, 9_000, 20]);
    const end = sizes.reduce((a, b) => a + b, 0);
    const walker = new BatchWalker(files, 1_024);
    expect(visitAll(walker, fd, end, true)).toEqual(expectedVisits(sizes));
    expect(walker.lastEnd).toBe('end');
    expect(visitAll(walker, fd, end, false)).toEqual(expectedVisits(sizes));
    files.close(fd);
  });

  it('stops where the visitor says and reports the batch position', () => {
    const { sizes, fd } = segmentFile([10, 20, 30, 40]);
    const walker = new BatchWalker(files, 128);
    const position = walker.walk(
      fd,
      0,
      sizes.reduce((a, b) => a + b, 0),
      false,
      (buf, at) => (baseOffsetAt(buf, at) === 2 ? Visit.STOP : Visit.CONTINUE),
    );
    expect(walker.lastEnd).toBe('stopped');
    expect(position).toBe(sizes[0]! + sizes[1]!);
    files.close(fd);
  });

  it('ends "torn" at a batch cut short or with an impossible length', () => {
    const { path, sizes, fd } = segmentFile([10, 20, 30]);
    const whole = sizes.reduce((a, b) => a + b, 0);
    const walker = new BatchWalker(files, 4_096);
    for (const cut of [whole - 1, sizes[0]! + 5, sizes[0]! + sizes[1]! + 61]) {
      expect(walker.walk(fd, 0, cut, true, () => Visit.CONTINUE)).toBe(cut >= sizes[0]! + sizes[1]! ? sizes[0]! + sizes[1]! : sizes[0]!);
      expect(walker.lastEnd).toBe('torn');
    }
    // The file is shorter than the range the caller asked for.
    fs.truncateSync(path, whole - 7);
    expect(walker.walk(fd, 0, whole, true, () => Visit.CONTINUE)).toBe(sizes[0]! + sizes[1]!);
    expect(walker.lastEnd).toBe('torn');
    // A batchLength below the header size.
    const bad = Buffer.alloc(4);
    bad.writeInt32BE(10);
    fs.writeSync(fd, bad, 0, 4, sizes[0]! + BatchField.BATCH_LENGTH);
    expect(walker.walk(fd, 0, whole - 7, false, () => Visit.CONTINUE)).toBe(sizes[0]!);
    expect(walker.lastEnd).toBe('torn');
    files.close(fd);
  });

  it('hands each whole batch to an awaiting visitor as its own copy, across rounds, up to a torn tail', async () => {
    // Three batches of 3.5 MiB make two rounds of copies (8 MiB a round).
    const { path, sizes, fd } = segmentFile([3_500_000, 10, 3_500_000, 3_500_000, 20]);
    const whole = sizes.reduce((a, b) => a + b, 0);
    const walker = new BatchWalker(files, 4_096);
    const seen: number[] = [];
    const end = await walker.forEachBatchCopy(fd, 0, whole, async (batch) => {
      await new Promise((resolve) => setImmediate(resolve));
      expect(computeBatchCrc(batch, 0, batch.length)).toBe(storedBatchCrc(batch, 0));
      seen.push(baseOffsetAt(batch, 0));
    });
    expect([end, walker.lastEnd, seen]).toEqual([whole, 'end', [0, 1, 2, 3, 4]]);
    // Stopped by the visitor: where that batch starts.
    seen.length = 0;
    const stoppedAt = await walker.forEachBatchCopy(fd, 0, whole, (batch) =>
      baseOffsetAt(batch, 0) === 3 ? Visit.STOP : void seen.push(baseOffsetAt(batch, 0)),
    );
    expect([stoppedAt, walker.lastEnd, seen]).toEqual([sizes[0]! + sizes[1]! + sizes[2]!, 'stopped', [0, 1, 2]]);
    // A torn last batch: every batch before it, then its position.
    fs.truncateSync(path, whole - 5);
    seen.length = 0;
    const tornAt = await walker.forEachBatchCopy(fd, 0, whole - 5, (batch) => void seen.push(baseOffsetAt(batch, 0)));
    expect([tornAt, walker.lastEnd, seen]).toEqual([whole - sizes[4]!, 'torn', [0, 1, 2, 3]]);
    files.close(fd);
  });
});
