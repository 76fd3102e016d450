// Cuts a TCP byte stream into Kafka request frames: int32 size, then `size` bytes (header + body).
// A frame inside one socket chunk is returned as a zero-copy view; one spanning chunks is joined once (into a
// buffer of the given pool, when there is one: the caller gives each frame back with release() once done).
// Frames are taken one at a time, so a muted connection leaves the rest buffered here. Runs on the main
// thread, one instance per connection.
//
//   0  int32  size        bytes that follow (must be 1 .. socket.request.max.bytes)
//   4  ...    request     header + body, `size` bytes

import type { BufferPool } from '../buffer-pool.js';

/** The Kafka listener's frame limit, as its config key names it. */
const KAFKA_FRAME_LIMIT_NAME = 'socket.request.max.bytes';

export class FrameSizeError extends Error {
  constructor(
    readonly sizeBytes: number,
    limitBytes: number,
    limitName = KAFKA_FRAME_LIMIT_NAME,
  ) {
    super(
      sizeBytes < 0 ? `negative frame size ${sizeBytes}` : sizeBytes === 0 ? 'empty frame' : `frame of ${sizeBytes} bytes exceeds ${limitName} ${limitBytes}`,
    );
    this.name = 'FrameSizeError';
  }
}

export class FrameSplitter {
  private chunks: Buffer[] = [];
  private bufferedBytes = 0;

  constructor(
    private readonly maxFrameBytes: number,
    private readonly maxFrameBytesName = KAFKA_FRAME_LIMIT_NAME,
    /** Where frames spanning chunks are joined: then exactly the frame is copied (later frames' bytes stay as they came). */
    private readonly pool: BufferPool | null = null,
  ) {}

  /** Adds bytes from the socket and returns every frame now complete (without its size prefix). */
  push(chunk: Buffer): Buffer[] {
    this.add(chunk);
    const frames: Buffer[] = [];
    for (;;) {
      const frame = this.next();
      if (frame === null) return frames;
      frames.push(frame);
    }
  }

  /** Adds bytes from the socket; frames are taken one at a time with next(), so a muted connection can leave them here. */
  add(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.bufferedBytes += chunk.length;
  }

  /** Bytes received and not yet taken as a frame (a partial frame, or whole frames not yet taken). */
  get pendingBytes(): number {
    return this.bufferedBytes;
  }

  /** The next complete frame (without its size prefix), or null when the bytes so far end mid-frame. Throws FrameSizeError. */
  next(): Buffer | null {
    if (this.bufferedBytes < 4) return null;
    const size = this.frameSize();
    if (this.bufferedBytes < 4 + size) return null;
    const first = this.chunks[0]!;
    if (first.length >= 4 + size) {
      const frame = first.subarray(4, 4 + size);
      this.consume(4 + size);
      return frame;
    }
    if (this.pool !== null) return this.joinInto(this.pool.take(size));
    const joined = Buffer.concat(this.chunks, this.bufferedBytes);
    this.chunks = [joined];
    const frame = joined.subarray(4, 4 + size);
    this.consume(4 + size);
    return frame;
  }

  /**
   * The frame begun so far, when it is at least `minBytes` long and incomplete: a buffer of its size (from the pool, when there is one), filled
   * with the bytes received of it (`filled`); they are taken from here, and the caller reads the rest straight into
   * it. Null otherwise. Throws FrameSizeError as next() does.
   */
  takePartial(minBytes: number): { frame: Buffer; filled: number } | null {
    if (this.bufferedBytes < 4) return null;
    const size = this.frameSize();
    if (size < minBytes || this.bufferedBytes >= 4 + size) return null;
    const frame = this.pool?.take(size) ?? Buffer.allocUnsafe(size);
    const filled = this.copyFrameStart(frame);
    this.consume(4 + filled);
    return { frame, filled };
  }

  /** Copies the first frame's bytes (after its size) into `frame` and takes them from the chunks. */
  private joinInto(frame: Buffer): Buffer {
    this.copyFrameStart(frame);
    this.consume(4 + frame.length);
    return frame;
  }

  /** Copies what is buffered of the first frame (after its size), up to `frame`'s length, into `frame`; returns the bytes copied. */
  private copyFrameStart(frame: Buffer): number {
    let skip = 4;
    let filled = 0;
    for (const chunk of this.chunks) {
      if (filled === frame.length) break;
      const from = Math.min(skip, chunk.length);
      skip -= from;
      filled += chunk.copy(frame, filled, from, Math.min(chunk.length, from + frame.length - filled));
    }
    return filled;
  }

  /** The first frame's size, checked against the bounds. Throws FrameSizeError. */
  private frameSize(): number {
    const size = this.peekSize();
    if (size <= 0 || size > this.maxFrameBytes) throw new FrameSizeError(size, this.maxFrameBytes, this.maxFrameBytesName);
    return size;
  }

  private peekSize(): number {
    const first = this.chunks[0]!;
    if (first.length >= 4) return first.readInt32BE(0);
    const head = Buffer.concat(this.chunks, this.bufferedBytes);
    this.chunks = [head];
    return head.readInt32BE(0);
  }

  private consume(bytes: number): void {
    this.bufferedBytes -= bytes;
    let left = bytes;
    while (left > 0) {
      const first = this.chunks[0]!;
      if (first.length <= left) {
        this.chunks.shift();
        left -= first.length;
      } else {
        this.chunks[0] = first.subarray(left);
        left = 0;
      }
    }
  }
}
