// The server side of SASL PLAIN (RFC 4616): one client message `[authzid] NUL authcid NUL passwd`, checked
// against the user's stored SCRAM credential (user-password.ts). Main thread. The password is read in place, never
// copied into a string, kept or logged; an unknown user costs the same key derivation as a wrong password.
import { invalidCredentials, SaslError } from './sasl-error.js';
import { PLAIN_PASSWORD_BYTES_MAX, SASL_USERNAME_BYTES_MAX } from './sasl-limits.js';
import type { CredentialLookup, SaslMechanism, SaslStep } from './sasl-mechanism.js';
import { checkTokenSize, utf8Text } from './sasl-token.js';
import { StandInCredentials } from './stand-in-credentials.js';
import { userPasswordMatches } from './user-password.js';

/** A parsed PLAIN message. `password` is a view of the token: use it at once, do not keep it. */
export interface PlainMessage {
  user: string;
  password: Buffer;
}

function nameField(bytes: Buffer, what: string): string {
  if (bytes.length > SASL_USERNAME_BYTES_MAX) throw new SaslError('malformed', `PLAIN: ${what} exceeds ${SASL_USERNAME_BYTES_MAX} bytes`);
  return utf8Text(bytes, `PLAIN ${what}`);
}

/**
 * Splits and checks a PLAIN message: exactly two NULs, a non-empty authcid and password within their limits,
 * valid UTF-8, and an authzid that is empty or equal to the authcid (Kafka allows no other).
 */
export function parsePlainMessage(token: Buffer): PlainMessage {
  checkTokenSize(token, 'PLAIN');
  const firstNul = token.indexOf(0);
  const secondNul = firstNul < 0 ? -1 : token.indexOf(0, firstNul + 1);
  if (secondNul < 0 || token.indexOf(0, secondNul + 1) >= 0) {
    throw new SaslError('malformed', 'PLAIN: expected [authzid] NUL authcid NUL password');
  }
  const authzid = nameField(token.subarray(0, firstNul), 'authzid');
  const user = nameField(token.subarray(firstNul + 1, secondNul), 'authcid');
  const password = token.subarray(secondNul + 1);
  if (user.length === 0) throw new SaslError('malformed', 'PLAIN: the user name (authcid) is empty');
  if (password.length === 0) throw new SaslError('malformed', 'PLAIN: the password is empty');
  if (password.length > PLAIN_PASSWORD_BYTES_MAX) throw new SaslError('malformed', `PLAIN: password exceeds ${PLAIN_PASSWORD_BYTES_MAX} bytes`);
  utf8Text(password, 'PLAIN password');
  if (authzid !== '' && authzid !== user) throw new SaslError('unsupported-feature', 'PLAIN: the authorization id must be empty or the user name');
  return { user, password };
}

export class PlainServer implements SaslMechanism {
  readonly name = 'PLAIN';
  private ended = false;

  constructor(
    private readonly credentials: CredentialLookup,
    private readonly standIns: StandInCredentials = new StandInCredentials(),
  ) {}

  step(clientBytes: Buffer): SaslStep {
    if (this.ended) throw new SaslError('illegal-state', 'PLAIN: the exchange has ended');
    this.ended = true;
    const { user, password } = parsePlainMessage(clientBytes);
    if (!userPasswordMatches(this.credentials, this.standIns, user, password)) throw invalidCredentials('PLAIN');
    return { response: Buffer.alloc(0), done: true, principal: user };
  }
}
