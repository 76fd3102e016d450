// The "consumer" group protocol's opaque bytes, as Kafka's ConsumerProtocol writes them: a member's
// subscription (JoinGroup metadata) and its assignment (SyncGroup), each an int16 version then the fields
// of that version. Written at v0 (every client reads it); read at any version. Runs on the caller's main thread.
//
//   Subscription v0: topics [string] · userData nullable bytes      (v1 +ownedPartitions, v2 +generationId, v3 +rackId)
//   Assignment v0:   assignedPartitions [topic string · partitions [int32]] · userData nullable bytes
import { Reader } from '../protocol/codec/reader.js';
import { Writer } from '../protocol/codec/writer.js';
import { decodeMessage } from '../protocol/schema/decode.js';
import { sizeOfMessage, writeMessage } from '../protocol/schema/encode.js';
import { message, type MessageInput } from '../protocol/schema/types.js';

const subscriptionSchema = message('ConsumerProtocolSubscription', 'none', [
  { name: 'topics', type: '[]string', versions: '0+' },
  { name: 'userData', type: 'bytes', versions: '0+', nullableVersions: '0+', default: null },
  { name: 'ownedPartitions', type: '[]struct', versions: '1+', fields: [
    { name: 'topic', type: 'string', versions: '1+' },
    { name: 'partitions', type: '[]int32', versions: '1+' },
  ] },
  { name: 'generationId', type: 'int32', versions: '2+', default: -1 },
  { name: 'rackId', type: 'string', versions: '3+', nullableVersions: '3+', default: null },
]);

const assignmentSchema = message('ConsumerProtocolAssignment', 'none', [
  { name: 'assignedPartitions', type: '[]struct', versions: '0+', fields: [
    { name: 'topic', type: 'string', versions: '0+' },
    { name: 'partitions', type: '[]int32', versions: '0+' },
  ] },
  { name: 'userData', type: 'bytes', versions: '0+', nullableVersions: '0+', default: null },
]);

const HIGHEST_KNOWN_VERSION = 3;
const WRITE_VERSION = 0;

/** topic → partitions. */
export type TopicPartitions = Map<string, number[]>;

function encode<S extends typeof subscriptionSchema | typeof assignmentSchema>(schema: S, value: MessageInput<S>): Buffer {
  const writer = new Writer(Buffer.alloc(2 + sizeOfMessage(schema, WRITE_VERSION, value)));
  writer.int16(WRITE_VERSION);
  writeMessage(writer, schema, WRITE_VERSION, value);
  return writer.buf;
}

/** Newer versions only append fields, so a newer message reads as the highest version known here (as Kafka does). */
function versionOf(bytes: Uint8Array): number {
  return Math.min(new Reader(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)).int16(), HIGHEST_KNOWN_VERSION);
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export function encodeSubscription(topics: readonly string[]): Buffer {
  return encode(subscriptionSchema, { topics, userData: null });
}

/** The topics a member subscribes to; [] for empty or unreadable metadata (another protocol type). */
export function decodeSubscription(bytes: Uint8Array): string[] {
  if (bytes.byteLength < 2) return [];
  return decodeMessage(subscriptionSchema, versionOf(bytes), asBuffer(bytes), 2).value.topics;
}

export function encodeAssignment(assignment: TopicPartitions): Buffer {
  const assignedPartitions = [...assignment].map(([topic, partitions]) => ({ topic, partitions }));
  return encode(assignmentSchema, { assignedPartitions, userData: null });
}

export function decodeAssignment(bytes: Uint8Array): TopicPartitions {
  if (bytes.byteLength < 2) return new Map();
  const { assignedPartitions } = decodeMessage(assignmentSchema, versionOf(bytes), asBuffer(bytes), 2).value;
  return new Map(assignedPartitions.map((a) => [a.topic, a.partitions]));
}
