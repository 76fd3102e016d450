// kcat (librdkafka) speaking the old message formats against a real broker process: with ApiVersions off and
// broker.version.fallback 0.9.0 (Produce v1 / Fetch v1, magic 0) or 0.10.0 (Produce v2 / Fetch v2, magic 1)
// it produces and consumes with every codec an old format has (none, gzip, snappy, lz4), and a current kcat
// reads what the old one wrote and the reverse. The log holds record batches in the producer's codec.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handlerFor } from '../../src/broker/handler-table.js';
import { startBrokerProcess, type BrokerProcess } from '../helpers/broker-process.js';
import { kcat } from '../helpers/kcat.js';

let broker: BrokerProcess;
beforeAll(async () => {
  broker = await startBrokerProcess({ 'num.partitions': '1' });
});
afterAll(async () => {
  expect(await broker.stop()).toBe(0);
});

const CODEC_IDS: Record<string, number> = { none: 0, gzip: 1, snappy: 2, lz4: 3 };
/** librdkafka's 0.9.0 fallback bootstraps with Metadata v0, which the Metadata handler serves from its own change on. */
const metadataV0 = (handlerFor(3)?.minVersion ?? 1) === 0;

function oldClient(fallback: string): string[] {
  return ['-X', 'api.version.request=false', '-X', `broker.version.fallback=${fallback}`];
}

/** Compressible keyed lines of a few KiB: librdkafka sends tiny message sets uncompressed. */
function lines(prefix: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}-${i}:${`${prefix} value ${i} `.repeat(150)}`);
}

function produce(topic: string, sent: string[], codec: string, extra: string[]): void {
  const result = kcat(['-b', broker.bootstrap, '-P', '-t', topic, '-K:', '-z', codec, '-X', 'linger.ms=50', ...extra], `${sent.join('\n')}\n`);
  expect(result.status, result.stderr).toBe(0);
}

/** Every message from offset 0 as `offset|key|value` (-o 0: the 0.9.0 fallback would need ListOffsets v0 for "beginning"). */
function consume(topic: string, extra: string[]): string[] {
  const result = kcat(['-b', broker.bootstrap, '-C', '-t', topic, '-o', '0', '-e', '-q', '-f', '%o|%k|%s\n', ...extra]);
  expect(result.status, result.stderr).toBe(0);
  return result.stdout.split('\n').filter((l) => l !== '');
}

function expected(sent: string[], firstOffset = 0): string[] {
  return sent.map((line, i) => `${firstOffset + i}|${line.slice(0, line.indexOf(':'))}|${line.slice(line.indexOf(':') + 1)}`);
}

/** The compression bits of every stored batch of the partition's first segment. */
function storedCodecs(topic: string): number[] {
  const segment = readFileSync(join(broker.logDir, `${topic}-0`, '00000000000000000000.log'));
  const codecs: number[] = [];
  for (let at = 0; at + 61 <= segment.length; at += segment.readInt32BE(at + 8) + 12) {
    expect(segment.readInt8(at + 16)).toBe(2);
    codecs.push(segment.readInt16BE(at + 21) & 0x07);
  }
  return codecs;
}

for (const fallback of ['0.9.0', '0.10.0']) {
  describe.skipIf(fallback === '0.9.0' && !metadataV0)(`kcat with broker.version.fallback=${fallback}`, () => {
    for (const codec of Object.keys(CODEC_IDS)) {
      it(`round-trips ${codec} in the old format, and with a current kcat both ways`, () => {
        const topic = `old-${fallback.replaceAll('.', '')}-${codec}`;
        const old = lines(`old-${codec}`, 30);
        produce(topic, old, codec, oldClient(fallback));
        expect(storedCodecs(topic).every((c) => c === CODEC_IDS[codec])).toBe(true);
        expect(consume(topic, oldClient(fallback))).toEqual(expected(old));
        expect(consume(topic, [])).toEqual(expected(old));
        const current = lines(`new-${codec}`, 30);
        produce(topic, current, codec, []);
        expect(consume(topic, oldClient(fallback))).toEqual([...expected(old), ...expected(current, old.length)]);
      });
    }

    it('round-trips short messages (their CRC-32 is computed in JS, checked here against librdkafka)', () => {
      const topic = `old-${fallback.replaceAll('.', '')}-short`;
      const sent = Array.from({ length: 20 }, (_, i) => `k${i}:v${i}`);
      produce(topic, sent, 'none', oldClient(fallback));
      expect(consume(topic, oldClient(fallback))).toEqual(expected(sent));
      expect(consume(topic, [])).toEqual(expected(sent));
    });
  });
}
