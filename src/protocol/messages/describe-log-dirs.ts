// DescribeLogDirs (key 35), versions 0–4: request and response fields as data for the generic codec. Main thread.
// v1 same as v0; v2 first flexible version; v3 adds a top-level error code; v4 each dir's volume size and usable
// bytes (-1 when unknown). A null topic list asks for every partition.
import { defineApi, type RequestOf, type ResponseOf } from '../schema/api-definition.js';

export const describeLogDirsApi = defineApi({
  apiKey: 35,
  name: 'DescribeLogDirs',
  versions: '0-4',
  flexibleVersions: '2+',
  request: [
    {
      name: 'topics',
      type: '[]struct',
      versions: '0+',
      nullableVersions: '0+',
      fields: [
        { name: 'topic', type: 'string', versions: '0+' },
        { name: 'partitions', type: '[]int32', versions: '0+' },
      ],
    },
  ],
  response: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    { name: 'errorCode', type: 'int16', versions: '3+' },
    {
      name: 'results',
      type: '[]struct',
      versions: '0+',
      fields: [
        { name: 'errorCode', type: 'int16', versions: '0+' },
        { name: 'logDir', type: 'string', versions: '0+' },
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
                { name: 'partitionSize', type: 'int64', versions: '0+' },
                { name: 'offsetLag', type: 'int64', versions: '0+' },
                { name: 'isFutureKey', type: 'bool', versions: '0+' },
              ],
            },
          ],
        },
        { name: 'totalBytes', type: 'int64', versions: '4+', default: -1 },
        { name: 'usableBytes', type: 'int64', versions: '4+', default: -1 },
      ],
    },
  ],
});

export type DescribeLogDirsRequest = RequestOf<typeof describeLogDirsApi>;
export type DescribeLogDirsResponse = ResponseOf<typeof describeLogDirsApi>;
