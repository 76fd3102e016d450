// SaslAuthenticate (key 36), versions 0–2: one SASL token from the client, one back from the server (after a
// SaslHandshake v1). Fields as data for the generic codec. Main thread.
// v1 adds the session lifetime (KIP-368 re-authentication); v2 first flexible version.
import { defineApi, type RequestOf, type ResponseOf } from '../schema/api-definition.js';

export const saslAuthenticateApi = defineApi({
  apiKey: 36,
  name: 'SaslAuthenticate',
  versions: '0-2',
  flexibleVersions: '2+',
  request: [{ name: 'authBytes', type: 'bytes', versions: '0+' }],
  response: [
    { name: 'errorCode', type: 'int16', versions: '0+' },
    { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+' },
    { name: 'authBytes', type: 'bytes', versions: '0+' },
    { name: 'sessionLifetimeMs', type: 'int64', versions: '1+', default: 0 },
  ],
});

export type SaslAuthenticateRequest = RequestOf<typeof saslAuthenticateApi>;
export type SaslAuthenticateResponse = ResponseOf<typeof saslAuthenticateApi>;
