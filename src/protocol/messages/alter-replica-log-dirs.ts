// AlterReplicaLogDirs (key 34), versions 0–2: request and response fields as data for the generic codec. Main thread.
// v1 same as v0; v2 first flexible version. Each listed dir names the partitions to move into it.
import { defineApi, type RequestOf, type ResponseOf } from '../schema/api-definition.js';

export const alterReplicaLogDirsApi = defineApi({
  apiKey: 34,
  name: 'AlterReplicaLogDirs',
  versions: '0-2',
  flexibleVersions: '2+',
  request: [
    {
      name: 'dirs',
      type: '[]struct',
      versions: '0+',
      fields: [
        { name: 'path', type: 'string', versions: '0+' },
        {
          name: 'topics',
          type: '[]struct',
          versions: '0+',
          fields: [
            { name: 'name', type: 'string', versions: '0+' },
            { name: 'partitions', type: '[]int32', versions: '0+' },
          ],
        },
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
        { name: 'topicName', type: 'string', versions: '0+' },
        {
          name: 'partitions',
          type: '[]struct',
          versions: '0+',
          fields: [
            { name: 'partitionIndex', type: 'int32', versions: '0+' },
            { name: 'errorCode', type: 'int16', versions: '0+' },
          ],
        },
      ],
    },
  ],
});

export type AlterReplicaLogDirsRequest = RequestOf<typeof alterReplicaLogDirsApi>;
export type AlterReplicaLogDirsResponse = ResponseOf<typeof alterReplicaLogDirsApi>;
