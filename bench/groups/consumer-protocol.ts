// The "consumer" protocol bytes a group carries through the coordinator, for the group benches:
// ConsumerProtocolSubscription v0 (JoinGroup metadata), ConsumerProtocolAssignment v0 (SyncGroup assignment),
// and Kafka's RangeAssignor over one topic. Written with Fjord's codec primitives. Runs on the bench's main thread.
//
// Subscription v0: int16 version 0 · int32 topic count · topic (int16 length + UTF-8)… · int32 userData length (-1 = null)
// Assignment v0:   int16 version 0 · int32 topic count · (string topic · int32 partition count · int32 partition…)…
//                  · int32 userData length (-1 = null)
import { Reader } from '../../src/protocol/codec/reader.js';
import { stringBytes, Writer } from '../../src/protocol/codec/writer.js';

const VERSION = 0;
const NULL_USER_DATA_BYTES = 4;

export function encodeSubscription(topics: readonly string[]): Buffer {
  const size = 2 + 4 + topics.reduce((sum, t) => sum + 2 + stringBytes(t), 0) + NULL_USER_DATA_BYTES;
  const writer = new Writer(Buffer.alloc(size));
  writer.int16(VERSION);
  writer.arrayLength(topics.length);
  for (const topic of topics) writer.string(topic);
  writer.nullableBytes(null);
  return writer.buf;
}

export function decodeSubscription(bytes: Uint8Array): string[] {
  const reader = new Reader(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length));
  reader.int16();
  const count = reader.int32();
  return Array.from({ length: count }, () => reader.string());
}

/** Partitions of one topic, by topic name. */
export type TopicPartitions = ReadonlyMap<string, readonly number[]>;

export function encodeAssignment(assigned: TopicPartitions): Buffer {
  let size = 2 + 4 + NULL_USER_DATA_BYTES;
  for (const [topic, partitions] of assigned) size += 2 + stringBytes(topic) + 4 + 4 * partitions.length;
  const writer = new Writer(Buffer.alloc(size));
  writer.int16(VERSION);
  writer.arrayLength(assigned.size);
  for (const [topic, partitions] of assigned) {
    writer.string(topic);
    writer.arrayLength(partitions.length);
    for (const p of partitions) writer.int32(p);
  }
  writer.nullableBytes(null);
  return writer.buf;
}

export function decodeAssignment(bytes: Uint8Array): Map<string, number[]> {
  const assigned = new Map<string, number[]>();
  if (bytes.length === 0) return assigned;
  const reader = new Reader(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length));
  reader.int16();
  const topics = reader.int32();
  for (let t = 0; t < topics; t++) {
    const topic = reader.string();
    const count = reader.int32();
    assigned.set(topic, Array.from({ length: count }, () => reader.int32()));
  }
  return assigned;
}

/**
 * Kafka's RangeAssignor for each subscribed topic: members sorted by id, each gets a contiguous range of
 * floor(partitions / members) partitions, the first (partitions mod members) one more.
 */
export function rangeAssign(
  members: ReadonlyArray<{ memberId: string; metadata: Uint8Array }>,
  partitionsOf: (topic: string) => number,
): Array<{ memberId: string; assignment: Buffer }> {
  const byMember = new Map<string, Map<string, number[]>>(members.map((m) => [m.memberId, new Map()]));
  const subscribers = new Map<string, string[]>();
  for (const m of members) {
    for (const topic of decodeSubscription(m.metadata)) subscribers.set(topic, [...(subscribers.get(topic) ?? []), m.memberId]);
  }
  for (const [topic, memberIds] of subscribers) {
    const sorted = [...memberIds].sort();
    const partitions = partitionsOf(topic);
    const per = Math.floor(partitions / sorted.length);
    const extra = partitions % sorted.length;
    sorted.forEach((memberId, i) => {
      const first = i * per + Math.min(i, extra);
      const count = per + (i < extra ? 1 : 0);
      byMember.get(memberId)!.set(topic, Array.from({ length: count }, (_, k) => first + k));
    });
  }
  return [...byMember].map(([memberId, assigned]) => ({ memberId, assignment: encodeAssignment(assigned) }));
}
