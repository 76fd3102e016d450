// The records the group coordinator keeps in __consumer_offsets: keys and values of offset commits and
// of group metadata, in Kafka's layouts so the log is readable by Kafka's tools. A null value (tombstone)
// deletes the key. Runs in the partition worker that owns the __consumer_offsets partition.
//
// Strings: int16 length + UTF-8 (-1 = null). Bytes: int32 length + bytes. Arrays: int32 count + items.
// Offset commit key   (version 1): int16 version · string group · string topic · int32 partition
// Offset commit value (version 3): int16 version · int64 offset · int32 leaderEpoch · string metadata
//                                  · int64 commitTimestamp
// Group metadata key  (version 2): int16 version · string group
// Group metadata value(version 3): int16 version · string protocolType · int32 generation
//                                  · nullable string protocol · nullable string leader · int64 stateTimestamp
//                                  · members[]: string memberId · nullable string groupInstanceId · string clientId
//                                    · string clientHost · int32 rebalanceTimeout · int32 sessionTimeout
//                                    · bytes subscription · bytes assignment
// (subscription and assignment are the consumer protocol's bytes, read by src/shared/consumer-protocol.ts)
import { decodeSubscription } from '../../src/shared/consumer-protocol.js';

const OFFSET_KEY_VERSION = 1;
const GROUP_KEY_VERSION = 2;
const OFFSET_VALUE_VERSION = 3;
const GROUP_VALUE_VERSION = 3;

export interface OffsetKey {
  kind: 'offset';
  groupId: string;
  topic: string;
  partition: number;
}

export interface GroupKey {
  kind: 'group';
  groupId: string;
}

export interface OffsetValue {
  offset: number;
  leaderEpoch: number;
  metadata: string;
  commitTimestamp: number;
}

export interface StoredMember {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  rebalanceTimeoutMs: number;
  sessionTimeoutMs: number;
  subscription: Uint8Array;
  assignment: Uint8Array;
}

export interface GroupValue {
  protocolType: string;
  generationId: number;
  protocolName: string | null;
  leader: string | null;
  stateTimestamp: number;
  members: StoredMember[];
}

class RecordWriter {
  private parts: Buffer[] = [];

  int16(value: number): this {
    const b = Buffer.alloc(2);
    b.writeInt16BE(value);
    this.parts.push(b);
    return this;
  }

  int32(value: number): this {
    const b = Buffer.alloc(4);
    b.writeInt32BE(value);
    this.parts.push(b);
    return this;
  }

  int64(value: number): this {
    const b = Buffer.alloc(8);
    b.writeBigInt64BE(BigInt(value));
    this.parts.push(b);
    return this;
  }

  string(value: string | null): this {
    if (value === null) return this.int16(-1);
    const bytes = Buffer.from(value, 'utf8');
    return this.int16(bytes.length).raw(bytes);
  }

  bytes(value: Uint8Array): this {
    return this.int32(value.length).raw(Buffer.from(value.buffer, value.byteOffset, value.length));
  }

  private raw(bytes: Buffer): this {
    this.parts.push(bytes);
    return this;
  }

  done(): Buffer {
    return Buffer.concat(this.parts);
  }
}

class RecordReader {
  private at = 0;

  constructor(private readonly buf: Buffer) {}

  private need(bytes: number): number {
    if (this.at + bytes > this.buf.length) throw new RangeError(`group record truncated at byte ${this.at}`);
    const at = this.at;
    this.at += bytes;
    return at;
  }

  int16(): number {
    return this.buf.readInt16BE(this.need(2));
  }

  int32(): number {
    return this.buf.readInt32BE(this.need(4));
  }

  int64(): number {
    return Number(this.buf.readBigInt64BE(this.need(8)));
  }

  string(): string | null {
    const length = this.int16();
    if (length < 0) return null;
    const at = this.need(length);
    return this.buf.toString('utf8', at, at + length);
  }

  requiredString(): string {
    return this.string() ?? '';
  }

  bytes(): Uint8Array {
    const length = this.int32();
    const at = this.need(Math.max(0, length));
    return Buffer.from(this.buf.subarray(at, at + Math.max(0, length)));
  }
}

export function encodeOffsetKey(groupId: string, topic: string, partition: number): Buffer {
  return new RecordWriter().int16(OFFSET_KEY_VERSION).string(groupId).string(topic).int32(partition).done();
}

export function encodeGroupKey(groupId: string): Buffer {
  return new RecordWriter().int16(GROUP_KEY_VERSION).string(groupId).done();
}

/** Reads a key; versions 0 and 1 are offset commits, 2 group metadata; null for keys of other kinds. */
export function decodeKey(buf: Buffer): OffsetKey | GroupKey | null {
  const reader = new RecordReader(buf);
  const version = reader.int16();
  if (version === 0 || version === 1) {
    return { kind: 'offset', groupId: reader.requiredString(), topic: reader.requiredString(), partition: reader.int32() };
  }
  if (version === GROUP_KEY_VERSION) return { kind: 'group', groupId: reader.requiredString() };
  return null;
}

export function encodeOffsetValue(value: OffsetValue): Buffer {
  return new RecordWriter().int16(OFFSET_VALUE_VERSION).int64(value.offset).int32(value.leaderEpoch).string(value.metadata).int64(value.commitTimestamp).done();
}

/** Reads versions 1 and 3 (the ones Fjord and recent Kafka write; v1 has an expire timestamp, no epoch). */
export function decodeOffsetValue(buf: Buffer): OffsetValue {
  const reader = new RecordReader(buf);
  const version = reader.int16();
  const offset = reader.int64();
  const leaderEpoch = version >= 3 ? reader.int32() : -1;
  const metadata = reader.requiredString();
  const commitTimestamp = reader.int64();
  return { offset, leaderEpoch, metadata, commitTimestamp };
}

export function encodeGroupValue(value: GroupValue): Buffer {
  const writer = new RecordWriter()
    .int16(GROUP_VALUE_VERSION)
    .string(value.protocolType)
    .int32(value.generationId)
    .string(value.protocolName)
    .string(value.leader)
    .int64(value.stateTimestamp)
    .int32(value.members.length);
  for (const m of value.members) {
    writer
      .string(m.memberId)
      .string(m.groupInstanceId)
      .string(m.clientId)
      .string(m.clientHost)
      .int32(m.rebalanceTimeoutMs)
      .int32(m.sessionTimeoutMs)
      .bytes(m.subscription)
      .bytes(m.assignment);
  }
  return writer.done();
}

export function decodeGroupValue(buf: Buffer): GroupValue {
  const reader = new RecordReader(buf);
  const version = reader.int16();
  if (version !== GROUP_VALUE_VERSION) throw new RangeError(`group metadata value version ${version} is not read by Fjord`);
  const protocolType = reader.requiredString();
  const generationId = reader.int32();
  const protocolName = reader.string();
  const leader = reader.string();
  const stateTimestamp = reader.int64();
  const count = reader.int32();
  const members: StoredMember[] = [];
  for (let i = 0; i < count; i++) {
    members.push({
      memberId: reader.requiredString(),
      groupInstanceId: reader.string(),
      clientId: reader.requiredString(),
      clientHost: reader.requiredString(),
      rebalanceTimeoutMs: reader.int32(),
      sessionTimeoutMs: reader.int32(),
      subscription: reader.bytes(),
      assignment: reader.bytes(),
    });
  }
  return { protocolType, generationId, protocolName, leader, stateTimestamp, members };
}

/** Topics a consumer-protocol subscription names; throws RangeError on bytes that are not a subscription. */
export function subscribedTopics(subscription: Uint8Array): string[] {
  return decodeSubscription(subscription).topics;
}
