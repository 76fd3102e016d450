// A partition moved between the log dirs of a real broker process (`fjord log-dirs move --wait`) while KafkaJS
// produces numbered records with acks=all and a KafkaJS group consumer reads them: nothing is lost or duplicated,
// offsets continue, the old dir is emptied, and every DescribeLogDirs answer (@platformatic/kafka, v4) during the
// move lists the partition's own log in exactly one dir and its copy, if any, in the target. The producer is
// idempotent: its sequences carry on across the switch-over.
import { readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBrokerProcess, type BrokerProcess } from '../helpers/broker-process.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitUntil } from '../helpers/wait-until.js';
import { fjord } from '../cli/run-fjord.js';
import { platformaticKafka } from '../broker/test-broker.js';

const TOPIC = 'moving';
let broker: BrokerProcess;
const dirs = [tempDir('fjord-dir-a-'), tempDir('fjord-dir-b-')];

beforeAll(async () => {
  broker = await startBrokerProcess({ 'log.dirs': dirs.join(','), 'log.segment.bytes': '65536' }, dirs[0]);
});
afterAll(() => broker?.stop());

async function kafka() {
  const { Kafka, logLevel } = (await import('kafkajs')).default;
  return new Kafka({ clientId: 'fjord-mover', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
}

interface DirView {
  logDir: string;
  current: boolean;
  future: boolean;
}

describe('moving a partition between log dirs under produce and consume load', () => {
  it('loses and duplicates nothing, offsets continue, and the old dir is emptied', async () => {
    const client = await kafka();
    const admin = client.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 1 }] });
    await admin.disconnect();
    const { Admin } = await platformaticKafka();
    const describer = new Admin({ clientId: 'fjord-mover-admin', bootstrapBrokers: [broker.bootstrap], retries: 0, timeout: 10_000 });
    const where = async (): Promise<DirView[]> => {
      const [described] = await describer.describeLogDirs({ topics: [{ name: TOPIC, partitions: [0] }] });
      return described!.results.flatMap((dir) =>
        dir.topics.flatMap((t) => t.partitions.map((p) => ({ logDir: dir.logDir, current: !p.isFutureKey, future: p.isFutureKey }))),
      );
    };
    const from = (await where()).find((v) => v.current)!.logDir;
    const to = dirs.find((d) => d !== from)!;

    const consumed: Array<[number, number]> = [];
    const consumer = client.consumer({ groupId: 'mover-readers' });
    await consumer.connect();
    await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        consumed.push([Number(message.offset), Number(message.value!.toString())]);
      },
    });

    // Idempotent: its sequence numbers must carry on across the switch-over (the producer state moves with the log).
    const producer = client.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const acked = new Map<number, number>();
    let produced = 0;
    let producing = true;
    const produceLoop = (async () => {
      while (producing) {
        const numbers = Array.from({ length: 20 }, (_, i) => produced + i);
        const [sent] = await producer.send({ topic: TOPIC, acks: -1, messages: numbers.map((n) => ({ value: `${n}`.padEnd(400, ' ') })) });
        for (const [i, n] of numbers.entries()) acked.set(n, Number(sent!.baseOffset) + i);
        produced += numbers.length;
      }
    })();
    await waitUntil(() => produced >= 3000, '3000 records produced');

    let watching = true;
    const views: DirView[][] = [];
    const watch = (async () => {
      while (watching) views.push(await where());
    })();
    const moved = await fjord(['log-dirs', 'move', TOPIC, to, '--wait', '--bootstrap-server', broker.bootstrap], undefined, 120_000);
    watching = false;
    await watch;
    expect(moved.stderr).toBe('');
    expect(moved.status).toBe(0);
    expect(moved.stdout).toContain(`moved 1 partition of ${TOPIC} to ${to}`);
    expect(moved.stdout.split('\n')[1]!.split(/\s+/)).toEqual([TOPIC, '0', '1', 'ok']);
    const untilMoved = produced;
    await waitUntil(() => produced >= untilMoved + 500, '500 more records produced after the move');
    producing = false;
    await produceLoop;
    await producer.disconnect();

    expect(views.length).toBeGreaterThan(0);
    for (const view of views) {
      expect(view.filter((v) => v.current)).toHaveLength(1);
      for (const future of view.filter((v) => v.future)) expect(future.logDir).toBe(to);
    }
    expect(await where()).toEqual([{ logDir: to, current: true, future: false }]);
    expect(readdirSync(from).filter((name) => name.startsWith(`${TOPIC}-`))).toEqual([]);

    await waitUntil(() => consumed.length >= produced, `the consumer to read all ${produced} records`, 60_000);
    await consumer.disconnect();
    await describer.close();
    expect(consumed.map(([offset]) => offset)).toEqual(consumed.map((_, i) => i));
    expect(consumed.map(([, n]) => n)).toEqual(consumed.map((_, i) => i));
    for (const [n, offset] of acked) expect(consumed[offset]).toEqual([offset, n]);
    expect(consumed).toHaveLength(produced);
  });
});
