// AlterConfigs (key 33), versions 0–2: request and response fields as data for the generic codec. Main thread.
// v1 same as v0; v2 first flexible version.
import { defineApi, type RequestOf, type ResponseOf } from '../schema/api-definition.js';
import { configResourceResult } from './common.js';

export const alterConfigsApi = defineApi({
  apiKey: 33,
  name: 'AlterConfigs',
  versions: '0-2',
  flexibleVersions: '2+',
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

export type AlterConfigsRequest = RequestOf<typeof alterConfigsApi>;
export type AlterConfigsResponse = ResponseOf<typeof alterConfigsApi>;
