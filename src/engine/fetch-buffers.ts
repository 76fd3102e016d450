// Reusable buffers for the record bytes of fetches on the main thread: a fetch's bytes are copied out of
// the completion ring into one of these and handed back once the response frame holding a copy of them is
// encoded, so a consumer at full speed does not allocate (and the GC does not chase) a fresh buffer of up to
// a megabyte per partition per fetch. Runs on the main thread.

/** Smaller fetches come from Node's own small-buffer pool. */
const MIN_POOLED_BYTES = 64 * 1024;
/** Free buffers kept per size class, at most this many bytes of them. */
const MAX_FREE_BYTES_PER_CLASS = 32 * 1024 * 1024;

export class FetchBuffers {
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
}

/** The main thread's one pool: filled by the worker handles, emptied by the Fetch handler after encoding. */
export const fetchBuffers = new FetchBuffers();
