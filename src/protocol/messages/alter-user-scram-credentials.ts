// AlterUserScramCredentials (key 51), version 0 (flexible): request and response fields as data for the generic
// codec. Main thread. An upsertion carries the client's salt and SaltedPassword (never the password); the broker
// derives storedKey and serverKey. Mechanism numbers: 1 = SCRAM-SHA-256, 2 = SCRAM-SHA-512. One result per user.
import { defineApi, type RequestOf, type ResponseOf } from '../schema/api-definition.js';

export const alterUserScramCredentialsApi = defineApi({
  apiKey: 51,
  name: 'AlterUserScramCredentials',
  versions: '0',
  flexibleVersions: '0+',
  request: [
    {
      name: 'deletions',
      type: '[]struct',
      versions: '0+',
      fields: [
        { name: 'name', type: 'string', versions: '0+' },
        { name: 'mechanism', type: 'int8', versions: '0+' },
      ],
    },
    {
      name: 'upsertions',
      type: '[]struct',
      versions: '0+',
      fields: [
        { name: 'name', type: 'string', versions: '0+' },
        { name: 'mechanism', type: 'int8', versions: '0+' },
        { name: 'iterations', type: 'int32', versions: '0+' },
        { name: 'salt', type: 'bytes', versions: '0+' },
        { name: 'saltedPassword', type: 'bytes', versions: '0+' },
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
        { name: 'user', type: 'string', versions: '0+' },
        { name: 'errorCode', type: 'int16', versions: '0+' },
        { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
      ],
    },
  ],
});

export type AlterUserScramCredentialsRequest = RequestOf<typeof alterUserScramCredentialsApi>;
export type AlterUserScramCredentialsResponse = ResponseOf<typeof alterUserScramCredentialsApi>;
