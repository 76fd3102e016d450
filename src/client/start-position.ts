// Where a consumer starts in each partition: the beginning, the end, an offset (negative = that many before
// the end), or the first record at or after a time; resolved with ListOffsets and checked against each
// partition's range. Runs on the caller's main thread.
import type { KafkaClient } from './kafka-client.js';
import { listOffsets, OffsetSpec } from './list-offsets.js';

export type StartPosition = { kind: 'earliest' } | { kind: 'latest' } | { kind: 'offset'; offset: number } | { kind: 'timestamp'; timestampMs: number };

/** An offset outside a partition's [log start, log end]; the message names the range. */
export class OffsetOutOfRangeError extends RangeError {
  override readonly name = 'OffsetOutOfRangeError';
}

/** partition → the offset to start reading from. */
export async function resolveStartPositions(
  client: KafkaClient,
  topic: string,
  partitions: readonly number[],
  start: StartPosition,
): Promise<Map<number, number>> {
  if (partitions.length === 0) return new Map();
  if (start.kind === 'earliest') return listOffsets(client, topic, partitions, OffsetSpec.EARLIEST);
  const latest = await listOffsets(client, topic, partitions, OffsetSpec.LATEST);
  if (start.kind === 'latest') return latest;
  if (start.kind === 'timestamp') {
    const found = await listOffsets(client, topic, partitions, start.timestampMs);
    // No record at or after the time: start at the end, where the next one will be.
    return new Map(partitions.map((p) => [p, found.get(p)! >= 0 ? found.get(p)! : latest.get(p)!]));
  }
  const earliest = await listOffsets(client, topic, partitions, OffsetSpec.EARLIEST);
  return new Map(partitions.map((p) => [p, checkedOffset(topic, p, start.offset, earliest.get(p)!, latest.get(p)!)]));
}

function checkedOffset(topic: string, partition: number, wanted: number, logStart: number, logEnd: number): number {
  if (wanted < 0) return Math.max(logStart, logEnd + wanted);
  if (wanted < logStart || wanted > logEnd) {
    throw new OffsetOutOfRangeError(
      `offset ${wanted} is out of range for ${topic}-${partition}, which holds offsets ${logStart} to ${logEnd - 1} (next is ${logEnd})`,
    );
  }
  return wanted;
}
