// Model-based property test of PartitionLog: random runs of append, read, roll (small segment.bytes and
// segment.ms), retention by bytes and by time, DeleteRecords, truncation, flush, clean and unclean reopen,
// checked after every step against an in-memory list of batches. Test-only.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeRecordBatches } from '../../../src/shared/record-batch-codec.js';
import { ErrorCode, KafkaError } from '../../../src/shared/kafka-error-codes.js';
import type { LogConfig, TimestampType } from '../../../src/shared/topic-config.js';
import { PartitionLog } from '../../../workers/log/partition-log.js';
import { batchSpec, encodeSpec, files, logConfig, readBytes, segmentsOnDisk, seedFor, tempPartitionDir } from './log-test-kit.js';

interface ModelBatch {
  base: number;
  last: number;
  bytes: number;
  maxTimestamp: number;
  keys: string[];
  values: string[];
  timestamps: number[];
}

/** The log as a list of the batches physically present (some may sit below the log start). */
class LogModel {
  batches: ModelBatch[] = [];
  logStart = 0;
  highWatermark = 0;
  logEnd = 0;

  get sizeBytes(): number {
    return this.batches.reduce((sum, b) => sum + b.bytes, 0);
  }

  /** First batch whose last offset is >= offset. */
  batchIndexHolding(offset: number): number {
    return this.batches.findIndex((b) => b.last >= offset);
  }

  /** Drops the physical prefix that accounts for `bytes` (the size the log lost); returns the dropped batches. */
  dropPrefixBytes(bytes: number): ModelBatch[] {
    let dropped = 0;
    let count = 0;
    while (dropped < bytes && count < this.batches.length) dropped += this.batches[count++]!.bytes;
    expect(dropped).toBe(bytes);
    return this.batches.splice(0, count);
  }

  truncateTo(offset: number): void {
    if (offset >= this.logEnd) return;
    const firstBase = this.batches[0]?.base;
    this.batches = this.batches.filter((b) => b.last < offset);
    const lastKept = this.batches[this.batches.length - 1];
    if (lastKept !== undefined) this.logEnd = lastKept.last + 1;
    else this.logEnd = firstBase !== undefined && firstBase < offset ? firstBase : offset;
    this.logStart = Math.min(this.logStart, this.logEnd);
    this.highWatermark = Math.min(this.highWatermark, this.logEnd);
  }

  offsetForTimestamp(target: number): number {
    const batch = this.batches.find((b) => b.last >= this.logStart && b.maxTimestamp >= target);
    if (batch === undefined) return -1;
    const offset = Math.max(batch.base, this.logStart);
    return offset < this.highWatermark ? offset : -1;
  }
}

type Op =
  | { kind: 'append'; batches: Array<{ count: number; valueBytes: number; skewMs: number; stepMs: number }> }
  | { kind: 'read'; at: number; maxBytes: number }
  | { kind: 'time'; ms: number }
  | { kind: 'retentionBytes'; bytes: number }
  | { kind: 'retentionMs'; ms: number }
  | { kind: 'deleteRecords'; at: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'offsetForTimestamp'; skewMs: number }
  | { kind: 'flush' }
  | { kind: 'commit'; at: number }
  | { kind: 'reopen'; how: 'clean' | 'clean-untrusted' | 'crash' | 'crash-after-checkpoint' };

// Integers scaled down: fc.double draws evenly over bit patterns, so nearly all its values sit next to 0.
const fraction = fc.integer({ min: -100, max: 1_100 }).map((n) => n / 1_000);

const opArbitrary: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record({
      kind: fc.constant('append' as const),
      batches: fc.array(
        fc.record({
          count: fc.integer({ min: 1, max: 5 }),
          valueBytes: fc.integer({ min: 0, max: 150 }),
          skewMs: fc.integer({ min: -3_000, max: 1_000 }),
          stepMs: fc.integer({ min: -5, max: 20 }),
        }),
        { minLength: 1, maxLength: 3 },
      ),
    }),
  },
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('read' as const), at: fraction, maxBytes: fc.integer({ min: 0, max: 2_500 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('time' as const), ms: fc.integer({ min: 0, max: 4_000 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('retentionBytes' as const), bytes: fc.integer({ min: 0, max: 4_000 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('retentionMs' as const), ms: fc.integer({ min: 0, max: 6_000 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('deleteRecords' as const), at: fraction }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('truncate' as const), at: fraction }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('offsetForTimestamp' as const), skewMs: fc.integer({ min: -8_000, max: 2_000 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('flush' as const) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('commit' as const), at: fraction }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('reopen' as const),
      how: fc.constantFrom('clean' as const, 'clean-untrusted' as const, 'crash' as const, 'crash-after-checkpoint' as const),
    }),
  },
);

const configArbitrary = fc.record({
  segmentBytes: fc.integer({ min: 120, max: 1_500 }),
  indexIntervalBytes: fc.integer({ min: 0, max: 600 }),
  segmentIndexBytes: fc.constantFrom(16, 40, 100, 1_000_000),
  segmentMs: fc.constantFrom(7 * 24 * 3_600_000, 2_500),
  messageTimestampType: fc.constantFrom<TimestampType>('CreateTime', 'CreateTime', 'LogAppendTime'),
  soleReplica: fc.boolean(),
});

/** One run: applies ops to a fresh log and the model, checking after each. */
class Run {
  readonly dir = tempPartitionDir();
  readonly model = new LogModel();
  nowMs = 1_000_000;
  log: PartitionLog;
  private tag = 0;

  constructor(
    private readonly config: LogConfig,
    private readonly soleReplica: boolean,
  ) {
    this.log = this.open(true);
  }

  apply(op: Op): void {
    switch (op.kind) {
      case 'append':
        return this.append(op.batches);
      case 'read':
        return this.read(this.offsetAt(op.at, this.model.logStart - 1, this.model.logEnd + 1), op.maxBytes);
      case 'time':
        this.nowMs += op.ms;
        return;
      case 'retentionBytes':
        return this.retention({ retentionBytes: op.bytes, retentionMs: -1 });
      case 'retentionMs':
        return this.retention({ retentionBytes: -1, retentionMs: op.ms });
      case 'deleteRecords':
        return this.deleteRecords(this.offsetAt(op.at, 0, this.model.highWatermark + 1));
      case 'truncate':
        return this.truncate(this.offsetAt(op.at, 0, this.model.logEnd + 1));
      case 'offsetForTimestamp':
        expect(this.log.offsetForTimestamp(this.nowMs + op.skewMs)).toBe(this.model.offsetForTimestamp(this.nowMs + op.skewMs));
        return;
      case 'commit':
        return this.commit(op.at);
      case 'flush':
        this.log.flush(this.nowMs);
        expect(this.log.recoveryPoint).toBe(this.model.logEnd);
        return;
      case 'reopen':
        return this.reopen(op.how);
    }
  }

  private offsetAt(at: number, low: number, high: number): number {
    return Math.max(0, Math.round(low + at * (high - low)));
  }

  private append(specs: Array<{ count: number; valueBytes: number; skewMs: number; stepMs: number }>): void {
    const logAppendTime = this.config.messageTimestampType === 'LogAppendTime';
    const encoded = specs.map((s) => {
      const spec = batchSpec(`t${this.tag++}`, s.count, s.valueBytes, this.nowMs + s.skewMs, s.stepMs);
      return { spec, bytes: encodeSpec(spec) };
    });
    const run = Buffer.concat(encoded.map((e) => e.bytes));
    expect(this.log.append(run, 0, run.length, 'client', this.nowMs)).toBe(ErrorCode.NONE);
    expect(this.log.lastAppend.firstOffset).toBe(this.model.logEnd);
    for (const { spec, bytes } of encoded) {
      const base = this.model.logEnd;
      const timestamps = logAppendTime ? spec.timestamps.map(() => this.nowMs) : spec.timestamps;
      this.model.batches.push({
        base,
        last: base + spec.keys.length - 1,
        bytes: bytes.length,
        maxTimestamp: Math.max(...timestamps),
        keys: spec.keys,
        values: spec.values,
        timestamps,
      });
      this.model.logEnd = base + spec.keys.length;
    }
    if (this.soleReplica) this.model.highWatermark = this.model.logEnd;
  }

  private open(trustedOnDisk: boolean): PartitionLog {
    return PartitionLog.open(files, this.dir, this.config, { nowMs: this.nowMs, trustedOnDisk, soleReplica: this.soleReplica });
  }

  /** What a leader does when followers catch up: moves the high watermark to a batch boundary up to the log end. */
  private commit(at: number): void {
    const { model } = this;
    const boundaries = [model.highWatermark, ...model.batches.map((b) => b.last + 1).filter((end) => end > model.highWatermark)];
    model.highWatermark = boundaries[Math.min(boundaries.length - 1, Math.max(0, Math.floor(at * boundaries.length)))]!;
    this.log.setHighWatermark(model.highWatermark);
  }

  private read(offset: number, maxBytes: number): void {
    const { model } = this;
    if (offset < model.logStart || offset > model.logEnd) {
      expect(() => readBytes(this.log, offset, maxBytes)).toThrowError(KafkaError);
      return;
    }
    const bytes = readBytes(this.log, offset, maxBytes);
    if (offset >= model.highWatermark) {
      expect(bytes.length).toBe(0);
      return;
    }
    const first = model.batchIndexHolding(offset);
    expect(first).toBeGreaterThanOrEqual(0);
    const records = decodeRecordBatches(bytes);
    let at = 0;
    let used = 0;
    for (let i = first; at < records.length; i++) {
      const batch = model.batches[i]!;
      expect(batch.last).toBeLessThan(model.highWatermark);
      for (let r = 0; r < batch.keys.length; r++, at++) {
        const record = records[at]!;
        expect([record.offset, record.key?.toString(), record.value?.toString(), record.timestamp]).toEqual([
          batch.base + r,
          batch.keys[r],
          batch.values[r],
          batch.timestamps[r],
        ]);
      }
      used += batch.bytes;
    }
    expect(used).toBe(bytes.length);
    expect(records.length).toBeGreaterThan(0);
    expect(used <= Math.max(maxBytes, model.batches[first]!.bytes)).toBe(true);
  }

  private retention(overrides: Partial<LogConfig>): void {
    const sizeBefore = this.log.sizeBytes;
    this.log.updateConfig({ ...this.config, ...overrides });
    this.log.applyRetention(this.nowMs);
    this.log.updateConfig(this.config);
    const dropped = this.model.dropPrefixBytes(sizeBefore - this.log.sizeBytes);
    const retentionMs = overrides.retentionMs ?? -1;
    for (const batch of dropped) {
      expect(batch.last).toBeLessThan(this.model.highWatermark);
      // Anything below the log start may go whatever its age (DeleteRecords left it there).
      if (retentionMs >= 0 && batch.last >= this.model.logStart) expect(this.nowMs - batch.maxTimestamp).toBeGreaterThan(retentionMs);
    }
    if (dropped.length > 0) this.model.logStart = Math.max(this.model.logStart, dropped[dropped.length - 1]!.last + 1);
    this.expectNothingMoreDeletable(retentionMs, overrides.retentionBytes ?? -1);
  }

  /** After retention, the oldest segment left must not be one retention should have taken. */
  private expectNothingMoreDeletable(retentionMs: number, retentionBytes: number): void {
    const segments = segmentsOnDisk(this.dir);
    const expired = (from: number, to: number): boolean => {
      const inside = this.model.batches.filter((b) => b.base >= from && b.base < to);
      return inside.length > 0 && inside.every((b) => this.nowMs - b.maxTimestamp > retentionMs);
    };
    if (retentionMs >= 0 && this.model.highWatermark === this.model.logEnd && expired(-1, Infinity)) {
      expect(this.model.batches).toEqual([]);
    }
    if (segments.length < 2 || segments[1]!.baseOffset > this.model.highWatermark) return;
    expect(segments[1]!.baseOffset).toBeGreaterThan(this.model.logStart);
    const total = segments.reduce((sum, s) => sum + s.bytes, 0);
    if (retentionBytes >= 0) expect(total - retentionBytes).toBeLessThan(segments[0]!.bytes);
    if (retentionMs >= 0) expect(expired(segments[0]!.baseOffset, segments[1]!.baseOffset)).toBe(false);
  }

  private deleteRecords(offset: number): void {
    const { model } = this;
    if (offset > model.highWatermark) {
      expect(() => this.log.deleteRecordsBefore(offset)).toThrowError(KafkaError);
      return;
    }
    const sizeBefore = this.log.sizeBytes;
    model.logStart = Math.max(model.logStart, offset);
    expect(this.log.deleteRecordsBefore(offset)).toBe(model.logStart);
    for (const batch of model.dropPrefixBytes(sizeBefore - this.log.sizeBytes)) expect(batch.last).toBeLessThan(model.logStart);
    const segments = segmentsOnDisk(this.dir);
    if (segments.length >= 2) expect(segments[1]!.baseOffset).toBeGreaterThan(model.logStart);
  }

  private truncate(offset: number): void {
    this.log.truncateTo(offset, this.nowMs);
    this.model.truncateTo(offset);
  }

  private reopen(how: 'clean' | 'clean-untrusted' | 'crash' | 'crash-after-checkpoint'): void {
    if (how === 'clean' || how === 'clean-untrusted') this.log.close(this.nowMs);
    else {
      if (how === 'crash-after-checkpoint') this.log.writeCheckpointIfDirty();
      this.log.abandon();
    }
    this.log = this.open(how === 'clean');
    if (how !== 'crash') expect(this.log.highWatermark).toBe(this.model.highWatermark);
    // A crash may lose a high watermark that was never checkpointed, never the data or the log start.
    expect(this.log.highWatermark).toBeLessThanOrEqual(this.model.highWatermark);
    expect(this.log.highWatermark).toBeGreaterThanOrEqual(this.model.logStart);
    this.model.highWatermark = this.log.highWatermark;
    expect(this.log.recoveryPoint).toBe(this.model.logEnd);
  }

  check(): void {
    const { log, model } = this;
    expect([log.logStartOffset, log.highWatermark, log.logEndOffset]).toEqual([model.logStart, model.highWatermark, model.logEnd]);
    expect(log.sizeBytes).toBe(model.sizeBytes);
    const segments = segmentsOnDisk(this.dir);
    expect(log.segmentCount).toBe(segments.length);
    expect(segments.reduce((sum, s) => sum + s.bytes, 0)).toBe(model.sizeBytes);
    expect(log.recoveryPoint).toBeLessThanOrEqual(log.logEndOffset);
    if (model.batches.length > 0) expect(segments[0]!.baseOffset).toBe(model.batches[0]!.base);
  }

  /** Reads everything from the log start and compares with the model, then closes. */
  finish(): void {
    const { model } = this;
    if (model.logStart < model.highWatermark) this.read(model.logStart, 1 << 20);
    for (const batch of model.batches) if (batch.last >= model.logStart && batch.last < model.highWatermark) this.read(batch.last, 0);
    this.log.close(this.nowMs);
  }
}

describe('PartitionLog against a model', () => {
  it('matches the model over random operation sequences', () => {
    const seed = seedFor('partition-log model');
    fc.assert(
      fc.property(configArbitrary, fc.array(opArbitrary, { minLength: 5, maxLength: 80, size: 'max' }), (configPart, ops) => {
        const { soleReplica, ...configFields } = configPart;
        const run = new Run(logConfig({ ...configFields, retentionMs: -1, retentionBytes: -1 }), soleReplica);
        try {
          for (const op of ops) {
            run.apply(op);
            run.check();
          }
          run.finish();
        } catch (error) {
          run.log.abandon();
          throw error;
        }
      }),
      { seed, numRuns: 50 },
    );
  });
});
