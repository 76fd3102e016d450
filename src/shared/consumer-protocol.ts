// The "consumer" group protocol's opaque bytes, as Kafka's ConsumerProtocol writes them: a member's
// subscription (JoinGroup metadata) and its assignment (SyncGroup). Written at v0 (every client reads it),
// read at any version. Shared: the client (src/client, the group leader's assignor and admin) and the group
// coordinator (workers/groups, which topics a member subscribes to) both read them with this one codec.
// Pure functions; run on whichever thread calls them.
//
// Big-endian. string = int16 length + UTF-8; bytes = int32 length + bytes (-1 = null); [x] = int32 count + x…
//   Subscription: int16 version · topics [string] · userData bytes
//                 · v1+ ownedPartitions [string topic · [int32] partitions] · v2+ int32 generationId
//                 · v3+ rackId nullable string
//   Assignment:   int16 version · assignedPartitions [string topic · [int32] partitions] · userData bytes
// Newer versions only append fields, so a newer message reads as the highest version known here (as Kafka does).

const WRITE_VERSION = 0;
const HIGHEST_KNOWN_VERSION = 3;
const NULL_LENGTH = -1;

/** topic → partitions. */
export type TopicPartitions = Map<string, number[]>;

export interface Subscription {
  topics: string[];
  userData: Buffer | null;
  /** v1+; [] before. */
  ownedPartitions: Array<{ topic: string; partitions: number[] }>;
  /** v2+; -1 before. */
  generationId: number;
  /** v3+; null before. */
  rackId: string | null;
}

/** Reads the layouts above, throwing RangeError ("… truncated …") past the end. */
class ProtocolBytesReader {
  private at = 0;
  private readonly buf: Buffer;

  constructor(bytes: Uint8Array) {
    this.buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  private take(n: number): number {
    if (n < 0 || this.at + n > this.buf.length) throw new RangeError(`consumer protocol bytes truncated at byte ${this.at} (${this.buf.length} bytes)`);
    const at = this.at;
    this.at += n;
    return at;
  }

  int16(): number {
    return this.buf.readInt16BE(this.take(2));
  }

  int32(): number {
    return this.buf.readInt32BE(this.take(4));
  }

  nullableString(): string | null {
    const length = this.int16();
    if (length === NULL_LENGTH) return null;
    const at = this.take(length);
    return this.buf.toString('utf8', at, at + length);
  }

  string(): string {
    return this.nullableString() ?? '';
  }

  nullableBytes(): Buffer | null {
    const length = this.int32();
    if (length === NULL_LENGTH) return null;
    const at = this.take(length);
    return this.buf.subarray(at, at + length);
  }

  array<T>(item: () => T): T[] {
    const count = this.int32();
    if (count === NULL_LENGTH) return [];
    if (count < 0) this.take(count);
    return Array.from({ length: count }, item);
  }

  topicPartitions(): Array<{ topic: string; partitions: number[] }> {
    return this.array(() => ({ topic: this.string(), partitions: this.array(() => this.int32()) }));
  }

  version(): number {
    return Math.min(this.int16(), HIGHEST_KNOWN_VERSION);
  }
}

/** Writes v0 messages into a buffer sized up front. */
class ProtocolBytesWriter {
  private at = 0;
  readonly buf: Buffer;

  constructor(size: number) {
    this.buf = Buffer.alloc(size);
  }

  static stringBytes(text: string): number {
    return 2 + Buffer.byteLength(text, 'utf8');
  }

  int16(value: number): void {
    this.at = this.buf.writeInt16BE(value, this.at);
  }

  int32(value: number): void {
    this.at = this.buf.writeInt32BE(value, this.at);
  }

  string(text: string): void {
    const length = this.buf.write(text, this.at + 2, 'utf8');
    this.int16(length);
    this.at += length;
  }
}

export function encodeSubscription(topics: readonly string[]): Buffer {
  const writer = new ProtocolBytesWriter(2 + 4 + topics.reduce((sum, t) => sum + ProtocolBytesWriter.stringBytes(t), 0) + 4);
  writer.int16(WRITE_VERSION);
  writer.int32(topics.length);
  for (const topic of topics) writer.string(topic);
  writer.int32(NULL_LENGTH);
  return writer.buf;
}

/** Every field of a subscription of any version; throws RangeError on bytes that are not one. */
export function decodeSubscription(bytes: Uint8Array): Subscription {
  const reader = new ProtocolBytesReader(bytes);
  const version = reader.version();
  const topics = reader.array(() => reader.string());
  const userData = reader.nullableBytes();
  const ownedPartitions = version >= 1 ? reader.topicPartitions() : [];
  const generationId = version >= 2 ? reader.int32() : -1;
  const rackId = version >= 3 ? reader.nullableString() : null;
  return { topics, userData, ownedPartitions, generationId, rackId };
}

export function encodeAssignment(assignment: ReadonlyMap<string, readonly number[]>): Buffer {
  let size = 2 + 4 + 4;
  for (const [topic, partitions] of assignment) size += ProtocolBytesWriter.stringBytes(topic) + 4 + 4 * partitions.length;
  const writer = new ProtocolBytesWriter(size);
  writer.int16(WRITE_VERSION);
  writer.int32(assignment.size);
  for (const [topic, partitions] of assignment) {
    writer.string(topic);
    writer.int32(partitions.length);
    for (const partition of partitions) writer.int32(partition);
  }
  writer.int32(NULL_LENGTH);
  return writer.buf;
}

/** A member's partitions by topic; none for empty bytes (a member synced without an assignment). */
export function decodeAssignment(bytes: Uint8Array): TopicPartitions {
  if (bytes.byteLength < 2) return new Map();
  const reader = new ProtocolBytesReader(bytes);
  reader.version();
  return new Map(reader.topicPartitions().map((a) => [a.topic, a.partitions]));
}
