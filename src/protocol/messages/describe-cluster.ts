// DescribeCluster (key 60), versions 0–1 (always flexible): request and response fields as data for the generic
// codec. Main thread. v1 adds the endpoint type (1 = brokers, 2 = controllers).
import { defineApi, type RequestOf, type ResponseOf } from '../schema/api-definition.js';

export const describeClusterApi = defineApi({
  apiKey: 60,
  name: 'DescribeCluster',
  versions: '0-1',
  flexibleVersions: '0+',
  request: [
    { name: 'includeClusterAuthorizedOperations', type: 'bool', versions: '0+' },
    { name: 'endpointType', type: 'int8', versions: '1+', default: 1 },
  ],
  response: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    { name: 'errorCode', type: 'int16', versions: '0+' },
    { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
    { name: 'endpointType', type: 'int8', versions: '1+', default: 1 },
    { name: 'clusterId', type: 'string', versions: '0+' },
    { name: 'controllerId', type: 'int32', versions: '0+', default: -1 },
    {
      name: 'brokers',
      type: '[]struct',
      versions: '0+',
      fields: [
        { name: 'brokerId', type: 'int32', versions: '0+' },
        { name: 'host', type: 'string', versions: '0+' },
        { name: 'port', type: 'int32', versions: '0+' },
        { name: 'rack', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
      ],
    },
    { name: 'clusterAuthorizedOperations', type: 'int32', versions: '0+', default: -2147483648 },
  ],
});

export type DescribeClusterRequest = RequestOf<typeof describeClusterApi>;
export type DescribeClusterResponse = ResponseOf<typeof describeClusterApi>;
