// ListPartitionReassignments (key 46), version 0 (flexible): request and response fields as data for the generic
// codec. Main thread.
import { defineApi, type RequestOf, type ResponseOf } from '../schema/api-definition.js';

export const listPartitionReassignmentsApi = defineApi({
  apiKey: 46,
  name: 'ListPartitionReassignments',
  versions: '0-0',
  flexibleVersions: '0+',
  request: [
    { name: 'timeoutMs', type: 'int32', versions: '0+', default: 60000 },
    {
      name: 'topics',
      type: '[]struct',
      versions: '0+',
      nullableVersions: '0+',
      default: null,
      fields: [
        { name: 'name', type: 'string', versions: '0+' },
        { name: 'partitionIndexes', type: '[]int32', versions: '0+' },
      ],
    },
  ],
  response: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    { name: 'errorCode', type: 'int16', versions: '0+' },
    { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+' },
    {
      name: 'topics',
      type: '[]struct',
      versions: '0+',
      fields: [
        { name: 'name', type: 'string', versions: '0+' },
        {
          name: 'partitions',
          type: '[]struct',
          versions: '0+',
          fields: [
            { name: 'partitionIndex', type: 'int32', versions: '0+' },
            { name: 'replicas', type: '[]int32', versions: '0+' },
            { name: 'addingReplicas', type: '[]int32', versions: '0+' },
            { name: 'removingReplicas', type: '[]int32', versions: '0+' },
          ],
        },
      ],
    },
  ],
});

export type ListPartitionReassignmentsRequest = RequestOf<typeof listPartitionReassignmentsApi>;
export type ListPartitionReassignmentsResponse = ResponseOf<typeof listPartitionReassignmentsApi>;
