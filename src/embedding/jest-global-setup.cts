// A Jest globalSetup module (CommonJS, as Jest loads it by default): one broker for the whole run, its address
// in the KAFKA_BOOTSTRAP_SERVERS environment variable that Jest's test workers inherit; jest-global-teardown
// stops it. Runs in Jest's main process.
import type { TestBroker } from './test-broker.js';

const globals = globalThis as { __FJORD_TEST_BROKER__?: TestBroker };

async function globalSetup(): Promise<void> {
  const { startTestBroker } = await import('./test-broker.js');
  const broker = await startTestBroker();
  globals.__FJORD_TEST_BROKER__ = broker;
  process.env.KAFKA_BOOTSTRAP_SERVERS = broker.bootstrap;
}

export = globalSetup;
