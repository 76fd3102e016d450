// The fetch arena of one partition worker: a SharedArrayBuffer the main thread lends to the worker in extents,
// one per fetch in flight, for the worker to read records straight into. The records then go to the socket
// from there (no copy on the main thread) and the extent comes back once the socket has written them. Unlike a
// ring, extents come back in any order, so a slow client holds only its own; when the arena has no room a
// fetch takes the ring path (one copy) instead. Runs on the main thread (the worker only writes into extents
// it was lent, between the request and its completion).

/** Extents start on a cache line. */
const EXTENT_ALIGN_BYTES = 64;

const alignUp = (bytes: number): number => Math.ceil(bytes / EXTENT_ALIGN_BYTES) * EXTENT_ALIGN_BYTES;

export class FetchArena {
  readonly sab: SharedArrayBuffer;
  private readonly memory: Buffer;
  /** Free extents [start, end), sorted by start, never adjacent (neighbours are merged). */
  private readonly freeExtents: Array<{ start: number; end: number }>;
  /** Lent extents: start → length (aligned). */
  private readonly lent = new Map<number, number>();

  constructor(readonly capacityBytes: number) {
    if (!(capacityBytes > 0) || capacityBytes % EXTENT_ALIGN_BYTES !== 0 || capacityBytes > 0x7fff_ffff) {
      throw new RangeError(`fetch arena: capacity must be a positive multiple of ${EXTENT_ALIGN_BYTES} below 2 GiB, got ${capacityBytes}`);
    }
    this.sab = new SharedArrayBuffer(capacityBytes);
    this.memory = Buffer.from(this.sab);
    this.freeExtents = [{ start: 0, end: capacityBytes }];
  }

  /** Bytes lent now (aligned extents). */
  get lentBytes(): number {
    let sum = 0;
    for (const bytes of this.lent.values()) sum += bytes;
    return sum;
  }

  /** Lends an extent of at least `bytes` (first fit); returns its start, or -1 when no free extent is that large. */
  allocate(bytes: number): number {
    const size = alignUp(Math.max(1, bytes));
    for (let i = 0; i < this.freeExtents.length; i++) {
      const extent = this.freeExtents[i]!;
      if (extent.end - extent.start < size) continue;
      const start = extent.start;
      extent.start += size;
      if (extent.start === extent.end) this.freeExtents.splice(i, 1);
      this.lent.set(start, size);
      return start;
    }
    return -1;
  }

  /** Keeps the first `bytes` of the extent at `start` lent and frees the rest. */
  shrink(start: number, bytes: number): void {
    const size = this.sizeOf(start);
    const kept = alignUp(Math.max(1, bytes));
    if (kept >= size) return;
    this.lent.set(start, kept);
    this.insertFree(start + kept, start + size);
  }

  /** Takes back the extent at `start`; nothing may read or write it after this. */
  free(start: number): void {
    const size = this.sizeOf(start);
    this.lent.delete(start);
    this.insertFree(start, start + size);
  }

  /** The bytes [start, start + bytes) of a lent extent, as a Buffer over the shared memory. */
  view(start: number, bytes: number): Buffer {
    if (bytes > this.sizeOf(start)) throw new Error(`fetch arena: ${bytes} bytes exceed the extent at ${start}`);
    return this.memory.subarray(start, start + bytes);
  }

  /** The aligned length of the lent extent at `start`. */
  sizeOf(start: number): number {
    const size = this.lent.get(start);
    if (size === undefined) throw new Error(`fetch arena: no extent lent at ${start}`);
    return size;
  }

  private insertFree(start: number, end: number): void {
    const list = this.freeExtents;
    let i = 0;
    while (i < list.length && list[i]!.start < start) i++;
    const before = list[i - 1];
    const after = list[i];
    if (before !== undefined && before.end > start) throw new Error(`fetch arena: [${start}, ${end}) overlaps a free extent`);
    if (after !== undefined && after.start < end) throw new Error(`fetch arena: [${start}, ${end}) overlaps a free extent`);
    if (before !== undefined && before.end === start) {
      before.end = end;
      if (after !== undefined && after.start === end) {
        before.end = after.end;
        list.splice(i, 1);
      }
    } else if (after !== undefined && after.start === end) {
      after.start = start;
    } else {
      list.splice(i, 0, { start, end });
    }
  }
}
