// The decompressed records sections of the compressed batches in one produced run of batches, made before
// the run is validated so the validator can walk their records the same way as uncompressed ones. Each
// section is bounded: a batch whose codec framing allows more than the limit is refused unread.
// Runs in a partition worker, on the append path (only for compressed batches; uncompressed ones cost one
// attributes read per batch).
import { Attribute, BATCH_HEADER_BYTES, BatchField, LOG_OVERHEAD_BYTES } from '../../src/shared/record-batch.js';
import { Codec, decompressRecordsWithin, DecompressedSizeError } from '../../src/shared/compression/record-compression.js';

/**
 * The most bytes one produced batch's records may decompress to. A produced batch is at most
 * max.message.bytes compressed (1 MiB by default); 128 MiB leaves room for a 100x ratio while one
 * hostile batch cannot make a worker allocate more.
 */
export const DECOMPRESSED_RECORDS_BYTES_MAX = 128 * 1024 * 1024;

/** Why a compressed batch's records could not be had. */
export interface DecompressionFailure {
  tooLarge: boolean;
  message: string;
}

export type DecompressedSection = Buffer | DecompressionFailure;

export class DecompressedBatches {
  /** sections[i]: batch i's records (Buffer), why they could not be had, or undefined for an uncompressed batch. */
  readonly sections: Array<DecompressedSection | undefined> = [];

  clear(): void {
    this.sections.length = 0;
  }

  /**
   * Decompresses the records of every compressed batch in buf[at, at+length). Stops quietly at framing the
   * validator will refuse (a short or overlong batch), and leaves unknown codecs to it too.
   */
  async load(buf: Buffer, at: number, length: number, maxBytes = DECOMPRESSED_RECORDS_BYTES_MAX): Promise<void> {
    this.clear();
    const end = at + length;
    for (let position = at, index = 0; position + BATCH_HEADER_BYTES <= end; index++) {
      const batchBytes = buf.readInt32BE(position + BatchField.BATCH_LENGTH) + LOG_OVERHEAD_BYTES;
      if (batchBytes < BATCH_HEADER_BYTES || position + batchBytes > end) return;
      const codec = buf.readInt16BE(position + BatchField.ATTRIBUTES) & Attribute.COMPRESSION_MASK;
      if (codec !== Codec.NONE && codec <= Codec.ZSTD) {
        this.sections[index] = await decompressSection(codec, buf.subarray(position + BATCH_HEADER_BYTES, position + batchBytes), maxBytes);
      }
      position += batchBytes;
    }
  }
}

async function decompressSection(codec: number, data: Buffer, maxBytes: number): Promise<DecompressedSection> {
  try {
    return await decompressRecordsWithin(codec, data, maxBytes);
  } catch (error) {
    return { tooLarge: error instanceof DecompressedSizeError, message: `records do not decompress (codec ${codec}): ${(error as Error).message}` };
  }
}

/** True when buf[at, at+length) holds a batch whose records are compressed (so load() has work to do). */
export function hasCompressedBatch(buf: Buffer, at: number, length: number): boolean {
  const end = at + length;
  for (let position = at; position + BATCH_HEADER_BYTES <= end; ) {
    if ((buf.readInt16BE(position + BatchField.ATTRIBUTES) & Attribute.COMPRESSION_MASK) !== 0) return true;
    const batchBytes = buf.readInt32BE(position + BatchField.BATCH_LENGTH) + LOG_OVERHEAD_BYTES;
    if (batchBytes < BATCH_HEADER_BYTES) return false;
    position += batchBytes;
  }
  return false;
}
