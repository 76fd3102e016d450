// DescribeAcls (key 29), versions 0–3: request and response fields as data for the generic codec. Main thread.
// v1 adds the pattern type (absent in v0: LITERAL, 3), v2 first flexible version, v3 as v2. The request is one
// ACL filter (codes: src/security/acl-codes.ts; 1 = ANY, null strings match anything).
import { defineApi, type RequestOf, type ResponseOf } from '../schema/api-definition.js';
import { aclFilter } from './common.js';

export const describeAclsApi = defineApi({
  apiKey: 29,
  name: 'DescribeAcls',
  versions: '0-3',
  flexibleVersions: '2+',
  request: aclFilter,
  response: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    { name: 'errorCode', type: 'int16', versions: '0+' },
    { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
    {
      name: 'resources',
      type: '[]struct',
      versions: '0+',
      fields: [
        { name: 'resourceType', type: 'int8', versions: '0+' },
        { name: 'resourceName', type: 'string', versions: '0+' },
        { name: 'patternType', type: 'int8', versions: '1+', default: 3 },
        {
          name: 'acls',
          type: '[]struct',
          versions: '0+',
          fields: [
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

export type DescribeAclsRequest = RequestOf<typeof describeAclsApi>;
export type DescribeAclsResponse = ResponseOf<typeof describeAclsApi>;
