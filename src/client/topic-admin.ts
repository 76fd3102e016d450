// Topic administration through standard APIs: create (CreateTopics, at the controller), delete
// (DeleteTopics), add partitions (CreatePartitions), read and change configs (DescribeConfigs,
// IncrementalAlterConfigs). Runs on the caller's main thread.
import type { KafkaClient } from './kafka-client.js';
import { checkErrorCode } from './kafka-errors.js';
import { ZERO_UUID } from '../protocol/codec/reader.js';

const TOPIC_RESOURCE = 2;
const ADMIN_TIMEOUT_MS = 30_000;
const ConfigOperation = { SET: 0, DELETE: 1 } as const;

export interface NewTopic {
  name: string;
  /** -1 = the broker's num.partitions. */
  partitions: number;
  /** -1 = the broker's default.replication.factor. */
  replicationFactor: number;
  configs: ReadonlyMap<string, string>;
}

export async function createTopic(client: KafkaClient, topic: NewTopic): Promise<{ partitions: number; replicationFactor: number }> {
  const controller = await client.controller();
  const usesDefaults = topic.partitions < 0 || topic.replicationFactor < 0;
  const { body } = await controller.call(
    19,
    {
      topics: [
        {
          name: topic.name,
          numPartitions: topic.partitions,
          replicationFactor: topic.replicationFactor,
          assignments: [],
          configs: [...topic.configs].map(([name, value]) => ({ name, value })),
        },
      ],
      timeoutMs: ADMIN_TIMEOUT_MS,
      validateOnly: false,
    },
    { minVersion: usesDefaults ? 4 : 0 },
  );
  const answer = body.topics.find((t) => t.name === topic.name);
  checkErrorCode(answer?.errorCode ?? -1, `create topic "${topic.name}"`, answer?.errorMessage ?? null);
  return { partitions: answer!.numPartitions, replicationFactor: answer!.replicationFactor };
}

export async function deleteTopics(client: KafkaClient, names: readonly string[]): Promise<void> {
  const controller = await client.controller();
  // By name: v0–5 carry topicNames, v6 topics (a name with the zero id); the codec writes what the version has.
  const byName = names.map((name) => ({ name, topicId: ZERO_UUID }));
  const { body } = await controller.call(20, { topicNames: names, topics: byName, timeoutMs: ADMIN_TIMEOUT_MS });
  for (const answer of body.responses) checkErrorCode(answer.errorCode, `delete topic "${answer.name}"`);
}

/** Raises the partition count of a topic to `count`. */
export async function createPartitions(client: KafkaClient, name: string, count: number): Promise<void> {
  const controller = await client.controller();
  const { body } = await controller.call(37, { topics: [{ name, count, assignments: null }], timeoutMs: ADMIN_TIMEOUT_MS, validateOnly: false });
  const answer = body.results.find((r) => r.name === name);
  checkErrorCode(answer?.errorCode ?? -1, `add partitions to "${name}"`, answer?.errorMessage ?? null);
}

export interface ConfigEntry {
  name: string;
  value: string | null;
  /** Set on the topic itself (not a broker or built-in default). */
  isOverride: boolean;
  readOnly: boolean;
  isSensitive: boolean;
}

/** DescribeConfigs source 1 = DYNAMIC_TOPIC_CONFIG; v0 only says isDefault. */
const TOPIC_CONFIG_SOURCE = 1;

export async function describeTopicConfigs(client: KafkaClient, name: string): Promise<ConfigEntry[]> {
  const broker = await client.anyBroker();
  const { version, body } = await broker.call(32, {
    resources: [{ resourceType: TOPIC_RESOURCE, resourceName: name, configurationKeys: null }],
    includeSynonyms: false,
    includeDocumentation: false,
  });
  const result = body.results[0];
  checkErrorCode(result?.errorCode ?? -1, `configs of topic "${name}"`, result?.errorMessage ?? null);
  return result!.configs
    .map((c) => ({
      name: c.name,
      value: c.value,
      isOverride: version === 0 ? !c.isDefault : c.configSource === TOPIC_CONFIG_SOURCE,
      readOnly: c.readOnly,
      isSensitive: c.isSensitive,
    }))
    .sort((a, b) => (a.name < b.name ? -1 : 1));
}

/** Sets and removes topic config overrides in one IncrementalAlterConfigs request. */
export async function alterTopicConfigs(client: KafkaClient, name: string, set: ReadonlyMap<string, string>, remove: readonly string[]): Promise<void> {
  const broker = await client.controller();
  const configs = [
    ...[...set].map(([key, value]) => ({ name: key, configOperation: ConfigOperation.SET, value })),
    ...remove.map((key) => ({ name: key, configOperation: ConfigOperation.DELETE, value: null })),
  ];
  const { body } = await broker.call(44, { resources: [{ resourceType: TOPIC_RESOURCE, resourceName: name, configs }], validateOnly: false });
  const result = body.responses[0];
  checkErrorCode(result?.errorCode ?? -1, `alter configs of topic "${name}"`, result?.errorMessage ?? null);
}
