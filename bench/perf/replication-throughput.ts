// One throughput run of the cluster bench: a new topic (its partitions spread over the brokers, replication
// factor as asked, every replica in sync first), the librdkafka producer (bench/perf/rdkafka-producer.c) sending
// fixed-size records to its partitions in turn as fast as librdkafka takes them (or at a steady rate) for a number of seconds, from a
// settled cluster (the previous run's write-back and clean-up done), then the topic deleted (its bytes would otherwise pile up on
// the one disk). Runs on the bench's main thread.
import { deleteTopics } from '../../src/client/topic-admin.js';
import { createLoadTopic } from '../../src/perf/load-topic.js';
import type { LocalCluster } from './local-cluster.js';
import { type RdkafkaProducerRun, runRdkafkaProgram } from './rdkafka-programs.js';

/** A configuration measured: the topic's replication factor and the producer's acks. */
export interface ReplicationConfig {
  name: string;
  replicationFactor: number;
  acks: 'all' | '1';
}

export interface ThroughputWorkload {
  partitions: number;
  recordBytes: number;
  seconds: number;
  /** Bytes of values per second the producer keeps to; 0: as fast as librdkafka takes records, until the time is up. */
  bytesPerSecond: number;
  /** librdkafka settings besides acks, the same for every configuration. */
  producerConfig: Readonly<Record<string, string>>;
}

export interface ThroughputRun {
  run: RdkafkaProducerRun;
  /** MB/s of values, first send to the last delivery report. */
  mbPerSecond: number;
  /** CPU seconds of all brokers together per GB of values (each replica's writes included). */
  brokerCpuSecondsPerGb: number;
  /** Cores the brokers kept busy together. */
  brokerCores: number;
  producerCores: number;
}

const RUN_TIMEOUT_MS = 180_000;

let topics = 0;

export async function measureThroughput(
  cluster: LocalCluster,
  binary: string,
  config: ReplicationConfig,
  workload: ThroughputWorkload,
): Promise<ThroughputRun> {
  const topic = `replication-${config.name.replace(/\W+/g, '-')}-${topics++}`;
  await cluster.withClient((client) => createLoadTopic(client, topic, workload.partitions, config.replicationFactor));
  try {
    await cluster.waitForFullIsr(topic, config.replicationFactor);
    // What the previous run left (pages to write back, files to delete, followers catching up) is not this run's.
    await cluster.settle();
    const cpuBefore = cluster.cpuSeconds();
    const startedMs = performance.now();
    const args = [
      cluster.bootstrap().join(','),
      topic,
      String(workload.partitions),
      String(workload.recordBytes),
      String(workload.bytesPerSecond),
      String(workload.seconds),
    ];
    const run = await runRdkafkaProgram<RdkafkaProducerRun>(binary, args, { ...workload.producerConfig, acks: config.acks }, RUN_TIMEOUT_MS);
    const wallSeconds = (performance.now() - startedMs) / 1000;
    const brokerCpu = cluster.cpuSeconds() - cpuBefore;
    const bytes = run.records * workload.recordBytes;
    return {
      run,
      mbPerSecond: bytes / 1e6 / (run.elapsedMs / 1000),
      brokerCpuSecondsPerGb: brokerCpu / (bytes / 1e9),
      brokerCores: brokerCpu / wallSeconds,
      producerCores: run.cpuSeconds / wallSeconds,
    };
  } finally {
    await cluster.withClient((client) => deleteTopics(client, [topic]));
  }
}
