// The work behind `fjord perf produce|consume` (registered in perf.ts, loaded only when run): opens the
// perf tool's connections (bench/perf), runs its load generators with a PerfMeter counting answers, and
// prints the summary. Runs on the main thread.
import { createTopic, endOffsets } from '../../../bench/perf/admin.js';
import { fetchAll } from '../../../bench/perf/fetch-load.js';
import { KafkaConnection } from '../../../bench/perf/kafka-connection.js';
import { buildProducePool, produceAsFastAsAnswered, producePaced } from '../../../bench/perf/produce-load.js';
import { fixed, mbPerSecond, summarize } from '../../../bench/perf/stats.js';
import { parseHostPort } from '../../client/kafka-client.js';
import { BrokerUnreachableError, KafkaResponseError } from '../../client/kafka-errors.js';
import { withClient } from '../broker-client.js';
import { write } from '../output.js';
import { PerfMeter } from '../perf-meter.js';
import type { PerfFlags, ProducePerfFlags } from './perf.js';

const MIB = 1024 * 1024;

async function openConnections(flags: PerfFlags): Promise<KafkaConnection[]> {
  const { host, port } = parseHostPort(flags.bootstrapServer.split(',')[0]!);
  const connections: KafkaConnection[] = [];
  const address = flags.bootstrapServer.split(',')[0]!;
  try {
    for (let i = 0; i < flags.connections; i++) connections.push(await KafkaConnection.open(host, port));
  } catch (error) {
    for (const connection of connections) connection.close();
    throw new BrokerUnreachableError(address, (error as NodeJS.ErrnoException).code ?? (error as Error).message);
  }
  return connections;
}

/** The topic's partition count, creating it when it does not exist. */
async function partitionsOf(topic: string, flags: PerfFlags, create: number | null, connection: KafkaConnection): Promise<number> {
  return withClient(flags, async (client) => {
    const info = (await client.metadata([topic])).topics.get(topic);
    if (info !== undefined && info.errorCode === 0) return info.partitions.length;
    if (create === null) throw new KafkaResponseError(3, `topic "${topic}"`, null, false);
    await createTopic(connection, topic, create);
    return (await client.topic(topic)).partitions.length;
  });
}

function latencyLine(meter: PerfMeter): string {
  const s = summarize(meter.latencies);
  return `latency ms: p50 ${fixed(s.p50Ms, 2)}  p99 ${fixed(s.p99Ms, 2)}  p99.9 ${fixed(s.p999Ms, 2)}  max ${fixed(s.maxMs, 2)}  (${s.samples} requests)`;
}

export async function produce(topic: string, flags: ProducePerfFlags): Promise<void> {
  const meter = new PerfMeter();
  const connections = await openConnections(flags);
  try {
    const partitions = await partitionsOf(topic, flags, flags.partitions, connections[0]!);
    for (const connection of connections) meter.watch(connection);
    const pool = buildProducePool(topic, partitions, flags.recordSize, flags.batchBytes);
    meter.showProgress((m, s) => `${m.answers * pool.recordsPerBatch} records, ${fixed(mbPerSecond(m.answers * pool.recordsPerBatch * pool.recordBytes, s * 1000), 1)} MB/s`);
    const payloadBytesMax = flags.numRecords * flags.recordSize;
    const result =
      flags.throughput === undefined
        ? await produceAsFastAsAnswered(connections, pool, { inFlightPerConnection: flags.inFlight, payloadBytesMax, durationMaxMs: flags.durationS * 1000 })
        : await producePaced(connections, pool, { payloadBytesPerSecond: flags.throughput, durationMs: Math.min(flags.durationS * 1000, (payloadBytesMax / flags.throughput) * 1000) });
    meter.stop();
    const seconds = result.elapsedMs / 1000;
    await write(
      `produced ${result.records} records of ${flags.recordSize} bytes to ${topic} (${partitions} partitions) in ${fixed(seconds, 2)} s: ` +
        `${fixed(result.records / seconds)} records/s, ${fixed(mbPerSecond(result.payloadBytes, result.elapsedMs), 1)} MB/s\n${latencyLine(meter)}\n`,
    );
  } finally {
    meter.stop();
    for (const connection of connections) connection.close();
  }
}

export async function consume(topic: string, flags: PerfFlags & { partitionMaxBytes: number }): Promise<void> {
  const meter = new PerfMeter();
  const connections = await openConnections(flags);
  try {
    const partitions = await partitionsOf(topic, flags, null, connections[0]!);
    const ends = await endOffsets(connections[0]!, topic, partitions);
    for (const connection of connections) meter.watch(connection);
    meter.showProgress((m, s) => `${m.answers} fetches, ${fixed(mbPerSecond(m.responseBytes, s * 1000), 1)} MB/s`);
    const result = await fetchAll(connections, { topic, endOffsets: ends, partitionMaxBytes: flags.partitionMaxBytes, maxBytes: 64 * MIB, durationMaxMs: flags.durationS * 1000 });
    meter.stop();
    const seconds = result.elapsedMs / 1000;
    await write(
      `consumed ${result.records} records (${fixed(result.batchBytes / 1e6, 1)} MB) from ${topic} (${partitions} partitions) in ${fixed(seconds, 2)} s: ` +
        `${fixed(result.records / seconds)} records/s, ${fixed(mbPerSecond(result.batchBytes, result.elapsedMs), 1)} MB/s, ${result.requests} fetches\n${latencyLine(meter)}\n`,
    );
  } finally {
    meter.stop();
    for (const connection of connections) connection.close();
  }
}
