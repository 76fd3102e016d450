// The old message formats (magic 0 and 1) at the data path's edge: a Produce v0-2 message set becomes one
// record batch before the normal append validates and stores it, and a Fetch v0-3 reads stored batches and
// answers them converted down; the log only ever holds magic 2. Owns the two converters and the scratch
// buffer the stored batches are read into. Runs in a partition worker, called by data-path.ts only for
// frames flagged as the old format, so appends and fetches in the current format never touch it.
import { ErrorCode } from '../src/shared/kafka-error-codes.js';
import { batchSizeAt, lastOffsetAt } from '../src/shared/record-batch.js';
import type { DecompressedBatches } from './log/decompressed-batches.js';
import { MessageSetDownConverter } from './log/legacy-down-conversion.js';
import { MessageSetConverter } from './log/legacy-up-conversion.js';
import type { PartitionLog } from './log/partition-log.js';

export interface ConvertedAppend {
  errorCode: number;
  errorMessage: string;
  /** The record batch to append in place of the message set (valid until the next call). */
  batch: Buffer;
  /** Its records are compressed; their uncompressed form is already in the DecompressedBatches passed in. */
  compressed: boolean;
}

export interface ConvertedFetch {
  errorCode: number;
  errorMessage: string;
  /** The converted message set (valid until the next call). */
  messages: Buffer;
}

const EMPTY = Buffer.alloc(0);

/** The last offset of the last of the whole batches in stored[0, bytes). */
function lastOffsetOf(stored: Buffer, bytes: number): number {
  let last = -1;
  for (let at = 0; at < bytes; at += batchSizeAt(stored, at)) last = lastOffsetAt(stored, at);
  return last;
}

export class LegacyFormats {
  private readonly up = new MessageSetConverter();
  private readonly down = new MessageSetDownConverter();
  /** Stored batches read for a conversion; grows up to the largest read asked (at most a ring frame). */
  private stored: Buffer = EMPTY;
  private readonly appendResult: ConvertedAppend = { errorCode: 0, errorMessage: '', batch: EMPTY, compressed: false };
  private readonly fetchResult: ConvertedFetch = { errorCode: 0, errorMessage: '', messages: EMPTY };

  /**
   * Converts the message set buf[at, at+length) for `log` (its max.message.bytes bounds each message; null: the
   * partition is gone, which the append then answers); a compressed result leaves its records in `decompressed`.
   */
  async toBatch(buf: Buffer, at: number, length: number, decompressed: DecompressedBatches, log: PartitionLog | null): Promise<ConvertedAppend> {
    const result = this.appendResult;
    result.errorCode = await this.up.convert(buf, at, length, log?.config.maxMessageBytes);
    result.errorMessage = this.up.errorMessage;
    result.batch = result.errorCode === ErrorCode.NONE ? this.up.batch : EMPTY;
    result.compressed = this.up.uncompressedRecords !== null;
    decompressed.clear();
    if (result.compressed && result.errorCode === ErrorCode.NONE) decompressed.sections[0] = this.up.uncompressedRecords!;
    return result;
  }

  /**
   * Reads whole batches from `offset` (up to maxBytes, at least the first) and converts them to messages of
   * `toMagic`, kept within maxBytes (the first message always) and `capacityBytes` (the completion frame).
   * Throws what the log's read throws (OFFSET_OUT_OF_RANGE, I/O errors).
   */
  async readConverted(log: PartitionLog, offset: number, maxBytes: number, toMagic: number, capacityBytes: number): Promise<ConvertedFetch> {
    const result = this.fetchResult;
    result.messages = EMPTY;
    result.errorMessage = '';
    if (!log.config.messageDownconversionEnable) {
      return this.failed(ErrorCode.UNSUPPORTED_VERSION, 'message.downconversion.enable is false for this topic: fetch with v4 or later');
    }
    const readBytes = Math.min(maxBytes, capacityBytes);
    if (this.stored.length < readBytes) this.stored = Buffer.alloc(readBytes);
    // Batches that convert to nothing (control batches, records compacted away below the fetch offset) are read
    // past, as Kafka's lazy down-conversion does, so an old consumer is never stuck on an empty answer.
    for (let from = offset; ; ) {
      let bytes = log.read(from, readBytes, 'high-watermark', this.stored, 0, this.stored.length);
      if (bytes < 0) {
        if (-bytes > capacityBytes) return this.failed(ErrorCode.MESSAGE_TOO_LARGE, `a batch of ${-bytes} bytes exceeds the data-path ring`);
        this.stored = Buffer.alloc(-bytes);
        bytes = log.read(from, readBytes, 'high-watermark', this.stored, 0, this.stored.length);
      }
      result.errorCode = await this.down.convert(this.stored, Math.max(0, bytes), toMagic, offset, Math.min(maxBytes, capacityBytes));
      result.errorMessage = this.down.errorMessage;
      if (result.errorCode !== ErrorCode.NONE) return result;
      if (this.down.outBytes > 0 || bytes <= 0) break;
      from = lastOffsetOf(this.stored, bytes) + 1;
    }
    if (this.down.outBytes > capacityBytes)
      return this.failed(ErrorCode.MESSAGE_TOO_LARGE, `a converted message of ${this.down.outBytes} bytes exceeds the data-path ring`);
    result.messages = this.down.out.subarray(0, this.down.outBytes);
    return result;
  }

  private failed(errorCode: number, errorMessage: string): ConvertedFetch {
    this.fetchResult.errorCode = errorCode;
    this.fetchResult.errorMessage = errorMessage;
    this.fetchResult.messages = EMPTY;
    return this.fetchResult;
  }
}
