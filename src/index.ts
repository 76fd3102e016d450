// The package's public API for applications that embed Fjord. Runs on the caller's main thread.
export { type EmbeddedBroker, EMBEDDED_DEFAULTS, type LogLevel, type StartBrokerOptions, startBroker } from './embedding/start-broker.js';
export { CLUSTER_DEFAULTS, type ClusterBroker, type EmbeddedCluster, type StartClusterOptions, startCluster } from './embedding/start-cluster.js';
export { EtcdNotFoundError } from './embedding/etcd-server.js';
export { PartitionEngine, type EngineConfig, type EngineStats } from './engine/partition-engine.js';
export type { AppendOutcome, FetchOutcome } from './engine/worker-handle.js';
export { resolveBrokerConfig, ConfigError, type BrokerConfig } from './config/broker-config.js';
export { buildRecordBatch, decodeRecordBatches } from './shared/record-batch-codec.js';
export { ErrorCode, errorName } from './shared/kafka-error-codes.js';
