// DeleteAcls (key 31), versions 0–3: request and response fields as data for the generic codec. Main thread.
// v1 adds the pattern types (absent in v0: LITERAL, 3), v2 first flexible version, v3 as v2. One result per
// filter, in request order, each listing the ACLs it matched (and removed).
import { defineApi, type RequestOf, type ResponseOf } from '../schema/api-definition.js';
import { aclFilter } from './common.js';

export const deleteAclsApi = defineApi({
  apiKey: 31,
  name: 'DeleteAcls',
  versions: '0-3',
  flexibleVersions: '2+',
  request: [
    {
      name: 'filters',
      type: '[]struct',
      versions: '0+',
      fields: aclFilter,
    },
  ],
  response: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    {
      name: 'filterResults',
      type: '[]struct',
      versions: '0+',
      fields: [
        { name: 'errorCode', type: 'int16', versions: '0+' },
        { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
        {
          name: 'matchingAcls',
          type: '[]struct',
          versions: '0+',
          fields: [
            { name: 'errorCode', type: 'int16', versions: '0+' },
            { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
            { name: 'resourceType', type: 'int8', versions: '0+' },
            { name: 'resourceName', type: 'string', versions: '0+' },
            { name: 'patternType', type: 'int8', versions: '1+', default: 3 },
            { name: 'principal', type: 'string', versions: '0+' },
            { name: 'host', type: 'string', versions: '0+' },
            { name: 'operation', type: 'int8', versions: '0+' },
            { name: 'permissionType', type: 'int8', versions: '0+' },
          ],
        },
      ],
    },
  ],
});

export type DeleteAclsRequest = RequestOf<typeof deleteAclsApi>;
export type DeleteAclsResponse = ResponseOf<typeof deleteAclsApi>;
