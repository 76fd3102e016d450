// AlterConfigs: replaces a topic's whole override set (keys left out return to the broker default), checked
// and applied live to every partition, or only checked (validateOnly). Broker configs are static.
// Runs on the main thread.
import { defineHandler } from '../api-handler.js';
import { alterConfigResources } from './config-resources.js';

export const alterConfigsHandler = defineHandler({
  apiKey: 33,
  minVersion: 0,
  maxVersion: 2,
  handle(ctx, request) {
    const { resources, validateOnly } = request.body;
    return alterConfigResources(ctx, resources, validateOnly, (resource) => {
      // As in Kafka, an entry with a null value sets nothing.
      const overrides: Record<string, string> = {};
      for (const { name, value } of resource.configs) if (value !== null) overrides[name] = value;
      return overrides;
    });
  },
});
