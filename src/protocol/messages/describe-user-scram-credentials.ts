// DescribeUserScramCredentials (key 50), version 0 (flexible): request and response fields as data for the generic
// codec. Main thread. Users null or empty: every user. Mechanism numbers: 1 = SCRAM-SHA-256, 2 = SCRAM-SHA-512.
import { defineApi, type RequestOf, type ResponseOf } from '../schema/api-definition.js';

export const describeUserScramCredentialsApi = defineApi({
  apiKey: 50,
  name: 'DescribeUserScramCredentials',
  versions: '0',
  flexibleVersions: '0+',
  request: [
    {
      name: 'users',
      type: '[]struct',
      versions: '0+',
      nullableVersions: '0+',
      fields: [{ name: 'name', type: 'string', versions: '0+' }],
    },
  ],
  response: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    { name: 'errorCode', type: 'int16', versions: '0+' },
    { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
    {
      name: 'results',
      type: '[]struct',
      versions: '0+',
      fields: [
        { name: 'user', type: 'string', versions: '0+' },
        { name: 'errorCode', type: 'int16', versions: '0+' },
        { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
        {
          name: 'credentialInfos',
          type: '[]struct',
          versions: '0+',
          fields: [
            { name: 'mechanism', type: 'int8', versions: '0+' },
            { name: 'iterations', type: 'int32', versions: '0+' },
          ],
        },
      ],
    },
  ],
});

export type DescribeUserScramCredentialsRequest = RequestOf<typeof describeUserScramCredentialsApi>;
export type DescribeUserScramCredentialsResponse = ResponseOf<typeof describeUserScramCredentialsApi>;
