// Model-based property test of log compaction: random keyed records and tombstones (any codec, keyless
// records in compressed batches) appended, rolled, compacted, reopened (cleanly and after a crash), checked
// after every step against the list of everything written: offsets preserved, the active segment untouched,
// in sealed segments exactly the last record of each key, tombstones gone only once expired. Test-only.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ConsumedRecord } from '../../../src/shared/record-batch-codec.js';
import type { LogConfig } from '../../../src/shared/topic-config.js';
import { PartitionLog } from '../../../workers/log/partition-log.js';
import { files, logConfig, seedFor, tempPartitionDir } from './log-test-kit.js';
import { appendBatch, type CodecName, compactNow, keyedBatch, readRecords } from './cleaner-test-kit.js';

interface Written {
  offset: number;
  key: string | null;
  value: string | null;
  timestamp: number;
}

type Op =
  | { kind: 'append'; codec: CodecName; records: Array<{ key: number; tombstone: boolean; keyless: boolean; valueBytes: number; ageMs: number }> }
  | { kind: 'roll' }
  | { kind: 'time'; ms: number }
  | { kind: 'compact' }
  | { kind: 'reopen'; crash: boolean };

const KEYS = 6;

const opArbitrary: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 10,
    arbitrary: fc.record({
      kind: fc.constant('append' as const),
      codec: fc.constantFrom<CodecName>('none', 'none', 'none', 'gzip', 'snappy', 'snappy-raw', 'lz4', 'zstd'),
      records: fc.array(
        fc.record({
          key: fc.integer({ min: 0, max: KEYS - 1 }),
          tombstone: fc.integer({ min: 0, max: 9 }).map((n) => n < 3),
          keyless: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
          valueBytes: fc.integer({ min: 0, max: 60 }),
          ageMs: fc.integer({ min: 0, max: 3_000 }),
        }),
        { minLength: 1, maxLength: 5 },
      ),
    }),
  },
  { weight: 2, arbitrary: fc.constant({ kind: 'roll' as const }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('time' as const), ms: fc.integer({ min: 0, max: 3_000 }) }) },
  { weight: 4, arbitrary: fc.constant({ kind: 'compact' as const }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('reopen' as const), crash: fc.boolean() }) },
);

const configArbitrary = fc.record({
  segmentBytes: fc.integer({ min: 150, max: 1_500 }),
  indexIntervalBytes: fc.integer({ min: 0, max: 600 }),
  segmentIndexBytes: fc.constantFrom(16, 40, 1_000_000),
  deleteRetentionMs: fc.constantFrom(0, 1_500, 1_000_000_000),
});

class Run {
  readonly dir = tempPartitionDir();
  readonly written: Written[] = [];
  nowMs = 1_000_000;
  log: PartitionLog;
  /** The clock and the active segment's base at the last cleaning that ran. */
  lastClean: { nowMs: number; activeBase: number } | null = null;
  private tag = 0;

  constructor(readonly config: LogConfig) {
    this.log = this.open(true);
  }

  private open(trustedOnDisk: boolean): PartitionLog {
    return PartitionLog.open(files, this.dir, this.config, { nowMs: this.nowMs, trustedOnDisk });
  }

  async apply(op: Op): Promise<void> {
    switch (op.kind) {
      case 'append':
        return this.append(op);
      case 'roll':
        this.log.roll(this.nowMs);
        return;
      case 'time':
        this.nowMs += op.ms;
        return;
      case 'compact':
        return this.compact();
      case 'reopen':
        return this.reopen(op.crash);
    }
  }

  private async append(op: Extract<Op, { kind: 'append' }>): Promise<void> {
    // Keyless records are refused on compacted topics; those written before a topic was switched to
    // compaction (modelled for compressed batches) stay, and the cleaner keeps them.
    const records = op.records.map((r) => ({
      key: r.keyless && op.codec !== 'none' ? null : `key-${r.key}`,
      value: r.tombstone ? null : `v${this.tag++}-`.padEnd(r.valueBytes, 'x'),
      timestamp: this.nowMs - r.ageMs,
    }));
    const compacted = this.log.config;
    if (records.some((r) => r.key === null)) this.log.updateConfig({ ...compacted, cleanupPolicy: 'delete' });
    const first = await appendBatch(this.log, await keyedBatch(records, op.codec), this.nowMs).finally(() => this.log.updateConfig(compacted));
    records.forEach((r, i) => {
      this.written.push({ ...r, offset: first + i });
    });
  }

  private async compact(): Promise<void> {
    const activeBase = this.log.activeSegment.baseOffset;
    const before = await this.read();
    if ((await compactNow(this.log, this.nowMs)) !== null) this.lastClean = { nowMs: this.nowMs, activeBase };
    const after = await this.read();
    expect(this.log.activeSegment.baseOffset).toBe(activeBase);
    expect(after.filter(([offset]) => offset >= activeBase)).toEqual(before.filter(([offset]) => offset >= activeBase));
  }

  private async reopen(crash: boolean): Promise<void> {
    const before = await this.read();
    if (crash) this.log.abandon();
    else this.log.close(this.nowMs);
    this.log = this.open(!crash);
    expect(await this.read()).toEqual(before);
  }

  private async read(): Promise<Array<[number, string | null, string | null]>> {
    return (await readRecords(this.log)).map((r: ConsumedRecord) => [r.offset, r.key?.toString() ?? null, r.value?.toString() ?? null]);
  }

  /** The log against everything written: see the file comment. */
  async check(): Promise<void> {
    const records = await this.read();
    const activeBase = this.log.activeSegment.baseOffset;
    const byOffset = new Map(this.written.map((w) => [w.offset, w]));
    for (let i = 0; i < records.length; i++) {
      const [offset, key, value] = records[i]!;
      if (i > 0) expect(offset).toBeGreaterThan(records[i - 1]![0]);
      expect(byOffset.get(offset) && [byOffset.get(offset)!.key, byOffset.get(offset)!.value]).toEqual([key, value]);
    }
    const present = new Set(records.map(([offset]) => offset));
    for (const w of this.written) if (w.key === null || w.offset >= activeBase) expect(present.has(w.offset)).toBe(true);
    if (this.lastClean !== null) this.checkSealedKeys(present, this.lastClean);
    expect([this.log.logStartOffset, this.log.logEndOffset]).toEqual([0, this.written.length]);
  }

  /** In the part the last cleaning covered: each key's last record there, nothing older; tombstones gone only once expired. */
  private checkSealedKeys(present: ReadonlySet<number>, clean: { nowMs: number; activeBase: number }): void {
    const lastCleaned = new Map<string, Written>();
    for (const w of this.written) if (w.key !== null && w.offset < clean.activeBase) lastCleaned.set(w.key, w);
    for (const w of this.written) {
      if (w.key === null || w.offset >= clean.activeBase) continue;
      const last = lastCleaned.get(w.key)!;
      if (w !== last) {
        expect(present.has(w.offset)).toBe(false);
      } else if (w.value !== null) {
        expect(present.has(w.offset)).toBe(true);
      } else {
        const expiredThen = w.timestamp < clean.nowMs - this.config.deleteRetentionMs;
        const expiredNow = w.timestamp < this.nowMs - this.config.deleteRetentionMs;
        if (expiredThen) expect(present.has(w.offset)).toBe(false);
        if (!expiredNow) expect(present.has(w.offset)).toBe(true);
      }
    }
  }
}

describe('log compaction against a model', () => {
  it('keeps the last record per key with offsets preserved over random runs', async () => {
    const seed = seedFor('cleaner model');
    await fc.assert(
      fc.asyncProperty(configArbitrary, fc.array(opArbitrary, { minLength: 5, maxLength: 60 }), async (configPart, ops) => {
        const run = new Run(logConfig({ ...configPart, cleanupPolicy: 'compact', minCleanableDirtyRatio: 0, retentionMs: -1 }));
        try {
          for (const op of ops) {
            await run.apply(op);
            await run.check();
          }
          await run.apply({ kind: 'roll' });
          await run.apply({ kind: 'compact' });
          await run.check();
          run.log.close(run.nowMs);
        } catch (error) {
          run.log.abandon();
          throw error;
        }
      }),
      { seed, numRuns: 40 },
    );
  });
});
