// Reusable large buffers on the main thread, for the big allocations of every fetch: the records copied out
// of a worker's completion ring (lent to the response frame, handed back once the socket has written them)
// and large response frames (handed back once written). A consumer at full speed then does not allocate, and the GC
// does not chase, fresh megabyte buffers per fetch. Runs on the main thread.

/** Smaller requests come from Node's own small-buffer pool. */
const MIN_POOLED_BYTES = 64 * 1024;
/**
 * Free buffers kept, all size classes together. A consumer fetching 10 MiB from each of 6 partitions lends
 * about 60 MiB at a time: kept, they are reused instead of being mapped, faulted in and unmapped per fetch.
 */
const MAX_FREE_BYTES = 128 * 1024 * 1024;
/** Size classes per power of two: 2^k × 1, 1.25, 1.5, 1.75, so a buffer wastes at most a quarter of its size. */
const CLASSES_PER_OCTAVE = 4;

/** The smallest size class of at least `bytes`. */
function sizeClassOf(bytes: number): number {
  const octave = 2 ** Math.floor(Math.log2(bytes));
  const step = octave / CLASSES_PER_OCTAVE;
  return Math.ceil(bytes / step) * step;
}

export class BufferPool {
  /** Free backing buffers by size class; most recently released last. */
  private readonly free = new Map<number, Buffer[]>();
  private freeBytes = 0;
  /** A view handed out → the backing buffer it lends; deleted on release, so a second release is a no-op. */
  private readonly lent = new WeakMap<Buffer, Buffer>();
  /** Views of memory lent by someone else (a worker's fetch arena): what they hold and how they go back. */
  private readonly adopted = new WeakMap<Buffer, { heldBytes: number; giveBack: () => void }>();

  /** A buffer of exactly `bytes` bytes (contents undefined) to fill and later `release`. */
  take(bytes: number): Buffer {
    if (bytes < MIN_POOLED_BYTES) return Buffer.allocUnsafe(bytes);
    const size = sizeClassOf(bytes);
    let backing = this.free.get(size)?.pop();
    if (backing === undefined) backing = Buffer.allocUnsafeSlow(size);
    else this.freeBytes -= size;
    const view = backing.subarray(0, bytes);
    this.lent.set(view, backing);
    return view;
  }

  /** Gives a taken buffer back; it must not be read or written after this. Buffers not taken here are ignored. */
  release(view: Buffer): void {
    const backing = this.lent.get(view);
    if (backing === undefined) return this.releaseAdopted(view);
    this.lent.delete(view);
    if (backing.length > MAX_FREE_BYTES) return;
    // Over the bound, buffers of other classes go first: the sizes in use now are the ones worth keeping.
    for (const [size, list] of this.free) {
      if (this.freeBytes + backing.length <= MAX_FREE_BYTES) break;
      while (size !== backing.length && list.length > 0 && this.freeBytes + backing.length > MAX_FREE_BYTES) {
        list.shift();
        this.freeBytes -= size;
      }
    }
    if (this.freeBytes + backing.length > MAX_FREE_BYTES) return;
    const list = this.free.get(backing.length) ?? [];
    list.push(backing);
    this.free.set(backing.length, list);
    this.freeBytes += backing.length;
  }

  /**
   * Takes on a view of memory lent elsewhere (a worker's fetch arena), so that whoever holds it gives it back
   * the one way every large buffer goes back (`release`, once; `giveBack` then runs) and counts `heldBytes` for it.
   */
  adopt(view: Buffer, heldBytes: number, giveBack: () => void): void {
    this.adopted.set(view, { heldBytes, giveBack });
  }

  private releaseAdopted(view: Buffer): void {
    const adopted = this.adopted.get(view);
    if (adopted === undefined) return;
    this.adopted.delete(view);
    adopted.giveBack();
  }

  /** The memory `view` occupies: its backing buffer's size when this pool lent it (its size class), what an adopted view holds, else its length. */
  heldBytesOf(view: Buffer): number {
    return this.lent.get(view)?.length ?? this.adopted.get(view)?.heldBytes ?? view.length;
  }

  /** Whether `buffer` may be one this pool lent (only those are worth handing back). */
  static mayBePooled(buffer: Buffer): boolean {
    return buffer.length >= MIN_POOLED_BYTES;
  }
}

/** The main thread's one pool of large buffers. */
export const largeBuffers = new BufferPool();
