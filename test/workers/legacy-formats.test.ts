// The worker's old-format fetch path over a real partition log: batches that convert to nothing (records
// compacted away below the fetch offset) are read past instead of answering an empty message set, and a topic
// with message.downconversion.enable=false answers UNSUPPORTED_VERSION.
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/shared/kafka-error-codes.js';
import { BatchField } from '../../src/shared/record-batch.js';
import { buildRecordBatch } from '../../src/shared/record-batch-codec.js';
import { LegacyFormats } from '../../workers/legacy-formats.js';
import { PartitionLog } from '../../workers/log/partition-log.js';
import { readMessageSet } from '../helpers/legacy-message-sets.js';
import { appendOk, files, logConfig, resign, tempPartitionDir, withBaseOffset } from './log/log-test-kit.js';

const NOW = Date.now();

/** A batch at `baseOffset` spanning `span` offsets of which only the first records remain (as the log cleaner leaves it). */
function thinnedBatch(baseOffset: number, span: number, values: string[]): Buffer {
  const batch = buildRecordBatch(
    values.map((v) => ({ key: Buffer.from('k'), value: Buffer.from(v) })),
    { baseTimestamp: NOW },
  );
  batch.writeInt32BE(span - 1, BatchField.LAST_OFFSET_DELTA);
  return resign(withBaseOffset(batch, baseOffset));
}

describe('LegacyFormats.readConverted', () => {
  it('reads past batches that convert to nothing', async () => {
    const log = PartitionLog.open(files, tempPartitionDir(), logConfig(), { nowMs: NOW, trustedOnDisk: true });
    const first = thinnedBatch(0, 10, ['old']);
    appendOk(log, first, NOW, 'replica');
    appendOk(log, thinnedBatch(10, 2, ['a', 'b']), NOW, 'replica');
    const converted = await new LegacyFormats().readConverted(log, 5, first.length, 1, 1 << 20);
    expect(converted.errorCode).toBe(ErrorCode.NONE);
    expect((await readMessageSet(converted.messages)).map((m) => [m.offset, m.value])).toEqual([
      [10, 'a'],
      [11, 'b'],
    ]);
  });

  it('answers UNSUPPORTED_VERSION when down-conversion is off for the topic', async () => {
    const log = PartitionLog.open(files, tempPartitionDir(), logConfig({ messageDownconversionEnable: false }), { nowMs: NOW, trustedOnDisk: true });
    appendOk(log, buildRecordBatch([{ key: null, value: Buffer.from('x') }], { baseTimestamp: NOW }), NOW);
    const converted = await new LegacyFormats().readConverted(log, 0, 1 << 20, 0, 1 << 20);
    expect(converted.errorCode).toBe(ErrorCode.UNSUPPORTED_VERSION);
    expect(converted.messages.length).toBe(0);
  });
});
