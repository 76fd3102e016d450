// Heartbeat (key 12), versions 0–4: request and response fields as data for the generic codec. Main thread.
// v3 static membership; v4 first flexible version.
import { defineApi, type RequestOf, type ResponseOf } from '../schema/api-definition.js';

export const heartbeatApi = defineApi({
  apiKey: 12,
  name: 'Heartbeat',
  versions: '0-4',
  flexibleVersions: '4+',
  request: [
    { name: 'groupId', type: 'string', versions: '0+' },
    { name: 'generationId', type: 'int32', versions: '0+' },
    { name: 'memberId', type: 'string', versions: '0+' },
    { name: 'groupInstanceId', type: 'string', versions: '3+', nullableVersions: '3+', default: null },
  ],
  response: [
    { name: 'throttleTimeMs', type: 'int32', versions: '1+' },
    { name: 'errorCode', type: 'int16', versions: '0+' },
  ],
});

export type HeartbeatRequest = RequestOf<typeof heartbeatApi>;
export type HeartbeatResponse = ResponseOf<typeof heartbeatApi>;
