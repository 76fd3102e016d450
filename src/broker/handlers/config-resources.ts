// Config resources as the config APIs see them: a topic's keys with effective values, sources and synonyms,
// the broker's static keys (read-only), and the one path by which AlterConfigs and IncrementalAlterConfigs
// replace a topic's overrides live. Runs on the main thread.
import { BROKER_CONFIG_SCHEMA, type ConfigKind } from '../../config/broker-config-schema.js';
import { ErrorCode, KafkaError } from '../../shared/kafka-error-codes.js';
import type { TopicRecord } from '../../metadata/standalone-metadata.js';
import { TOPIC_CONFIG_KEYS, topicConfigEntries, withTopicOverrides } from '../../shared/topic-config.js';
import type { BrokerContext } from '../broker-context.js';
import { attempt, type ErrorFields, fieldsOf } from './admin-results.js';

export const ResourceType = { TOPIC: 2, BROKER: 4 } as const;

/** Kafka's ConfigSource values that Fjord produces. */
export const ConfigSource = { DYNAMIC_TOPIC_CONFIG: 1, STATIC_BROKER_CONFIG: 4, DEFAULT_CONFIG: 5 } as const;

/** Kafka's ConfigType (DescribeConfigs v3+): BOOLEAN 1, STRING 2, INT 3, LONG 5, DOUBLE 6, LIST 7. */
const CONFIG_TYPE: Readonly<Record<ConfigKind, number>> = { bool: 1, string: 2, enum: 2, int: 3, long: 5, double: 6, list: 7 };

/** Topic key → the broker key that sets its default, as Kafka names the synonym. */
const BROKER_KEY_OF_TOPIC_KEY: Readonly<Record<string, string>> = {
  'segment.bytes': 'log.segment.bytes',
  'segment.ms': 'log.roll.ms',
  'segment.index.bytes': 'log.index.size.max.bytes',
  'index.interval.bytes': 'log.index.interval.bytes',
  'retention.ms': 'log.retention.ms',
  'retention.bytes': 'log.retention.bytes',
  'max.message.bytes': 'message.max.bytes',
  'message.timestamp.type': 'log.message.timestamp.type',
  'flush.messages': 'log.flush.interval.messages',
  'flush.ms': 'log.flush.interval.ms',
  preallocate: 'log.preallocate',
  'cleanup.policy': 'log.cleanup.policy',
  'min.insync.replicas': 'min.insync.replicas',
  'delete.retention.ms': 'log.cleaner.delete.retention.ms',
  'min.compaction.lag.ms': 'log.cleaner.min.compaction.lag.ms',
  'min.cleanable.dirty.ratio': 'log.cleaner.min.cleanable.ratio',
};

export interface Synonym {
  name: string;
  value: string;
  source: number;
}

/** One key as DescribeConfigs shows it (CreateTopics v5 echoes a subset of the fields). */
export interface ConfigView {
  name: string;
  value: string;
  readOnly: boolean;
  configSource: number;
  isDefault: boolean;
  isSensitive: boolean;
  synonyms: Synonym[];
  configType: number;
  documentation: string | null;
}

export interface ViewOptions {
  /** null: every key. Unknown keys are left out, as Kafka does. */
  keys: readonly string[] | null;
  synonyms: boolean;
  documentation: boolean;
}

export const EVERY_KEY: Readonly<ViewOptions> = Object.freeze({ keys: null, synonyms: false, documentation: false });

/** Every topic key with its effective value given these overrides: the override, else the broker's value. */
export function topicConfigViews(ctx: BrokerContext, overrides: Readonly<Record<string, string>>, options: Readonly<ViewOptions> = EVERY_KEY): ConfigView[] {
  const config = withTopicOverrides(ctx.config.defaultLogConfig, overrides);
  return topicConfigEntries(config)
    .filter(([name]) => options.keys === null || options.keys.includes(name))
    .map(([name, value]) => {
      const overridden: Synonym[] = name in overrides ? [{ name, value, source: ConfigSource.DYNAMIC_TOPIC_CONFIG }] : [];
      const chain = [...overridden, ...brokerSynonyms(ctx, BROKER_KEY_OF_TOPIC_KEY[name]!)];
      return viewOf(name, value, false, chain, CONFIG_TYPE[TOPIC_CONFIG_KEYS[name]!.kind], null, options);
    });
}

/** The broker's keys: read-only (they come from server.properties, the environment or --set). */
export function brokerConfigViews(ctx: BrokerContext, options: Readonly<ViewOptions>): ConfigView[] {
  return Object.entries(ctx.config.effective)
    .filter(([name]) => options.keys === null || options.keys.includes(name))
    .map(([name, value]) => {
      const spec = BROKER_CONFIG_SCHEMA[name]!;
      return viewOf(name, value, true, brokerSynonyms(ctx, name), CONFIG_TYPE[spec.kind], spec.doc, options);
    });
}

/**
 * A broker key's synonyms, most significant first: its static value when it differs from the default, then
 * the default. (A key set to exactly its default value reads as DEFAULT_CONFIG: the config keeps no source.)
 */
function brokerSynonyms(ctx: BrokerContext, name: string): Synonym[] {
  const defaultValue = BROKER_CONFIG_SCHEMA[name]!.default;
  const value = ctx.config.effective[name] ?? defaultValue;
  const fallback: Synonym = { name, value: defaultValue, source: ConfigSource.DEFAULT_CONFIG };
  return value === defaultValue ? [fallback] : [{ name, value, source: ConfigSource.STATIC_BROKER_CONFIG }, fallback];
}

function viewOf(name: string, value: string, readOnly: boolean, chain: Synonym[], configType: number, doc: string | null, options: Readonly<ViewOptions>): ConfigView {
  const configSource = chain[0]!.source;
  return {
    name,
    value,
    readOnly,
    configSource,
    isDefault: configSource === ConfigSource.DEFAULT_CONFIG,
    isSensitive: false,
    synonyms: options.synonyms ? chain : [],
    configType,
    documentation: options.documentation ? doc : null,
  };
}

/** The topic a config resource names, or the KafkaError a client gets for it. */
export function topicOfResource(ctx: BrokerContext, resourceType: number, resourceName: string): TopicRecord {
  if (resourceType !== ResourceType.TOPIC) {
    throw new KafkaError(ErrorCode.INVALID_REQUEST, `resource type ${resourceType} is not supported (topics are 2, brokers 4)`);
  }
  const record = ctx.topics.topic(resourceName);
  if (record === undefined) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `topic ${resourceName} does not exist`);
  return record;
}

type AlterResource = { resourceType: number; resourceName: string };
type AlterResult = ErrorFields & AlterResource;

/**
 * AlterConfigs and IncrementalAlterConfigs: each topic resource gets the overrides `next` makes of its current
 * ones, validated and applied live to every partition (or only validated). Broker configs are static.
 * Resources are handled in order, so two naming the same topic apply one after the other.
 */
export async function alterConfigResources<R extends AlterResource>(
  ctx: BrokerContext,
  resources: readonly R[],
  validateOnly: boolean,
  next: (resource: R, current: Readonly<Record<string, string>>) => Record<string, string>,
): Promise<{ throttleTimeMs: number; responses: AlterResult[] }> {
  const responses: AlterResult[] = [];
  for (const resource of resources) {
    const { resourceType, resourceName } = resource;
    const outcome = await attempt(async () => {
      if (resourceType === ResourceType.BROKER) throw new KafkaError(ErrorCode.INVALID_REQUEST, 'broker configs are static; edit server.properties');
      const overrides = next(resource, topicOfResource(ctx, resourceType, resourceName).configs);
      await ctx.topics.setConfigs(resourceName, overrides, validateOnly);
      return overrides;
    });
    if (outcome.ok && !validateOnly) ctx.logger.info({ topic: resourceName, overrides: outcome.value }, 'topic configs changed');
    if (!outcome.ok) ctx.logger.debug({ resourceType, resourceName, error: outcome.errorMessage }, 'config change refused');
    responses.push({ ...fieldsOf(outcome), resourceType, resourceName });
  }
  return { throttleTimeMs: 0, responses };
}
