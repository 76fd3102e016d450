// SaslAuthenticate (key 36), v0–2: one client token of a connection's SASL exchange and the server's answer
// (sasl-sessions.ts); anywhere else ILLEGAL_SASL_STATE, as Kafka answers. Main thread.
import { defineHandler } from '../api-handler.js';

export const saslAuthenticateHandler = defineHandler({
  apiKey: 36,
  minVersion: 0,
  maxVersion: 2,
  handle(ctx, { body }, connection) {
    return ctx.sasl.authenticate(connection, body.authBytes);
  },
});
