// Reads a segment file (.log) batch by batch from disk for `fjord dump-segment`, through the shared segment
// walker (src/shared/batch-walker.ts, the one the partition workers use): each batch's header fields (layout in
// src/shared/record-batch.ts), where it sits, and whether its CRC-32C matches; stops at the first bytes that
// are not a whole magic-2 batch (a torn tail) and says why. Runs on the main thread.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { BatchWalker, type PositionalReader, Visit } from '../shared/batch-walker.js';
import { Attribute, BATCH_HEADER_BYTES, BatchField, CURRENT_MAGIC, batchSizeAt, computeBatchCrc, readInt64, storedBatchCrc } from '../shared/record-batch.js';

const nodeFiles: PositionalReader = { read: (fd, buf, offset, length, position) => readSync(fd, buf, offset, length, position) };

export interface SegmentBatch {
  position: number;
  bytes: Buffer;
  baseOffset: number;
  lastOffset: number;
  count: number;
  partitionLeaderEpoch: number;
  magic: number;
  attributes: number;
  codec: number;
  isTransactional: boolean;
  isControl: boolean;
  logAppendTime: boolean;
  baseTimestamp: number;
  maxTimestamp: number;
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  crcStored: number;
  crcComputed: number;
}

export interface TornTail {
  position: number;
  bytes: number;
  reason: string;
}

/** Calls `visit` with every whole batch of the file in order; then returns what follows the last one that is not a batch, if any. */
export async function readSegment(path: string, visit: (batch: SegmentBatch) => Promise<void>): Promise<TornTail | null> {
  const fd = openSync(path, 'r');
  try {
    const fileBytes = fstatSync(fd).size;
    const walker = new BatchWalker(nodeFiles);
    let position = 0;
    const end = await walker.forEachBatchCopy(fd, 0, fileBytes, async (bytes) => {
      if (bytes.readInt8(BatchField.MAGIC) !== CURRENT_MAGIC) return Visit.STOP;
      await visit(describeBatch(bytes, position));
      position += bytes.length;
      return Visit.CONTINUE;
    });
    return walker.lastEnd === 'end' ? null : tornTail(fd, end, fileBytes);
  } finally {
    closeSync(fd);
  }
}

/** Why the bytes from `position` to the end of the file are not a batch. */
function tornTail(fd: number, position: number, fileBytes: number): TornTail {
  const left = fileBytes - position;
  if (left < BATCH_HEADER_BYTES) return { position, bytes: left, reason: `${left} bytes, less than a batch header` };
  const head = Buffer.alloc(BATCH_HEADER_BYTES);
  readSync(fd, head, 0, BATCH_HEADER_BYTES, position);
  const magic = head.readInt8(BatchField.MAGIC);
  if (magic !== CURRENT_MAGIC) return { position, bytes: left, reason: `magic ${magic} (expected ${CURRENT_MAGIC})` };
  return { position, bytes: left, reason: `a batch length of ${batchSizeAt(head, 0)} bytes with ${left} left in the file` };
}

function describeBatch(bytes: Buffer, position: number): SegmentBatch {
  const attributes = bytes.readInt16BE(BatchField.ATTRIBUTES);
  const baseOffset = readInt64(bytes, BatchField.BASE_OFFSET);
  return {
    position,
    bytes,
    baseOffset,
    lastOffset: baseOffset + bytes.readInt32BE(BatchField.LAST_OFFSET_DELTA),
    count: bytes.readInt32BE(BatchField.RECORDS_COUNT),
    partitionLeaderEpoch: bytes.readInt32BE(BatchField.PARTITION_LEADER_EPOCH),
    magic: bytes.readInt8(BatchField.MAGIC),
    attributes,
    codec: attributes & Attribute.COMPRESSION_MASK,
    isTransactional: (attributes & Attribute.TRANSACTIONAL) !== 0,
    isControl: (attributes & Attribute.CONTROL) !== 0,
    logAppendTime: (attributes & Attribute.LOG_APPEND_TIME) !== 0,
    baseTimestamp: readInt64(bytes, BatchField.BASE_TIMESTAMP),
    maxTimestamp: readInt64(bytes, BatchField.MAX_TIMESTAMP),
    producerId: readInt64(bytes, BatchField.PRODUCER_ID),
    producerEpoch: bytes.readInt16BE(BatchField.PRODUCER_EPOCH),
    baseSequence: bytes.readInt32BE(BatchField.BASE_SEQUENCE),
    crcStored: storedBatchCrc(bytes, 0),
    crcComputed: computeBatchCrc(bytes, 0, bytes.length),
  };
}
