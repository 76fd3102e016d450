// Config resources as the config APIs see them: a topic's keys with effective values, sources and synonyms,
// the broker's static keys (read-only), types, synonyms and documentation all from the config tables, and the
// one path by which AlterConfigs and IncrementalAlterConfigs replace a topic's overrides live. Sources and
// synonyms follow Kafka's ConfigHelper: topic override, then per synonym name its static value, then Kafka's
// default, the list starting at the key's own broker name. Main thread.
import { changeClusterTopics } from '../cluster-topic-changes.js';
import { BROKER_CONFIG_SECTIONS } from '../../config/broker-config-schema.js';
import { type ConfigKind, type KeySpec, kafkaDefaultOf, synonymNamesOf } from '../../shared/config-table.js';
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
  /** null for a sensitive key. */
  value: string | null;
  source: number;
}

/** One key as DescribeConfigs shows it (CreateTopics v5 echoes a subset of the fields). */
export interface ConfigView {
  name: string;
  value: string | null;
  readOnly: boolean;
  configSource: number;
  isDefault: boolean;
  isSensitive: boolean;
  synonyms: Synonym[];
  configType: number;
  documentation: string | null;
}

export interface ViewOptions {
  /** null: every key (a request's null or empty list). Unknown keys are left out, as Kafka does. */
  keys: ReadonlySet<string> | null;
  synonyms: boolean;
  documentation: boolean;
}

export const EVERY_KEY: Readonly<ViewOptions> = Object.freeze({ keys: null, synonyms: false, documentation: false });

/** Every topic key with its effective value given these overrides: the override, else the broker's value. */
export function topicConfigViews(ctx: BrokerContext, overrides: Readonly<Record<string, string>>, options: Readonly<ViewOptions> = EVERY_KEY): ConfigView[] {
  const config = withTopicOverrides(ctx.config.defaultLogConfig, overrides);
  return topicConfigEntries(config)
    .filter(([name]) => isAsked(options, name))
    .map(([name, value]) => {
      const overridden: Synonym[] = name in overrides ? [{ name, value, source: ConfigSource.DYNAMIC_TOPIC_CONFIG }] : [];
      const { spec } = TOPIC_CONFIG_KEYS.get(name)!;
      const chain = spec.topicOnly ? [] : brokerSynonyms(ctx, spec, spec.key);
      return viewOf(name, value, false, [...overridden, ...chain], spec, options);
    });
}

/**
 * The broker's keys: every name of every key (log.retention.hours beside log.retention.ms, as Kafka lists
 * them), read-only (they come from server.properties, the environment or --set). A name not given and with no
 * default of its own in Kafka (log.retention.ms) has a null value.
 */
export function brokerConfigViews(ctx: BrokerContext, options: Readonly<ViewOptions>): ConfigView[] {
  const views: ConfigView[] = [];
  for (const { table } of BROKER_CONFIG_SECTIONS) {
    for (const spec of Object.values(table)) {
      for (const name of synonymNamesOf(spec)) {
        if (!isAsked(options, name)) continue;
        const value = name === spec.key && !spec.kafkaDefaults ? ctx.config.effective[name]! : (ctx.config.given[name] ?? kafkaDefaultOf(spec, name));
        views.push(viewOf(name, value, true, brokerSynonyms(ctx, spec, name), spec, options));
      }
    }
  }
  return views;
}

function isAsked(options: Readonly<ViewOptions>, name: string): boolean {
  return options.keys === null || options.keys.has(name);
}

/**
 * A broker key's synonyms as Kafka lists them: each synonym name given statically (STATIC_BROKER_CONFIG),
 * then each with a default of its own in Kafka (DEFAULT_CONFIG), dropping those before the first entry named
 * `from` (so retention.ms at its default lists none: Kafka's default is under log.retention.hours).
 * For a topic key, `spec` is the broker key that sets its default (retention.ms → log.retention.ms).
 */
function brokerSynonyms(ctx: BrokerContext, spec: KeySpec<unknown>, from: string): Synonym[] {
  const names = synonymNamesOf(spec);
  const chain: Synonym[] = [];
  for (const name of names) {
    const value = ctx.config.given[name];
    if (value !== undefined) chain.push({ name, value, source: ConfigSource.STATIC_BROKER_CONFIG });
  }
  for (const name of names) {
    const value = kafkaDefaultOf(spec, name);
    if (value !== null) chain.push({ name, value, source: ConfigSource.DEFAULT_CONFIG });
  }
  const start = chain.findIndex((synonym) => synonym.name === from);
  return start < 0 ? [] : chain.slice(start);
}

function viewOf(name: string, value: string | null, readOnly: boolean, chain: Synonym[], spec: KeySpec<unknown>, options: Readonly<ViewOptions>): ConfigView {
  const configSource = chain[0]?.source ?? ConfigSource.DEFAULT_CONFIG;
  return {
    name,
    value: spec.sensitive ? null : value,
    readOnly,
    configSource,
    isDefault: configSource === ConfigSource.DEFAULT_CONFIG,
    isSensitive: spec.sensitive === true,
    synonyms: options.synonyms ? chain.map((synonym) => (spec.sensitive ? { ...synonym, value: null } : synonym)) : [],
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
 * ones, validated and applied live to every partition (or only validated; in a cluster, written to etcd's state
 * and applied by every broker holding a replica). Broker configs are static.
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
      const cluster = ctx.membership.clusterTopics;
      // In a cluster the overrides go to etcd's state; every broker applies them to its replicas.
      await ctx.topics.setConfigs(resourceName, overrides, validateOnly || cluster !== null);
      if (cluster !== null && !validateOnly) await changeClusterTopics(cluster, () => cluster.setConfigs(resourceName, overrides));
      return overrides;
    });
    if (outcome.ok && !validateOnly) ctx.logger.info({ topic: resourceName, overrides: outcome.value }, 'topic configs changed');
    if (!outcome.ok) ctx.logger.debug({ resourceType, resourceName, error: outcome.errorMessage }, 'config change refused');
    responses.push({ ...fieldsOf(outcome), resourceType, resourceName });
  }
  return { throttleTimeMs: 0, responses };
}
