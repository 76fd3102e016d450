// Single-producer/single-consumer ring of variable-length frames on a SharedArrayBuffer: the data path between
// the main thread and one partition worker (one ring per direction). One thread produces, the other consumes.

/*
 * Byte layout of the SharedArrayBuffer. Integers are in host byte order (little-endian on every platform Node
 * supports); the buffer never leaves the process, so both ends always agree.
 *
 * Control block: CONTROL_BYTES = 384, read through one Int32Array, one 64-byte cache line per cell so the
 * producer's and the consumer's writes never share a line.
 *
 *   byte   0  line 0  int32 magic 0x464A5247 ("FJRG") at 0, int32 layoutVersion at 4, int32 capacityBytes at 8 (set once)
 *   byte  64  line 1  int32 writeCounter     producer-owned: bytes ever published (pads included), wraps at 2^32
 *   byte 128  line 2  int32 readCounter      consumer-owned: bytes ever released (pads included), wraps at 2^32
 *   byte 192  line 3  int32 closed           0 = open, 1 = closed; set by either side, never cleared
 *   byte 256  line 4  int32 consumerWaiting  1 = the consumer is (about to be) parked in waitForFrames()
 *   byte 320  line 5  int32 producerWaiting  1 = the producer is (about to be) parked in waitForSpace()
 *
 * Data region: starts at byte CONTROL_BYTES, capacityBytes long (a power of two). `data` views exactly this
 * region. The position of a counter is `counter & (capacityBytes - 1)`; occupancy is `(write - read) | 0`, which
 * stays right across the int32 wrap because capacityBytes divides 2^32 and occupancy never exceeds capacityBytes.
 *
 * Frame, starting at an 8-byte aligned position p:
 *   p + 0  uint32 payloadBytes
 *   p + 4  uint16 frameType      1..65535; 0 = pad frame
 *   p + 6  uint16 spare          0
 *   p + 8  payload               payloadBytes long, then 0..7 bytes of slack so the next frame is 8-byte aligned
 * A frame that would run past the end of the region is preceded by a pad frame (type 0, payloadBytes =
 * capacityBytes - p - 8) that fills the rest of the region; the frame itself goes to position 0, so every payload
 * is contiguous. A pad is published together with the frame after it (one store of writeCounter), so the consumer
 * never sees a pad without its frame.
 */

const MAGIC = 0x464a5247;
const LAYOUT_VERSION = 1;
const CONTROL_BYTES = 384;
const CELL_MAGIC = 0;
const CELL_VERSION = 1;
const CELL_CAPACITY = 2;
const CELL_WRITE = 16; // int32 index = byte offset / 4
const CELL_READ = 32;
const CELL_CLOSED = 48;
const CELL_CONSUMER_WAITING = 64;
const CELL_PRODUCER_WAITING = 80;

/** Bytes of the header in front of every payload. */
export const FRAME_HEADER_BYTES = 8;
/** Frame type of a pad frame; never visible to callers. */
export const FRAME_TYPE_PAD = 0;
/** Largest frame type a caller may commit. */
export const FRAME_TYPE_MAX = 0xffff;
export const RING_CAPACITY_MIN_BYTES = 4 * 1024;
export const RING_CAPACITY_MAX_BYTES = 1024 * 1024 * 1024;

export interface SpscRingCreateOptions {
  /** Tests only: start both counters here (a multiple of 8) to exercise the int32 wrap without moving 2 GiB. */
  counterStartForTests?: number;
}

/** Atomics.waitAsync is in Node 20 but only in TypeScript's ES2024 lib; this project compiles against ES2022. */
type WaitAsyncResult = { async: false; value: 'not-equal' | 'timed-out' } | { async: true; value: Promise<'ok' | 'timed-out'> };
const waitAsync = (
  Atomics as unknown as {
    waitAsync(typedArray: Int32Array, index: number, value: number, timeoutMs?: number): WaitAsyncResult;
  }
).waitAsync;

export class SpscRing {
  readonly sab: SharedArrayBuffer;
  readonly capacityBytes: number;
  /** One view over the whole data region; payload offsets index into it. */
  readonly data: Buffer;
  readonly maxPayloadBytes: number;

  // Result of the last successful peek(); valid until release().
  frameType = 0;
  payloadOffset = 0;
  payloadBytes = 0;

  private readonly control: Int32Array;
  private readonly header32: Uint32Array;
  private readonly header16: Uint16Array;
  private readonly positionMask: number;
  // Producer state. readCounterSeen lags the real read counter, which only makes free space look smaller.
  private readCounterSeen: number;
  private reservedPayloadBytes = -1;
  private reservedPadBytes = 0;
  private reservedWriteCounter = 0;
  // Consumer state. writeCounterSeen lags the real write counter; frames up to it are published.
  private writeCounterSeen: number;
  private peekedAdvanceBytes = 0;
  private producerParked = false;
  private consumerParked = false;

  /** A new ring of capacityBytes (a power of two, 4 KiB .. 1 GiB) of frame space. */
  static create(capacityBytes: number, options: SpscRingCreateOptions = {}): SpscRing {
    if (
      !Number.isInteger(capacityBytes) ||
      capacityBytes < RING_CAPACITY_MIN_BYTES ||
      capacityBytes > RING_CAPACITY_MAX_BYTES ||
      (capacityBytes & (capacityBytes - 1)) !== 0
    ) {
      throw new RangeError(
        `fjord ring: capacityBytes must be a power of two from ${RING_CAPACITY_MIN_BYTES} to ` + `${RING_CAPACITY_MAX_BYTES}, got ${capacityBytes}`,
      );
    }
    const counterStart = options.counterStartForTests ?? 0;
    if (!Number.isInteger(counterStart) || counterStart % 8 !== 0) {
      throw new RangeError(`fjord ring: counterStartForTests must be a multiple of 8, got ${counterStart}`);
    }
    const sab = new SharedArrayBuffer(CONTROL_BYTES + capacityBytes);
    const control = new Int32Array(sab, 0, CONTROL_BYTES / 4);
    control[CELL_MAGIC] = MAGIC;
    control[CELL_VERSION] = LAYOUT_VERSION;
    control[CELL_CAPACITY] = capacityBytes;
    control[CELL_WRITE] = counterStart | 0;
    control[CELL_READ] = counterStart | 0;
    return new SpscRing(sab);
  }

  /** Attaches to a ring made by create(), typically in the other thread after a postMessage of `sab`. */
  constructor(sab: SharedArrayBuffer) {
    if (!(sab instanceof SharedArrayBuffer) || sab.byteLength < CONTROL_BYTES + RING_CAPACITY_MIN_BYTES) {
      throw new TypeError('fjord ring: expected the SharedArrayBuffer of a ring made by SpscRing.create()');
    }
    const control = new Int32Array(sab, 0, CONTROL_BYTES / 4);
    const capacityBytes = Atomics.load(control, CELL_CAPACITY);
    if (
      Atomics.load(control, CELL_MAGIC) !== MAGIC ||
      Atomics.load(control, CELL_VERSION) !== LAYOUT_VERSION ||
      sab.byteLength !== CONTROL_BYTES + capacityBytes
    ) {
      throw new TypeError('fjord ring: SharedArrayBuffer does not hold a ring of this layout version');
    }
    this.sab = sab;
    this.capacityBytes = capacityBytes;
    this.data = Buffer.from(sab, CONTROL_BYTES, capacityBytes);
    this.maxPayloadBytes = capacityBytes / 2 - FRAME_HEADER_BYTES;
    this.control = control;
    this.header32 = new Uint32Array(sab, CONTROL_BYTES, capacityBytes / 4);
    this.header16 = new Uint16Array(sab, CONTROL_BYTES, capacityBytes / 2);
    this.positionMask = capacityBytes - 1;
    this.readCounterSeen = Atomics.load(control, CELL_READ);
    this.writeCounterSeen = Atomics.load(control, CELL_WRITE);
  }

  get closed(): boolean {
    return Atomics.load(this.control, CELL_CLOSED) !== 0;
  }

  /** Bytes of frames (headers and pads included) published and not yet released. */
  usedBytes(): number {
    return (Atomics.load(this.control, CELL_WRITE) - Atomics.load(this.control, CELL_READ)) | 0;
  }

  // ---- producer ----------------------------------------------------------------------------------------------

  /**
   * Reserves room for a frame of payloadBytes and returns the offset in `data` where its payload goes, or -1 if
   * the ring has no room now (or is closed). A later successful reserve() replaces an uncommitted one.
   */
  reserve(payloadBytes: number): number {
    if (payloadBytes >>> 0 !== payloadBytes || payloadBytes > this.maxPayloadBytes) {
      throwPayloadSizeInvalid(payloadBytes, this.maxPayloadBytes, this.capacityBytes);
    }
    const writeCounter = Atomics.load(this.control, CELL_WRITE);
    const position = writeCounter & this.positionMask;
    const frameBytes = (payloadBytes + FRAME_HEADER_BYTES + 7) & ~7;
    const bytesToEnd = this.capacityBytes - position;
    const padBytes = frameBytes <= bytesToEnd ? 0 : bytesToEnd;
    const neededBytes = padBytes + frameBytes;
    if (neededBytes > this.capacityBytes - ((writeCounter - this.readCounterSeen) | 0)) {
      // Only touch the consumer's cache line when the stale view says the ring is too full.
      this.readCounterSeen = Atomics.load(this.control, CELL_READ);
      const usedBytes = (writeCounter - this.readCounterSeen) | 0;
      if (usedBytes < 0 || usedBytes > this.capacityBytes) throwCountersInconsistent(writeCounter, this.readCounterSeen);
      if (neededBytes > this.capacityBytes - usedBytes) return -1;
    }
    if (Atomics.load(this.control, CELL_CLOSED) !== 0) return -1;
    this.reservedPayloadBytes = payloadBytes;
    this.reservedPadBytes = padBytes;
    this.reservedWriteCounter = writeCounter;
    return (padBytes === 0 ? position : 0) + FRAME_HEADER_BYTES;
  }

  /** Publishes the frame reserved last, with payloadBytes <= the reserved size. */
  commit(frameType: number, payloadBytes: number): void {
    const reservedBytes = this.reservedPayloadBytes;
    if (reservedBytes < 0) throw new Error('fjord ring: commit() without a preceding successful reserve()');
    if (payloadBytes >>> 0 !== payloadBytes || payloadBytes > reservedBytes) {
      throw new Error(`fjord ring: commit() of ${payloadBytes} payload bytes, but ${reservedBytes} were reserved`);
    }
    if ((frameType & FRAME_TYPE_MAX) !== frameType || frameType === FRAME_TYPE_PAD) {
      throw new RangeError(`fjord ring: frameType must be an integer from 1 to ${FRAME_TYPE_MAX}, got ${frameType}`);
    }
    const writeCounter = Atomics.load(this.control, CELL_WRITE);
    if (writeCounter !== this.reservedWriteCounter) {
      throw new Error('fjord ring: write counter moved between reserve() and commit(); two producers on one ring?');
    }
    let position = writeCounter & this.positionMask;
    const padBytes = this.reservedPadBytes;
    if (padBytes !== 0) {
      this.writeHeader(position, padBytes - FRAME_HEADER_BYTES, FRAME_TYPE_PAD);
      position = 0;
    }
    this.writeHeader(position, payloadBytes, frameType);
    this.reservedPayloadBytes = -1;
    // The seq-cst store publishes header and payload (plain writes above) to the consumer's Atomics.load.
    Atomics.store(this.control, CELL_WRITE, (writeCounter + padBytes + ((payloadBytes + FRAME_HEADER_BYTES + 7) & ~7)) | 0);
    // The consumer is woken once this task's synchronous work and its microtasks are done: the frames committed
    // meanwhile (a socket read's pipelined requests, a batch of completions) cost one notify, not one each.
    if (!this.consumerWakeQueued && Atomics.load(this.control, CELL_CONSUMER_WAITING) !== 0) {
      this.consumerWakeQueued = true;
      queueMicrotask(this.wakeConsumer);
    }
  }

  private consumerWakeQueued = false;
  private readonly wakeConsumer = (): void => {
    this.consumerWakeQueued = false;
    this.wake(CELL_CONSUMER_WAITING);
  };

  /** Resolves true once reserve(payloadBytes) would succeed; false on timeout or when the ring is closed. */
  waitForSpace(payloadBytes: number, timeoutMs = Infinity): Promise<boolean> {
    if (payloadBytes >>> 0 !== payloadBytes || payloadBytes > this.maxPayloadBytes) {
      throwPayloadSizeInvalid(payloadBytes, this.maxPayloadBytes, this.capacityBytes);
    }
    if (this.producerParked) throw new Error('fjord ring: waitForSpace() while another waitForSpace() is pending');
    this.producerParked = true;
    const hasRoom = (): boolean => !this.closed && this.hasRoomFor(payloadBytes);
    return this.park(CELL_PRODUCER_WAITING, hasRoom, timeoutMs).finally(() => {
      this.producerParked = false;
    });
  }

  private hasRoomFor(payloadBytes: number): boolean {
    const writeCounter = Atomics.load(this.control, CELL_WRITE);
    this.readCounterSeen = Atomics.load(this.control, CELL_READ);
    const position = writeCounter & this.positionMask;
    const frameBytes = (payloadBytes + FRAME_HEADER_BYTES + 7) & ~7;
    const bytesToEnd = this.capacityBytes - position;
    const neededBytes = (frameBytes <= bytesToEnd ? 0 : bytesToEnd) + frameBytes;
    return neededBytes <= this.capacityBytes - ((writeCounter - this.readCounterSeen) | 0);
  }

  private writeHeader(position: number, payloadBytes: number, frameType: number): void {
    this.header32[position >>> 2] = payloadBytes;
    this.header16[(position >>> 1) + 2] = frameType;
    this.header16[(position >>> 1) + 3] = 0;
  }

  // ---- consumer ----------------------------------------------------------------------------------------------

  /** True if a frame is available; frameType, payloadOffset and payloadBytes then describe it until release(). */
  peek(): boolean {
    if (this.peekedAdvanceBytes !== 0) return true;
    const readCounter = Atomics.load(this.control, CELL_READ);
    let availableBytes = (this.writeCounterSeen - readCounter) | 0;
    if (availableBytes === 0) {
      // Only touch the producer's cache line when everything seen so far is consumed.
      this.writeCounterSeen = Atomics.load(this.control, CELL_WRITE);
      availableBytes = (this.writeCounterSeen - readCounter) | 0;
      if (availableBytes === 0) return false;
    }
    if (availableBytes < 0 || availableBytes > this.capacityBytes) {
      throwCountersInconsistent(this.writeCounterSeen, readCounter);
    }
    let position = readCounter & this.positionMask;
    let padBytes = 0;
    if (this.header16[(position >>> 1) + 2] === FRAME_TYPE_PAD) {
      padBytes = this.header32[position >>> 2]! + FRAME_HEADER_BYTES;
      if (position + padBytes !== this.capacityBytes || padBytes >= availableBytes) {
        throw new Error(`fjord ring: corrupt pad frame at position ${position} (${padBytes} bytes, ${availableBytes} available)`);
      }
      position = 0;
    }
    const payloadBytes = this.header32[position >>> 2]!;
    const frameType = this.header16[(position >>> 1) + 2]!;
    if (frameType === FRAME_TYPE_PAD || payloadBytes > this.maxPayloadBytes) throwFrameCorrupt(position, payloadBytes, frameType);
    const advanceBytes = padBytes + ((payloadBytes + FRAME_HEADER_BYTES + 7) & ~7);
    if (advanceBytes > availableBytes) throwFrameCorrupt(position, payloadBytes, frameType);
    this.frameType = frameType;
    this.payloadOffset = position + FRAME_HEADER_BYTES;
    this.payloadBytes = payloadBytes;
    this.peekedAdvanceBytes = advanceBytes;
    return true;
  }

  /** Consumes the frame described by the last successful peek(); its bytes may be overwritten from now on. */
  release(): void {
    const advanceBytes = this.peekedAdvanceBytes;
    if (advanceBytes === 0) throw new Error('fjord ring: release() without a preceding successful peek()');
    const readCounter = Atomics.load(this.control, CELL_READ);
    this.peekedAdvanceBytes = 0;
    Atomics.store(this.control, CELL_READ, (readCounter + advanceBytes) | 0);
    if (Atomics.load(this.control, CELL_PRODUCER_WAITING) !== 0) this.wake(CELL_PRODUCER_WAITING);
  }

  /** Resolves true once a frame is available (even after close, so the consumer can drain); false on timeout or close. */
  waitForFrames(timeoutMs = Infinity): Promise<boolean> {
    if (this.consumerParked) throw new Error('fjord ring: waitForFrames() while another waitForFrames() is pending');
    this.consumerParked = true;
    const hasFrames = (): boolean =>
      this.peekedAdvanceBytes !== 0 || ((Atomics.load(this.control, CELL_WRITE) - Atomics.load(this.control, CELL_READ)) | 0) !== 0;
    return this.park(CELL_CONSUMER_WAITING, hasFrames, timeoutMs).finally(() => {
      this.consumerParked = false;
    });
  }

  // ---- both --------------------------------------------------------------------------------------------------

  /** Marks the ring closed and wakes every waiter on both sides. Frames already published stay readable. */
  close(): void {
    Atomics.store(this.control, CELL_CLOSED, 1);
    this.wake(CELL_CONSUMER_WAITING);
    this.wake(CELL_PRODUCER_WAITING);
  }

  /*
   * Wait/notify protocol. A side that must wait parks on its own flag cell (consumerWaiting or producerWaiting),
   * not on a counter:
   *
   *   waiter:  store(flag, 1); re-check condition and closed; waitAsync(flag, expected 1)
   *   other:   store(counter) or store(closed); if load(flag) == 1 and exchange(flag, 0) == 1: notify(flag)
   *
   * No lost wake-up: all these operations are seq-cst, so they fall into one total order. Either the waiter's
   * store(flag, 1) comes before the other side's load(flag) — then the other side clears the flag and notifies —
   * or it comes after, and then the other side's store(counter/closed) also precedes the waiter's re-check, which
   * therefore sees the new state and does not wait. If the flag is cleared between the re-check and waitAsync,
   * waitAsync compares the flag against 1 atomically with enqueuing the waiter and returns 'not-equal' at once;
   * if it is cleared after, notify finds the waiter enqueued. Parking on the flag (rather than the counter) is
   * what lets close() — which changes no counter — wake a waiter with the same guarantee.
   * The cost on the hot path is one Atomics.load of the other side's flag per commit/release (a plain load on
   * x86-64); exchange and notify only run when the other side announced that it is waiting.
   */
  private wake(flagCell: number): void {
    if (Atomics.exchange(this.control, flagCell, 0) !== 0) Atomics.notify(this.control, flagCell);
  }

  private async park(flagCell: number, isReady: () => boolean, timeoutMs: number): Promise<boolean> {
    if (isReady()) return true;
    if (this.closed) return false;
    const deadlineMs = performance.now() + timeoutMs;
    keepAliveAcquire();
    try {
      for (;;) {
        Atomics.store(this.control, flagCell, 1);
        if (isReady()) break;
        const remainingMs = deadlineMs - performance.now();
        if (this.closed || remainingMs <= 0) break;
        const result = waitAsync(this.control, flagCell, 1, remainingMs);
        // Sync results: 'not-equal' (the flag was cleared already: woken before we slept) or 'timed-out'.
        // Async: a promise of 'ok' (notified) or 'timed-out'. Every outcome just loops to re-check.
        if (result.async) await result.value;
      }
      Atomics.store(this.control, flagCell, 0);
      return isReady();
    } finally {
      keepAliveRelease();
    }
  }
}

/*
 * A pending Atomics.waitAsync does not keep a Node event loop alive (neither does its timeout), so a worker whose
 * only work is waiting for frames would exit. While any waitFor* is pending on this thread, one long-period
 * interval timer is kept ref'ed; it never fires in practice.
 */
let keepAliveTimer: NodeJS.Timeout | undefined;
let parkedWaits = 0;

function keepAliveAcquire(): void {
  if (parkedWaits++ !== 0) return;
  keepAliveTimer ??= setInterval(() => {}, 0x3fffffff);
  keepAliveTimer.ref();
}

function keepAliveRelease(): void {
  if (--parkedWaits === 0) keepAliveTimer?.unref();
}

/** Whether this thread's rings hold the event loop open now (a ref'ed keep-alive timer); for tests. */
export function ringsHoldEventLoop(): boolean {
  return keepAliveTimer?.hasRef() ?? false;
}

function throwPayloadSizeInvalid(payloadBytes: number, maxPayloadBytes: number, capacityBytes: number): never {
  throw new RangeError(
    `fjord ring: frame payload of ${payloadBytes} bytes is not allowed; payloads must be integers from 0 to ` +
      `${maxPayloadBytes} bytes on a ring of ${capacityBytes} bytes`,
  );
}

function throwCountersInconsistent(writeCounter: number, readCounter: number): never {
  throw new Error(`fjord ring: counters inconsistent: write ${writeCounter}, read ${readCounter} ` + `(occupancy ${(writeCounter - readCounter) | 0} bytes)`);
}

function throwFrameCorrupt(position: number, payloadBytes: number, frameType: number): never {
  throw new Error(`fjord ring: corrupt frame header at position ${position}: type ${frameType}, ${payloadBytes} payload bytes`);
}
