// DeleteTopics (key 20), versions 0–4: request and response fields as data for the generic codec. Main thread.
// v1 throttle time; v4 first flexible version.
import { defineApi, type RequestOf, type ResponseOf } from '../schema/api-definition.js';

export const deleteTopicsApi = defineApi({
  apiKey: 20,
  name: 'DeleteTopics',
  versions: '0-4',
  flexibleVersions: '4+',
  request: [
    { name: 'topicNames', type: '[]string', versions: '0-5' },
    { name: 'timeoutMs', type: 'int32', versions: '0+' },
  ],
  response: [
    { name: 'throttleTimeMs', type: 'int32', versions: '1+' },
    {
      name: 'responses',
      type: '[]struct',
      versions: '0+',
      fields: [
        { name: 'name', type: 'string', versions: '0+' },
        { name: 'errorCode', type: 'int16', versions: '0+' },
      ],
    },
  ],
});

export type DeleteTopicsRequest = RequestOf<typeof deleteTopicsApi>;
export type DeleteTopicsResponse = ResponseOf<typeof deleteTopicsApi>;
