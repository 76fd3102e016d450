// Crash-recovery tests of PartitionLog: torn tails, bit flips after the recovery point, preallocated
// segments, damaged or missing index files, damaged checkpoints, very large batches. After every repair
// exactly the intact prefix of batches must survive, with working indexes. Test-only.
import * as fs from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BatchField } from '../../../src/shared/record-batch.js';
import type { LogConfig } from '../../../src/shared/topic-config.js';
import { CHECKPOINT_FILE, readCheckpoint } from '../../../workers/log/partition-checkpoint.js';
import { PartitionLog } from '../../../workers/log/partition-log.js';
import { LEADER_EPOCH_FILE } from '../../../workers/log/leader-epoch-cache.js';
import {
  appendOk,
  batchSpec,
  type BatchSpec,
  encodeSpec,
  files,
  logConfig,
  readAll,
  readBytes,
  segmentsOnDisk,
  seedFor,
  tempPartitionDir,
} from './log-test-kit.js';
import { decodeRecordBatches } from '../../../src/shared/record-batch-codec.js';

interface Written {
  spec: BatchSpec;
  base: number;
  bytes: number;
}

const T0 = 1_700_000_000_000;

/** Writes batches of the given record counts (sizes vary with `valueBytes`), one append each. */
function writeBatches(log: PartitionLog, shapes: Array<{ count: number; valueBytes: number }>, firstTag = 0): Written[] {
  return shapes.map((shape, i) => {
    const spec = batchSpec(`w${firstTag + i}`, shape.count, shape.valueBytes, T0 + (firstTag + i) * 1_000, 10);
    const batch = encodeSpec(spec);
    const base = appendOk(log, batch, T0);
    return { spec, base, bytes: batch.length };
  });
}

/** Asserts the log holds exactly `kept` (from offset 0), readable from every offset, with working time lookups. */
function expectExactly(log: PartitionLog, kept: Written[]): void {
  const logEnd = kept.length === 0 ? 0 : kept[kept.length - 1]!.base + kept[kept.length - 1]!.spec.keys.length;
  expect(log.logEndOffset).toBe(logEnd);
  expect(log.sizeBytes).toBe(kept.reduce((sum, w) => sum + w.bytes, 0));
  const records = readAll(log, 0, 700);
  expect(records.map((r) => r.key!.toString())).toEqual(kept.flatMap((w) => w.spec.keys));
  expect(records.map((r) => r.offset)).toEqual(records.map((_, i) => i));
  for (const w of kept) {
    for (let r = 0; r < w.spec.keys.length; r++) {
      const got = decodeRecordBatches(readBytes(log, w.base + r, 1));
      expect(got[0]!.offset).toBe(w.base);
      expect(got[r]!.value!.toString()).toBe(w.spec.values[r]);
    }
    const maxTimestamp = w.spec.timestamps[w.spec.timestamps.length - 1]!;
    expect(log.offsetForTimestamp(maxTimestamp)).toBe(w.base);
  }
  expect(log.offsetForTimestamp(T0 + 1e9)).toBe(-1);
}

/** Appending after recovery continues at the log end and the new data reads back. */
function expectAppendsContinue(log: PartitionLog, kept: Written[]): void {
  const next = kept.length === 0 ? 0 : kept[kept.length - 1]!.base + kept[kept.length - 1]!.spec.keys.length;
  const batch = encodeSpec(batchSpec('after', 2, 5, T0 + 1e8));
  expect(appendOk(log, batch, T0 + 1e8)).toBe(next);
  expect(readAll(log, next).map((r) => r.key!.toString())).toEqual(['after-k0', 'after-k1']);
}

/** An unclean stop after the periodic checkpoint task last ran: nothing is flushed or sealed. */
function crash(log: PartitionLog): void {
  log.writeCheckpointIfDirty();
  log.abandon();
}

function open(dir: string, config: LogConfig, trustedOnDisk: boolean, repairs: string[] = []): PartitionLog {
  return PartitionLog.open(files, dir, config, { nowMs: T0, trustedOnDisk, onRepair: (what) => repairs.push(what) });
}

/** The batches in order with the file and position each sits at. */
function locate(dir: string, written: Written[]): Array<Written & { path: string; position: number; segmentBase: number }> {
  const segments = segmentsOnDisk(dir);
  let s = 0;
  let position = 0;
  return written.map((w) => {
    while (s + 1 < segments.length && segments[s + 1]!.baseOffset <= w.base) {
      s++;
      position = 0;
    }
    const located = { ...w, path: segments[s]!.path, position, segmentBase: segments[s]!.baseOffset };
    position += w.bytes;
    return located;
  });
}

const shapesArbitrary = fc.array(fc.record({ count: fc.integer({ min: 1, max: 4 }), valueBytes: fc.integer({ min: 1, max: 120 }) }), {
  minLength: 1,
  maxLength: 25,
});
const smallSegments = logConfig({ segmentBytes: 900, indexIntervalBytes: 150 });

describe('recovery after an unclean stop', () => {
  it('keeps exactly the whole batches before a cut in the last segment', () => {
    const seed = seedFor('torn tail');
    fc.assert(
      fc.property(shapesArbitrary, fc.integer({ min: 0, max: 10_000 }), (shapes, cutPerTenThousand) => {
        const dir = tempPartitionDir();
        const log = open(dir, smallSegments, true);
        const written = writeBatches(log, shapes);
        crash(log);
        const last = segmentsOnDisk(dir).pop()!;
        const cut = Math.floor((cutPerTenThousand / 10_000) * last.bytes);
        fs.truncateSync(last.path, cut);
        const kept = locate(dir, written).filter((w) => w.path !== last.path || w.position + w.bytes <= cut);
        const keptInLast = locate(dir, kept)
          .filter((w) => w.path === last.path)
          .reduce((sum, w) => sum + w.bytes, 0);
        const repairs: string[] = [];
        const recovered = open(dir, smallSegments, false, repairs);
        // A cut exactly between batches leaves nothing to repair.
        expect(repairs.length).toBe(cut > keptInLast ? 1 : 0);
        expectExactly(recovered, kept);
        expectAppendsContinue(recovered, kept);
        recovered.close(T0);
      }),
      { seed, numRuns: 40 },
    );
  });

  it('keeps exactly the batches before the first damaged one and drops every later segment', () => {
    const seed = seedFor('bit flips');
    const scenario = fc.record({
      shapes: fc.array(fc.record({ count: fc.integer({ min: 1, max: 4 }), valueBytes: fc.integer({ min: 1, max: 120 }) }), { minLength: 2, maxLength: 30 }),
      checkpoint: fc.constantFrom('kept', 'deleted', 'older'),
      flips: fc.array(fc.record({ batch: fc.nat(), byte: fc.nat(), xor: fc.integer({ min: 1, max: 255 }) }), { minLength: 1, maxLength: 3 }),
      olderAt: fc.nat(),
    });
    fc.assert(
      fc.property(scenario, ({ shapes, checkpoint, flips, olderAt }) => {
        const dir = tempPartitionDir();
        const log = open(dir, smallSegments, true);
        const written = writeBatches(log, shapes);
        crash(log);
        const segments = segmentsOnDisk(dir);
        const recoveryPoint = simulateCheckpoint(dir, checkpoint, segments, olderAt);
        // Recovery scans the segment holding the recovery point and every later one.
        const scanFrom = segments.filter((s) => s.baseOffset <= recoveryPoint).pop()?.baseOffset ?? 0;
        const scanned = locate(dir, written).filter((w) => w.segmentBase >= scanFrom);
        let firstDamaged = Infinity;
        for (const flip of flips) {
          const victim = scanned[flip.batch % scanned.length]!;
          const at = crcCheckedByte(victim.bytes, flip.byte);
          flipByte(victim.path, victim.position + at, flip.xor);
          firstDamaged = Math.min(
            firstDamaged,
            written.findIndex((w) => w.base === victim.base),
          );
        }
        const kept = written.slice(0, firstDamaged);
        const recovered = open(dir, smallSegments, false);
        expectExactly(recovered, kept);
        const lastKept = kept[kept.length - 1];
        const survivingSegments = segmentsOnDisk(dir).map((s) => s.baseOffset);
        expect(survivingSegments.every((base) => lastKept === undefined || base <= written[firstDamaged]!.base)).toBe(true);
        expectAppendsContinue(recovered, kept);
        recovered.close(T0);
        const reopened = open(dir, smallSegments, true);
        expect(reopened.logEndOffset).toBe(recovered.logEndOffset);
        reopened.close(T0);
      }),
      { seed, numRuns: 40 },
    );
  });

  it('recovers preallocated segments to their data size, and trims them on roll and close', () => {
    const dir = tempPartitionDir();
    const config = logConfig({ segmentBytes: 2_000, preallocate: true, indexIntervalBytes: 100 });
    const log = open(dir, config, true);
    const written = writeBatches(
      log,
      Array.from({ length: 40 }, (_, i) => ({ count: 1 + (i % 3), valueBytes: 30 + i })),
    );
    const segments = segmentsOnDisk(dir);
    expect(segments.length).toBeGreaterThan(2);
    const located = locate(dir, written);
    const dataBytes = (path: string): number => located.filter((w) => w.path === path).reduce((sum, w) => sum + w.bytes, 0);
    for (const s of segments.slice(0, -1)) expect(s.bytes).toBe(dataBytes(s.path));
    expect(segments[segments.length - 1]!.bytes).toBe(2_000);
    crash(log);
    const recovered = open(dir, config, false);
    expect(segmentsOnDisk(dir).map((s) => s.bytes)).toEqual(segments.map((s) => dataBytes(s.path)));
    expectExactly(recovered, written);
    expectAppendsContinue(recovered, written);
    recovered.close(T0);
    const afterClose = segmentsOnDisk(dir);
    expect(afterClose.reduce((sum, s) => sum + s.bytes, 0)).toBe(recovered.sizeBytes);
  });

  it('recovers a segment whose first batch is larger than the scan buffer', () => {
    const dir = tempPartitionDir();
    const config = logConfig({ maxMessageBytes: 4 << 20 });
    const log = open(dir, config, true);
    const written = writeBatches(log, [
      { count: 2, valueBytes: 1_200_000 },
      { count: 1, valueBytes: 10 },
      { count: 1, valueBytes: 1_100_000 },
    ]);
    crash(log);
    const recovered = open(dir, config, false);
    expect(recovered.logEndOffset).toBe(4);
    expect(recovered.sizeBytes).toBe(written.reduce((sum, w) => sum + w.bytes, 0));
    expect(readAll(recovered, 0, 1 << 20).map((r) => r.value!.length)).toEqual([1_200_000, 1_200_000, 10, 1_100_000]);
    // Truncation inside such a segment walks it with the log's smaller lookup buffer.
    recovered.truncateTo(3, T0);
    expect(recovered.logEndOffset).toBe(3);
    recovered.close(T0);
  });

  it('starts an empty log at the log start when recovery loses data below it', () => {
    const dir = tempPartitionDir();
    const log = open(dir, logConfig(), true);
    const written = writeBatches(
      log,
      Array.from({ length: 10 }, () => ({ count: 2, valueBytes: 20 })),
    );
    expect(log.deleteRecordsBefore(15)).toBe(15);
    log.abandon();
    flipByte(segmentsOnDisk(dir)[0]!.path, written.slice(0, 3).reduce((sum, w) => sum + w.bytes, 0) + 40, 0xff);
    const recovered = open(dir, logConfig(), false);
    expect([recovered.logStartOffset, recovered.highWatermark, recovered.logEndOffset]).toEqual([15, 15, 15]);
    expect(segmentsOnDisk(dir).map((s) => s.baseOffset)).toEqual([15]);
    expect(appendOk(recovered, encodeSpec(batchSpec('x', 1, 3, T0)))).toBe(15);
    expect(readAll(recovered).map((r) => r.offset)).toEqual([15]);
    recovered.close(T0);
  });
});

describe('damaged or missing index files', () => {
  const corruptions: Array<[name: string, damage: (path: string, random: () => number) => void, detectable: boolean]> = [
    ['deleted', (path) => fs.rmSync(path), true],
    ['emptied', (path) => fs.truncateSync(path, 0), true],
    ['garbage', (path, random) => fs.writeFileSync(path, Buffer.from(Array.from({ length: fs.statSync(path).size }, () => Math.floor(random() * 256)))), true],
    ['zero-filled', (path) => fs.writeFileSync(path, Buffer.alloc(fs.statSync(path).size)), true],
    ['cut mid-entry', (path) => fs.truncateSync(path, Math.max(0, fs.statSync(path).size - 3)), true],
    ['extra bytes', (path) => fs.appendFileSync(path, Buffer.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13])), true],
    ['one byte flipped', (path, random) => flipByte(path, Math.floor(random() * fs.statSync(path).size), 1 + Math.floor(random() * 255)), false],
  ];

  for (const [name, damage, detectable] of corruptions) {
    for (const suffix of ['.index', '.timeindex']) {
      it(`${suffix} ${name}: lookups stay correct after a clean close${detectable ? ' and the index is rebuilt' : ''}`, () => {
        const seed = seedFor(`${suffix} ${name}`);
        let state = seed >>> 0;
        const random = (): number => {
          state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
          return state / 2 ** 32;
        };
        const dir = tempPartitionDir();
        const config = logConfig({ segmentBytes: 3_000, indexIntervalBytes: 120 });
        const log = open(dir, config, true);
        const written = writeBatches(
          log,
          Array.from({ length: 45 }, (_, i) => ({ count: 1 + (i % 4), valueBytes: 10 + ((i * 37) % 90) })),
        );
        log.close(T0);
        const indexFiles = fs
          .readdirSync(dir)
          .filter((f) => f.endsWith(suffix))
          .sort();
        expect(indexFiles.length).toBeGreaterThan(2);
        const originals = indexFiles.map((f) => fs.readFileSync(join(dir, f)));
        for (const f of indexFiles) damage(join(dir, f), random);
        const changed = indexFiles.filter((f, i) => !fs.existsSync(join(dir, f)) || !fs.readFileSync(join(dir, f)).equals(originals[i]!));
        const repairs: string[] = [];
        const reopened = open(dir, config, true, repairs);
        expectExactly(reopened, written);
        reopened.close(T0);
        if (detectable) {
          expect(repairs.length).toBe(changed.length);
          expect(indexFiles.map((f) => fs.readFileSync(join(dir, f)))).toEqual(originals);
        }
      });
    }
  }
});

describe('the checkpoint file', () => {
  const damaged: Array<[string, string]> = [
    ['garbage', '\u0000\u0001binary junk\n\n'],
    ['unknown version', 'version 3\nrecovery.point 5\nlog.start.offset 0\nhigh.watermark 5\n'],
    ['cut short', 'version 1\nrecovery.point 5\nlog.start'],
    ['not a number', 'version 1\nrecovery.point x\nlog.start.offset 0\nhigh.watermark 5\nleader.epoch 0\n'],
    ['empty', ''],
  ];
  for (const [name, text] of damaged) {
    for (const trustedOnDisk of [false, true]) {
      it(`${name} is treated as missing (trustedOnDisk=${trustedOnDisk})`, () => {
        const dir = tempPartitionDir();
        const config = logConfig({ segmentBytes: 600 });
        const log = open(dir, config, true);
        log.assignLeaderEpoch(3);
        const written = writeBatches(
          log,
          Array.from({ length: 12 }, () => ({ count: 2, valueBytes: 50 })),
        );
        expect(log.deleteRecordsBefore(5)).toBe(5);
        log.close(T0);
        fs.writeFileSync(join(dir, CHECKPOINT_FILE), text);
        const reopened = open(dir, config, trustedOnDisk);
        expect(reopened.logStartOffset).toBe(segmentsOnDisk(dir)[0]!.baseOffset);
        // The leader epoch lives in its own file, which the damaged checkpoint does not touch.
        expect([reopened.highWatermark, reopened.logEndOffset, reopened.recoveryPoint, reopened.leaderEpoch]).toEqual([24, 24, 24, 3]);
        expect(readAll(reopened, reopened.logStartOffset).length).toBe(24 - reopened.logStartOffset);
        expect(readCheckpoint(files, dir)).toEqual({ recoveryPoint: 24, logStartOffset: reopened.logStartOffset, highWatermark: 24 });
        expect(written.length).toBe(12);
        reopened.close(T0);
      });
    }
  }

  it('leftover temp files and orphan index files are removed on open', () => {
    const dir = tempPartitionDir();
    const log = open(dir, logConfig(), true);
    writeBatches(log, [{ count: 1, valueBytes: 5 }]);
    log.close(T0);
    fs.writeFileSync(join(dir, `${CHECKPOINT_FILE}.tmp`), 'half');
    fs.writeFileSync(join(dir, '00000000000000000099.index'), Buffer.alloc(8));
    fs.writeFileSync(join(dir, '00000000000000000099.timeindex'), Buffer.alloc(12));
    const reopened = open(dir, logConfig(), true);
    expect(fs.readdirSync(dir).sort()).toEqual([
      '00000000000000000000.index',
      '00000000000000000000.log',
      '00000000000000000000.timeindex',
      LEADER_EPOCH_FILE,
      CHECKPOINT_FILE,
    ]);
    reopened.close(T0);
  });
});

/** Sets up the checkpoint the crash left behind; returns the recovery point recovery will start from. */
function simulateCheckpoint(dir: string, how: string, segments: Array<{ baseOffset: number }>, olderAt: number): number {
  const path = join(dir, CHECKPOINT_FILE);
  if (how === 'deleted') {
    fs.rmSync(path);
    return 0;
  }
  const checkpoint = readCheckpoint(files, dir)!;
  if (how === 'older') {
    // As if the checkpoint had not been rewritten since an older roll: an older recovery point.
    checkpoint.recoveryPoint = segments[olderAt % segments.length]!.baseOffset;
    fs.writeFileSync(path, fs.readFileSync(path, 'utf8').replace(/recovery\.point \d+/, `recovery.point ${checkpoint.recoveryPoint}`));
  }
  return checkpoint.recoveryPoint;
}

/**
 * A byte of a batch that recovery can check: anything but baseOffset (0-7) and partitionLeaderEpoch
 * (12-15), which are outside the CRC and cannot be told from legitimate values (see the report).
 */
function crcCheckedByte(batchBytes: number, pick: number): number {
  const i = pick % (batchBytes - 12);
  return i < 4 ? BatchField.BATCH_LENGTH + i : i + 12;
}

function flipByte(path: string, position: number, xor: number): void {
  const fd = fs.openSync(path, 'r+');
  try {
    const b = Buffer.alloc(1);
    fs.readSync(fd, b, 0, 1, position);
    b[0]! ^= xor;
    fs.writeSync(fd, b, 0, 1, position);
  } finally {
    fs.closeSync(fd);
  }
}
