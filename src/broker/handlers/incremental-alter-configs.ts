// IncrementalAlterConfigs: edits a topic's overrides key by key (SET, DELETE; APPEND / SUBTRACT add or remove
// items of a list-typed key: cleanup.policy, the throttled-replica lists, as Kafka does), checked and applied
// live, or only checked (validateOnly). Broker configs are static. Runs on the main thread.
import { defaultText } from '../../shared/config-table.js';
import { ErrorCode, KafkaError } from '../../shared/kafka-error-codes.js';
import { TOPIC_CONFIG_KEYS } from '../../shared/topic-config.js';
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
      next[name] = editedList(name, next[name], value, configOperation === APPEND);
    } else {
      throw new KafkaError(ErrorCode.INVALID_REQUEST, `unknown config operation ${configOperation} for ${name}`);
    }
  }
  return next;
}

/**
 * APPEND / SUBTRACT on a list-typed key, as Kafka computes them: from the override (else the key's built-in
 * default), items appended unless present, or removed. Any other key answers INVALID_CONFIG.
 */
function editedList(name: string, current: string | undefined, value: string | null, append: boolean): string {
  const spec = TOPIC_CONFIG_KEYS.get(name)?.spec;
  if (spec === undefined) throw new KafkaError(ErrorCode.INVALID_CONFIG, `Unknown config name: ${name}`);
  if (spec.kind !== 'list') {
    throw new KafkaError(ErrorCode.INVALID_CONFIG, `Config value ${append ? 'append' : 'subtract'} is not allowed for config key: ${name}`);
  }
  const items = (current ?? defaultText(spec)).split(',').filter((item) => item !== '');
  const given = (value ?? '').split(',');
  return (append ? [...items, ...given.filter((item) => !items.includes(item))] : items.filter((item) => !given.includes(item))).join(',');
}
