// The work behind `fjord perf produce|consume` (registered in perf.ts, loaded only when run): opens the load's
// pipelined connections (src/perf) with a PerfMeter observing every request, runs the load generators, and
// prints the summary. Runs on the main thread.
import type { KafkaConnection } from '../../client/kafka-connection.js';
import { parseHostPort } from '../../client/kafka-client.js';
import { fetchAll } from '../../perf/fetch-load.js';
import { closeLoadConnections, openLoadConnections } from '../../perf/load-connections.js';
import { endOffsets, loadTopicPartitions } from '../../perf/load-topic.js';
import { buildProducePool, produceAsFastAsAnswered, producePaced } from '../../perf/produce-load.js';
import { fixed, mbPerSecond, summarize } from '../../perf/stats.js';
import { withClient } from '../broker-client.js';
import { write } from '../output.js';
import { PerfMeter } from '../perf-meter.js';
import type { PerfFlags, ProducePerfFlags } from './perf-flags.js';

const MIB = 1024 * 1024;

function openConnections(flags: PerfFlags, meter: PerfMeter): Promise<KafkaConnection[]> {
  const { host, port } = parseHostPort(flags.bootstrapServer.split(',')[0]!);
  return openLoadConnections(host, port, flags.connections, meter);
}

function latencyLine(meter: PerfMeter): string {
  const s = summarize(meter.latencies);
  return `latency ms: p50 ${fixed(s.p50Ms, 2)}  p99 ${fixed(s.p99Ms, 2)}  p99.9 ${fixed(s.p999Ms, 2)}  max ${fixed(s.maxMs, 2)}  (${s.samples} requests)`;
}

export async function produce(topic: string, flags: ProducePerfFlags): Promise<void> {
  const meter = new PerfMeter();
  const connections = await openConnections(flags, meter);
  try {
    const partitions = await withClient(flags, (client) => loadTopicPartitions(client, topic, flags.partitions));
    const pool = buildProducePool(topic, partitions, flags.recordSize, flags.batchBytes);
    meter.showProgress(
      (m, s) => `${m.answers * pool.recordsPerBatch} records, ${fixed(mbPerSecond(m.answers * pool.recordsPerBatch * pool.recordBytes, s * 1000), 1)} MB/s`,
    );
    const payloadBytesMax = flags.numRecords * flags.recordSize;
    const result =
      flags.throughput === undefined
        ? await produceAsFastAsAnswered(connections, pool, { inFlightPerConnection: flags.inFlight, payloadBytesMax, durationMaxMs: flags.durationS * 1000 })
        : await producePaced(connections, pool, {
            payloadBytesPerSecond: flags.throughput,
            durationMs: Math.min(flags.durationS * 1000, (payloadBytesMax / flags.throughput) * 1000),
          });
    meter.stop();
    const seconds = result.elapsedMs / 1000;
    await write(
      `produced ${result.records} records of ${flags.recordSize} bytes to ${topic} (${partitions} partitions) in ${fixed(seconds, 2)} s: ` +
        `${fixed(result.records / seconds)} records/s, ${fixed(mbPerSecond(result.payloadBytes, result.elapsedMs), 1)} MB/s\n${latencyLine(meter)}\n`,
    );
  } finally {
    meter.stop();
    closeLoadConnections(connections);
  }
}

export async function consume(topic: string, flags: PerfFlags & { partitionMaxBytes: number }): Promise<void> {
  const meter = new PerfMeter();
  const connections = await openConnections(flags, meter);
  try {
    const [partitions, ends] = await withClient(flags, async (client) => {
      const count = await loadTopicPartitions(client, topic, null);
      return [count, await endOffsets(client, topic, count)] as const;
    });
    meter.showProgress((m, s) => `${m.answers} fetches, ${fixed(mbPerSecond(m.responseBytes, s * 1000), 1)} MB/s`);
    const result = await fetchAll(connections, {
      topic,
      endOffsets: ends,
      partitionMaxBytes: flags.partitionMaxBytes,
      maxBytes: 64 * MIB,
      durationMaxMs: flags.durationS * 1000,
    });
    meter.stop();
    const seconds = result.elapsedMs / 1000;
    await write(
      `consumed ${result.records} records (${fixed(result.batchBytes / 1e6, 1)} MB) from ${topic} (${partitions} partitions) in ${fixed(seconds, 2)} s: ` +
        `${fixed(result.records / seconds)} records/s, ${fixed(mbPerSecond(result.batchBytes, result.elapsedMs), 1)} MB/s, ${result.requests} fetches\n${latencyLine(meter)}\n`,
    );
  } finally {
    meter.stop();
    closeLoadConnections(connections);
  }
}
