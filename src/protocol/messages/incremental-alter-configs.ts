// IncrementalAlterConfigs (key 44), versions 0–1: request and response fields as data for the generic codec.
// Main thread. v1 first flexible version. Configs carry an operation: 0 set, 1 delete, 2 append, 3 subtract.
import { defineApi, type RequestOf, type ResponseOf } from '../schema/api-definition.js';
import { configResourceResult } from './common.js';

export const incrementalAlterConfigsApi = defineApi({
  apiKey: 44,
  name: 'IncrementalAlterConfigs',
  versions: '0-1',
  flexibleVersions: '1+',
  request: [
    {
      name: 'resources',
      type: '[]struct',
      versions: '0+',
      fields: [
        { name: 'resourceType', type: 'int8', versions: '0+' },
        { name: 'resourceName', type: 'string', versions: '0+' },
        {
          name: 'configs',
          type: '[]struct',
          versions: '0+',
          fields: [
            { name: 'name', type: 'string', versions: '0+' },
            { name: 'configOperation', type: 'int8', versions: '0+' },
            { name: 'value', type: 'string', versions: '0+', nullableVersions: '0+' },
          ],
        },
      ],
    },
    { name: 'validateOnly', type: 'bool', versions: '0+' },
  ],
  response: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    { name: 'responses', type: '[]struct', versions: '0+', fields: configResourceResult },
  ],
});

export type IncrementalAlterConfigsRequest = RequestOf<typeof incrementalAlterConfigsApi>;
export type IncrementalAlterConfigsResponse = ResponseOf<typeof incrementalAlterConfigsApi>;
