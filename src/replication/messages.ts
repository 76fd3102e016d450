// The replication protocol's messages and their validation: every frame from the network is checked field by
// field (type and bounds) before anything uses it; a message that fails is a ReplicationProtocolError, and the
// connection it came on closes. Main thread.
//
// Follower → leader (one map per frame):
//   handshake  { type: 'handshake', correlationId, clusterId: string, nodeId: int32 }          (first frame)
//   fetch      { type: 'fetch', correlationId, replicaId: int32, replicaEpoch: int64 (-1: none),
//                maxWaitMs, minBytes, maxBytes,
//                partitions: [{ topic, partition, fetchOffset, lastFetchedEpoch, currentLeaderEpoch, maxBytes }] }
// Leader → follower:
//   handshake  { type: 'handshake', correlationId, clusterId, nodeId }
//   fetch      { type: 'fetch', correlationId, partitions: [{ topic, partition, errorCode, highWatermark,
//                logStartOffset, logEndOffset, divergingEpoch: { epoch, endOffset } | null, records: bin }] }
// correlationId: int32 chosen by the follower, echoed by the leader (responses come in request order).
import { FETCH_BYTES_MAX, FETCH_PARTITIONS_MAX, FETCH_WAIT_MS_MAX, NAME_CHARS_MAX } from './replication-limits.js';
import { decodeBody, ReplicationProtocolError } from './wire-format.js';

const INT32_MAX = 2 ** 31 - 1;
const INT32_MIN = -(2 ** 31);

export interface Handshake {
  type: 'handshake';
  correlationId: number;
  clusterId: string;
  nodeId: number;
}

export interface ReplicaFetchPartition {
  topic: string;
  partition: number;
  fetchOffset: number;
  lastFetchedEpoch: number;
  currentLeaderEpoch: number;
  maxBytes: number;
}

export interface ReplicaFetch {
  type: 'fetch';
  correlationId: number;
  replicaId: number;
  replicaEpoch: number;
  maxWaitMs: number;
  minBytes: number;
  maxBytes: number;
  partitions: ReplicaFetchPartition[];
}

export interface DivergingEpoch {
  epoch: number;
  endOffset: number;
}

export interface ReplicaFetchPartitionResult {
  topic: string;
  partition: number;
  errorCode: number;
  highWatermark: number;
  logStartOffset: number;
  logEndOffset: number;
  divergingEpoch: DivergingEpoch | null;
  records: Buffer;
}

export interface ReplicaFetchResult {
  type: 'fetch';
  correlationId: number;
  partitions: ReplicaFetchPartitionResult[];
}

export type FollowerMessage = Handshake | ReplicaFetch;
export type LeaderMessage = Handshake | ReplicaFetchResult;

/** A frame a follower sent (body without its size prefix). */
export function parseFollowerMessage(body: Buffer): FollowerMessage {
  const map = requireMap(decodeBody(body), 'message');
  const type = map.type;
  if (type === 'handshake') return parseHandshake(map);
  if (type !== 'fetch') throw new ReplicationProtocolError(`unknown message type ${describe(type)}`);
  const partitions = requireArray(map.partitions, 'partitions', FETCH_PARTITIONS_MAX).map((p, i) => {
    const m = requireMap(p, `partitions[${i}]`);
    return {
      topic: requireName(m.topic, 'topic'),
      partition: requireInt(m.partition, 'partition', 0, INT32_MAX),
      fetchOffset: requireInt(m.fetchOffset, 'fetchOffset', 0, Number.MAX_SAFE_INTEGER),
      lastFetchedEpoch: requireInt(m.lastFetchedEpoch, 'lastFetchedEpoch', -1, INT32_MAX),
      currentLeaderEpoch: requireInt(m.currentLeaderEpoch, 'currentLeaderEpoch', -1, INT32_MAX),
      maxBytes: requireInt(m.maxBytes, 'maxBytes', 0, FETCH_BYTES_MAX),
    };
  });
  return {
    type,
    correlationId: requireInt(map.correlationId, 'correlationId', INT32_MIN, INT32_MAX),
    replicaId: requireInt(map.replicaId, 'replicaId', 0, INT32_MAX),
    replicaEpoch: requireInt(map.replicaEpoch, 'replicaEpoch', -1, Number.MAX_SAFE_INTEGER),
    maxWaitMs: requireInt(map.maxWaitMs, 'maxWaitMs', 0, FETCH_WAIT_MS_MAX),
    minBytes: requireInt(map.minBytes, 'minBytes', 0, FETCH_BYTES_MAX),
    maxBytes: requireInt(map.maxBytes, 'maxBytes', 0, FETCH_BYTES_MAX),
    partitions,
  };
}

/** A frame a leader sent (body without its size prefix); records are views of `body`. */
export function parseLeaderMessage(body: Buffer): LeaderMessage {
  const map = requireMap(decodeBody(body), 'message');
  const type = map.type;
  if (type === 'handshake') return parseHandshake(map);
  if (type !== 'fetch') throw new ReplicationProtocolError(`unknown message type ${describe(type)}`);
  const partitions = requireArray(map.partitions, 'partitions', FETCH_PARTITIONS_MAX).map((p, i) => {
    const m = requireMap(p, `partitions[${i}]`);
    return {
      topic: requireName(m.topic, 'topic'),
      partition: requireInt(m.partition, 'partition', 0, INT32_MAX),
      errorCode: requireInt(m.errorCode, 'errorCode', -1, 32767),
      highWatermark: requireInt(m.highWatermark, 'highWatermark', -1, Number.MAX_SAFE_INTEGER),
      logStartOffset: requireInt(m.logStartOffset, 'logStartOffset', -1, Number.MAX_SAFE_INTEGER),
      logEndOffset: requireInt(m.logEndOffset, 'logEndOffset', -1, Number.MAX_SAFE_INTEGER),
      divergingEpoch: parseDivergingEpoch(m.divergingEpoch),
      records: requireBytes(m.records, 'records'),
    };
  });
  return { type, correlationId: requireInt(map.correlationId, 'correlationId', INT32_MIN, INT32_MAX), partitions };
}

function parseHandshake(map: Record<string, unknown>): Handshake {
  return {
    type: 'handshake',
    correlationId: requireInt(map.correlationId, 'correlationId', INT32_MIN, INT32_MAX),
    clusterId: requireName(map.clusterId, 'clusterId'),
    nodeId: requireInt(map.nodeId, 'nodeId', 0, INT32_MAX),
  };
}

function parseDivergingEpoch(value: unknown): DivergingEpoch | null {
  if (value === null || value === undefined) return null;
  const m = requireMap(value, 'divergingEpoch');
  return {
    epoch: requireInt(m.epoch, 'divergingEpoch.epoch', -1, INT32_MAX),
    endOffset: requireInt(m.endOffset, 'divergingEpoch.endOffset', -1, Number.MAX_SAFE_INTEGER),
  };
}

function requireMap(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || Buffer.isBuffer(value) || Object.getPrototypeOf(value) !== Object.prototype)
    throw new ReplicationProtocolError(`${what} must be a map, got ${describe(value)}`);
  return value as Record<string, unknown>;
}

function requireArray(value: unknown, what: string, maxLength: number): unknown[] {
  if (!Array.isArray(value)) throw new ReplicationProtocolError(`${what} must be an array, got ${describe(value)}`);
  if (value.length > maxLength) throw new ReplicationProtocolError(`${what} holds ${value.length} entries, more than ${maxLength}`);
  return value;
}

function requireInt(value: unknown, what: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max)
    throw new ReplicationProtocolError(`${what} must be an integer in [${min}, ${max}], got ${describe(value)}`);
  return value;
}

function requireName(value: unknown, what: string): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > NAME_CHARS_MAX)
    throw new ReplicationProtocolError(`${what} must be a string of 1..${NAME_CHARS_MAX} characters, got ${describe(value)}`);
  return value;
}

function requireBytes(value: unknown, what: string): Buffer {
  if (!Buffer.isBuffer(value)) throw new ReplicationProtocolError(`${what} must be binary, got ${describe(value)}`);
  return value;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (Buffer.isBuffer(value)) return 'binary';
  if (typeof value === 'string') return `a string of ${value.length} characters`;
  if (typeof value === 'number') return String(value);
  return typeof value;
}
