// Reusable large buffers on the main thread, for the two big allocations of every fetch: the records copied
// out of a worker's completion ring (handed back once the response is encoded) and the response frame itself
// (handed back once the socket has written it). A consumer at full speed then does not allocate, and the GC
// does not chase, fresh megabyte buffers per fetch. Runs on the main thread.

/** Smaller requests come from Node's own small-buffer pool. */
const MIN_POOLED_BYTES = 64 * 1024;
/** Free buffers kept per size class, at most this many bytes of them. */
const MAX_FREE_BYTES_PER_CLASS = 32 * 1024 * 1024;

export class BufferPool {
  /** Free backing buffers by size class (a power of two). */
  private readonly free = new Map<number, Buffer[]>();
  /** A view handed out → the backing buffer it lends; deleted on release, so a second release is a no-op. */
  private readonly lent = new WeakMap<Buffer, Buffer>();

  /** A buffer of exactly `bytes` bytes (contents undefined) to fill and later `release`. */
  take(bytes: number): Buffer {
    if (bytes < MIN_POOLED_BYTES) return Buffer.allocUnsafe(bytes);
    const size = 2 ** Math.ceil(Math.log2(bytes));
    const backing = this.free.get(size)?.pop() ?? Buffer.allocUnsafeSlow(size);
    const view = backing.subarray(0, bytes);
    this.lent.set(view, backing);
    return view;
  }

  /** Gives a taken buffer back; it must not be read or written after this. Buffers not taken here are ignored. */
  release(view: Buffer): void {
    const backing = this.lent.get(view);
    if (backing === undefined) return;
    this.lent.delete(view);
    const list = this.free.get(backing.length) ?? [];
    if ((list.length + 1) * backing.length <= MAX_FREE_BYTES_PER_CLASS) list.push(backing);
    this.free.set(backing.length, list);
  }

  /** The memory `view` occupies: its backing buffer's size when this pool lent it (a power of two), else its length. */
  heldBytesOf(view: Buffer): number {
    return this.lent.get(view)?.length ?? view.length;
  }

  /** Whether `buffer` may be one this pool lent (only those are worth handing back). */
  static mayBePooled(buffer: Buffer): boolean {
    return buffer.length >= MIN_POOLED_BYTES;
  }
}

/** The main thread's one pool of large buffers. */
export const largeBuffers = new BufferPool();
