// ElectLeaders (key 43), versions 0–2: request and response fields as data for the generic codec. Main thread.
// v1 adds the election type (0 preferred, 1 unclean; v0 is always preferred) and a top-level error code; v2 first
// flexible version. A null topic list asks for every partition.
import { defineApi, type RequestOf, type ResponseOf } from '../schema/api-definition.js';

export const electLeadersApi = defineApi({
  apiKey: 43,
  name: 'ElectLeaders',
  versions: '0-2',
  flexibleVersions: '2+',
  request: [
    { name: 'electionType', type: 'int8', versions: '1+' },
    {
      name: 'topicPartitions',
      type: '[]struct',
      versions: '0+',
      nullableVersions: '0+',
      fields: [
        { name: 'topic', type: 'string', versions: '0+' },
        { name: 'partitions', type: '[]int32', versions: '0+' },
      ],
    },
    { name: 'timeoutMs', type: 'int32', versions: '0+', default: 60_000 },
  ],
  response: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    { name: 'errorCode', type: 'int16', versions: '1+' },
    {
      name: 'replicaElectionResults',
      type: '[]struct',
      versions: '0+',
      fields: [
        { name: 'topic', type: 'string', versions: '0+' },
        {
          name: 'partitionResult',
          type: '[]struct',
          versions: '0+',
          fields: [
            { name: 'partitionId', type: 'int32', versions: '0+' },
            { name: 'errorCode', type: 'int16', versions: '0+' },
            { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
          ],
        },
      ],
    },
  ],
});

export type ElectLeadersRequest = RequestOf<typeof electLeadersApi>;
export type ElectLeadersResponse = ResponseOf<typeof electLeadersApi>;
