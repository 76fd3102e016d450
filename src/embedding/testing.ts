// The package's test-fixture entry (`fjord/testing`): brokers and clusters for an application's own test suite.
// Runs on the caller's main thread.
export { type TestBroker, type TestBrokerOptions, type TestTopic, startTestBroker } from './test-broker.js';
export { EMBEDDED_DEFAULTS, type EmbeddedBroker, type LogLevel, type StartBrokerOptions, startBroker } from './start-broker.js';
export { CLUSTER_DEFAULTS, type ClusterBroker, type EmbeddedCluster, type StartClusterOptions, startCluster } from './start-cluster.js';
export { EtcdNotFoundError } from './etcd-server.js';
