// Fixed layouts of the frames that travel on the data-path rings between the main thread and a
// partition worker: append and fetch requests one way, their completions the other. The one place that
// knows where a field sits: both ends write and read frames only through the functions below. Shared by
// both threads; no function here allocates (reads fill an object the caller keeps and reuses).
//
// Request ring (main → worker). All integers big-endian.
//   APPEND (frame type 1)
//     0  uint32 requestId
//     4  uint32 partitionSlot     the worker's slot number for the partition
//     8  uint32 flags             bit 0: replica origin (keep offsets, integrity checks only);
//                                 bit 1: a message set of the old format (magic 0/1, Produce v0-2),
//                                 converted to a record batch before it is validated;
//                                 bits 8-10: lead padding, 0-7 bytes before the batches (see below)
//    12  uint32 spare
//    16  ...    lead padding, then the record batches exactly as received. The padding gives the batches
//               the same address modulo 8 as their source buffer: V8 copies into shared memory word by
//               word only when both sides are equally aligned (about 6x faster than byte by byte).
//   FETCH (frame type 2)
//     0  uint32 requestId
//     4  uint32 partitionSlot
//     8  uint32 flags             bit 0: read up to the log end (replica) instead of the high watermark;
//                                 bits 1-2: the message format to answer in: 0 as stored (magic 2),
//                                 1 magic 0 (Fetch v0-1), 2 magic 1 (Fetch v2-3), converted down;
//                                 bit 3: within maxBytes: no batch beyond it, not even a first one (the
//                                 read cannot be the response's first with data, so KIP-74 does not apply)
//    12  int32  maxBytes
//    16  int64  fetchOffset
//    24  int32  arenaOffset       where in the worker's fetch arena (fetch-arena.ts) the records may go, -1: no room lent
//    28  int32  arenaBytes        bytes lent there (the records go in the completion frame when they do not fit)
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
//    32  int32  arenaRecordsBytes -1: the records (if any) follow in this frame; else that many bytes of records
//                                 were written at the request's arenaOffset, and none follow
//    36  uint32 spare
//    40  ...    whole record batches as stored, or converted messages (flags bits 1-2), or an error message
//
// Every request starts with requestId, partitionSlot, flags (RequestField); every completion with requestId,
// errorCode (CompletionField). Adding a frame kind: its layout above, a FrameType, a `…Field` table that
// extends one of those two, a holder interface with one property per field, a write and a read function
// (each starts with the shared header's), and a row in test/shared/data-frames.test.ts (round trip, layout).
import { readInt64, writeInt64 } from './record-batch.js';

export const FrameType = {
  APPEND: 1,
  FETCH: 2,
} as const;

/** Every frame, request or completion, starts with the request id it belongs to. */
export const REQUEST_ID_FIELD = 0;

/** Every request starts with its id, the partition's slot on the worker, and flags (RequestFlag). */
export const RequestField = {
  REQUEST_ID: REQUEST_ID_FIELD,
  PARTITION_SLOT: 4,
  FLAGS: 8,
} as const;

/** Every completion starts with the id of the request it answers and a Kafka error code. */
export const CompletionField = {
  REQUEST_ID: REQUEST_ID_FIELD,
  ERROR_CODE: 4,
  SPARE: 6,
} as const;

export const AppendRequestField = {
  ...RequestField,
  SPARE: 12,
} as const;
export const APPEND_REQUEST_HEADER_BYTES = 16;

export const FetchRequestField = {
  ...RequestField,
  MAX_BYTES: 12,
  FETCH_OFFSET: 16,
  ARENA_OFFSET: 24,
  ARENA_BYTES: 28,
} as const;
export const FETCH_REQUEST_BYTES = 32;

export const AppendDoneField = {
  ...CompletionField,
  BASE_OFFSET: 8,
  LOG_APPEND_TIME_MS: 16,
  LOG_START_OFFSET: 24,
  HIGH_WATERMARK: 32,
  RECORD_INDEX: 40,
  SPARE_2: 44,
} as const;
export const APPEND_DONE_HEADER_BYTES = 48;

export const FetchDoneField = {
  ...CompletionField,
  HIGH_WATERMARK: 8,
  LOG_START_OFFSET: 16,
  LOG_END_OFFSET: 24,
  ARENA_RECORDS_BYTES: 32,
  SPARE_2: 36,
} as const;
export const FETCH_DONE_HEADER_BYTES = 40;

export const RequestFlag = {
  REPLICA: 1,
  /** APPEND: the payload is a message set of magic 0/1. */
  LEGACY_MESSAGE_SET: 2,
  /** FETCH: no batch beyond maxBytes, not even the first. */
  WITHIN_MAX_BYTES: 8,
} as const;

/** FETCH flags bits 1-2: 0 = as stored, else the magic to convert down to, plus one. */
const DOWN_CONVERT_SHIFT = 1;
const DOWN_CONVERT_MASK = 0x3;

const LEAD_PADDING_SHIFT = 8;
const LEAD_PADDING_MASK = 0x7;

/** Longest error message carried in a completion frame. */
export const MAX_ERROR_MESSAGE_BYTES = 512;

/** The fields every request starts with (RequestField). */
export interface RequestHeader {
  requestId: number;
  partitionSlot: number;
  flags: number;
}

/** The fields every completion starts with (CompletionField). */
export interface CompletionHeader {
  requestId: number;
  errorCode: number;
}

export type AppendRequest = RequestHeader;

export interface FetchRequest extends RequestHeader {
  maxBytes: number;
  fetchOffset: number;
  arenaOffset: number;
  arenaBytes: number;
}

export interface AppendDone extends CompletionHeader {
  baseOffset: number;
  logAppendTimeMs: number;
  logStartOffset: number;
  highWatermark: number;
  recordIndex: number;
}

export interface FetchDone extends CompletionHeader {
  highWatermark: number;
  logStartOffset: number;
  logEndOffset: number;
  arenaRecordsBytes: number;
}

// Holders to read frames into and write them from: each end keeps one of each and reuses it for every frame.
export function newAppendRequest(): AppendRequest {
  return { requestId: 0, partitionSlot: 0, flags: 0 };
}

export function newFetchRequest(): FetchRequest {
  return { requestId: 0, partitionSlot: 0, flags: 0, maxBytes: 0, fetchOffset: 0, arenaOffset: -1, arenaBytes: 0 };
}

export function newAppendDone(): AppendDone {
  return { requestId: 0, errorCode: 0, baseOffset: -1, logAppendTimeMs: -1, logStartOffset: -1, highWatermark: -1, recordIndex: -1 };
}

export function newFetchDone(): FetchDone {
  return { requestId: 0, errorCode: 0, highWatermark: -1, logStartOffset: -1, logEndOffset: -1, arenaRecordsBytes: -1 };
}

/** Padding that puts a batch copied from `source` at the same alignment modulo 8 as the source. */
export function leadPaddingFor(source: Buffer): number {
  return source.byteOffset & LEAD_PADDING_MASK;
}

export function appendFlags(replica: boolean, leadPadding: number, legacyMessageSet = false): number {
  return (replica ? RequestFlag.REPLICA : 0) | (legacyMessageSet ? RequestFlag.LEGACY_MESSAGE_SET : 0) | (leadPadding << LEAD_PADDING_SHIFT);
}

/** `toMagic`: the message format the fetcher reads (0, 1), or 2 (CURRENT_MAGIC) for batches as stored. */
export function fetchFlags(replica: boolean, toMagic = 2, withinMaxBytes = false): number {
  const convert = toMagic < 2 ? toMagic + 1 : 0;
  return (replica ? RequestFlag.REPLICA : 0) | (convert << DOWN_CONVERT_SHIFT) | (withinMaxBytes ? RequestFlag.WITHIN_MAX_BYTES : 0);
}

/** A FETCH that must not answer a first batch larger than its maxBytes. */
export function isWithinMaxBytes(flags: number): boolean {
  return (flags & RequestFlag.WITHIN_MAX_BYTES) !== 0;
}

export function isLegacyMessageSet(flags: number): boolean {
  return (flags & RequestFlag.LEGACY_MESSAGE_SET) !== 0;
}

/** The magic a FETCH with these flags answers in after converting down (0 or 1), or -1 for batches as stored. */
export function downConvertMagicOf(flags: number): number {
  return ((flags >>> DOWN_CONVERT_SHIFT) & DOWN_CONVERT_MASK) - 1;
}

export function isReplicaRequest(flags: number): boolean {
  return (flags & RequestFlag.REPLICA) !== 0;
}

export function leadPaddingOf(flags: number): number {
  return (flags >>> LEAD_PADDING_SHIFT) & LEAD_PADDING_MASK;
}

/** Bytes of an APPEND frame carrying `batchesBytes` of batches after `leadPadding`. */
export function appendRequestBytes(leadPadding: number, batchesBytes: number): number {
  return APPEND_REQUEST_HEADER_BYTES + leadPadding + batchesBytes;
}

/** Where the batches of the APPEND frame at `at` with these flags start. */
export function appendBatchesAt(at: number, flags: number): number {
  return at + APPEND_REQUEST_HEADER_BYTES + leadPaddingOf(flags);
}

/** The request id of any frame, request or completion, at `at`. */
export function requestIdOf(buf: Buffer, at: number): number {
  return buf.readUInt32BE(at + REQUEST_ID_FIELD);
}

/** Bytes of the error message a completion with `errorCode` carries (none on success). */
export function errorMessageBytes(errorCode: number, message: string): number {
  return errorCode === 0 ? 0 : Math.min(Buffer.byteLength(message), MAX_ERROR_MESSAGE_BYTES);
}

/** The error message in a completion's body, buf[bodyAt, frameEnd) ('' on success). */
export function errorMessageOf(buf: Buffer, errorCode: number, bodyAt: number, frameEnd: number): string {
  return errorCode === 0 ? '' : buf.toString('utf8', bodyAt, frameEnd);
}

function writeRequestHeader(buf: Buffer, at: number, frame: Readonly<RequestHeader>): void {
  buf.writeUInt32BE(frame.requestId, at + RequestField.REQUEST_ID);
  buf.writeUInt32BE(frame.partitionSlot, at + RequestField.PARTITION_SLOT);
  buf.writeUInt32BE(frame.flags, at + RequestField.FLAGS);
}

function readRequestHeader(buf: Buffer, at: number, into: RequestHeader): void {
  into.requestId = buf.readUInt32BE(at + RequestField.REQUEST_ID);
  into.partitionSlot = buf.readUInt32BE(at + RequestField.PARTITION_SLOT);
  into.flags = buf.readUInt32BE(at + RequestField.FLAGS);
}

function writeCompletionHeader(buf: Buffer, at: number, frame: Readonly<CompletionHeader>): void {
  buf.writeUInt32BE(frame.requestId, at + CompletionField.REQUEST_ID);
  buf.writeInt16BE(frame.errorCode, at + CompletionField.ERROR_CODE);
  buf.writeInt16BE(0, at + CompletionField.SPARE);
}

function readCompletionHeader(buf: Buffer, at: number, into: CompletionHeader): void {
  into.requestId = buf.readUInt32BE(at + CompletionField.REQUEST_ID);
  into.errorCode = buf.readInt16BE(at + CompletionField.ERROR_CODE);
}

/** Writes the header of an APPEND frame (the caller copies the batches to appendBatchesAt). */
export function writeAppendRequest(buf: Buffer, at: number, frame: Readonly<AppendRequest>): void {
  writeRequestHeader(buf, at, frame);
  buf.writeUInt32BE(0, at + AppendRequestField.SPARE);
}

export function readAppendRequest<T extends AppendRequest>(buf: Buffer, at: number, into: T): T {
  readRequestHeader(buf, at, into);
  return into;
}

export function writeFetchRequest(buf: Buffer, at: number, frame: Readonly<FetchRequest>): void {
  writeRequestHeader(buf, at, frame);
  buf.writeInt32BE(frame.maxBytes, at + FetchRequestField.MAX_BYTES);
  writeInt64(buf, at + FetchRequestField.FETCH_OFFSET, frame.fetchOffset);
  buf.writeInt32BE(frame.arenaOffset, at + FetchRequestField.ARENA_OFFSET);
  buf.writeInt32BE(frame.arenaBytes, at + FetchRequestField.ARENA_BYTES);
}

export function readFetchRequest<T extends FetchRequest>(buf: Buffer, at: number, into: T): T {
  readRequestHeader(buf, at, into);
  into.maxBytes = buf.readInt32BE(at + FetchRequestField.MAX_BYTES);
  into.fetchOffset = readInt64(buf, at + FetchRequestField.FETCH_OFFSET);
  into.arenaOffset = buf.readInt32BE(at + FetchRequestField.ARENA_OFFSET);
  into.arenaBytes = buf.readInt32BE(at + FetchRequestField.ARENA_BYTES);
  return into;
}

/** Writes an APPEND_DONE header; an error message (writeErrorMessage) follows at APPEND_DONE_HEADER_BYTES. */
export function writeAppendDone(buf: Buffer, at: number, frame: Readonly<AppendDone>): void {
  writeCompletionHeader(buf, at, frame);
  writeInt64(buf, at + AppendDoneField.BASE_OFFSET, frame.baseOffset);
  writeInt64(buf, at + AppendDoneField.LOG_APPEND_TIME_MS, frame.logAppendTimeMs);
  writeInt64(buf, at + AppendDoneField.LOG_START_OFFSET, frame.logStartOffset);
  writeInt64(buf, at + AppendDoneField.HIGH_WATERMARK, frame.highWatermark);
  buf.writeInt32BE(frame.recordIndex, at + AppendDoneField.RECORD_INDEX);
  buf.writeUInt32BE(0, at + AppendDoneField.SPARE_2);
}

export function readAppendDone<T extends AppendDone>(buf: Buffer, at: number, into: T): T {
  readCompletionHeader(buf, at, into);
  into.baseOffset = readInt64(buf, at + AppendDoneField.BASE_OFFSET);
  into.logAppendTimeMs = readInt64(buf, at + AppendDoneField.LOG_APPEND_TIME_MS);
  into.logStartOffset = readInt64(buf, at + AppendDoneField.LOG_START_OFFSET);
  into.highWatermark = readInt64(buf, at + AppendDoneField.HIGH_WATERMARK);
  into.recordIndex = buf.readInt32BE(at + AppendDoneField.RECORD_INDEX);
  return into;
}

/** Writes a FETCH_DONE header; the body (batches from the log, or an error message) follows at FETCH_DONE_HEADER_BYTES. */
export function writeFetchDone(buf: Buffer, at: number, frame: Readonly<FetchDone>): void {
  writeCompletionHeader(buf, at, frame);
  writeInt64(buf, at + FetchDoneField.HIGH_WATERMARK, frame.highWatermark);
  writeInt64(buf, at + FetchDoneField.LOG_START_OFFSET, frame.logStartOffset);
  writeInt64(buf, at + FetchDoneField.LOG_END_OFFSET, frame.logEndOffset);
  buf.writeInt32BE(frame.arenaRecordsBytes, at + FetchDoneField.ARENA_RECORDS_BYTES);
  buf.writeUInt32BE(0, at + FetchDoneField.SPARE_2);
}

export function readFetchDone<T extends FetchDone>(buf: Buffer, at: number, into: T): T {
  readCompletionHeader(buf, at, into);
  into.highWatermark = readInt64(buf, at + FetchDoneField.HIGH_WATERMARK);
  into.logStartOffset = readInt64(buf, at + FetchDoneField.LOG_START_OFFSET);
  into.logEndOffset = readInt64(buf, at + FetchDoneField.LOG_END_OFFSET);
  into.arenaRecordsBytes = buf.readInt32BE(at + FetchDoneField.ARENA_RECORDS_BYTES);
  return into;
}

/** Writes a completion's error message (`messageBytes` from errorMessageBytes()) at `bodyAt`, right after its header. */
export function writeErrorMessage(buf: Buffer, bodyAt: number, message: string, messageBytes: number): void {
  if (messageBytes > 0) buf.write(message, bodyAt, messageBytes, 'utf8');
}
