// Reads a segment file (.log) batch by batch from disk, for `fjord dump-segment`: each batch's header
// fields (layout in src/shared/record-batch.ts), where it sits, and whether it is whole and its CRC-32C
// matches; stops at the first bytes that are not a whole batch (a torn tail). Runs on the main thread.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { Attribute, BATCH_HEADER_BYTES, BatchField, CURRENT_MAGIC, batchSizeAt, computeBatchCrc, readInt64, storedBatchCrc } from '../shared/record-batch.js';

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

/** Every whole batch of the file in order, then (if any) what follows the last one that is not a batch. */
export function* readSegment(path: string): Generator<SegmentBatch, TornTail | null> {
  const fd = openSync(path, 'r');
  try {
    const fileBytes = fstatSync(fd).size;
    const head = Buffer.alloc(BATCH_HEADER_BYTES);
    for (let position = 0; position < fileBytes; ) {
      const left = fileBytes - position;
      if (left < BATCH_HEADER_BYTES) return { position, bytes: left, reason: `${left} bytes, less than a batch header` };
      readSync(fd, head, 0, BATCH_HEADER_BYTES, position);
      const size = batchSizeAt(head, 0);
      const magic = head.readInt8(BatchField.MAGIC);
      if (magic !== CURRENT_MAGIC) return { position, bytes: left, reason: `magic ${magic} (expected ${CURRENT_MAGIC})` };
      if (size < BATCH_HEADER_BYTES || size > left) return { position, bytes: left, reason: `a batch length of ${size} bytes with ${left} left in the file` };
      const bytes = Buffer.alloc(size);
      readSync(fd, bytes, 0, size, position);
      yield describeBatch(bytes, position);
      position += size;
    }
    return null;
  } finally {
    closeSync(fd);
  }
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
