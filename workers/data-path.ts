// The worker's end of the data path: takes append and fetch frames off the request ring, runs them
// against the owned partition logs straight from ring memory, and puts completions on the completion
// ring. Appends that the flush policy makes wait for fsync share one fsync per partition per pass
// (group commit). Runs in a partition worker, on its own event loop.
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import {
  APPEND_DONE_HEADER_BYTES,
  FETCH_DONE_HEADER_BYTES,
  FrameType,
  appendBatchesAt,
  downConvertMagicOf,
  errorMessageBytes,
  isLegacyMessageSet,
  isReplicaRequest,
  isWithinMaxBytes,
  newAppendDone,
  newAppendRequest,
  newFetchDone,
  newFetchRequest,
  readAppendRequest,
  readFetchRequest,
  writeAppendDone,
  writeErrorMessage,
  writeFetchDone,
} from '../src/shared/data-frames.js';
import { ErrorCode } from '../src/shared/kafka-error-codes.js';
import type { SpscRing } from '../src/shared/ring/spsc-ring.js';
import { AppendRun } from './log/batch-recompressor.js';
import { DecompressedBatches, hasCompressedBatch } from './log/decompressed-batches.js';
import { LegacyFormats } from './legacy-formats.js';
import type { PartitionLog } from './log/partition-log.js';
import type { OwnedPartition, PartitionTable } from './partition-table.js';
import type { StorageGuard } from './storage-guard.js';

/** Frames handled before the loop yields so control-plane calls and timers get a turn. */
const FRAMES_PER_PASS = 512;

interface DeferredAppend {
  owned: OwnedPartition;
  requestId: number;
  baseOffset: number;
  logAppendTimeMs: number;
}

export class DataPath {
  private stopped = false;
  private readonly awaitingFsync: DeferredAppend[] = [];
  private readonly partitionsToFsync = new Set<OwnedPartition>();
  private readonly decompressed = new DecompressedBatches();
  private readonly appendRun = new AppendRun();
  private readonly legacy = new LegacyFormats();
  // Frames are read into and written from these, reused for every frame: no object per frame.
  private readonly appendRequest = newAppendRequest();
  private readonly fetchRequest = newFetchRequest();
  private readonly appendDoneFrame = newAppendDone();
  private readonly fetchDoneFrame = newFetchDone();
  framesHandled = 0;

  constructor(
    private readonly requests: SpscRing,
    private readonly completions: SpscRing,
    private readonly table: PartitionTable,
    private readonly guard: StorageGuard,
    private readonly nowMs: () => number = Date.now,
    /** The main thread's fetch arena (src/engine/fetch-arena.ts): a FETCH may lend an extent of it for its records. */
    private readonly fetchArena: Buffer | null = null,
  ) {}

  stop(): void {
    this.stopped = true;
  }

  /** Serves frames until stop() or the request ring is closed. */
  async run(): Promise<void> {
    while (!this.stopped) {
      const handled = await this.drain();
      await this.completeGroupCommit();
      if (handled === FRAMES_PER_PASS) await yieldToEventLoop();
      else if (!(await this.requests.waitForFrames()) && this.requests.closed) return;
    }
  }

  private async drain(): Promise<number> {
    let handled = 0;
    while (handled < FRAMES_PER_PASS && this.requests.peek()) {
      if (this.requests.frameType === FrameType.APPEND) await this.append(this.requests.payloadOffset, this.requests.payloadBytes);
      else if (this.requests.frameType === FrameType.FETCH) await this.fetch(this.requests.payloadOffset);
      else throw new Error(`partition worker: unknown request frame type ${this.requests.frameType}`);
      this.requests.release();
      handled++;
    }
    this.framesHandled += handled;
    return handled;
  }

  private async append(at: number, frameBytes: number): Promise<void> {
    const buf = this.requests.data;
    const { requestId, partitionSlot, flags } = readAppendRequest(buf, at, this.appendRequest);
    const origin = isReplicaRequest(flags) ? 'replica' : 'client';
    let batchesAt = appendBatchesAt(at, flags);
    let batchesBytes = at + frameBytes - batchesAt;
    // An old-format message set becomes one record batch first (legacy-formats.ts), then goes the same way.
    const legacy = isLegacyMessageSet(flags)
      ? await this.legacy.toBatch(buf, batchesAt, batchesBytes, this.decompressed, this.table.get(partitionSlot)?.log ?? null)
      : null;
    if (legacy !== null && legacy.errorCode !== ErrorCode.NONE) return this.appendDone(requestId, legacy.errorCode, null, legacy.errorMessage);
    const source = legacy?.batch ?? buf;
    if (legacy !== null) [batchesAt, batchesBytes] = [0, legacy.batch.length];
    // Compressed client batches are decompressed first (asynchronously for some codecs) so the validator can
    // walk their records; the frame stays on the ring until this append is done.
    const decompressed = origin === 'client' && (legacy?.compressed || hasCompressedBatch(source, batchesAt, batchesBytes)) ? this.decompressed : null;
    if (decompressed !== null && legacy === null) await decompressed.load(source, batchesAt, batchesBytes);
    // A topic with its own compression.type gets the batches recompressed (batch-recompressor.ts).
    const run = await this.appendRun.prepare(
      source,
      batchesAt,
      batchesBytes,
      origin === 'client' ? this.table.get(partitionSlot)?.log?.config : undefined,
      decompressed,
      this.decompressed,
    );
    // Looked up after the wait: the partition may have been closed or deleted meanwhile.
    const owned = this.table.get(partitionSlot);
    const log = owned?.log ?? null;
    if (log === null) return this.appendDone(requestId, unusableCode(owned), null, unusableMessage(owned));
    let code: number;
    try {
      code = log.append(run.buf, run.at, run.length, origin, this.nowMs(), run.decompressed);
    } catch (error) {
      return this.appendDone(requestId, this.guard.codeFor(owned!, error), null, (error as Error).message);
    } finally {
      this.decompressed.clear();
    }
    const info = log.lastAppend;
    if (code !== ErrorCode.NONE) return this.appendDone(requestId, code, log, info.errorMessage, -1, -1, info.recordIndex);
    if (log.needsFlush(this.nowMs())) {
      this.partitionsToFsync.add(owned!);
      this.awaitingFsync.push({ owned: owned!, requestId, baseOffset: info.firstOffset, logAppendTimeMs: info.logAppendTimeMs });
      return;
    }
    return this.appendDone(requestId, ErrorCode.NONE, log, '', info.firstOffset, info.logAppendTimeMs);
  }

  /** fsyncs each partition that asked for it once, then acknowledges the appends that waited for it. */
  private async completeGroupCommit(): Promise<void> {
    if (this.awaitingFsync.length === 0) return;
    const failed = new Map<OwnedPartition, number>();
    for (const owned of this.partitionsToFsync) {
      try {
        owned.log?.flush(this.nowMs());
      } catch (error) {
        failed.set(owned, this.guard.codeFor(owned, error));
      }
    }
    this.partitionsToFsync.clear();
    for (const deferred of this.awaitingFsync.splice(0)) {
      const code = failed.get(deferred.owned) ?? (deferred.owned.log === null ? ErrorCode.KAFKA_STORAGE_ERROR : ErrorCode.NONE);
      const offset = code === ErrorCode.NONE ? deferred.baseOffset : -1;
      await this.appendDone(deferred.requestId, code, deferred.owned.log, code === ErrorCode.NONE ? '' : 'fsync failed', offset, deferred.logAppendTimeMs);
    }
  }

  private async appendDone(
    requestId: number,
    code: number,
    log: PartitionLog | null,
    message: string,
    baseOffset = -1,
    logAppendTimeMs = -1,
    recordIndex = -1,
  ): Promise<void> {
    const messageBytes = errorMessageBytes(code, message);
    const at = await this.reserveCompletion(APPEND_DONE_HEADER_BYTES + messageBytes);
    const frame = this.appendDoneFrame;
    frame.requestId = requestId;
    frame.errorCode = code;
    frame.baseOffset = baseOffset;
    frame.logAppendTimeMs = logAppendTimeMs;
    frame.logStartOffset = log?.logStartOffset ?? -1;
    frame.highWatermark = log?.highWatermark ?? -1;
    frame.recordIndex = recordIndex;
    writeAppendDone(this.completions.data, at, frame);
    writeErrorMessage(this.completions.data, at + APPEND_DONE_HEADER_BYTES, message, messageBytes);
    this.completions.commit(FrameType.APPEND, APPEND_DONE_HEADER_BYTES + messageBytes);
  }

  private async fetch(at: number): Promise<void> {
    const request = readFetchRequest(this.requests.data, at, this.fetchRequest);
    const { requestId, partitionSlot, flags, maxBytes: maxBytesAsked, fetchOffset: offset } = request;
    const owned = this.table.get(partitionSlot);
    if (downConvertMagicOf(flags) >= 0) return this.fetchConverted(requestId, owned, offset, Math.max(0, maxBytesAsked), downConvertMagicOf(flags));
    const limit = isReplicaRequest(flags) ? 'log-end' : 'high-watermark';
    const wholeFirstBatch = !isWithinMaxBytes(flags);
    const maxBytes = Math.max(0, maxBytesAsked);
    const log = owned?.log ?? null;
    if (log === null) return this.fetchFailed(requestId, unusableCode(owned), unusableMessage(owned));
    // Records read into the lent arena extent go to the socket from there; a first batch larger than the
    // extent (or no extent) takes the completion frame.
    if (this.fetchArena !== null && request.arenaOffset >= 0) {
      let bytes: number;
      try {
        bytes = log.read(offset, maxBytes, limit, this.fetchArena, request.arenaOffset, request.arenaBytes, wholeFirstBatch);
      } catch (error) {
        return this.readFailed(requestId, owned!, log, error);
      }
      if (bytes >= 0) {
        const out = await this.reserveCompletion(FETCH_DONE_HEADER_BYTES);
        this.writeFetchHeader(out, requestId, ErrorCode.NONE, log, bytes);
        return this.completions.commit(FrameType.FETCH, FETCH_DONE_HEADER_BYTES);
      }
    }
    const wanted = Math.min(FETCH_DONE_HEADER_BYTES + maxBytes, this.completions.maxPayloadBytes);
    let reserved = wanted;
    let out = await this.reserveCompletion(reserved);
    try {
      let bytes = log.read(offset, maxBytes, limit, this.completions.data, out + FETCH_DONE_HEADER_BYTES, reserved - FETCH_DONE_HEADER_BYTES, wholeFirstBatch);
      if (bytes < 0) {
        reserved = FETCH_DONE_HEADER_BYTES - bytes;
        if (reserved > this.completions.maxPayloadBytes) {
          return this.fetchFailed(requestId, ErrorCode.MESSAGE_TOO_LARGE, `a batch of ${-bytes} bytes exceeds the data-path ring`);
        }
        out = await this.reserveCompletion(reserved);
        bytes = log.read(offset, maxBytes, limit, this.completions.data, out + FETCH_DONE_HEADER_BYTES, reserved - FETCH_DONE_HEADER_BYTES, wholeFirstBatch);
      }
      this.writeFetchHeader(out, requestId, ErrorCode.NONE, log);
      this.completions.commit(FrameType.FETCH, FETCH_DONE_HEADER_BYTES + Math.max(0, bytes));
    } catch (error) {
      return this.readFailed(requestId, owned!, log, error);
    }
  }

  private readFailed(requestId: number, owned: OwnedPartition, log: PartitionLog, error: unknown): Promise<void> {
    const code = this.guard.codeFor(owned, error);
    return this.fetchFailed(requestId, code, (error as Error).message, code === ErrorCode.KAFKA_STORAGE_ERROR ? null : log);
  }

  /** Fetch v0-3: whole stored batches read, converted down to `toMagic` (legacy-formats.ts), answered as messages. */
  private async fetchConverted(requestId: number, owned: OwnedPartition | undefined, offset: number, maxBytes: number, toMagic: number): Promise<void> {
    const log = owned?.log ?? null;
    if (log === null) return this.fetchFailed(requestId, unusableCode(owned), unusableMessage(owned));
    let converted: { errorCode: number; errorMessage: string; messages: Buffer };
    try {
      converted = await this.legacy.readConverted(log, offset, maxBytes, toMagic, this.completions.maxPayloadBytes - FETCH_DONE_HEADER_BYTES);
    } catch (error) {
      const code = this.guard.codeFor(owned!, error);
      return this.fetchFailed(requestId, code, (error as Error).message, code === ErrorCode.KAFKA_STORAGE_ERROR ? null : log);
    }
    if (converted.errorCode !== ErrorCode.NONE)
      return this.fetchFailed(requestId, converted.errorCode, converted.errorMessage, converted.errorCode === ErrorCode.UNSUPPORTED_VERSION ? null : log);
    const out = await this.reserveCompletion(FETCH_DONE_HEADER_BYTES + converted.messages.length);
    this.writeFetchHeader(out, requestId, ErrorCode.NONE, log);
    converted.messages.copy(this.completions.data, out + FETCH_DONE_HEADER_BYTES);
    this.completions.commit(FrameType.FETCH, FETCH_DONE_HEADER_BYTES + converted.messages.length);
  }

  private async fetchFailed(requestId: number, code: number, message: string, log: PartitionLog | null = null): Promise<void> {
    const messageBytes = errorMessageBytes(code, message);
    const at = await this.reserveCompletion(FETCH_DONE_HEADER_BYTES + messageBytes);
    this.writeFetchHeader(at, requestId, code, log);
    writeErrorMessage(this.completions.data, at + FETCH_DONE_HEADER_BYTES, message, messageBytes);
    this.completions.commit(FrameType.FETCH, FETCH_DONE_HEADER_BYTES + messageBytes);
  }

  /** `arenaRecordsBytes`: records written to the request's arena extent, or -1 (any records follow the header). */
  private writeFetchHeader(at: number, requestId: number, code: number, log: PartitionLog | null, arenaRecordsBytes = -1): void {
    const frame = this.fetchDoneFrame;
    frame.arenaRecordsBytes = arenaRecordsBytes;
    frame.requestId = requestId;
    frame.errorCode = code;
    frame.highWatermark = log?.highWatermark ?? -1;
    frame.logStartOffset = log?.logStartOffset ?? -1;
    frame.logEndOffset = log?.logEndOffset ?? -1;
    writeFetchDone(this.completions.data, at, frame);
  }

  /** Room for a completion; waits (backpressure from the main thread) when the ring is full. */
  private async reserveCompletion(payloadBytes: number): Promise<number> {
    for (;;) {
      const at = this.completions.reserve(payloadBytes);
      if (at >= 0) return at;
      if (!(await this.completions.waitForSpace(payloadBytes)) && this.completions.closed) {
        throw new Error('partition worker: completion ring closed');
      }
    }
  }
}

function unusableCode(owned: OwnedPartition | undefined): number {
  return owned === undefined ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION : ErrorCode.KAFKA_STORAGE_ERROR;
}

function unusableMessage(owned: OwnedPartition | undefined): string {
  return owned === undefined ? 'partition is not open on this worker' : `log dir ${owned.logDir} is offline`;
}
