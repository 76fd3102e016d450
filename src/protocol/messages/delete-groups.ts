// DeleteGroups (key 42), versions 0–2: request and response fields as data for the generic codec. Main thread.
// v1 same as v0; v2 first flexible version.
import { defineApi, type RequestOf, type ResponseOf } from '../schema/api-definition.js';

export const deleteGroupsApi = defineApi({
  apiKey: 42,
  name: 'DeleteGroups',
  versions: '0-2',
  flexibleVersions: '2+',
  request: [{ name: 'groupsNames', type: '[]string', versions: '0+' }],
  response: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    {
      name: 'results',
      type: '[]struct',
      versions: '0+',
      fields: [
        { name: 'groupId', type: 'string', versions: '0+' },
        { name: 'errorCode', type: 'int16', versions: '0+' },
      ],
    },
  ],
});

export type DeleteGroupsRequest = RequestOf<typeof deleteGroupsApi>;
export type DeleteGroupsResponse = ResponseOf<typeof deleteGroupsApi>;
