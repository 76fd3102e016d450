// OffsetDelete (key 47), version 0 (never flexible): request and response fields as data for the generic codec.
// Main thread.
import { defineApi, type RequestOf, type ResponseOf } from '../schema/api-definition.js';
import { partitionErrors } from './common.js';

export const offsetDeleteApi = defineApi({
  apiKey: 47,
  name: 'OffsetDelete',
  versions: '0',
  flexibleVersions: 'none',
  request: [
    { name: 'groupId', type: 'string', versions: '0+' },
    {
      name: 'topics',
      type: '[]struct',
      versions: '0+',
      fields: [
        { name: 'name', type: 'string', versions: '0+' },
        { name: 'partitions', type: '[]struct', versions: '0+', fields: [{ name: 'partitionIndex', type: 'int32', versions: '0+' }] },
      ],
    },
  ],
  response: [
    { name: 'errorCode', type: 'int16', versions: '0+' },
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    {
      name: 'topics',
      type: '[]struct',
      versions: '0+',
      fields: [
        { name: 'name', type: 'string', versions: '0+' },
        { name: 'partitions', type: '[]struct', versions: '0+', fields: partitionErrors },
      ],
    },
  ],
});

export type OffsetDeleteRequest = RequestOf<typeof offsetDeleteApi>;
export type OffsetDeleteResponse = ResponseOf<typeof offsetDeleteApi>;
