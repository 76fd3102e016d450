// Real-client scenarios run against the capture server: each drives KafkaJS or @platformatic/kafka far enough to
// send the requests we keep as golden frames, then gives up (the server drops the connection). Test helper only.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { startCaptureServer, type CapturedFrame } from './capture-server.js';

const require = createRequire(import.meta.url);
/** Version of an installed package, read from its package.json next to its entry point. */
function installedVersion(name: string): string {
  let dir = dirname(require.resolve(name));
  while (!dir.endsWith(join('node_modules', name))) dir = dirname(dir);
  return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).version;
}
export const KAFKAJS_VERSION = installedVersion('kafkajs');
export const PLATFORMATIC_VERSION = installedVersion('@platformatic/kafka');

export const GOLDEN_TOPIC = 'golden-topic';
export const GOLDEN_GROUP = 'golden-group';

/** @platformatic/kafka 2.12 calls Promise.withResolvers (Node ≥ 22); Node 20 needs this polyfill. */
function polyfillWithResolvers(): void {
  const promise = Promise as unknown as { withResolvers?: () => unknown };
  promise.withResolvers ??= () => {
    let resolve!: (value: unknown) => void;
    let reject!: (reason: unknown) => void;
    const created = new Promise((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise: created, resolve, reject };
  };
}

export interface Scenario {
  /** File-name stem, e.g. 'kafkajs-admin'. */
  name: string;
  client: string;
  /** What the client was asked to do (written into the golden files). */
  action: string;
  /** API keys whose first request is kept. */
  keep: number[];
  run(port: number, done: Promise<unknown>): Promise<unknown>;
}

export const GOLDEN_SASL_USER = 'golden-user';
export const GOLDEN_SASL_PASSWORD = 'golden-password';

async function kafkajs(port: number, clientId: string, sasl?: { mechanism: 'plain'; username: string; password: string }) {
  const { Kafka, logLevel } = (await import('kafkajs')).default;
  return new Kafka({ clientId, brokers: [`127.0.0.1:${port}`], logLevel: logLevel.NOTHING, retry: { retries: 0 }, ...(sasl ? { sasl } : {}) });
}

async function platformatic() {
  polyfillWithResolvers();
  return import('@platformatic/kafka');
}

const platformaticOptions = (port: number, clientId: string) => ({
  clientId,
  bootstrapBrokers: [`127.0.0.1:${port}`],
  retries: 0,
  timeout: 2000,
});

export const scenarios: Scenario[] = [
  {
    name: 'kafkajs-admin',
    client: `kafkajs ${KAFKAJS_VERSION}`,
    action: `admin.connect(); admin.fetchTopicMetadata({ topics: ['${GOLDEN_TOPIC}'] })`,
    keep: [18, 3],
    async run(port) {
      const admin = (await kafkajs(port, 'fjord-golden-kafkajs')).admin();
      await admin.connect();
      try {
        await admin.fetchTopicMetadata({ topics: [GOLDEN_TOPIC] });
      } finally {
        await admin.disconnect();
      }
    },
  },
  {
    name: 'kafkajs-producer',
    client: `kafkajs ${KAFKAJS_VERSION}`,
    action: `producer.send({ topic: '${GOLDEN_TOPIC}', acks: 1, messages: [{ key: 'key-1', value: 'value-1', timestamp: '1700000000000' }] })`,
    keep: [0],
    async run(port, done) {
      const producer = (await kafkajs(port, 'fjord-golden-kafkajs')).producer({ allowAutoTopicCreation: false });
      await producer.connect();
      const message = { key: 'key-1', value: 'value-1', timestamp: '1700000000000' };
      producer.send({ topic: GOLDEN_TOPIC, acks: 1, messages: [message] }).catch(() => undefined);
      await done;
      await producer.disconnect().catch(() => undefined);
    },
  },
  {
    name: 'platformatic-admin',
    client: `@platformatic/kafka ${PLATFORMATIC_VERSION}`,
    action: `new Admin(...).metadata({ topics: ['${GOLDEN_TOPIC}'] })`,
    keep: [18, 3],
    async run(port) {
      const { Admin } = await platformatic();
      const admin = new Admin(platformaticOptions(port, 'fjord-golden-platformatic'));
      try {
        await admin.metadata({ topics: [GOLDEN_TOPIC] });
      } finally {
        await admin.close();
      }
    },
  },
  {
    name: 'platformatic-producer',
    client: `@platformatic/kafka ${PLATFORMATIC_VERSION}`,
    action: `new Producer(...).send({ messages: [{ topic: '${GOLDEN_TOPIC}', key: 'key-1', value: 'value-1', timestamp: 1700000000000n }] })`,
    keep: [0],
    async run(port, done) {
      const { Producer, stringSerializers } = await platformatic();
      const options = { ...platformaticOptions(port, 'fjord-golden-platformatic'), serializers: stringSerializers };
      const producer = new Producer(options);
      const message = { topic: GOLDEN_TOPIC, key: 'key-1', value: 'value-1', timestamp: 1700000000000n };
      producer.send({ messages: [message], acks: 1 }).catch(() => undefined);
      await done;
      await producer.close(true).catch(() => undefined);
    },
  },
  {
    name: 'kafkajs-create-topics',
    client: `kafkajs ${KAFKAJS_VERSION}`,
    action: `admin.createTopics({ topics: [{ topic: '${GOLDEN_TOPIC}', numPartitions: 3, replicationFactor: 1, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] }] })`,
    keep: [19],
    async run(port, done) {
      const admin = (await kafkajs(port, 'fjord-golden-kafkajs')).admin();
      await admin.connect();
      const topic = { topic: GOLDEN_TOPIC, numPartitions: 3, replicationFactor: 1, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] };
      admin.createTopics({ topics: [topic] }).catch(() => undefined);
      await done;
      await admin.disconnect().catch(() => undefined);
    },
  },
  {
    name: 'kafkajs-consumer',
    client: `kafkajs ${KAFKAJS_VERSION}`,
    action: `consumer({ groupId: '${GOLDEN_GROUP}' }).subscribe({ topic: '${GOLDEN_TOPIC}' }); consumer.run(...)`,
    keep: [10, 11],
    async run(port, done) {
      const consumer = (await kafkajs(port, 'fjord-golden-kafkajs')).consumer({ groupId: GOLDEN_GROUP, retry: { retries: 0 } });
      await consumer.connect();
      await consumer.subscribe({ topic: GOLDEN_TOPIC, fromBeginning: true });
      consumer.run({ eachMessage: async () => undefined }).catch(() => undefined);
      await done;
      await consumer.disconnect().catch(() => undefined);
    },
  },
  {
    name: 'platformatic-create-topics',
    client: `@platformatic/kafka ${PLATFORMATIC_VERSION}`,
    action: `new Admin(...).createTopics({ topics: ['${GOLDEN_TOPIC}'], partitions: 3, replicas: 1, configs: [{ name: 'cleanup.policy', value: 'compact' }] })`,
    keep: [19],
    async run(port, done) {
      const { Admin } = await platformatic();
      const admin = new Admin(platformaticOptions(port, 'fjord-golden-platformatic'));
      const configs = [{ name: 'cleanup.policy', value: 'compact' }];
      admin.createTopics({ topics: [GOLDEN_TOPIC], partitions: 3, replicas: 1, configs }).catch(() => undefined);
      await done;
      await admin.close().catch(() => undefined);
    },
  },
  {
    name: 'platformatic-consumer',
    client: `@platformatic/kafka ${PLATFORMATIC_VERSION}`,
    action: `new Consumer({ groupId: '${GOLDEN_GROUP}', ... }).consume({ topics: ['${GOLDEN_TOPIC}'] })`,
    keep: [10, 11],
    async run(port, done) {
      const { Consumer } = await platformatic();
      const consumer = new Consumer({ ...platformaticOptions(port, 'fjord-golden-platformatic'), groupId: GOLDEN_GROUP });
      consumer.consume({ topics: [GOLDEN_TOPIC] }).catch(() => undefined);
      await done;
      await consumer.close(true).catch(() => undefined);
    },
  },
  {
    name: 'kafkajs-sasl-plain',
    client: `kafkajs ${KAFKAJS_VERSION}`,
    action: `admin({ sasl: { mechanism: 'plain', username: '${GOLDEN_SASL_USER}', password: '${GOLDEN_SASL_PASSWORD}' } }).connect()`,
    keep: [17, 36],
    async run(port, done) {
      const sasl = { mechanism: 'plain' as const, username: GOLDEN_SASL_USER, password: GOLDEN_SASL_PASSWORD };
      const admin = (await kafkajs(port, 'fjord-golden-kafkajs', sasl)).admin();
      admin.connect().catch(() => undefined);
      await done;
      await admin.disconnect().catch(() => undefined);
    },
  },
  {
    name: 'platformatic-sasl-scram',
    client: `@platformatic/kafka ${PLATFORMATIC_VERSION}`,
    action: `new Admin({ sasl: { mechanism: 'SCRAM-SHA-256', username: '${GOLDEN_SASL_USER}', password: '${GOLDEN_SASL_PASSWORD}' } }).metadata(...)`,
    keep: [17, 36],
    async run(port, done) {
      const { Admin } = await platformatic();
      const sasl = { mechanism: 'SCRAM-SHA-256' as const, username: GOLDEN_SASL_USER, password: GOLDEN_SASL_PASSWORD };
      const admin = new Admin({ ...platformaticOptions(port, 'fjord-golden-platformatic'), sasl });
      admin.metadata({ topics: [GOLDEN_TOPIC] }).catch(() => undefined);
      await done;
      await admin.close().catch(() => undefined);
    },
  },
];

/** Runs one scenario against a fresh capture server; returns the first frame of each kept API key. */
export async function capture(scenario: Scenario): Promise<Map<number, CapturedFrame>> {
  const answered = [18, 3, 10, 17];
  const server = await startCaptureServer({ dropAfter: scenario.keep.filter((key) => !answered.includes(key)) });
  try {
    const all = Promise.all(scenario.keep.map((key) => server.waitFor(key)));
    await Promise.race([scenario.run(server.port, all), all.then(() => undefined)]);
    const kept = await all;
    return new Map(kept.map((frame) => [frame.apiKey, frame]));
  } finally {
    await server.close();
  }
}
