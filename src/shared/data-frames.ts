// Fixed layouts of the frames that travel on the data-path rings between the main thread and a
// partition worker: append and fetch requests one way, their completions the other. Shared by both threads.
//
// Request ring (main → worker). All integers big-endian.
//   APPEND (frame type 1)
//     0  uint32 requestId
//     4  uint32 partitionSlot     the worker's slot number for the partition
//     8  uint32 flags             bit 0: replica origin (keep offsets, integrity checks only);
//                                 bits 8-10: lead padding, 0-7 bytes before the batches (see below)
//    12  uint32 spare
//    16  ...    lead padding, then the record batches exactly as received. The padding gives the batches
//               the same address modulo 8 as their source buffer: V8 copies into shared memory word by
//               word only when both sides are equally aligned (about 6x faster than byte by byte).
//   FETCH (frame type 2)
//     0  uint32 requestId
//     4  uint32 partitionSlot
//     8  uint32 flags             bit 0: read up to the log end (replica) instead of the high watermark
//    12  int32  maxBytes
//    16  int64  fetchOffset
//
// Completion ring (worker → main).
//   APPEND_DONE (frame type 1)
//     0  uint32 requestId
//     4  int16  errorCode
//     6  int16  spare
//     8  int64  baseOffset        first offset assigned, -1 on error
//    16  int64  logAppendTimeMs   -1 unless the topic uses LogAppendTime
//    24  int64  logStartOffset
//    32  int64  highWatermark
//    40  int32  recordIndex       the record (index in its batch) that failed validation, -1 for none
//    44  uint32 spare
//    48  ...    error message, UTF-8 (only when errorCode != 0)
//   FETCH_DONE (frame type 2)
//     0  uint32 requestId
//     4  int16  errorCode
//     6  int16  spare
//     8  int64  highWatermark
//    16  int64  logStartOffset
//    24  int64  logEndOffset
//    32  ...    whole record batches as stored (or an error message when errorCode != 0)

export const FrameType = {
  APPEND: 1,
  FETCH: 2,
} as const;

export const APPEND_REQUEST_HEADER_BYTES = 16;
export const FETCH_REQUEST_BYTES = 24;
export const APPEND_DONE_HEADER_BYTES = 48;
export const FETCH_DONE_HEADER_BYTES = 32;

export const RequestFlag = {
  REPLICA: 1,
} as const;

const LEAD_PADDING_SHIFT = 8;
const LEAD_PADDING_MASK = 0x7;

/** Padding that puts a batch copied from `source` at the same alignment modulo 8 as the source. */
export function leadPaddingFor(source: Buffer): number {
  return source.byteOffset & LEAD_PADDING_MASK;
}

export function appendFlags(replica: boolean, leadPadding: number): number {
  return (replica ? RequestFlag.REPLICA : 0) | (leadPadding << LEAD_PADDING_SHIFT);
}

export function leadPaddingOf(flags: number): number {
  return (flags >>> LEAD_PADDING_SHIFT) & LEAD_PADDING_MASK;
}

/** Longest error message carried in a completion frame. */
export const MAX_ERROR_MESSAGE_BYTES = 512;
