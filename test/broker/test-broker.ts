// Test helper: a Fjord broker started in-process on a free port over a temp dir, silent, with few workers,
// plus client factories for KafkaJS and @platformatic/kafka pointed at it. Test helper only.
import { pino } from 'pino';
import { type BrokerHandle, launchBroker } from '../../src/broker.js';
import { tempDir } from '../helpers/temp-dir.js';

export async function startTestBroker(config: Record<string, string> = {}): Promise<BrokerHandle> {
  return launchBroker({
    config: {
      'log.dirs': tempDir('fjord-broker-'),
      listeners: 'PLAINTEXT://127.0.0.1:0',
      'fjord.http.listener': 'http://127.0.0.1:0',
      'fjord.workers': '2',
      ...config,
    },
    logger: pino({ level: 'silent' }),
  });
}

export async function kafkajsClient(broker: BrokerHandle, clientId = 'fjord-test') {
  const { Kafka, logLevel } = (await import('kafkajs')).default;
  return new Kafka({ clientId, brokers: [broker.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 1, initialRetryTime: 50 } });
}

/** @platformatic/kafka 2.12 calls Promise.withResolvers (Node ≥ 22); Node 20 needs the polyfill before it loads. */
export async function platformaticKafka() {
  await import('../helpers/promise-with-resolvers.js');
  return import('@platformatic/kafka');
}
