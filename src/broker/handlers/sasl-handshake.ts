// SaslHandshake (key 17), v0–1: on a connection of a SASL listener still to authenticate, picks the mechanism of its
// exchange (sasl-sessions.ts); anywhere else ILLEGAL_SASL_STATE, as Kafka answers. Main thread.
import { defineHandler } from '../api-handler.js';

export const saslHandshakeHandler = defineHandler({
  apiKey: 17,
  minVersion: 0,
  maxVersion: 1,
  handle(ctx, { header, body }, connection) {
    return ctx.sasl.handshake(connection, body.mechanism, header.apiVersion);
  },
});
