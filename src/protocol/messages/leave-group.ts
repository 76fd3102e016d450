// LeaveGroup (key 13), versions 0–5: request and response fields as data for the generic codec. Main thread.
// v3 batches members (static membership); v4 first flexible version; v5 a reason per member.
import { defineApi, type RequestOf, type ResponseOf } from '../schema/api-definition.js';

export const leaveGroupApi = defineApi({
  apiKey: 13,
  name: 'LeaveGroup',
  versions: '0-5',
  flexibleVersions: '4+',
  request: [
    { name: 'groupId', type: 'string', versions: '0+' },
    { name: 'memberId', type: 'string', versions: '0-2' },
    {
      name: 'members',
      type: '[]struct',
      versions: '3+',
      fields: [
        { name: 'memberId', type: 'string', versions: '3+' },
        { name: 'groupInstanceId', type: 'string', versions: '3+', nullableVersions: '3+', default: null },
        { name: 'reason', type: 'string', versions: '5+', nullableVersions: '5+', default: null },
      ],
    },
  ],
  response: [
    { name: 'throttleTimeMs', type: 'int32', versions: '1+' },
    { name: 'errorCode', type: 'int16', versions: '0+' },
    {
      name: 'members',
      type: '[]struct',
      versions: '3+',
      fields: [
        { name: 'memberId', type: 'string', versions: '3+' },
        { name: 'groupInstanceId', type: 'string', versions: '3+', nullableVersions: '3+' },
        { name: 'errorCode', type: 'int16', versions: '3+' },
      ],
    },
  ],
});

export type LeaveGroupRequest = RequestOf<typeof leaveGroupApi>;
export type LeaveGroupResponse = ResponseOf<typeof leaveGroupApi>;
