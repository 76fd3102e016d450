// A Jest globalTeardown module (CommonJS): stops the broker jest-global-setup started. Runs in Jest's main process.
import type { TestBroker } from './test-broker.js';

const globals = globalThis as { __FJORD_TEST_BROKER__?: TestBroker };

async function globalTeardown(): Promise<void> {
  const broker = globals.__FJORD_TEST_BROKER__;
  globals.__FJORD_TEST_BROKER__ = undefined;
  await broker?.stop();
}

export = globalTeardown;
