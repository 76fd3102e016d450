// Test fixtures over startBroker(): a broker with topics created up front, createTopics() for more, and
// reset() that deletes every topic and consumer group between tests. Everything goes through the Kafka
// protocol with Fjord's own client, as an application's admin client would. Runs on the caller's main thread.
import { deleteGroup, listGroups } from '../client/group-admin.js';
import { KafkaClient } from '../client/kafka-client.js';
import { createTopic, deleteTopics } from '../client/topic-admin.js';
import { type EmbeddedBroker, type StartBrokerOptions, startBroker } from './start-broker.js';

export interface TestTopic {
  name: string;
  /** Default 1. */
  partitions?: number;
  /** Topic-level keys, e.g. { 'cleanup.policy': 'compact' }. */
  config?: Record<string, string>;
}

export interface TestBrokerOptions extends StartBrokerOptions {
  /** Created before startTestBroker() returns. */
  topics?: ReadonlyArray<string | TestTopic>;
}

export interface TestBroker extends EmbeddedBroker {
  createTopics(topics: ReadonlyArray<string | TestTopic>): Promise<void>;
  /** Deletes every topic and every consumer group (members must have left: a group with members cannot be deleted). */
  reset(): Promise<void>;
}

export async function startTestBroker(options: TestBrokerOptions = {}): Promise<TestBroker> {
  const broker = await startBroker(options);
  let client: KafkaClient | undefined;
  const admin = () => (client ??= new KafkaClient({ bootstrapServers: [broker.bootstrap], clientId: 'fjord-test-broker' }));
  const createTopics = async (topics: ReadonlyArray<string | TestTopic>) => {
    for (const topic of topics) {
      const { name, partitions = 1, config = {} } = typeof topic === 'string' ? { name: topic } : topic;
      await createTopic(admin(), { name, partitions, replicationFactor: 1, configs: new Map(Object.entries(config)) });
    }
  };
  const reset = async () => {
    for (const group of await listGroups(admin())) await deleteGroup(admin(), group.groupId);
    const metadata = await admin().metadata(null);
    const names = [...metadata.topics.values()].filter((t) => !t.isInternal).map((t) => t.name);
    if (names.length > 0) await deleteTopics(admin(), names);
  };
  try {
    await createTopics(options.topics ?? []);
  } catch (error) {
    await client?.close();
    await broker.stop();
    throw error;
  }
  let stopping: Promise<void> | undefined;
  return {
    ...broker,
    createTopics,
    reset,
    stop: () =>
      (stopping ??= (async () => {
        try {
          await client?.close();
        } finally {
          await broker.stop();
        }
      })()),
  };
}
