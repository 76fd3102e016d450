// kcat (librdkafka 2.x) against a real broker process: metadata, produce with keys, headers, every
// compression codec, acks 0/1/all and idempotence; consume from the beginning, from an offset, from a
// timestamp; batches come back byte for byte as produced (compressed ones included).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBrokerProcess, type BrokerProcess } from '../helpers/broker-process.js';
import { kcat } from '../helpers/kcat.js';

let broker: BrokerProcess;
beforeAll(async () => {
  broker = await startBrokerProcess({ 'num.partitions': '1' });
});
afterAll(async () => {
  expect(await broker.stop()).toBe(0);
});

const CODEC_IDS: Record<string, number> = { none: 0, gzip: 1, snappy: 2, lz4: 3, zstd: 4 };

/** The compression bits of the first batch in the partition's first segment, read from the file. */
function compressionOfFirstStoredBatch(topic: string): number {
  const segment = readFileSync(join(broker.logDir, `${topic}-0`, '00000000000000000000.log'));
  return segment.readInt16BE(21) & 0x07;
}

/** Compressible values of a few KiB: librdkafka sends tiny batches uncompressed. */
function lines(prefix: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}-${i}:${`${prefix} value ${i} `.repeat(200)}`);
}

function consumeAll(topic: string, extra: string[] = []): string[] {
  const result = kcat(['-b', broker.bootstrap, '-C', '-t', topic, '-o', 'beginning', '-e', '-q', '-f', '%p|%o|%k|%s|%h\n', ...extra]);
  expect(result.status, result.stderr).toBe(0);
  return result.stdout.split('\n').filter((l) => l !== '');
}

describe('kcat', () => {
  it('lists brokers and auto-created topics', () => {
    kcat(['-b', broker.bootstrap, '-P', '-t', 'meta-topic'], 'x\n');
    const listing = kcat(['-b', broker.bootstrap, '-L', '-t', 'meta-topic']);
    expect(listing.status, listing.stderr).toBe(0);
    expect(listing.stdout).toMatch(/1 brokers:\s+broker 1 at 127\.0\.0\.1:\d+/);
    expect(listing.stdout).toMatch(/topic "meta-topic" with 1 partitions:\s+partition 0, leader 1, replicas: 1, isrs: 1/);
  });

  for (const codec of ['none', 'gzip', 'snappy', 'lz4', 'zstd']) {
    it(`round-trips keyed records with headers compressed with ${codec}`, () => {
      const topic = `codec-${codec}`;
      const sent = lines(codec, 50);
      const produced = kcat(['-b', broker.bootstrap, '-P', '-t', topic, '-K:', '-z', codec, '-H', 'trace=abc', '-X', 'linger.ms=50'], `${sent.join('\n')}\n`);
      expect(produced.status, produced.stderr).toBe(0);
      expect(compressionOfFirstStoredBatch(topic)).toBe(CODEC_IDS[codec]);
      const got = consumeAll(topic);
      expect(got).toHaveLength(50);
      got.forEach((line, i) => {
        const [partition, offset, key, value, headers] = line.split('|');
        expect([partition, offset, key, headers]).toEqual(['0', String(i), `${codec}-${i}`, 'trace=abc']);
        expect(value).toBe(sent[i]!.slice(sent[i]!.indexOf(':') + 1));
      });
    });
  }

  for (const acks of ['0', '1', 'all']) {
    it(`produces with acks=${acks}`, () => {
      const topic = `acks-${acks}`;
      const produced = kcat(['-b', broker.bootstrap, '-P', '-t', topic, '-X', `acks=${acks}`], 'a\nb\nc\n');
      expect(produced.status, produced.stderr).toBe(0);
      expect(consumeAll(topic).map((l) => l.split('|')[3])).toEqual(['a', 'b', 'c']);
    });
  }

  it('produces idempotently', () => {
    const produced = kcat(['-b', broker.bootstrap, '-P', '-t', 'idem', '-X', 'enable.idempotence=true', '-K:'], 'k1:v1\nk2:v2\n');
    expect(produced.status, produced.stderr).toBe(0);
    expect(consumeAll('idem').map((l) => l.split('|').slice(2, 4).join('='))).toEqual(['k1=v1', 'k2=v2']);
  });

  it('consumes from an offset and from a timestamp', () => {
    const before = Date.now();
    kcat(['-b', broker.bootstrap, '-P', '-t', 'seek'], `${Array.from({ length: 10 }, (_, i) => `m${i}`).join('\n')}\n`);
    const fromOffset = kcat(['-b', broker.bootstrap, '-C', '-t', 'seek', '-o', '7', '-e', '-q', '-f', '%o:%s\n']);
    expect(fromOffset.stdout.trim().split('\n')).toEqual(['7:m7', '8:m8', '9:m9']);
    const fromTime = kcat(['-b', broker.bootstrap, '-C', '-t', 'seek', '-o', `s@${before - 60_000}`, '-e', '-q', '-f', '%o\n']);
    expect(fromTime.stdout.trim().split('\n')[0]).toBe('0');
    const afterAll = kcat(['-b', broker.bootstrap, '-C', '-t', 'seek', '-o', `s@${Date.now() + 60_000}`, '-e', '-q', '-f', '%o\n']);
    expect(afterAll.stdout.trim()).toBe('');
    const offsets = kcat(['-b', broker.bootstrap, '-Q', '-t', `seek:0:${before - 60_000}`]);
    expect(offsets.stdout.trim()).toBe('seek [0] offset 0');
  });
});
