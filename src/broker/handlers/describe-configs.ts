// DescribeConfigs: a topic's every config key with its effective value, source (its own override, the
// broker's static value, or the default) and, when asked, synonyms; the broker's keys as read-only static
// configs, for this broker's id ("" answers the cluster-wide dynamic defaults: none). Each resource answers on
// its own (an unknown topic fails only that resource). Main thread.
import { topicNameProblem } from '../../metadata/topic-names.js';
import { ErrorCode, KafkaError } from '../../shared/kafka-error-codes.js';
import { defineHandler } from '../api-handler.js';
import type { BrokerContext } from '../broker-context.js';
import { attempt, fieldsOf } from './admin-results.js';
import { brokerConfigViews, type ConfigView, ResourceType, topicConfigViews, topicOfResource, type ViewOptions } from './config-resources.js';

export const describeConfigsHandler = defineHandler({
  apiKey: 32,
  minVersion: 0,
  maxVersion: 4,
  async handle(ctx, request) {
    const { resources, includeSynonyms, includeDocumentation } = request.body;
    const results = await Promise.all(
      resources.map(async ({ resourceType, resourceName, configurationKeys }) => {
        // A Set: a hostile request may list millions of names.
        const keys = configurationKeys === null || configurationKeys.length === 0 ? null : new Set(configurationKeys);
        const options: ViewOptions = { keys, synonyms: includeSynonyms, documentation: includeDocumentation };
        const outcome = await attempt(() => describeResource(ctx, resourceType, resourceName, options));
        return { ...fieldsOf(outcome), resourceType, resourceName, configs: outcome.ok ? outcome.value : [] };
      }),
    );
    return { throttleTimeMs: 0, results };
  },
});

function describeResource(ctx: BrokerContext, resourceType: number, resourceName: string, options: ViewOptions): ConfigView[] {
  if (resourceType === ResourceType.TOPIC) {
    const problem = topicNameProblem(resourceName);
    if (problem !== null) throw new KafkaError(ErrorCode.INVALID_TOPIC_EXCEPTION, problem);
  }
  if (resourceType !== ResourceType.BROKER) return topicConfigViews(ctx, topicOfResource(ctx, resourceType, resourceName).configs, options);
  // Kafka's cluster-wide default resource lists the dynamic broker defaults; Fjord's broker configs are all static.
  if (resourceName === '') return [];
  if (!/^-?\d+$/.test(resourceName)) throw new KafkaError(ErrorCode.INVALID_REQUEST, `Broker id must be an integer, but it is: ${resourceName}`);
  if (Number(resourceName) !== ctx.nodeId) {
    throw new KafkaError(ErrorCode.INVALID_REQUEST, `Unexpected broker id, expected ${ctx.nodeId} or empty string, but received ${resourceName}`);
  }
  return brokerConfigViews(ctx, options);
}
