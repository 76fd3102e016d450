// The fast tier for the edit loop (`npm run test:unit`): every test except those that start brokers (in this
// process or as processes), run real clients or take seconds by design (integration, CLI, engine, crash, memory
// and long property tests). The whole suite (`npm test`) runs them all.
import { defineConfig, mergeConfig } from 'vitest/config';
import base from './vitest.config.js';

export default mergeConfig(
  base,
  defineConfig({
    test: {
      exclude: [
        'test/integration/**',
        'test/cli/**',
        'test/broker/**',
        'test/engine/**',
        'test/metadata/**',
        'test/shared/ring/spsc-ring-threads.test.ts',
        'test/workers/log/partition-log-recovery.test.ts',
        'test/heap-tuning.test.ts',
        'test/network/response-outflow.test.ts',
        'test/network/request-read-timeout.test.ts',
        'test/observability/logs.test.ts',
        'test/observability/metrics.test.ts',
        'test/client/kafka-client.test.ts',
        'test/workers/log/partition-log-model.test.ts',
        // A real etcd process each (the pure test/cluster/replica-assignment.test.ts stays in).
        'test/cluster/broker-registry.test.ts',
        'test/cluster/controller-election.test.ts',
        'test/cluster/cluster-state.test.ts',
        'test/cluster/etcd-endpoints.test.ts',
      ],
    },
  }),
);
