// OffsetCommit (key 8), versions 0–9: request and response fields as data for the generic codec. Main thread.
// v0 commits outside any generation; v1 generation, member id and a commit timestamp per partition;
// v2–4 carry a retention time; v6 leader epochs; v7 static membership; v8 first flexible version; v9 (KIP-848) adds no field.
import { defineApi, type RequestOf, type ResponseOf } from '../schema/api-definition.js';
import { partitionErrors } from './common.js';

export const offsetCommitApi = defineApi({
  apiKey: 8,
  name: 'OffsetCommit',
  versions: '0-9',
  flexibleVersions: '8+',
  request: [
    { name: 'groupId', type: 'string', versions: '0+' },
    { name: 'generationIdOrMemberEpoch', type: 'int32', versions: '1+', default: -1 },
    { name: 'memberId', type: 'string', versions: '1+' },
    { name: 'groupInstanceId', type: 'string', versions: '7+', nullableVersions: '7+', default: null },
    { name: 'retentionTimeMs', type: 'int64', versions: '2-4', default: -1 },
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
            { name: 'committedOffset', type: 'int64', versions: '0+' },
            { name: 'committedLeaderEpoch', type: 'int32', versions: '6+', default: -1 },
            { name: 'commitTimestamp', type: 'int64', versions: '1', default: -1 },
            { name: 'committedMetadata', type: 'string', versions: '0+', nullableVersions: '0+' },
          ],
        },
      ],
    },
  ],
  response: [
    { name: 'throttleTimeMs', type: 'int32', versions: '3+' },
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

export type OffsetCommitRequest = RequestOf<typeof offsetCommitApi>;
export type OffsetCommitResponse = ResponseOf<typeof offsetCommitApi>;
