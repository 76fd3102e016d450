// SaslHandshake (key 17), versions 0–1: the client names a SASL mechanism, the server answers with the ones it
// has enabled. Fields as data for the generic codec. Main thread.
// v0: the SASL tokens that follow are NOT Kafka requests but raw int32 size-prefixed tokens on the same socket
// (the connection must read them as such); v1: they travel in SaslAuthenticate requests (key 36).
import { defineApi, type RequestOf, type ResponseOf } from '../schema/api-definition.js';

export const saslHandshakeApi = defineApi({
  apiKey: 17,
  name: 'SaslHandshake',
  versions: '0-1',
  flexibleVersions: 'none',
  request: [{ name: 'mechanism', type: 'string', versions: '0+' }],
  response: [
    { name: 'errorCode', type: 'int16', versions: '0+' },
    { name: 'mechanisms', type: '[]string', versions: '0+' },
  ],
});

export type SaslHandshakeRequest = RequestOf<typeof saslHandshakeApi>;
export type SaslHandshakeResponse = ResponseOf<typeof saslHandshakeApi>;
