// Recompression on append for topics whose compression.type names a codec (gzip, snappy, lz4, zstd,
// uncompressed): each produced batch in another codec is rebuilt with the topic's one, as Kafka's LogValidator
// does: records unchanged, header copied with the new codec bits, length and CRC (rebuildBatch). Runs in a
// partition worker on the append path, before validation; a topic keeping the producer's codec costs nothing.
//
// Batch layout (record-batch.ts): 61-byte header · records section (compressed whole when the codec bits are set)
//   baseOffset int64 · batchLength int32 (bytes after this field) · partitionLeaderEpoch int32 · magic int8 ·
//   crc uint32 (CRC-32C of attributes..end) · attributes int16 (bits 0-2 codec) · lastOffsetDelta int32 · ...
import { compressRecords, Codec } from '../../src/shared/compression/record-compression.js';
import {
  Attribute,
  BATCH_HEADER_BYTES,
  BatchField,
  computeBatchCrc,
  CURRENT_MAGIC,
  LOG_OVERHEAD_BYTES,
  rebuildBatch,
  storedBatchCrc,
} from '../../src/shared/record-batch.js';
import type { LogConfig } from '../../src/shared/topic-config.js';
import type { DecompressedBatches } from './decompressed-batches.js';

const TARGET_CODEC: Readonly<Record<LogConfig['compressionType'], number>> = {
  producer: -1,
  uncompressed: Codec.NONE,
  gzip: Codec.GZIP,
  snappy: Codec.SNAPPY,
  lz4: Codec.LZ4,
  zstd: Codec.ZSTD,
};

/** The run of batches to append after prepare(): the one received, or its recompressed copy. Reused. */
export class AppendRun {
  buf: Buffer = Buffer.alloc(0);
  at = 0;
  length = 0;
  /** Decompressed records of the run's compressed batches (for the validator), or null when it has none. */
  decompressed: DecompressedBatches | null = null;

  private set(buf: Buffer, at: number, length: number, decompressed: DecompressedBatches | null): this {
    this.buf = buf;
    this.at = at;
    this.length = length;
    this.decompressed = decompressed;
    return this;
  }

  /**
   * Sets the run to append: buf[at, at+length) as received, unless `config` (a client append's topic config)
   * names a codec some batch is not in; then a copy with every batch in that codec, its records handed to the
   * validator in `scratch`. A run the validator will refuse (framing, magic, CRC, size, records that do not
   * decompress) is left as received, so the refusal names what the producer sent.
   */
  async prepare(
    buf: Buffer,
    at: number,
    length: number,
    config: Readonly<LogConfig> | undefined,
    decompressed: DecompressedBatches | null,
    scratch: DecompressedBatches,
  ): Promise<this> {
    const target = config === undefined ? -1 : TARGET_CODEC[config.compressionType];
    if (target < 0 || !needsRecompression(buf, at, length, target, config!.maxMessageBytes, decompressed)) return this.set(buf, at, length, decompressed);
    const sections = await recompressedSections(buf, at, length, target, decompressed, scratch);
    const rebuilt = joinBatches(buf, at, sections, target);
    return this.set(rebuilt, 0, rebuilt.length, target === Codec.NONE ? null : scratch);
  }
}

/** True when every batch is well framed, intact and readable, and at least one is not in `target`. */
function needsRecompression(buf: Buffer, at: number, length: number, target: number, maxBatchBytes: number, decompressed: DecompressedBatches | null): boolean {
  const end = at + length;
  let differs = false;
  for (let position = at, index = 0; position < end; index++) {
    if (end - position < BATCH_HEADER_BYTES) return false;
    const batchBytes = buf.readInt32BE(position + BatchField.BATCH_LENGTH) + LOG_OVERHEAD_BYTES;
    if (batchBytes < BATCH_HEADER_BYTES || batchBytes > end - position || batchBytes > maxBatchBytes) return false;
    if (buf.readInt8(position + BatchField.MAGIC) !== CURRENT_MAGIC || computeBatchCrc(buf, position, batchBytes) !== storedBatchCrc(buf, position))
      return false;
    const codec = buf.readInt16BE(position + BatchField.ATTRIBUTES) & Attribute.COMPRESSION_MASK;
    if (codec > Codec.ZSTD || (codec !== Codec.NONE && !(decompressed?.sections[index] instanceof Uint8Array))) return false;
    if (codec !== target) differs = true;
    position += batchBytes;
  }
  return differs;
}

/** Each batch's records section in `target` (batches already in it keep theirs); `scratch` gets the plain records. */
async function recompressedSections(
  buf: Buffer,
  at: number,
  length: number,
  target: number,
  decompressed: DecompressedBatches | null,
  scratch: DecompressedBatches,
): Promise<Buffer[]> {
  const sections: Buffer[] = [];
  const plain: Buffer[] = [];
  for (let position = at, index = 0; position < at + length; index++) {
    const batchBytes = buf.readInt32BE(position + BatchField.BATCH_LENGTH) + LOG_OVERHEAD_BYTES;
    const codec = buf.readInt16BE(position + BatchField.ATTRIBUTES) & Attribute.COMPRESSION_MASK;
    const sent = buf.subarray(position + BATCH_HEADER_BYTES, position + batchBytes);
    const records = codec === Codec.NONE ? sent : (decompressed!.sections[index] as Buffer);
    plain.push(records);
    sections.push(codec === target ? sent : await compressRecords(target, records));
    position += batchBytes;
  }
  // Filled only now: `scratch` may be the very object `decompressed` is.
  scratch.clear();
  plain.forEach((records, index) => {
    scratch.sections[index] = records;
  });
  return sections;
}

/** The run rebuilt: each batch with its new section and `target` in its codec bits (record-batch.ts rebuildBatch). */
function joinBatches(buf: Buffer, at: number, sections: Buffer[], target: number): Buffer {
  const batches: Buffer[] = [];
  let from = at;
  for (const section of sections) {
    const batchBytes = buf.readInt32BE(from + BatchField.BATCH_LENGTH) + LOG_OVERHEAD_BYTES;
    batches.push(rebuildBatch(buf.subarray(from, from + batchBytes), section, target));
    from += batchBytes;
  }
  return batches.length === 1 ? batches[0]! : Buffer.concat(batches);
}
