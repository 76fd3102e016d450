// Log compaction end to end: a real broker process with a fast cleaner, compacted topics created through
// KafkaJS's admin client with small segments, records produced with repeated keys (KafkaJS with gzip and an
// idempotent producer; kcat with snappy, lz4, zstd and gzip), then read from the beginning with kcat
// (librdkafka): the last value per key at its original offset, tombstones gone, stored batches still in
// their codec. (KafkaJS consumers need a group: consumer groups are tested elsewhere.)
import { readdirSync, readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import kafkajs from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBrokerProcess, type BrokerProcess } from '../helpers/broker-process.js';
import { kcat } from '../helpers/kcat.js';

const { Kafka, CompressionTypes, logLevel } = kafkajs;
let broker: BrokerProcess;
let kafka: InstanceType<typeof Kafka>;

beforeAll(async () => {
  broker = await startBrokerProcess({ 'log.cleaner.backoff.ms': '200', 'num.partitions': '1' });
  kafka = new Kafka({ clientId: 'fjord-compaction', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
});
afterAll(async () => {
  expect(await broker.stop()).toBe(0);
});

interface Sent {
  offset: number;
  key: string;
  value: string | null;
}

async function createCompactedTopic(topic: string, segmentBytes: number): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  const configEntries = [
    { name: 'cleanup.policy', value: 'compact' },
    { name: 'segment.bytes', value: String(segmentBytes) },
    { name: 'min.cleanable.dirty.ratio', value: '0.01' },
    { name: 'delete.retention.ms', value: '0' },
  ];
  expect(await admin.createTopics({ topics: [{ topic, numPartitions: 1, configEntries }] })).toBe(true);
  await admin.disconnect();
}

/** Base offsets of the partition's segment files; the last is the active segment. */
function segmentBases(topic: string): number[] {
  return readdirSync(join(broker.logDir, `${topic}-0`))
    .filter((name) => /^\d{20}\.log$/.test(name))
    .map((name) => Number(name.slice(0, 20)))
    .sort((a, b) => a - b);
}

/** Every batch in the sealed segments, read from the files: codec, records kept, offsets spanned. */
function storedBatches(topic: string): Array<{ codec: number; records: number; span: number }> {
  const batches: Array<{ codec: number; records: number; span: number }> = [];
  for (const base of segmentBases(topic).slice(0, -1)) {
    const bytes = readFileSync(join(broker.logDir, `${topic}-0`, `${String(base).padStart(20, '0')}.log`));
    for (let at = 0; at + 61 <= bytes.length; at += bytes.readInt32BE(at + 8) + 12) {
      batches.push({ codec: bytes.readInt16BE(at + 21) & 7, records: bytes.readInt32BE(at + 57), span: bytes.readInt32BE(at + 23) + 1 });
    }
  }
  return batches;
}

/** The codecs of the sealed batches that hold records; and that some batch was thinned (rewritten, not just kept or dropped). */
function expectRewrittenWith(topic: string, codec: number): void {
  const batches = storedBatches(topic).filter((b) => b.records > 0);
  expect(new Set(batches.map((b) => b.codec))).toEqual(new Set([codec]));
  expect(batches.some((b) => b.records < b.span)).toBe(true);
}

/** What compaction leaves: below the active segment the last record of each key (tombstones gone), the active segment as written. */
function compacted(sent: readonly Sent[], activeBase: number): string[] {
  const last = new Map<string, number>();
  for (const s of sent) if (s.offset < activeBase) last.set(s.key, s.offset);
  return sent
    .filter((s) => s.offset >= activeBase || (last.get(s.key) === s.offset && s.value !== null))
    .map((s) => `${s.offset}|${s.key}|${s.value ?? 'NULL'}`);
}

function consumeAll(topic: string): string[] {
  const result = kcat(['-b', broker.bootstrap, '-C', '-t', topic, '-o', 'beginning', '-e', '-q', '-Z', '-f', '%o|%k|%s\n']);
  expect(result.status, result.stderr).toBe(0);
  return result.stdout.split('\n').filter((l) => l !== '');
}

/** Reads until the partition shows the compacted state (the cleaner runs every 200 ms), or gives up after 30 s. */
async function expectCompactedTo(topic: string, sent: readonly Sent[]): Promise<void> {
  expect(segmentBases(topic).length).toBeGreaterThan(2);
  const deadline = Date.now() + 30_000;
  let got: string[] = [];
  let want: string[] = [];
  while (Date.now() < deadline) {
    want = compacted(sent, segmentBases(topic).at(-1)!);
    got = consumeAll(topic);
    if (got.join('\n') === want.join('\n')) break;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  expect(got).toEqual(want);
  expect(got.length).toBeLessThan(sent.length);
}

/**
 * `text`, then random hex chunks each written twice, up to `bytes` characters: every codec compresses it (the
 * LZ-only ones about 2:1, gzip and zstd about 4:1), and segments still fill and roll.
 */
function pad(text: string, bytes: number): string {
  let out = `${text} `;
  while (out.length < bytes) {
    const chunk = randomBytes(48).toString('hex');
    out += chunk + chunk;
  }
  return out.slice(0, Math.max(bytes, text.length));
}

describe('log compaction', () => {
  it('KafkaJS (gzip, idempotent) → cleaner → kcat reads the last value per key at its original offset', async () => {
    const topic = 'compacted-kafkajs';
    await createCompactedTopic(topic, 2048);
    const sent: Sent[] = [];
    const send = async (producer: ReturnType<typeof kafka.producer>, messages: Array<{ key: string; value: string | null }>): Promise<void> => {
      const [result] = await producer.send({ topic, compression: CompressionTypes.GZIP, messages });
      messages.forEach((m, i) => {
        sent.push({ offset: Number(result!.baseOffset) + i, key: m.key, value: m.value });
      });
    };
    const idempotent = kafka.producer({ idempotent: true });
    await idempotent.connect();
    for (let round = 0; round < 12; round++) {
      await send(
        idempotent,
        Array.from({ length: 8 }, (_, k) => ({ key: `k${k}`, value: pad(`round ${round} key ${k}`, 120) })),
      );
    }
    await idempotent.disconnect();
    const another = kafka.producer({ idempotent: true });
    await another.connect();
    await send(another, [{ key: 'solo', value: pad('solo', 120) }]);
    await another.disconnect();
    // A plain producer overwrites half the keys (the first producer's last batch is thinned and recompressed),
    // the second producer's only key (its batch stays as an empty header), and deletes one key.
    const plain = kafka.producer();
    await plain.connect();
    await send(
      plain,
      Array.from({ length: 4 }, (_, k) => ({ key: `k${k}`, value: pad(`final ${k}`, 120) })),
    );
    await send(plain, [{ key: 'solo', value: 'overwritten' }]);
    await send(plain, [{ key: 'k3', value: null }]);
    for (let i = 0; i < 10; i++) await send(plain, [{ key: `tail-${i}`, value: pad(`tail ${i}`, 400) }]);
    await plain.disconnect();
    const tombstone = sent.find((s) => s.value === null)!;
    expect(segmentBases(topic).at(-1)).toBeGreaterThan(tombstone.offset);
    await expectCompactedTo(topic, sent);
    // Sealed, older than delete.retention.ms (0): the tombstone went, and with it every value of k3.
    expect(consumeAll(topic).filter((line) => line.split('|')[1] === 'k3')).toEqual([]);
    expectRewrittenWith(topic, 1);
    expect(storedBatches(topic).filter((b) => b.records === 0)).toEqual([{ codec: 0, records: 0, span: 1 }]);
  });

  for (const codec of ['snappy', 'lz4', 'zstd', 'gzip'] as const) {
    it(`kcat with ${codec}: compacted batches stay ${codec} and read back`, async () => {
      const topic = `compacted-kcat-${codec}`;
      await createCompactedTopic(topic, 4 * 1024);
      const sent: Sent[] = [];
      for (let round = 0; round < 6; round++) {
        // A few kB per message so librdkafka compresses; one kcat run per round, so batches stay per round.
        // The last round writes only some keys: the round before is thinned, not dropped.
        const keys = round === 5 ? 2 : 5;
        const lines = Array.from({ length: keys }, (_, k) => `k${k}:${pad(`${codec} round ${round} key ${k}`, 2_500)}`);
        const produced = kcat(['-b', broker.bootstrap, '-P', '-t', topic, '-K:', '-z', codec, '-X', 'linger.ms=20'], `${lines.join('\n')}\n`);
        expect(produced.status, produced.stderr).toBe(0);
        lines.forEach((line) => {
          sent.push({ offset: sent.length, key: line.slice(0, line.indexOf(':')), value: line.slice(line.indexOf(':') + 1) });
        });
      }
      const tail = Array.from({ length: 8 }, (_, i) => `tail-${i}:${pad(`tail ${i}`, 2_500)}`);
      expect(kcat(['-b', broker.bootstrap, '-P', '-t', topic, '-K:', '-z', codec], `${tail.join('\n')}\n`).status).toBe(0);
      tail.forEach((line) => {
        sent.push({ offset: sent.length, key: line.slice(0, line.indexOf(':')), value: line.slice(line.indexOf(':') + 1) });
      });
      await expectCompactedTo(topic, sent);
      expectRewrittenWith(topic, { gzip: 1, snappy: 2, lz4: 3, zstd: 4 }[codec]);
    });
  }
});
