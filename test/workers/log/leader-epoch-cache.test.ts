// Tests of the leader-epoch cache (workers/log/leader-epoch-cache.ts): Kafka's assign, truncation at both ends
// and endOffsetFor rules, its file (round trip, what is refused, written before it is applied), and how the
// partition log keeps it: appends of both origins, assignLeaderEpoch, truncateTo, retention and DeleteRecords,
// reopening, and a missing, corrupt or cut file rebuilt from the segments' batch headers; and, over random
// follower histories, that the cache always says what the stored batches say. Test-only.
import * as fs from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BatchField } from '../../../src/shared/record-batch.js';
import { FaultInjectingFileAccess } from '../../../workers/io/fault-injecting-file-access.js';
import { type EpochEntry, formatLeaderEpochs, LEADER_EPOCH_FILE, LeaderEpochCache, parseLeaderEpochs } from '../../../workers/log/leader-epoch-cache.js';
import { PartitionLog } from '../../../workers/log/partition-log.js';
import { appendOk, files, logConfig, readBytes, seedFor, segmentsOnDisk, simpleBatch, tempPartitionDir, withBaseOffset } from './log-test-kit.js';

const e = (epoch: number, startOffset: number): EpochEntry => ({ epoch, startOffset });

/** A cache in a fresh partition folder, holding `entries` (written to its file). */
function cacheWith(entries: EpochEntry[]): { cache: LeaderEpochCache; dir: string } {
  const dir = tempPartitionDir();
  fs.mkdirSync(dir, { recursive: true });
  return { cache: LeaderEpochCache.rebuild(files, dir, entries), dir };
}

function fileOf(dir: string): string {
  return fs.readFileSync(join(dir, LEADER_EPOCH_FILE), 'utf8');
}

/** What a later open reads back from the file. */
function reread(dir: string): readonly EpochEntry[] | undefined {
  return LeaderEpochCache.read(files, dir)?.epochEntries;
}

/** A leader's batch as it reaches a follower: `count` records from `baseOffset`, stamped with `epoch`. */
function replicatedBatch(count: number, baseOffset: number, epoch: number): Buffer {
  const batch = withBaseOffset(simpleBatch(count), baseOffset);
  batch.writeInt32BE(epoch, BatchField.PARTITION_LEADER_EPOCH); // outside the CRC's range
  return batch;
}

function openLog(dir: string, soleReplica: boolean, options: { trustedOnDisk?: boolean; onRepair?: (what: string) => void } = {}): PartitionLog {
  return PartitionLog.open(files, dir, logConfig({ segmentBytes: 400 }), {
    nowMs: 1,
    trustedOnDisk: options.trustedOnDisk ?? true,
    soleReplica,
    onRepair: options.onRepair,
  });
}

/** A follower's log holding epochs 0 (offsets 0-3), 2 (4-9) and 5 (10-11). */
function followerLog(dir = tempPartitionDir()): { log: PartitionLog; dir: string } {
  const log = openLog(dir, false);
  appendOk(log, replicatedBatch(2, 0, 0), 1, 'replica');
  appendOk(log, replicatedBatch(2, 2, 0), 1, 'replica');
  appendOk(log, Buffer.concat([replicatedBatch(3, 4, 2), replicatedBatch(3, 7, 2), replicatedBatch(2, 10, 5)]), 1, 'replica');
  return { log, dir };
}

describe('assign (Kafka rules)', () => {
  it('records a new epoch at its start; the latest epoch again at a later offset changes nothing', () => {
    const { cache, dir } = cacheWith([e(0, 0)]);
    expect(cache.assign(0, 5)).toBe(false);
    expect(cache.assign(2, 10)).toBe(true);
    expect(cache.assign(2, 12)).toBe(false);
    expect(cache.epochEntries).toEqual([e(0, 0), e(2, 10)]);
    expect(cache.latestEpoch).toBe(2);
    expect(reread(dir)).toEqual([e(0, 0), e(2, 10)]);
  });

  it('drops the entries a new one contradicts: a start at or after its offset, or an epoch at or above its own', () => {
    const { cache } = cacheWith([e(0, 0), e(2, 10), e(4, 20)]);
    // A newer epoch starting below the latest's start: entries from that offset on go.
    expect(cache.assign(5, 15)).toBe(true);
    expect(cache.epochEntries).toEqual([e(0, 0), e(2, 10), e(5, 15)]);
    // The latest epoch at an earlier start moves that start down.
    expect(cache.assign(5, 12)).toBe(true);
    expect(cache.epochEntries).toEqual([e(0, 0), e(2, 10), e(5, 12)]);
    // An older epoch at a later offset replaces the newer ones (the cache follows the log as written).
    expect(cache.assign(3, 30)).toBe(true);
    expect(cache.epochEntries).toEqual([e(0, 0), e(2, 10), e(3, 30)]);
    // A new epoch at the same start as the latest replaces it (no batch was written under it).
    expect(cache.assign(6, 30)).toBe(true);
    expect(cache.epochEntries).toEqual([e(0, 0), e(2, 10), e(6, 30)]);
  });

  it('ignores a batch without an epoch (-1); an empty cache takes the first epoch at any offset', () => {
    const { cache, dir } = cacheWith([]);
    expect(cache.latestEpoch).toBe(-1);
    expect(cache.assign(-1, 0)).toBe(false);
    expect(cache.epochEntries).toEqual([]);
    expect(fileOf(dir)).toBe('0\n0\n');
    expect(cache.assign(3, 7)).toBe(true);
    expect(cache.epochEntries).toEqual([e(3, 7)]);
  });
});

describe('truncation', () => {
  it('truncateFromEnd drops every entry starting at or after the new log end', () => {
    const { cache, dir } = cacheWith([e(0, 0), e(2, 10), e(4, 20)]);
    cache.truncateFromEnd(21);
    expect(cache.epochEntries).toEqual([e(0, 0), e(2, 10), e(4, 20)]);
    cache.truncateFromEnd(20);
    expect(cache.epochEntries).toEqual([e(0, 0), e(2, 10)]);
    cache.truncateFromEnd(10);
    expect(reread(dir)).toEqual([e(0, 0)]);
    cache.truncateFromEnd(0);
    expect(cache.epochEntries).toEqual([]);
    expect(reread(dir)).toEqual([]);
  });

  it('truncateFromStart drops entries at or below the log start but the last of them, which now starts there', () => {
    const { cache, dir } = cacheWith([e(0, 0), e(2, 10), e(4, 20)]);
    cache.truncateFromStart(0);
    expect(cache.epochEntries).toEqual([e(0, 0), e(2, 10), e(4, 20)]);
    cache.truncateFromStart(5);
    expect(cache.epochEntries).toEqual([e(0, 5), e(2, 10), e(4, 20)]);
    cache.truncateFromStart(10);
    expect(cache.epochEntries).toEqual([e(2, 10), e(4, 20)]);
    cache.truncateFromStart(15);
    expect(cache.epochEntries).toEqual([e(2, 15), e(4, 20)]);
    cache.truncateFromStart(25);
    expect(cache.epochEntries).toEqual([e(4, 25)]);
    expect(reread(dir)).toEqual([e(4, 25)]);
  });
});

describe('endOffsetFor', () => {
  const { cache } = cacheWith([e(1, 5), e(3, 10), e(6, 20)]);

  it('the latest epoch ends at the log end', () => {
    expect(cache.endOffsetFor(6, 30)).toEqual({ epoch: 6, endOffset: 30 });
  });

  it('an older epoch: the largest known epoch <= it, ending where the next known epoch starts', () => {
    expect(cache.endOffsetFor(3, 30)).toEqual({ epoch: 3, endOffset: 20 });
    expect(cache.endOffsetFor(5, 30)).toEqual({ epoch: 3, endOffset: 20 });
    expect(cache.endOffsetFor(1, 30)).toEqual({ epoch: 1, endOffset: 10 });
    expect(cache.endOffsetFor(2, 30)).toEqual({ epoch: 1, endOffset: 10 });
  });

  it('an epoch below the first known one: itself, ending where the first known epoch starts (Kafka 3.9)', () => {
    expect(cache.endOffsetFor(0, 30)).toEqual({ epoch: 0, endOffset: 5 });
  });

  it('UNDEFINED (-1, -1) for epoch -1, an epoch above every known one, and an empty cache', () => {
    expect(cache.endOffsetFor(-1, 30)).toEqual({ epoch: -1, endOffset: -1 });
    expect(cache.endOffsetFor(7, 30)).toEqual({ epoch: -1, endOffset: -1 });
    expect(cacheWith([]).cache.endOffsetFor(0, 30)).toEqual({ epoch: -1, endOffset: -1 });
  });
});

describe('the leader-epoch-checkpoint file', () => {
  it('round trip: version line, count line, one "epoch startOffset" line per entry; no temp file left', () => {
    const entries = [e(0, 0), e(3, 10), e(6, 20)];
    const { dir } = cacheWith(entries);
    expect(fileOf(dir)).toBe('0\n3\n0 0\n3 10\n6 20\n');
    expect(parseLeaderEpochs(formatLeaderEpochs(entries))).toEqual(entries);
    expect(reread(dir)).toEqual(entries);
    expect(fs.readdirSync(dir)).toEqual([LEADER_EPOCH_FILE]);
  });

  it('refuses anything else', () => {
    const refused = [
      '',
      '0\n',
      '1\n1\n0 0\n',
      '0\n2\n0 0\n',
      '0\n1\n0 0\n1 5\n',
      '0\n1\n0 x\n',
      '0\n1\n-1 0\n',
      '0\n1\n0  0\n',
      '0\n1\n0 0 0\n',
      '0\n2\n3 0\n3 5\n',
      '0\n2\n2 0\n1 5\n',
      '0\n2\n1 9\n2 5\n',
      '0\n1\n0 99999999999999999\n',
      '0\n1\n2147483648 0\n',
      '0\n2\n0 0\n3 10', // cut inside its last line: it could read as "3 1"
    ];
    for (const text of refused) expect(parseLeaderEpochs(text), JSON.stringify(text)).toBeNull();
    expect(parseLeaderEpochs('0\n0\n')).toEqual([]);
  });

  it('is written before a change is applied: a failed write leaves the cache as it was', () => {
    const dir = tempPartitionDir();
    fs.mkdirSync(dir, { recursive: true });
    const faults = new FaultInjectingFileAccess(files);
    const cache = LeaderEpochCache.rebuild(faults, dir, [e(0, 0), e(2, 10)]);
    faults.failUnder(dir, 'EIO');
    expect(() => cache.assign(3, 20)).toThrow(/EIO/);
    expect(() => cache.truncateFromEnd(10)).toThrow(/EIO/);
    expect(() => cache.truncateFromStart(5)).toThrow(/EIO/);
    expect(cache.epochEntries).toEqual([e(0, 0), e(2, 10)]);
    faults.heal();
    expect(reread(dir)).toEqual([e(0, 0), e(2, 10)]);
  });
});

describe('in the partition log', () => {
  it('a sole replica leads at epoch 0 from its first open; its client batches are stamped 0', () => {
    const dir = tempPartitionDir();
    const log = openLog(dir, true);
    expect([log.leaderEpoch, log.leaderEpochEntries]).toEqual([0, [e(0, 0)]]);
    appendOk(log, simpleBatch(3));
    appendOk(log, simpleBatch(2));
    expect(log.leaderEpochEntries).toEqual([e(0, 0)]);
    expect(readBytes(log, 3, 1 << 16).readInt32BE(BatchField.PARTITION_LEADER_EPOCH)).toBe(0);
    expect(log.endOffsetForEpoch(0)).toEqual({ epoch: 0, endOffset: 5 });
    expect(log.endOffsetForEpoch(1)).toEqual({ epoch: -1, endOffset: -1 });
    log.close(2);
  });

  it('assignLeaderEpoch starts the epoch at the log end, written at once; client batches then carry it', () => {
    const dir = tempPartitionDir();
    const log = openLog(dir, true);
    appendOk(log, simpleBatch(4));
    log.assignLeaderEpoch(3);
    expect(reread(dir)).toEqual([e(0, 0), e(3, 4)]);
    appendOk(log, simpleBatch(2));
    expect(readBytes(log, 4, 1 << 16).readInt32BE(BatchField.PARTITION_LEADER_EPOCH)).toBe(3);
    expect(log.endOffsetForEpoch(0)).toEqual({ epoch: 0, endOffset: 4 });
    expect(log.endOffsetForEpoch(2)).toEqual({ epoch: 0, endOffset: 4 });
    expect(log.endOffsetForEpoch(3)).toEqual({ epoch: 3, endOffset: 6 });
    expect(() => log.assignLeaderEpoch(2)).toThrow(/below the current 3/);
    log.close(2);
  });

  it('a follower records the epochs its replicated batches bring, and has none before', () => {
    const dir = tempPartitionDir();
    expect(openLog(dir, false).leaderEpoch).toBe(-1);
    const { log } = followerLog(tempPartitionDir());
    expect(log.leaderEpochEntries).toEqual([e(0, 0), e(2, 4), e(5, 10)]);
    expect(log.leaderEpoch).toBe(5);
    expect(log.endOffsetForEpoch(2)).toEqual({ epoch: 2, endOffset: 10 });
    expect(log.endOffsetForEpoch(5)).toEqual({ epoch: 5, endOffset: 12 });
    log.close(2);
  });

  it('the current leader epoch check: older is FENCED_LEADER_EPOCH, newer UNKNOWN_LEADER_EPOCH, -1 unchecked', () => {
    const { log } = followerLog();
    expect(() => log.requireCurrentLeaderEpoch(4)).toThrow(/FENCED_LEADER_EPOCH/);
    expect(() => log.requireCurrentLeaderEpoch(6)).toThrow(/UNKNOWN_LEADER_EPOCH/);
    expect(() => log.requireCurrentLeaderEpoch(5)).not.toThrow();
    expect(() => log.requireCurrentLeaderEpoch(-1)).not.toThrow();
    // Only -1 means "none": any other negative epoch is older than the partition's (as Kafka checks it).
    expect(() => log.requireCurrentLeaderEpoch(-2)).toThrow(/FENCED_LEADER_EPOCH/);
    log.close(2);
  });

  it('truncateTo drops the epochs that started at or after the new log end; a sole replica keeps leading at its epoch', () => {
    const { log, dir } = followerLog();
    log.truncateTo(7, 2);
    expect(log.leaderEpochEntries).toEqual([e(0, 0), e(2, 4)]);
    log.truncateTo(4, 2);
    expect(reread(dir)).toEqual([e(0, 0)]);
    log.close(2);

    const soleDir = tempPartitionDir();
    const sole = openLog(soleDir, true);
    appendOk(sole, simpleBatch(2));
    appendOk(sole, simpleBatch(2));
    sole.assignLeaderEpoch(2);
    appendOk(sole, simpleBatch(4));
    sole.truncateTo(2, 2);
    expect([sole.leaderEpoch, sole.leaderEpochEntries]).toEqual([2, [e(0, 0), e(2, 2)]]);
    expect(reread(soleDir)).toEqual([e(0, 0), e(2, 2)]);
    sole.close(2);
  });

  it('a replica that led an epoch and wrote nothing in it drops that entry when it truncates to its log end; a sole replica keeps it', () => {
    const { log, dir } = followerLog();
    log.assignLeaderEpoch(7);
    expect(log.leaderEpochEntries.at(-1)).toEqual(e(7, 12));
    log.truncateTo(log.logEndOffset, 2);
    expect(log.leaderEpochEntries).toEqual([e(0, 0), e(2, 4), e(5, 10)]);
    expect(reread(dir)).toEqual([e(0, 0), e(2, 4), e(5, 10)]);
    log.close(2);
    const sole = openLog(tempPartitionDir(), true);
    appendOk(sole, simpleBatch(2));
    sole.assignLeaderEpoch(3);
    sole.truncateTo(sole.logEndOffset, 2);
    expect(sole.leaderEpochEntries).toEqual([e(0, 0), e(3, 2)]);
    sole.close(2);
  });

  it('DeleteRecords and retention move the first entry up to the log start', () => {
    const { log, dir } = followerLog();
    log.setHighWatermark(12);
    log.deleteRecordsBefore(5);
    expect(log.leaderEpochEntries).toEqual([e(2, 5), e(5, 10)]);
    log.deleteRecordsBefore(11);
    log.applyRetention(3);
    expect(reread(dir)).toEqual([e(5, 11)]);
    expect(log.endOffsetForEpoch(2)).toEqual({ epoch: 2, endOffset: 11 });
    log.close(2);
  });

  it('reopens with the same entries, and delete() removes the file with the folder', () => {
    const { log, dir } = followerLog();
    log.close(2);
    const reopened = openLog(dir, false);
    expect(reopened.leaderEpochEntries).toEqual([e(0, 0), e(2, 4), e(5, 10)]);
    reopened.delete();
    expect(fs.existsSync(dir)).toBe(false);
  });

  const damaged: Array<[string, (path: string) => void]> = [
    ['missing', (path) => fs.rmSync(path)],
    ['garbage', (path) => fs.writeFileSync(path, '\u0000\u0001junk\n')],
    ['cut mid-file', (path) => fs.truncateSync(path, fs.statSync(path).size - 4)],
  ];
  for (const [name, damage] of damaged) {
    it(`a ${name} file is rebuilt from the partitionLeaderEpoch of each stored batch header`, () => {
      const { log, dir } = followerLog();
      log.close(2);
      damage(join(dir, LEADER_EPOCH_FILE));
      const repairs: string[] = [];
      const reopened = openLog(dir, false, { onRepair: (what) => repairs.push(what) });
      expect(reopened.leaderEpochEntries).toEqual([e(0, 0), e(2, 4), e(5, 10)]);
      expect(reread(dir)).toEqual([e(0, 0), e(2, 4), e(5, 10)]);
      expect(repairs.some((r) => r.includes(LEADER_EPOCH_FILE))).toBe(name !== 'missing');
      reopened.close(2);
    });
  }

  it('a rebuild from segments starts at the log start and skips batches without an epoch', () => {
    const { log, dir } = followerLog();
    log.setHighWatermark(12);
    log.deleteRecordsBefore(6);
    appendOk(log, replicatedBatch(2, 12, -1), 1, 'replica');
    log.close(2);
    fs.rmSync(join(dir, LEADER_EPOCH_FILE));
    expect(openLog(dir, false).leaderEpochEntries).toEqual([e(2, 6), e(5, 10)]);
  });

  it('on open, an entry beyond the recovered log end goes (one at the log end stays) and one below the log start moves up', () => {
    const { log, dir } = followerLog();
    log.setHighWatermark(12);
    log.deleteRecordsBefore(2);
    log.close(2);
    fs.writeFileSync(join(dir, LEADER_EPOCH_FILE), formatLeaderEpochs([e(0, 0), e(2, 4), e(5, 10), e(6, 12), e(7, 13)]));
    const reopened = openLog(dir, false);
    expect(reopened.leaderEpochEntries).toEqual([e(0, 2), e(2, 4), e(5, 10), e(6, 12)]);
    expect(reread(dir)).toEqual([e(0, 2), e(2, 4), e(5, 10), e(6, 12)]);
    reopened.close(2);
  });

  it('after a torn tail is cut by recovery, the epochs of the lost batches go with it', () => {
    const { log, dir } = followerLog();
    log.close(2);
    // The last append (offsets 4-11, one run) went into one segment: cut it inside the batch at 7-9 (after it comes
    // the epoch-5 batch at 10-11), then recover without trusting the disk.
    const segment = fs
      .readdirSync(dir)
      .filter((f) => f.endsWith('.log'))
      .sort()
      .at(-1)!;
    const path = join(dir, segment);
    fs.truncateSync(path, fs.statSync(path).size - simpleBatch(2).length - 5);
    const reopened = openLog(dir, false, { trustedOnDisk: false, onRepair: () => {} });
    expect(reopened.logEndOffset).toBe(7);
    expect(reopened.leaderEpochEntries).toEqual([e(0, 0), e(2, 4)]);
    reopened.close(2);
  });
});

type Op =
  | { kind: 'append'; batches: Array<{ count: number; epochStep: number }> }
  | { kind: 'truncate'; at: number }
  | { kind: 'delete-records'; at: number }
  | { kind: 'reopen'; withoutFile: boolean };

const opArbitrary: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('append' as const),
      batches: fc.array(fc.record({ count: fc.integer({ min: 1, max: 3 }), epochStep: fc.constantFrom(0, 0, 1, 2) }), { minLength: 1, maxLength: 4 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('truncate' as const), at: fc.double({ min: 0, max: 1, noNaN: true }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('delete-records' as const), at: fc.double({ min: 0, max: 1, noNaN: true }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('reopen' as const), withoutFile: fc.boolean() }) },
);

/**
 * What the stored batches say: an entry for each batch whose epoch differs from the one before; the epoch in force at
 * the log start (the last entry starting at or below it) starts there, earlier ones are gone.
 */
function epochsOfBatches(batches: Array<{ base: number; epoch: number }>, logStart: number): EpochEntry[] {
  const changes: EpochEntry[] = [];
  for (const b of batches) if (b.epoch !== changes.at(-1)?.epoch) changes.push(e(b.epoch, b.base));
  const below = changes.filter((c) => c.startOffset <= logStart).length;
  return below === 0 ? changes : [e(changes[below - 1]!.epoch, logStart), ...changes.slice(below)];
}

describe('over random follower histories', () => {
  it('the cache, its file and a rebuild from the batch headers agree with the stored batches', () => {
    const seed = seedFor('leader-epoch cache');
    fc.assert(
      fc.property(fc.array(opArbitrary, { minLength: 3, maxLength: 40 }), (ops) => {
        const dir = tempPartitionDir();
        let log = openLog(dir, false);
        let batches: Array<{ base: number; last: number; epoch: number }> = [];
        let epoch = 0;
        // Truncating to the log start empties the log: as in Kafka, every entry starting there goes too (the epoch in
        // force at the log start is no longer known), until a batch is appended or a rebuild reads the segments again.
        let emptiedAtLogStart = false;
        try {
          for (const op of ops) {
            if (op.kind === 'append') {
              const run = op.batches.map(({ count, epochStep }, i) => {
                epoch += epochStep;
                const base = log.logEndOffset + op.batches.slice(0, i).reduce((sum, b) => sum + b.count, 0);
                batches.push({ base, last: base + count - 1, epoch });
                return replicatedBatch(count, base, epoch);
              });
              appendOk(log, Buffer.concat(run), 1, 'replica');
              log.setHighWatermark(log.logEndOffset);
              emptiedAtLogStart = false;
            } else if (op.kind === 'truncate') {
              log.truncateTo(Math.floor(op.at * log.logEndOffset), 1);
              batches = batches.filter((b) => b.last < log.logEndOffset);
              emptiedAtLogStart ||= log.logEndOffset === log.logStartOffset;
            } else if (op.kind === 'delete-records') {
              log.deleteRecordsBefore(log.logStartOffset + Math.floor(op.at * (log.highWatermark - log.logStartOffset)));
            } else {
              log.close(1);
              if (op.withoutFile) {
                fs.rmSync(join(dir, LEADER_EPOCH_FILE));
                // A rebuild sees only the batches of the segments still on disk.
                const firstBase = segmentsOnDisk(dir)[0]!.baseOffset;
                batches = batches.filter((batch) => batch.last >= firstBase);
                emptiedAtLogStart = false;
              }
              log = openLog(dir, false);
            }
            const expected = emptiedAtLogStart ? [] : epochsOfBatches(batches, log.logStartOffset);
            expect(log.leaderEpochEntries).toEqual(expected);
            expect(reread(dir)).toEqual(expected);
            expect(log.leaderEpoch).toBe(expected.at(-1)?.epoch ?? -1);
          }
        } finally {
          log.close(1);
        }
      }),
      { seed, numRuns: 50 },
    );
  });
});
