// IncrementalAlterConfigs: edits a topic's overrides key by key (SET, DELETE; APPEND / SUBTRACT are for
// list-typed keys, which Fjord's topics do not have), checked and applied live, or only checked
// (validateOnly). Broker configs are static. Runs on the main thread.
import { ErrorCode, KafkaError } from '../../shared/kafka-error-codes.js';
import { defineHandler, type RequestOfKey } from '../api-handler.js';
import { repeatedNames } from './admin-results.js';
import { alterConfigResources } from './config-resources.js';

type Resource = RequestOfKey<44>['body']['resources'][number];

const SET = 0;
const DELETE = 1;
const APPEND = 2;
const SUBTRACT = 3;

export const incrementalAlterConfigsHandler = defineHandler({
  apiKey: 44,
  minVersion: 0,
  maxVersion: 1,
  handle(ctx, request) {
    const { resources, validateOnly } = request.body;
    return alterConfigResources(ctx, resources, validateOnly, applyOperations);
  },
});

function applyOperations(resource: Resource, current: Readonly<Record<string, string>>): Record<string, string> {
  const repeated = [...repeatedNames(resource.configs.map((c) => c.name))];
  if (repeated.length > 0) throw new KafkaError(ErrorCode.INVALID_REQUEST, `config ${repeated.join(', ')} appears more than once for ${resource.resourceName}`);
  const next = { ...current };
  for (const { name, configOperation, value } of resource.configs) {
    if (configOperation === SET) {
      if (value === null) throw new KafkaError(ErrorCode.INVALID_REQUEST, `SET ${name} needs a value`);
      next[name] = value;
    } else if (configOperation === DELETE) {
      delete next[name];
    } else if (configOperation === APPEND || configOperation === SUBTRACT) {
      throw new KafkaError(
        ErrorCode.INVALID_CONFIG,
        `${configOperation === APPEND ? 'APPEND' : 'SUBTRACT'} ${name}: only list-typed configs take APPEND / SUBTRACT and Fjord's topics have none (cleanup.policy takes one of delete, compact, "compact,delete": use SET)`,
      );
    } else {
      throw new KafkaError(ErrorCode.INVALID_REQUEST, `unknown config operation ${configOperation} for ${name}`);
    }
  }
  return next;
}
