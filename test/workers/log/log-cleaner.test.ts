// The log cleaner on real temp folders, without piscina: PartitionLog.planCleaning → cleanSegments →
// applyCleaning. Last record per key with offsets unchanged, the active segment untouched, tombstones and
// delete.retention.ms, min.compaction.lag.ms, the dirty ratio, every codec, producer state, merging, the key
// map budget, discarded results, retention under each cleanup.policy, and null keys at produce.
import * as fs from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../src/shared/kafka-error-codes.js';
import { Attribute, BATCH_HEADER_BYTES, BatchField, writeInt64 } from '../../../src/shared/record-batch.js';
import { buildRecordBatch } from '../../../src/shared/record-batch-codec.js';
import { isXerialFramed } from '../../../src/shared/compression/snappy.js';
import type { LogConfig } from '../../../src/shared/topic-config.js';
import { PartitionLog } from '../../../workers/log/partition-log.js';
import { cleanSegments } from '../../../workers/log/segment-cleaner.js';
import { files, logConfig, resign, segmentsOnDisk, tempPartitionDir } from './log-test-kit.js';
import { appendBatch, CODEC_IDS, type CodecName, compactNow, keyedBatch, type KeyedRecord, readRecords, storedBatches, triples } from './cleaner-test-kit.js';

const NOW = 1_000_000;

function compactedConfig(overrides: Partial<LogConfig> = {}): LogConfig {
  return logConfig({ segmentBytes: 400, cleanupPolicy: 'compact', deleteRetentionMs: 10_000, minCleanableDirtyRatio: 0, ...overrides });
}

function openLog(config: LogConfig, dir = tempPartitionDir(), trustedOnDisk = true): PartitionLog {
  return PartitionLog.open(files, dir, config, { nowMs: NOW, trustedOnDisk });
}

/** Appends each batch of records; returns every record with its offset, in order. */
async function produce(log: PartitionLog, batches: readonly KeyedRecord[][], codec: CodecName = 'none'): Promise<Array<KeyedRecord & { offset: number }>> {
  const written: Array<KeyedRecord & { offset: number }> = [];
  for (const records of batches) {
    const first = await appendBatch(log, await keyedBatch(records, codec), NOW);
    records.forEach((r, i) => {
      written.push({ ...r, offset: first + i });
    });
  }
  return written;
}

/** What compaction must leave: in sealed segments the last record of each key (among sealed ones) and every keyless one; the rest as is. */
function expectedAfterCompaction(
  written: ReadonlyArray<KeyedRecord & { offset: number }>,
  activeBase: number,
  tombstoneHorizonMs: number,
): Array<[number, string | null, string | null]> {
  const lastSealed = new Map<string, number>();
  for (const r of written) if (r.offset < activeBase && r.key !== null) lastSealed.set(r.key, r.offset);
  return written
    .filter(
      (r) =>
        r.offset >= activeBase || r.key === null || (lastSealed.get(r.key) === r.offset && (r.value !== null || (r.timestamp ?? 1_000) >= tombstoneHorizonMs)),
    )
    .map((r) => [r.offset, r.key, r.value]);
}

function rounds(count: number, keys: number, prefix = 'v'): KeyedRecord[][] {
  return Array.from({ length: count }, (_, round) =>
    Array.from({ length: keys }, (_, k) => ({ key: `k${k}`, value: `${prefix}${round}-${k}`, timestamp: NOW - 1_000 })),
  );
}

describe('log cleaner', () => {
  it('keeps the last record per key in sealed segments, offsets unchanged, the active segment untouched', async () => {
    const log = openLog(compactedConfig({ segmentBytes: 250 }));
    const written = await produce(log, [...rounds(8, 4), [{ key: 'tail', value: 'x', timestamp: NOW }]]);
    const activeBase = log.activeSegment.baseOffset;
    expect(log.segmentCount).toBeGreaterThan(3);
    const activeBytes = fs.readFileSync(log.activeSegment.pathOf('.log'));
    expect(await compactNow(log, NOW)).toBeGreaterThan(0);
    expect(triples(await readRecords(log))).toEqual(expectedAfterCompaction(written, activeBase, NOW - 10_000));
    expect(fs.readFileSync(log.activeSegment.pathOf('.log')).equals(activeBytes)).toBe(true);
    expect(log.activeSegment.baseOffset).toBe(activeBase);
    // The first group keeps its base offset even when every record in it was superseded: the log start stays.
    expect([log.logStartOffset, log.logEndOffset, segmentsOnDisk(log.dir)[0]!.baseOffset]).toEqual([0, written.length, 0]);
    // Nothing new is dirty: no second job.
    expect(log.planCleaning(NOW)).toBeNull();
    log.close(NOW);
  });

  it('reads the same after a clean reopen and after an unclean one', async () => {
    const dir = tempPartitionDir();
    let log = openLog(compactedConfig(), dir);
    await produce(log, [...rounds(6, 3), [{ key: 'tail', value: 'x' }]]);
    await compactNow(log, NOW);
    const expected = triples(await readRecords(log));
    log.close(NOW);
    log = openLog(compactedConfig(), dir, true);
    expect(triples(await readRecords(log))).toEqual(expected);
    expect(log.planCleaning(NOW)).toBeNull();
    log.abandon();
    log = openLog(compactedConfig(), dir, false);
    expect(triples(await readRecords(log))).toEqual(expected);
    // Lookups through the rebuilt and the cleaner-written indexes.
    for (const [offset] of expected) expect(triples(await readRecords(log)).find(([o]) => o >= offset)?.[0]).toBe(offset);
    log.close(NOW);
  });

  it('keeps a tombstone until it is older than delete.retention.ms, then drops it', async () => {
    const log = openLog(compactedConfig({ deleteRetentionMs: 5_000 }));
    await produce(log, [
      [
        { key: 'a', value: 'a1', timestamp: NOW },
        { key: 'b', value: 'b1', timestamp: NOW },
      ],
      [{ key: 'a', value: null, timestamp: NOW }],
      ...rounds(3, 2, 'pad'),
      [{ key: 'c', value: 'c1', timestamp: NOW }],
    ]);
    await compactNow(log, NOW + 1_000);
    let byKey = new Map(triples(await readRecords(log)).map(([, k, v]) => [k, v]));
    expect(byKey.has('a')).toBe(true);
    expect(byKey.get('a')).toBeNull();
    expect((await readRecords(log)).filter((r) => r.key?.toString() === 'a')).toHaveLength(1);
    // New dirty data makes the next cleaning happen; by then the tombstone has expired.
    await produce(log, rounds(4, 2, 'more'));
    await compactNow(log, NOW + 6_000);
    byKey = new Map(triples(await readRecords(log)).map(([, k, v]) => [k, v]));
    expect(byKey.has('a')).toBe(false);
    log.close(NOW);
  });

  it('leaves segments newer than min.compaction.lag.ms alone', async () => {
    const log = openLog(compactedConfig({ minCompactionLagMs: 60_000 }));
    await produce(log, [...rounds(6, 3).map((batch) => batch.map((r) => ({ ...r, timestamp: NOW }))), [{ key: 'tail', value: 'x', timestamp: NOW }]]);
    expect(log.planCleaning(NOW + 30_000)).toBeNull();
    expect(await compactNow(log, NOW + 61_000)).toBeGreaterThan(0);
    log.close(NOW);
  });

  it('cleans only when the dirty share reaches min.cleanable.dirty.ratio', async () => {
    const log = openLog(compactedConfig({ minCleanableDirtyRatio: 0.5 }));
    await produce(log, [...rounds(12, 3), [{ key: 'tail', value: 'x' }]]);
    expect(await compactNow(log, NOW)).toBeGreaterThan(0);
    const cleanBytes = log.sizeBytes;
    // A little new data is not enough...
    await produce(log, rounds(1, 3, 'w'));
    await produce(log, [[{ key: 'tail2', value: 'x' }]]);
    const plan = log.planCleaning(NOW);
    const dirty = plan === null ? 0 : plan.job.segments.filter((s) => s.endOffset > plan.job.firstDirtyOffset).reduce((sum, s) => sum + s.sizeBytes, 0);
    if (plan !== null) expect(dirty / plan.job.segments.reduce((sum, s) => sum + s.sizeBytes, 0)).toBeGreaterThanOrEqual(0.5);
    // ...as much again is.
    await produce(log, rounds(Math.ceil(cleanBytes / 60), 3, 'z'));
    expect(log.planCleaning(NOW)).not.toBeNull();
    log.close(NOW);
  });

  for (const codec of ['gzip', 'snappy', 'snappy-raw', 'lz4', 'zstd'] as const) {
    it(`rewrites ${codec} batches with the same codec`, async () => {
      const log = openLog(compactedConfig({ segmentBytes: 700 }));
      const written = await produce(log, [...rounds(8, 6), [{ key: 'tail', value: 'x' }]], codec);
      const activeBase = log.activeSegment.baseOffset;
      await compactNow(log, NOW);
      expect(triples(await readRecords(log))).toEqual(expectedAfterCompaction(written, activeBase, NOW - 10_000));
      const batches = storedBatches(log);
      for (const batch of batches) {
        expect(batch.readInt16BE(BatchField.ATTRIBUTES) & Attribute.COMPRESSION_MASK).toBe(CODEC_IDS[codec]);
        if (codec.startsWith('snappy')) expect(isXerialFramed(batch.subarray(BATCH_HEADER_BYTES))).toBe(codec === 'snappy');
      }
      // The stored CRCs are right: a validating reopen keeps every batch.
      log.abandon();
      const reopened = openLog(compactedConfig({ segmentBytes: 700 }), log.dir, false);
      expect(triples(await readRecords(reopened))).toEqual(expectedAfterCompaction(written, activeBase, NOW - 10_000));
      reopened.close(NOW);
    });
  }

  it("keeps a producer's emptied last batch as a bare header, so a rebuilt producer table still has its sequence", async () => {
    const dir = tempPartitionDir();
    const config = compactedConfig();
    const log = openLog(config, dir);
    const idempotent = (sequence: number, value: string): Promise<Buffer> =>
      keyedBatch([{ key: 'p', value }], 'none', { producerId: 7, producerEpoch: 0, baseSequence: sequence });
    await appendBatch(log, await idempotent(0, 'p0'), NOW);
    const lastOfProducer = await appendBatch(log, await idempotent(1, 'p1'), NOW);
    // A plain producer overwrites the key; the idempotent producer's batches become superseded.
    await produce(log, [...rounds(6, 2), [{ key: 'p', value: 'plain' }], ...rounds(3, 2, 'pad'), [{ key: 'tail', value: 'x' }]]);
    await compactNow(log, NOW);
    const kept = storedBatches(log).filter((b) => b.readBigInt64BE(BatchField.PRODUCER_ID) === 7n);
    expect(kept).toHaveLength(1);
    expect(Number(kept[0]!.readBigInt64BE(0))).toBe(lastOfProducer);
    expect([kept[0]!.readInt32BE(BatchField.RECORDS_COUNT), kept[0]!.readInt32BE(BatchField.BASE_SEQUENCE), kept[0]!.length]).toEqual([
      0,
      1,
      BATCH_HEADER_BYTES,
    ]);
    log.abandon();
    const reopened = openLog(config, dir, false);
    // A retry of sequence 1 is a duplicate of the kept batch; sequence 2 is next.
    const retry = await idempotent(1, 'p1');
    expect(reopened.append(retry, 0, retry.length, 'client', NOW)).toBe(ErrorCode.NONE);
    expect([reopened.lastAppend.duplicate, reopened.lastAppend.firstOffset]).toEqual([true, lastOfProducer]);
    const next = await idempotent(2, 'p2');
    expect(reopened.append(next, 0, next.length, 'client', NOW)).toBe(ErrorCode.NONE);
    expect(reopened.lastAppend.duplicate).toBe(false);
    reopened.close(NOW);
  });

  it('keeps keyless records and control batches', async () => {
    const compacted = compactedConfig({ cleanupPolicy: 'compact,delete', retentionMs: -1 });
    // Keyless records cannot be produced to a compacted topic; they are there when the topic was switched to compaction later.
    const log = openLog({ ...compacted, cleanupPolicy: 'delete' });
    const keyless = await keyedBatch(
      [
        { key: null, value: 'n1' },
        { key: 'k', value: 'first' },
      ],
      'gzip',
    );
    const keylessOffset = await appendBatch(log, keyless, NOW);
    log.updateConfig(compacted);
    const control = buildRecordBatch([{ key: Buffer.from([0, 0, 0, 1]), value: Buffer.from([0, 0, 0, 0, 0, 0]) }], {
      producerId: 9,
      producerEpoch: 0,
      transactional: true,
      baseTimestamp: NOW,
    });
    control.writeInt16BE(Attribute.TRANSACTIONAL | Attribute.CONTROL, BatchField.ATTRIBUTES);
    writeInt64(control, BatchField.BASE_OFFSET, log.logEndOffset);
    const controlOffset = log.logEndOffset;
    expect(log.append(resign(control), 0, control.length, 'replica', NOW)).toBe(ErrorCode.NONE);
    await produce(log, [...rounds(6, 2), [{ key: 'k', value: 'second' }], ...rounds(6, 2, 'pad'), [{ key: 'tail', value: 'x' }]]);
    await compactNow(log, NOW);
    const records = await readRecords(log);
    expect(triples(records.filter((r) => r.offset === keylessOffset))).toEqual([[keylessOffset, null, 'n1']]);
    expect(records.filter((r) => r.key?.toString() === 'k').map((r) => r.value?.toString())).toEqual(['second']);
    const controls = storedBatches(log).filter((b) => (b.readInt16BE(BatchField.ATTRIBUTES) & Attribute.CONTROL) !== 0);
    expect(controls.map((b) => Number(b.readBigInt64BE(0)))).toEqual([controlOffset]);
    log.close(NOW);
  });

  it('merges small cleaned segments into fewer, and lookups by offset and time still work', async () => {
    const log = openLog(compactedConfig({ segmentBytes: 250 }));
    const written = await produce(log, [
      ...rounds(20, 2).map((b, i) => b.map((r) => ({ ...r, timestamp: NOW + i * 10 }))),
      [{ key: 'tail', value: 'x', timestamp: NOW + 500 }],
    ]);
    const before = log.segmentCount;
    const activeBase = log.activeSegment.baseOffset;
    await compactNow(log, NOW + 1_000);
    expect(log.segmentCount).toBeLessThan(before);
    const records = await readRecords(log);
    expect(triples(records)).toEqual(expectedAfterCompaction(written, activeBase, 0));
    for (const r of records) expect(log.offsetForTimestamp(r.timestamp)).toBeLessThanOrEqual(r.offset);
    log.close(NOW);
  });

  it('with a small key map budget cleans a prefix now and the rest on the next run', async () => {
    const log = openLog(compactedConfig({ segmentBytes: 200 }));
    const written = await produce(log, [
      ...Array.from({ length: 12 }, (_, i) => [
        { key: `u${i}`, value: 'v', timestamp: NOW },
        { key: `u${i}`, value: 'w', timestamp: NOW },
      ]),
      [{ key: 'tail', value: 'x' }],
    ]);
    const activeBase = log.activeSegment.baseOffset;
    const plan = log.planCleaning(NOW, 1)!;
    const outcome = await cleanSegments(files, plan.job);
    expect(outcome.cleanedEndOffset).toBeLessThan(activeBase);
    log.applyCleaning(plan, outcome, NOW);
    while ((await compactNow(log, NOW, 1)) !== null);
    expect(triples(await readRecords(log))).toEqual(expectedAfterCompaction(written, activeBase, 0));
    log.close(NOW);
  });

  it('discards a result when segments were removed or truncated while the job ran', async () => {
    const changes: Array<[string, (log: PartitionLog) => void]> = [
      ['DeleteRecords', (log) => log.deleteRecordsBefore(log.activeSegment.baseOffset)],
      ['truncation', (log) => log.truncateTo(3, NOW)],
      ['close', (log) => log.close(NOW)],
    ];
    for (const [what, change] of changes) {
      const log = openLog(compactedConfig());
      await produce(log, [...rounds(6, 3), [{ key: 'tail', value: 'x' }]]);
      const plan = log.planCleaning(NOW)!;
      const outcome = await cleanSegments(files, plan.job);
      expect(
        fs.readdirSync(log.dir).some((n) => n.endsWith('.cleaned')),
        what,
      ).toBe(true);
      change(log);
      expect(log.applyCleaning(plan, outcome, NOW), what).toBe(-1);
      expect(
        fs.readdirSync(log.dir).filter((n) => n.endsWith('.cleaned')),
        what,
      ).toEqual([]);
      if (what !== 'close') log.close(NOW);
    }
  });

  it('applies retention by time and size only when cleanup.policy includes delete', async () => {
    for (const policy of ['compact', 'compact,delete', 'delete'] as const) {
      const log = openLog(compactedConfig({ cleanupPolicy: policy, retentionMs: 1, retentionBytes: 10 }));
      await produce(log, [...rounds(6, 3), [{ key: 'tail', value: 'x' }]]);
      const deleted = log.applyRetention(NOW + 10_000);
      expect(deleted > 0, policy).toBe(policy !== 'compact');
      log.close(NOW);
    }
  });

  it('refuses uncompressed keyless records on a compacted topic with INVALID_RECORD', async () => {
    const log = openLog(compactedConfig());
    const keyless = await keyedBatch([
      { key: 'a', value: '1' },
      { key: null, value: '2' },
    ]);
    expect(log.append(keyless, 0, keyless.length, 'client', NOW)).toBe(ErrorCode.INVALID_RECORD);
    expect(log.logEndOffset).toBe(0);
    log.close(NOW);
    const plain = openLog(compactedConfig({ cleanupPolicy: 'delete' }));
    expect(plain.append(keyless, 0, keyless.length, 'client', NOW)).toBe(ErrorCode.NONE);
    plain.close(NOW);
  });

  it('writes nothing outside its .cleaned files while the job runs', async () => {
    const log = openLog(compactedConfig());
    await produce(log, [...rounds(6, 3), [{ key: 'tail', value: 'x' }]]);
    const plan = log.planCleaning(NOW)!;
    const before = new Map(segmentsOnDisk(log.dir).map((s) => [s.path, fs.readFileSync(s.path)]));
    const outcome = await cleanSegments(files, plan.job);
    for (const [path, bytes] of before) expect(fs.readFileSync(path).equals(bytes)).toBe(true);
    for (const group of outcome.groups) {
      if (group.replacedBy === 'segment')
        expect(fs.statSync(join(log.dir, `${String(group.baseOffset).padStart(20, '0')}.log.cleaned`)).size).toBe(group.sizeBytes);
    }
    log.discardCleaning(outcome);
    log.close(NOW);
  });
});
