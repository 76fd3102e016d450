// CreateAcls (key 30), versions 0–3: request and response fields as data for the generic codec. Main thread.
// v1 adds the pattern type (absent in v0: LITERAL, 3), v2 first flexible version, v3 as v2. One result per
// creation, in request order.
import { defineApi, type RequestOf, type ResponseOf } from '../schema/api-definition.js';

export const createAclsApi = defineApi({
  apiKey: 30,
  name: 'CreateAcls',
  versions: '0-3',
  flexibleVersions: '2+',
  request: [
    {
      name: 'creations',
      type: '[]struct',
      versions: '0+',
      fields: [
        { name: 'resourceType', type: 'int8', versions: '0+' },
        { name: 'resourceName', type: 'string', versions: '0+' },
        { name: 'resourcePatternType', type: 'int8', versions: '1+', default: 3 },
        { name: 'principal', type: 'string', versions: '0+' },
        { name: 'host', type: 'string', versions: '0+' },
        { name: 'operation', type: 'int8', versions: '0+' },
        { name: 'permissionType', type: 'int8', versions: '0+' },
      ],
    },
  ],
  response: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    {
      name: 'results',
      type: '[]struct',
      versions: '0+',
      fields: [
        { name: 'errorCode', type: 'int16', versions: '0+' },
        { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
      ],
    },
  ],
});

export type CreateAclsRequest = RequestOf<typeof createAclsApi>;
export type CreateAclsResponse = ResponseOf<typeof createAclsApi>;
