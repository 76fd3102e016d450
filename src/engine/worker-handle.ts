// The main thread's handle on one partition worker: starts the thread with its two rings and its fetch
// arena, writes append and fetch frames (waiting in a bounded backlog when the request ring is full), matches
// completions to their requests, and reports the thread's death so the engine can restart it. A fetch lends
// the worker an arena extent to read records into; they reach the caller as a view of it, given back through
// the buffer pool once written (fetch-arena.ts); without room there, they come in the completion frame and
// are copied out once. Runs on the main thread; never blocks it (waits are Atomics.waitAsync).
import { Worker } from 'node:worker_threads';
import { compiledPath } from '../shared/compiled-path.js';
import { Comlink, endpointOf } from '../shared/comlink-endpoint.js';
import {
  APPEND_DONE_HEADER_BYTES,
  FETCH_DONE_HEADER_BYTES,
  FETCH_REQUEST_BYTES,
  FrameType,
  appendBatchesAt,
  appendFlags,
  appendRequestBytes,
  errorMessageOf,
  fetchFlags,
  leadPaddingFor,
  newAppendDone,
  newFetchDone,
  readAppendDone,
  readFetchDone,
  requestIdOf,
  writeAppendRequest,
  writeFetchRequest,
} from '../shared/data-frames.js';
import { ErrorCode, KafkaError } from '../shared/kafka-error-codes.js';
import { SpscRing } from '../shared/ring/spsc-ring.js';
import { CURRENT_MAGIC } from '../shared/record-batch.js';
import { isWorkerEvent, type PartitionWorkerData, type WorkerEvent } from '../shared/worker-protocol.js';
import type { WorkerControl } from '../../workers/worker-control.js';
import type { WorkerSettings } from '../shared/worker-settings.js';
import { largeBuffers } from '../buffer-pool.js';
import { FetchArena } from './fetch-arena.js';

/** Each worker's fetch arena is this many times fjord.ring.bytes (64 MiB by default). */
export const FETCH_ARENA_RING_MULTIPLE = 2;

export interface AppendOutcome {
  errorCode: number;
  errorMessage: string;
  baseOffset: number;
  logAppendTimeMs: number;
  logStartOffset: number;
  highWatermark: number;
  /** The record (index in its batch) that failed validation, or -1. */
  recordIndex: number;
}

export interface FetchOutcome {
  errorCode: number;
  errorMessage: string;
  highWatermark: number;
  logStartOffset: number;
  logEndOffset: number;
  /** Whole record batches as stored (empty at the end of the log). */
  records: Buffer;
}

export interface WorkerHandleOptions {
  workerId: number;
  ringBytes: number;
  maxBacklogRequests: number;
  faultInjection: boolean;
  settings: WorkerSettings;
  onEvent: (event: WorkerEvent) => void;
  /** The thread died without being asked to stop. */
  onCrash: (handle: WorkerHandle, reason: string) => void;
}

type Pending = { slot: number } & (
  | { kind: 'append'; resolve: (outcome: AppendOutcome) => void }
  | { kind: 'fetch'; resolve: (outcome: FetchOutcome) => void; arenaOffset: number }
);

interface Queued {
  frameType: number;
  payloadBytes: number;
  write: (buf: Buffer, at: number) => void;
  requestId: number;
}

export class WorkerHandle {
  readonly control: Comlink.Remote<WorkerControl>;
  private readonly worker: Worker;
  private readonly requests: SpscRing;
  private readonly completions: SpscRing;
  private readonly arena: FetchArena;
  /** Most record bytes one fetch reads: what one completion frame can carry. */
  private readonly recordsBytesMax: number;
  private readonly pending = new Map<number, Pending>();
  private readonly backlog: Queued[] = [];
  private nextRequestId = 1;
  private stopping = false;
  private onIdle: (() => void) | null = null;
  /** whenSlotIdle() callers: a slot's requests still in flight, and who to tell once they are done. */
  private readonly slotDrains = new Set<{ requestIds: Set<number>; done: () => void }>();
  private dead = false;
  /** Control-plane calls waiting for an answer: failed if the thread dies, since comlink would wait forever. */
  private readonly unanswered = new Set<(error: KafkaError) => void>();
  /** Completion frames are read into these, then copied into the outcome a caller keeps. */
  private readonly appendDone = newAppendDone();
  private readonly fetchDone = newFetchDone();

  private constructor(private readonly options: WorkerHandleOptions) {
    this.requests = SpscRing.create(options.ringBytes);
    this.completions = SpscRing.create(options.ringBytes);
    this.arena = new FetchArena(FETCH_ARENA_RING_MULTIPLE * options.ringBytes);
    this.recordsBytesMax = this.completions.maxPayloadBytes - FETCH_DONE_HEADER_BYTES;
    const workerData: PartitionWorkerData = {
      workerId: options.workerId,
      requestRing: this.requests.sab,
      completionRing: this.completions.sab,
      fetchArena: this.arena.sab,
      faultInjection: options.faultInjection,
      settings: options.settings,
    };
    this.worker = new Worker(compiledPath('workers/partition-worker'), { workerData, name: `fjord-partition-worker-${options.workerId}` });
    this.control = Comlink.wrap<WorkerControl>(endpointOf(this.worker));
    this.worker.on('message', (message: unknown) => {
      if (isWorkerEvent(message)) options.onEvent(message);
    });
    this.worker.on('error', (error) => this.died(`uncaught ${error.stack ?? error.message}`));
    this.worker.on('exit', (code) => this.died(`exited with code ${code}`));
    void this.pumpCompletions();
  }

  /** A control-plane call's answer, or a retriable KafkaError if the thread dies first (comlink would wait forever). */
  unlessDead<T>(answer: Promise<T>): Promise<T> {
    if (this.dead) {
      answer.catch(() => {});
      return Promise.reject(new KafkaError(ErrorCode.REQUEST_TIMED_OUT, `partition worker ${this.workerId} is restarting`));
    }
    // Not Promise.race against a long-lived promise: each race would leave a reaction on it until the thread dies.
    return new Promise<T>((resolve, reject) => {
      this.unanswered.add(reject);
      answer.then(
        (value) => {
          this.unanswered.delete(reject);
          resolve(value);
        },
        (error: unknown) => {
          this.unanswered.delete(reject);
          reject(error);
        },
      );
    });
  }

  /** Starts the thread and waits until its control plane answers. */
  static async start(options: WorkerHandleOptions): Promise<WorkerHandle> {
    const handle = new WorkerHandle(options);
    await handle.control.stats();
    return handle;
  }

  get workerId(): number {
    return this.options.workerId;
  }

  get inFlight(): number {
    return this.pending.size;
  }

  /** Milliseconds the worker thread's event loop has been busy since it started (its rate is the worker's busy share). */
  busyMs(): number {
    return this.dead ? 0 : this.worker.performance.eventLoopUtilization().active;
  }

  ringOccupancy(): { requestBytes: number; completionBytes: number; capacityBytes: number } {
    return { requestBytes: this.requests.usedBytes(), completionBytes: this.completions.usedBytes(), capacityBytes: this.requests.capacityBytes };
  }

  /**
   * Appends record batches to the partition in `slot`; the batch bytes are copied once, into the ring.
   * `legacyMessageSet`: the bytes are a message set of magic 0/1 (Produce v0-2), converted by the worker.
   */
  append(slot: number, batches: Buffer, replica = false, legacyMessageSet = false): Promise<AppendOutcome> {
    return new Promise((resolve) => {
      const leadPadding = leadPaddingFor(batches);
      const payloadBytes = appendRequestBytes(leadPadding, batches.length);
      const failure = this.refuse(payloadBytes);
      if (failure !== null) return resolve(appendFailure(failure.code, failure.message));
      const requestId = this.takeRequestId();
      this.pending.set(requestId, { kind: 'append', slot, resolve });
      const flags = appendFlags(replica, leadPadding, legacyMessageSet);
      this.submit(FrameType.APPEND, payloadBytes, requestId, (buf, at) => {
        writeAppendRequest(buf, at, { requestId, partitionSlot: slot, flags });
        batches.copy(buf, appendBatchesAt(at, flags));
      });
    });
  }

  /**
   * Reads whole batches from `offset`, up to the high watermark (or the log end for a replica). `toMagic` 0 or
   * 1: the worker answers messages of that format (Fetch v0-3) instead of the batches as stored.
   */
  fetch(slot: number, offset: number, maxBytes: number, replica = false, toMagic = CURRENT_MAGIC, withinMaxBytes = false): Promise<FetchOutcome> {
    return new Promise((resolve) => {
      const failure = this.refuse(FETCH_REQUEST_BYTES);
      if (failure !== null) return resolve(fetchFailure(failure.code, failure.message));
      const requestId = this.takeRequestId();
      const cappedBytes = Math.min(maxBytes, 0x7fff_ffff);
      // Converted answers (Fetch v0-3) are built by the worker in its own memory: they come in the frame. One
      // partition reads at most what a completion frame could carry, as on the ring path: a partition's large
      // read is then several fetches, the worker reading the next while the main thread sends the last.
      const arenaOffset = toMagic === CURRENT_MAGIC && cappedBytes > 0 ? this.arena.allocate(Math.min(cappedBytes, this.recordsBytesMax)) : -1;
      this.pending.set(requestId, { kind: 'fetch', slot, resolve, arenaOffset });
      const arenaBytes = arenaOffset < 0 ? 0 : this.arena.sizeOf(arenaOffset);
      const frame = {
        requestId,
        partitionSlot: slot,
        flags: fetchFlags(replica, toMagic, withinMaxBytes),
        maxBytes: cappedBytes,
        fetchOffset: offset,
        arenaOffset,
        arenaBytes,
      };
      this.submit(FrameType.FETCH, FETCH_REQUEST_BYTES, requestId, (buf, at) => writeFetchRequest(buf, at, frame));
    });
  }

  private refuse(payloadBytes: number): { code: number; message: string } | null {
    if (this.dead || this.stopping) return { code: ErrorCode.REQUEST_TIMED_OUT, message: `partition worker ${this.workerId} is not running` };
    if (payloadBytes > this.requests.maxPayloadBytes) {
      return { code: ErrorCode.MESSAGE_TOO_LARGE, message: `${payloadBytes} bytes exceed the data-path ring's frame limit ${this.requests.maxPayloadBytes}` };
    }
    if (this.backlog.length >= this.options.maxBacklogRequests) {
      return { code: ErrorCode.REQUEST_TIMED_OUT, message: `partition worker ${this.workerId} has ${this.backlog.length} requests waiting for ring space` };
    }
    return null;
  }

  private takeRequestId(): number {
    const id = this.nextRequestId;
    this.nextRequestId = id === 0xffff_ffff ? 1 : id + 1;
    return id;
  }

  /** Writes the frame now if the ring has room and nothing waits before it; otherwise queues it in order. */
  private submit(frameType: number, payloadBytes: number, requestId: number, write: Queued['write']): void {
    if (this.backlog.length === 0) {
      const at = this.requests.reserve(payloadBytes);
      if (at >= 0) {
        write(this.requests.data, at);
        this.requests.commit(frameType, payloadBytes);
        return;
      }
    }
    this.backlog.push({ frameType, payloadBytes, write, requestId });
    if (this.backlog.length === 1) void this.pumpBacklog();
  }

  private async pumpBacklog(): Promise<void> {
    while (this.backlog.length > 0 && !this.dead) {
      const next = this.backlog[0]!;
      const at = this.requests.reserve(next.payloadBytes);
      if (at < 0) {
        await this.requests.waitForSpace(next.payloadBytes);
        continue;
      }
      next.write(this.requests.data, at);
      this.requests.commit(next.frameType, next.payloadBytes);
      this.backlog.shift();
    }
  }

  private async pumpCompletions(): Promise<void> {
    while (!this.dead) {
      while (this.completions.peek()) {
        this.complete(this.completions.frameType, this.completions.data, this.completions.payloadOffset, this.completions.payloadBytes);
        this.completions.release();
      }
      await this.completions.waitForFrames();
    }
  }

  private complete(frameType: number, buf: Buffer, at: number, payloadBytes: number): void {
    const requestId = requestIdOf(buf, at);
    const pending = this.pending.get(requestId);
    if (pending === undefined) throw new Error(`completion for unknown request ${requestId} from worker ${this.workerId}`);
    this.pending.delete(requestId);
    if (this.pending.size === 0) this.onIdle?.();
    if (this.slotDrains.size > 0) this.drained(requestId);
    if (frameType === FrameType.APPEND && pending.kind === 'append') {
      const done = readAppendDone(buf, at, this.appendDone);
      pending.resolve({
        errorCode: done.errorCode,
        errorMessage: errorMessageOf(buf, done.errorCode, at + APPEND_DONE_HEADER_BYTES, at + payloadBytes),
        baseOffset: done.baseOffset,
        logAppendTimeMs: done.logAppendTimeMs,
        logStartOffset: done.logStartOffset,
        highWatermark: done.highWatermark,
        recordIndex: done.recordIndex,
      });
    } else if (frameType === FrameType.FETCH && pending.kind === 'fetch') {
      const done = readFetchDone(buf, at, this.fetchDone);
      const body = buf.subarray(at + FETCH_DONE_HEADER_BYTES, at + payloadBytes);
      pending.resolve({
        errorCode: done.errorCode,
        errorMessage: errorMessageOf(buf, done.errorCode, at + FETCH_DONE_HEADER_BYTES, at + payloadBytes),
        highWatermark: done.highWatermark,
        logStartOffset: done.logStartOffset,
        logEndOffset: done.logEndOffset,
        records: done.errorCode !== 0 ? this.unlend(pending.arenaOffset, Buffer.alloc(0)) : this.recordsOf(pending.arenaOffset, done.arenaRecordsBytes, body),
      });
    } else {
      throw new Error(`completion frame type ${frameType} does not match request ${requestId} (${pending.kind})`);
    }
  }

  /**
   * A fetch's records: a view of its arena extent when the worker read them there (given back to the arena
   * through the buffer pool's `release`), else copied out of the completion frame, which is reused at once.
   */
  private recordsOf(arenaOffset: number, arenaRecordsBytes: number, body: Buffer): Buffer {
    if (arenaRecordsBytes < 0) return this.unlend(arenaOffset, copyOut(body));
    if (arenaRecordsBytes === 0) return this.unlend(arenaOffset, Buffer.alloc(0));
    const arena = this.arena;
    arena.shrink(arenaOffset, arenaRecordsBytes);
    const records = arena.view(arenaOffset, arenaRecordsBytes);
    largeBuffers.adopt(records, arena.sizeOf(arenaOffset), () => {
      unreleasedViews.unregister(records);
      arena.free(arenaOffset);
    });
    // A caller that drops the records without releasing them (a bug) must not shrink the arena for good.
    unreleasedViews.register(records, { arena, arenaOffset }, records);
    return records;
  }

  /** The extent lent for a fetch that did not use it goes back now. */
  private unlend(arenaOffset: number, records: Buffer): Buffer {
    if (arenaOffset >= 0) this.arena.free(arenaOffset);
    return records;
  }

  /** Bytes of fetch arena lent now: to fetches in flight and to records not yet written to their sockets. */
  arenaLentBytes(): number {
    return this.arena.lentBytes;
  }

  /**
   * Settles once every append and fetch sent to `slot` so far has completed (the caller stops sending new ones
   * first): a partition moving between log dirs is switched over only when nothing of it is in flight.
   */
  whenSlotIdle(slot: number): Promise<void> {
    const requestIds = new Set<number>();
    for (const [requestId, pending] of this.pending) if (pending.slot === slot) requestIds.add(requestId);
    if (requestIds.size === 0) return Promise.resolve();
    return new Promise((done) => this.slotDrains.add({ requestIds, done }));
  }

  private drained(requestId: number): void {
    for (const drain of this.slotDrains) {
      if (!drain.requestIds.delete(requestId) || drain.requestIds.size > 0) continue;
      this.slotDrains.delete(drain);
      drain.done();
    }
  }

  private died(reason: string): void {
    if (this.dead) return;
    this.dead = true;
    this.requests.close();
    this.completions.close();
    this.failEverything(`partition worker ${this.workerId} stopped: ${reason}`);
    const stopped = new KafkaError(ErrorCode.REQUEST_TIMED_OUT, `partition worker ${this.workerId} stopped: ${reason}`);
    for (const fail of this.unanswered) fail(stopped);
    this.unanswered.clear();
    if (!this.stopping) this.options.onCrash(this, reason);
  }

  /** Requests in flight or queued get a retriable error; the client retries once the worker is back. */
  private failEverything(message: string): void {
    for (const pending of this.pending.values()) {
      if (pending.kind === 'append') pending.resolve(appendFailure(ErrorCode.REQUEST_TIMED_OUT, message));
      else pending.resolve(fetchFailure(ErrorCode.REQUEST_TIMED_OUT, message));
    }
    this.pending.clear();
    this.backlog.length = 0;
    this.onIdle?.();
    for (const drain of this.slotDrains) drain.done();
    this.slotDrains.clear();
  }

  /** Clean stop: waits for in-flight requests, closes every partition, ends the thread. Returns partitions closed. */
  async stop(): Promise<number> {
    this.stopping = true;
    if (this.pending.size > 0) await new Promise<void>((resolve) => (this.onIdle = resolve));
    const closed = this.dead ? 0 : await this.control.closeAll();
    await this.terminate();
    return closed;
  }

  /** Ends the thread without closing partitions (their next open recovers them). */
  async terminate(): Promise<void> {
    this.stopping = true;
    this.control[Comlink.releaseProxy]();
    await this.worker.terminate();
    this.died('terminated');
  }
}

/** Arena views garbage-collected without a release: their extents go back then. */
const unreleasedViews = new FinalizationRegistry<{ arena: FetchArena; arenaOffset: number }>(({ arena, arenaOffset }) => arena.free(arenaOffset));

/** The fetched bytes copied out of the ring (which is reused at once) into a pooled buffer. */
function copyOut(body: Buffer): Buffer {
  const records = largeBuffers.take(body.length);
  body.copy(records);
  return records;
}

export function appendFailure(errorCode: number, errorMessage: string): AppendOutcome {
  return { errorCode, errorMessage, baseOffset: -1, logAppendTimeMs: -1, logStartOffset: -1, highWatermark: -1, recordIndex: -1 };
}

export function fetchFailure(errorCode: number, errorMessage: string): FetchOutcome {
  return { errorCode, errorMessage, highWatermark: -1, logStartOffset: -1, logEndOffset: -1, records: Buffer.alloc(0) };
}
