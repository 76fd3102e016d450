// Test helper: builds message sets of the old format (magic 0/1) the way an old producer sends them, and
// reads the ones a Fetch v0-3 answers (wrappers decompressed). Test helper only.
import { withStandardHeaderChecksum } from '../../src/shared/compression/lz4-legacy-checksum.js';
import { Codec, decompressRecords } from '../../src/shared/compression/record-compression.js';
import {
  buildMessageSet,
  LEGACY_CODEC_MASK,
  LEGACY_TIMESTAMP_TYPE_BIT,
  legacyFault,
  newLegacyMessage,
  readLegacyMessage,
  wrapMessageSet,
} from '../../src/shared/legacy-message.js';

export interface OldMessage {
  key: string | null;
  value: string | null;
  timestamp?: number;
}

export interface ReadMessage {
  offset: number;
  magic: number;
  timestamp: number;
  logAppendTime: boolean;
  key: string | null;
  value: string | null;
  /** The codec of the wrapper it came in (0: none). */
  codec: number;
}

const text = (s: string | null): Buffer | null => (s === null ? null : Buffer.from(s));

/** Uncompressed messages with offsets 0, 1, ... (an old producer's offsets; the broker ignores them). */
export function messageSet(magic: number, messages: OldMessage[]): Buffer {
  return buildMessageSet(
    magic,
    messages.map((m) => ({ key: text(m.key), value: text(m.value), timestamp: m.timestamp })),
  );
}

/** One wrapper message holding `inner` (a message set) compressed with `codec`, as a producer writes it. */
export const wrapped = wrapMessageSet;

/** Every message of a fetched message set (a partial message at the end is left out, as old consumers do). */
export async function readMessageSet(bytes: Buffer): Promise<ReadMessage[]> {
  const out: ReadMessage[] = [];
  const message = newLegacyMessage();
  for (let at = 0; at < bytes.length; at += message.entryBytes) {
    if (!readLegacyMessage(bytes, at, bytes.length, message)) {
      if (/cut short|overruns/.test(legacyFault.problem)) break;
      throw new Error(legacyFault.problem);
    }
    const codec = message.attributes & LEGACY_CODEC_MASK;
    const logAppendTime = (message.attributes & LEGACY_TIMESTAMP_TYPE_BIT) !== 0;
    if (codec === Codec.NONE) {
      out.push({ ...fields(bytes, message), codec });
      continue;
    }
    let value = bytes.subarray(message.valueAt, message.valueAt + message.valueLength);
    if (codec === Codec.LZ4 && message.magic === 0) value = withStandardHeaderChecksum(value);
    const inner = await readMessageSet(await decompressRecords(codec, value));
    const lastRelative = inner[inner.length - 1]!.offset;
    for (const m of inner) {
      const offset = message.magic === 1 ? message.offset - lastRelative + m.offset : m.offset;
      out.push({ ...m, offset, codec, logAppendTime, timestamp: logAppendTime ? message.timestamp : m.timestamp });
    }
  }
  return out;
}

function fields(bytes: Buffer, m: ReturnType<typeof newLegacyMessage>): Omit<ReadMessage, 'codec'> {
  return {
    offset: m.offset,
    magic: m.magic,
    timestamp: m.timestamp,
    logAppendTime: (m.attributes & LEGACY_TIMESTAMP_TYPE_BIT) !== 0,
    key: m.keyLength < 0 ? null : bytes.toString('utf8', m.keyAt, m.keyAt + m.keyLength),
    value: m.valueLength < 0 ? null : bytes.toString('utf8', m.valueAt, m.valueAt + m.valueLength),
  };
}
