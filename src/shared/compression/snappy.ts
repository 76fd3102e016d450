// snappy record compression (Kafka codec 2), raw or in the xerial framing, via the snappy package.
// Runs on any thread (today: the log cleaner's piscina job).
//
// The Java client (snappy-java's SnappyOutputStream) writes the xerial framing:
//   0  8 bytes  magic 82 53 4E 41 50 50 59 00 ("\x82SNAPPY\0")
//   8  int32    version (1)
//  12  int32    minimum compatible version (1)
//  16  blocks:  int32 compressed length · that many bytes of raw snappy (each block <= 32 KiB uncompressed)
// librdkafka and KafkaJS codecs may send one raw snappy block instead; every client reads both, so decoding
// accepts both and re-encoding keeps the form the producer chose.
import { loadedOnFirstUse } from './native-codec.js';

const snappy = loadedOnFirstUse<typeof import('snappy')>('snappy');

const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
export const XERIAL_HEADER_BYTES = 16;
const XERIAL_VERSION = 1;
/** snappy-java's default block size. */
const XERIAL_BLOCK_BYTES = 32 * 1024;

export function isXerialFramed(data: Buffer): boolean {
  return data.length >= XERIAL_HEADER_BYTES && data.subarray(0, XERIAL_MAGIC.length).equals(XERIAL_MAGIC);
}

export async function compressSnappy(data: Buffer, xerial: boolean): Promise<Buffer> {
  if (!xerial) return snappy().compressSync(data);
  const parts: Buffer[] = [xerialHeader()];
  for (let at = 0; at < data.length; at += XERIAL_BLOCK_BYTES) {
    const block = snappy().compressSync(data.subarray(at, at + XERIAL_BLOCK_BYTES));
    const length = Buffer.alloc(4);
    length.writeInt32BE(block.length);
    parts.push(length, block);
  }
  return Buffer.concat(parts);
}

export async function decompressSnappy(data: Buffer): Promise<Buffer> {
  if (!isXerialFramed(data)) return snappy().uncompressSync(data, { asBuffer: true }) as Buffer;
  const blocks: Buffer[] = [];
  for (let at = XERIAL_HEADER_BYTES; at < data.length; ) {
    if (at + 4 > data.length) throw new Error('snappy: xerial block length cut short');
    const length = data.readInt32BE(at);
    if (length < 0 || at + 4 + length > data.length) throw new Error(`snappy: xerial block of ${length} bytes overruns the data`);
    blocks.push(snappy().uncompressSync(data.subarray(at + 4, at + 4 + length), { asBuffer: true }) as Buffer);
    at += 4 + length;
  }
  return Buffer.concat(blocks);
}

function xerialHeader(): Buffer {
  const header = Buffer.alloc(XERIAL_HEADER_BYTES);
  XERIAL_MAGIC.copy(header, 0);
  header.writeInt32BE(XERIAL_VERSION, 8);
  header.writeInt32BE(XERIAL_VERSION, 12);
  return header;
}
