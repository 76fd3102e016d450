// Starts and stops one Fjord broker process's parts in order: configuration → metadata → storage engine
// (workers, recovery) → Kafka listener → ready; stop reverses it. Used by the command line (src/main.ts)
// and by applications that embed a broker in their tests. Runs on the main thread.
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Logger } from 'pino';
import { createRequestRouter } from './broker/request-router.js';
import { DataWaiters } from './broker/data-waiters.js';
import { GroupRouter } from './broker/group-router.js';
import { ProducerIdAllocator } from './broker/producer-ids.js';
import type { BrokerContext } from './broker/broker-context.js';
import { type BrokerConfig, resolveBrokerConfig } from './config/broker-config.js';
import { PartitionEngine } from './engine/partition-engine.js';
import { createLogger } from './logger.js';
import { StandaloneMetadata } from './metadata/standalone-metadata.js';
import { TopicManager } from './metadata/topic-manager.js';
import { KafkaListener } from './network/kafka-listener.js';
import { withTopicOverrides } from './shared/topic-config.js';

export interface BrokerHandle {
  readonly config: BrokerConfig;
  readonly engine: PartitionEngine;
  readonly topics: TopicManager;
  readonly logger: Logger;
  /** Where the Kafka listener is bound (port 0 in the config becomes the real port). */
  readonly address: { host: string; port: number };
  /** host:port for a client's bootstrap.servers. */
  readonly bootstrap: string;
  /** Milliseconds from startBroker() to ready. */
  readonly startupMs: number;
  stop(): Promise<void>;
}

export interface StartBrokerOptions {
  /** Kafka-style config keys (e.g. { 'log.dirs': '/tmp/x', listeners: 'PLAINTEXT://127.0.0.1:0' }); others take defaults. */
  config?: Record<string, string> | Map<string, string>;
  logger?: Logger;
  /** Tests only: let workers inject disk faults and crashes. */
  faultInjection?: boolean;
}

export async function startBroker(options: StartBrokerOptions = {}): Promise<BrokerHandle> {
  const startedAt = performance.now();
  const source = options.config instanceof Map ? options.config : new Map(Object.entries(options.config ?? {}));
  const config = resolveBrokerConfig(source);
  const logger = options.logger ?? createLogger(config.logLevel);
  logger.info({ nodeId: config.nodeId, logDirs: config.logDirs, workers: config.workers }, 'starting');
  const metadataDir = resolve(config.logDirs[0]!);
  mkdirSync(metadataDir, { recursive: true });
  const metadata = StandaloneMetadata.open(metadataDir);
  const engine = await PartitionEngine.start(engineConfigOf(config, options.faultInjection ?? false), logger, (topic) =>
    withTopicOverrides(config.defaultLogConfig, metadata.topic(topic)?.configs ?? {}),
  );
  const topics = new TopicManager(metadata, engine, config.defaultLogConfig);
  await topics.reconcileWithEngine(logger);
  const advertised = { host: '', port: 0 };
  const ctx: BrokerContext = {
    nodeId: config.nodeId,
    advertised,
    config,
    engine,
    topics,
    waiters: new DataWaiters(config.maxFetchWaiters),
    groups: new GroupRouter(engine, topics, { partitions: config.offsetsTopicPartitions, segmentBytes: config.offsetsTopicSegmentBytes }),
    producerIds: new ProducerIdAllocator(metadataDir),
    logger,
  };
  const listener = new KafkaListener(
    {
      host: config.listener.host,
      port: config.listener.port,
      maxConnections: config.maxConnections,
      maxFrameBytes: config.maxRequestBytes,
      maxInFlightRequests: config.maxInFlightRequestsPerConnection,
      idleTimeoutMs: config.idleTimeoutMs,
    },
    createRequestRouter(ctx),
    logger,
  );
  let address: { host: string; port: number };
  try {
    address = await listener.listen();
  } catch (error) {
    await engine.stop();
    throw new Error(`cannot listen on ${config.listener.host}:${config.listener.port}: ${(error as Error).message}`);
  }
  Object.assign(advertised, config.advertisedListener ?? { host: address.host === '0.0.0.0' ? '127.0.0.1' : address.host, port: address.port });
  const startupMs = performance.now() - startedAt;
  logger.info({ listener: `${address.host}:${address.port}`, advertised: `${advertised.host}:${advertised.port}`, clusterId: topics.clusterId, topics: topics.topicNames().length, partitions: engine.partitions().length, startupMs: Math.round(startupMs) }, 'ready');
  let stopping: Promise<void> | undefined;
  return {
    config,
    engine,
    topics,
    logger,
    address,
    bootstrap: `${address.host.includes(':') ? `[${address.host}]` : address.host}:${address.port}`,
    startupMs,
    stop: () =>
      (stopping ??= (async () => {
        logger.info('shutting down: closing the listener, finishing in-flight requests, flushing partitions');
        await listener.close();
        ctx.waiters.wakeAll();
        const { partitionsClosed } = await engine.stop();
        logger.info({ partitionsClosed }, 'shutdown complete');
      })()),
  };
}

function engineConfigOf(config: BrokerConfig, faultInjection: boolean) {
  return {
    logDirs: config.logDirs,
    workerCount: config.workers,
    ringBytes: config.ringBytes,
    maxBacklogRequests: config.maxBacklogRequests,
    retentionCheckIntervalMs: config.retentionCheckIntervalMs,
    flushCheckIntervalMs: config.flushCheckIntervalMs,
    checkpointIntervalMs: config.checkpointIntervalMs,
    cleanerBackoffMs: config.cleanerBackoffMs,
    groups: config.groups,
    faultInjection,
  };
}
