// murmur2 and the default partitioner against known vectors: Apache Kafka's UtilsTest.testMurmur2 (the Java
// client), librdkafka's rdmurmur2.c unit test, and toPositive % partitions as the Java client computes it.
import { describe, expect, it } from 'vitest';
import { murmur2, partitionForKey, toPositive } from '../../src/client/murmur2.js';
import { DefaultPartitioner } from '../../src/client/partitioner.js';

const bytes = (text: string) => Buffer.from(text, 'utf8');

describe('murmur2', () => {
  it("matches the Java client's Utils.murmur2 test vectors", () => {
    const cases: Array<[string, number]> = [
      ['21', -973932308],
      ['foobar', -790332482],
      ['a-little-bit-long-string', -985981536],
      ['a-little-bit-longer-string', -1486304829],
      ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
      ['abc', 479470107],
    ];
    for (const [key, hash] of cases) expect(murmur2(bytes(key)), key).toBe(hash);
  });

  it("matches librdkafka's murmur2 unit test vectors (every tail length)", () => {
    const cases: Array<[string, number]> = [
      ['kafka', 0xd067cf64 | 0],
      ['giberish123456789', 0x8f552b0c | 0],
      ['1234', 0x9fc97b14 | 0],
      ['234', 0xe7c009ca | 0],
      ['34', 0x873930da | 0],
      ['4', 0x5a4b5ca1 | 0],
      ['PreAmbleWillBeRemoved,ThePrePartThatIs', 0x78424f1c | 0],
      ['reAmbleWillBeRemoved,ThePrePartThatIs', 0x4a62b377 | 0],
      ['eAmbleWillBeRemoved,ThePrePartThatIs', 0xe0e4e09e | 0],
      ['AmbleWillBeRemoved,ThePrePartThatIs', 0x62b8b43f | 0],
      ['', 0x106e08d9 | 0],
    ];
    for (const [key, hash] of cases) expect(murmur2(bytes(key)), JSON.stringify(key)).toBe(hash);
  });

  it('maps a key to toPositive(hash) % partitions, not Math.abs', () => {
    expect(toPositive(-973932308)).toBe(-973932308 & 0x7fffffff);
    expect(toPositive(-1)).toBe(0x7fffffff);
    // -973932308 & 0x7fffffff = 1173551340; Math.abs would give 973932308 (a different partition).
    expect(partitionForKey(bytes('21'), 7)).toBe(1173551340 % 7);
    expect(partitionForKey(bytes('foobar'), 1)).toBe(0);
  });
});

describe('DefaultPartitioner', () => {
  it('sends a key where murmur2 says, whatever the batch', () => {
    const partitioner = new DefaultPartitioner(() => 0.5);
    expect(partitioner.partition('t', bytes('abc'), 12)).toBe(479470107 % 12);
  });

  it('keeps keyless records on one partition per batch and moves to another after it', () => {
    const draws = [0.1, 0.9, 0.0];
    const partitioner = new DefaultPartitioner(() => draws.shift()!);
    const first = partitioner.partition('t', null, 4);
    expect(partitioner.partition('t', null, 4)).toBe(first);
    partitioner.batchSent('t', 4);
    const second = partitioner.partition('t', null, 4);
    expect(second).not.toBe(first);
    partitioner.batchSent('t', 4);
    expect(partitioner.partition('t', null, 4)).not.toBe(second);
  });
});
