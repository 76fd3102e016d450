// Config resources as the config APIs see them: a topic's keys with effective values, sources and synonyms,
// the broker's static keys (read-only), types, synonyms and documentation all from the config tables, and the
// one path by which AlterConfigs and IncrementalAlterConfigs replace a topic's overrides live. Main thread.
import { BROKER_CONFIG_SCHEMA } from '../../config/broker-config-schema.js';
import { type ConfigKind, defaultText, type KeySpec } from '../../shared/config-table.js';
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
      const { spec } = TOPIC_CONFIG_KEYS.get(name)!;
      return viewOf(name, value, false, [...overridden, ...brokerSynonyms(ctx, spec)], spec, options);
    });
}

/** The broker's keys: read-only (they come from server.properties, the environment or --set). */
export function brokerConfigViews(ctx: BrokerContext, options: Readonly<ViewOptions>): ConfigView[] {
  return Object.entries(ctx.config.effective)
    .filter(([name]) => options.keys === null || options.keys.includes(name))
    .map(([name, value]) => {
      const spec = BROKER_CONFIG_SCHEMA.get(name)!;
      return viewOf(name, value, true, brokerSynonyms(ctx, spec), spec, options);
    });
}

/**
 * A broker key's synonyms, most significant first: its static value when it differs from the default, then
 * the default. (A key set to exactly its default value reads as DEFAULT_CONFIG: the config keeps no source.)
 * For a topic key, `spec` is the broker key that sets its default (retention.ms → log.retention.ms).
 */
function brokerSynonyms(ctx: BrokerContext, spec: KeySpec<unknown>): Synonym[] {
  const name = spec.key;
  const defaultValue = defaultText(spec);
  const value = ctx.config.effective[name] ?? defaultValue;
  const fallback: Synonym = { name, value: defaultValue, source: ConfigSource.DEFAULT_CONFIG };
  return value === defaultValue ? [fallback] : [{ name, value, source: ConfigSource.STATIC_BROKER_CONFIG }, fallback];
}

function viewOf(name: string, value: string, readOnly: boolean, chain: Synonym[], spec: KeySpec<unknown>, options: Readonly<ViewOptions>): ConfigView {
  const configSource = chain[0]!.source;
  return {
    name,
    value,
    readOnly,
    configSource,
    isDefault: configSource === ConfigSource.DEFAULT_CONFIG,
    isSensitive: false,
    synonyms: options.synonyms ? chain : [],
    configType: CONFIG_TYPE[spec.kind],
    documentation: options.documentation ? spec.doc : null,
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
