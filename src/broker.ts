// Starts and stops one Fjord broker process's parts in order: configuration → storage engine (workers,
// recovery) → ready; stop reverses it. Used by the command line (src/main.ts) and by applications that
// embed a broker. Runs on the main thread.
import type { Logger } from 'pino';
import { type BrokerConfig, resolveBrokerConfig } from './config/broker-config.js';
import { PartitionEngine } from './engine/partition-engine.js';
import { createLogger } from './logger.js';

export interface BrokerHandle {
  readonly config: BrokerConfig;
  readonly engine: PartitionEngine;
  readonly logger: Logger;
  /** Milliseconds from startBroker() to ready. */
  readonly startupMs: number;
  stop(): Promise<void>;
}

export interface StartBrokerOptions {
  /** Kafka-style config keys (e.g. { 'log.dirs': '/tmp/x' }); unlisted keys take their defaults. */
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
  const engine = await PartitionEngine.start(
    {
      logDirs: config.logDirs,
      workerCount: config.workers,
      ringBytes: config.ringBytes,
      maxBacklogRequests: config.maxBacklogRequests,
      retentionCheckIntervalMs: config.retentionCheckIntervalMs,
      flushCheckIntervalMs: config.flushCheckIntervalMs,
      checkpointIntervalMs: config.checkpointIntervalMs,
      faultInjection: options.faultInjection ?? false,
    },
    logger,
    () => config.defaultLogConfig,
  );
  const startupMs = performance.now() - startedAt;
  logger.info({ partitions: engine.partitions().length, workers: config.workers, startupMs: Math.round(startupMs) }, 'ready');
  let stopping: Promise<void> | undefined;
  return {
    config,
    engine,
    logger,
    startupMs,
    stop: () =>
      (stopping ??= (async () => {
        logger.info('shutting down: finishing in-flight requests, flushing partitions');
        const { partitionsClosed } = await engine.stop();
        logger.info({ partitionsClosed }, 'shutdown complete');
      })()),
  };
}
