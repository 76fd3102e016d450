// The partition folder name `<topic>-<partition>`: built and parsed back, topics that hold '-' or '.', and
// names that are not partition folders.
import { describe, expect, it } from 'vitest';
import { parsePartitionFolderName, partitionDir, partitionFolderName } from '../../src/shared/partition-folder.js';

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
});
