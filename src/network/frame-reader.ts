// Reads size-prefixed frames from a socket straight into their own buffers (net's `onread`): a large frame is read
// into a pooled buffer of its size as it arrives, with no chunk allocated per read and no join afterwards; the size
// prefixes and small frames go through a reused scratch buffer and a FrameSplitter. The caller gives each frame back
// to the pool once done with it (release of a small frame is a no-op). Used by a follower's connection to its leader,
// whose responses are megabytes of records. Main thread, one instance per connection.
//
//   0  int32  size   bytes that follow (1 .. the reader's bound)
//   4  ...    frame  `size` bytes
import type { BufferPool } from '../buffer-pool.js';
import { FrameSplitter } from './frame-splitter.js';

/** Bytes one read into the scratch buffer takes at most (a size prefix, small frames, a large frame's first part). */
const SCRATCH_BYTES = 64 * 1024;
/** Frames at least this large are read into their own buffer. */
const DIRECT_FRAME_BYTES_MIN = 64 * 1024;

export class FrameReader {
  private readonly scratch = Buffer.allocUnsafe(SCRATCH_BYTES);
  private readonly splitter: FrameSplitter;
  /** The large frame being read into, and how much of it has arrived. */
  private frame: Buffer | null = null;
  private filled = 0;

  constructor(
    maxFrameBytes: number,
    maxFrameBytesName: string,
    private readonly pool: BufferPool,
  ) {
    this.splitter = new FrameSplitter(maxFrameBytes, maxFrameBytesName, pool);
  }

  /** Where the next read goes (net's `onread.buffer`): the rest of the frame being read, never past it; else the scratch. */
  target(): Buffer {
    return this.frame === null ? this.scratch : this.frame.subarray(this.filled);
  }

  /** A read put `bytes` bytes into the last target(): every frame now complete. Throws FrameSizeError for a bad size. */
  received(bytes: number): Buffer[] {
    if (this.frame !== null) {
      this.filled += bytes;
      if (this.filled < this.frame.length) return [];
      const done = this.frame;
      this.frame = null;
      return [done];
    }
    // The scratch is read into again next time: what it holds is copied out first.
    const frames = this.splitter.push(Buffer.from(this.scratch.subarray(0, bytes)));
    const partial = this.splitter.takePartial(DIRECT_FRAME_BYTES_MIN);
    if (partial !== null) {
      this.frame = partial.frame;
      this.filled = partial.filled;
    }
    return frames;
  }

  /** The frame being read, if any, goes back to the pool (the connection closed). */
  close(): void {
    if (this.frame !== null) this.pool.release(this.frame);
    this.frame = null;
  }
}
