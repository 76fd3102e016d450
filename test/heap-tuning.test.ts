// The broker process's heap setting (src/heap-tuning.ts), end to end: producing 500 MB in 1 MiB batches through
// a real broker process costs its main thread at most a few mark-compacts, counted by the process's own
// nodejs_gc_duration_seconds_count{kind="major"} on /metrics. At V8's default heap growth the same load ran
// 20–26 of them per 500 MB (BENCHMARKS.md, "What the broker's heap was doing").
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KafkaClient } from '../src/client/kafka-client.js';
import type { KafkaConnection } from '../src/client/kafka-connection.js';
import { closeLoadConnections, openLoadConnections } from '../src/perf/load-connections.js';
import { createLoadTopic } from '../src/perf/load-topic.js';
import { buildProducePool, produceAsFastAsAnswered } from '../src/perf/produce-load.js';
import { type BrokerProcess, startBrokerProcess } from './helpers/broker-process.js';
import { sampleValue, scrape } from './observability/prometheus-text.js';

const PRODUCE_BYTES = 500e6;
const MAJOR_GCS_MAX = 3;

async function majorGcs(broker: BrokerProcess): Promise<number> {
  return sampleValue(await scrape(broker.httpUrl!), 'nodejs_gc_duration_seconds_count', { kind: 'major' }) ?? 0;
}

describe('the broker process heap setting', () => {
  let broker: BrokerProcess;
  let connections: KafkaConnection[] = [];
  let client: KafkaClient;

  beforeAll(async () => {
    broker = await startBrokerProcess();
    connections = await openLoadConnections('127.0.0.1', broker.port, 3);
    client = new KafkaClient({ bootstrapServers: [`127.0.0.1:${broker.port}`] });
  });

  afterAll(async () => {
    closeLoadConnections(connections);
    await client?.close();
    await broker?.stop();
  });

  it('keeps mark-compacts on the main thread rare while producing 500 MB', async () => {
    const pool = buildProducePool('heap-load', 6, 1024, 1024 * 1024);
    await createLoadTopic(client, pool.topic, 6, 1);
    const before = await majorGcs(broker);
    const result = await produceAsFastAsAnswered(connections, pool, { inFlightPerConnection: 4, payloadBytesMax: PRODUCE_BYTES, durationMaxMs: 60_000 });
    expect(result.payloadBytes).toBeGreaterThanOrEqual(PRODUCE_BYTES);
    expect((await majorGcs(broker)) - before).toBeLessThanOrEqual(MAJOR_GCS_MAX);
  }, 90_000);
});
