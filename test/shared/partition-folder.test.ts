// The partition folder name `<topic>-<partition>`: built and parsed back, topics that hold '-' or '.', and
// names that are not partition folders.
import { describe, expect, it } from 'vitest';
import {
  moveDir,
  moveFolderName,
  parseMoveFolderName,
  parsePartitionFolderName,
  partitionDir,
  partitionFolderName,
} from '../../src/shared/partition-folder.js';

describe('partition folder', () => {
  it('round-trips topic and partition, splitting at the last dash', () => {
    for (const [topic, partition] of [
      ['orders', 0],
      ['my-topic', 12],
      ['__consumer_offsets', 49],
      ['a.b-c_d', 7],
      ['x-1', 2],
    ] as const) {
      const name = partitionFolderName(topic, partition);
      expect(name).toBe(`${topic}-${partition}`);
      expect(parsePartitionFolderName(name)).toEqual({ topic, partition });
    }
  });

  it('is under its log dir', () => {
    expect(partitionDir('/data/disk1', 'orders', 3)).toBe('/data/disk1/orders-3');
    expect(partitionDir('/data/disk1/', 'orders', 3)).toBe('/data/disk1/orders-3');
  });

  it('does not take other names for partition folders', () => {
    for (const name of ['orders', 'orders-', '-3', 'orders-x', 'orders-3a', '.fjord-clean-shutdown', 'fjord-metadata.json']) {
      expect(parsePartitionFolderName(name)).toBeNull();
    }
  });

  it('names the folders of a move, which are not partition folders, and parses them back', () => {
    const id = '0123456789abcdef'.repeat(2);
    for (const kind of ['future', 'delete'] as const) {
      const name = moveFolderName('a.b-c', 7, id, kind);
      expect(name).toBe(`a.b-c-7.${id}-${kind}`);
      expect(moveDir('/d', 'a.b-c', 7, id, kind)).toBe(`/d/${name}`);
      expect(parseMoveFolderName(name)).toEqual({ topic: 'a.b-c', partition: 7, moveId: id, kind });
      expect(parsePartitionFolderName(name)).toBeNull();
    }
    for (const name of ['t-0', `t-0.${id}-later`, 't-0.abc-future', `t-x.${id}-future`]) expect(parseMoveFolderName(name)).toBeNull();
  });
});
