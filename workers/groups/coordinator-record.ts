// One __consumer_offsets record as the group coordinator computes and replays it: an offset commit or a
// group's metadata, with a null value for a tombstone. The coordinator turns an operation into these,
// writes them (as bytes, group-records.ts) and then replays them; a load decodes and replays the same
// ones, so the live state and the state rebuilt from the log cannot drift. Runs in a partition worker.
import type { ProducedRecord } from '../../src/shared/record-batch-codec.js';
import {
  decodeGroupValue,
  decodeKey,
  decodeOffsetValue,
  encodeGroupKey,
  encodeGroupValue,
  encodeOffsetKey,
  encodeOffsetValue,
  type GroupValue,
  type OffsetValue,
} from './group-records.js';

export interface OffsetRecord {
  kind: 'offset';
  groupId: string;
  topic: string;
  partition: number;
  /** null: the committed offset is deleted (DeleteGroups, OffsetDelete, expiry). */
  value: OffsetValue | null;
}

export interface GroupRecord {
  kind: 'group';
  groupId: string;
  /** null: the group is deleted. */
  value: GroupValue | null;
}

export type CoordinatorRecord = OffsetRecord | GroupRecord;

export function offsetTombstone(groupId: string, topic: string, partition: number): OffsetRecord {
  return { kind: 'offset', groupId, topic, partition, value: null };
}

export function groupTombstone(groupId: string): GroupRecord {
  return { kind: 'group', groupId, value: null };
}

/** The key and value bytes written to the partition. */
export function encodeCoordinatorRecord(record: CoordinatorRecord): ProducedRecord {
  if (record.kind === 'offset') {
    const key = encodeOffsetKey(record.groupId, record.topic, record.partition);
    return { key, value: record.value === null ? null : encodeOffsetValue(record.value) };
  }
  return { key: encodeGroupKey(record.groupId), value: record.value === null ? null : encodeGroupValue(record.value) };
}

/** Reads a stored record; null for keys that are not the coordinator's. Throws RangeError on unreadable bytes. */
export function decodeCoordinatorRecord(keyBytes: Buffer | null, valueBytes: Buffer | null): CoordinatorRecord | null {
  if (keyBytes === null) return null;
  const key = decodeKey(keyBytes);
  if (key === null) return null;
  if (key.kind === 'offset') return { ...key, value: valueBytes === null ? null : decodeOffsetValue(valueBytes) };
  return { ...key, value: valueBytes === null ? null : decodeGroupValue(valueBytes) };
}
