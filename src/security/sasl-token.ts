// Reading a client's SASL token as text: the size bound and strict UTF-8 and base64 decoding, each failure a
// SaslError. Main thread.
import { isUtf8 } from 'node:buffer';
import { decodeCanonicalBase64 } from './base64.js';
import { SaslError } from './sasl-error.js';
import { SASL_TOKEN_BYTES_MAX } from './sasl-limits.js';

/** Refuses a token over SASL_TOKEN_BYTES_MAX before anything reads it. */
export function checkTokenSize(token: Buffer, mechanism: string): void {
  if (token.length > SASL_TOKEN_BYTES_MAX) {
    throw new SaslError('malformed', `${mechanism}: token of ${token.length} bytes exceeds ${SASL_TOKEN_BYTES_MAX}`);
  }
}

/** `bytes` as a string, refusing invalid UTF-8 (`what` names the field in the message). */
export function utf8Text(bytes: Buffer, what: string): string {
  if (!isUtf8(bytes)) throw new SaslError('malformed', `${what} is not valid UTF-8`);
  return bytes.toString('utf8');
}

/** Canonical base64 to bytes, or a SaslError naming `what`. */
export function strictBase64(text: string, what: string): Buffer {
  const bytes = decodeCanonicalBase64(text);
  if (bytes === undefined) throw new SaslError('malformed', `${what} is not valid base64`);
  return bytes;
}
