// A user's password checked against the user's stored SCRAM credential (SCRAM-SHA-256, else SCRAM-SHA-512), an
// unknown user costing the same key derivation as a wrong password: SASL PLAIN and the admin HTTP port's Basic
// authentication both log in this way. Main thread.
import type { CredentialLookup } from './sasl-mechanism.js';
import { passwordMatches, SCRAM_MECHANISMS, type ScramCredential } from './scram-credentials.js';
import type { StandInCredentials } from './stand-in-credentials.js';

/** The credential a password is checked against: the user's SCRAM-SHA-256 one, else SCRAM-SHA-512. */
function credentialOf(credentials: CredentialLookup, user: string): ScramCredential | undefined {
  for (const mechanism of SCRAM_MECHANISMS) {
    const found = credentials.scram(user, mechanism);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** Whether `user` exists and `password` (UTF-8 bytes; not kept) is theirs. */
export function userPasswordMatches(credentials: CredentialLookup, standIns: StandInCredentials, user: string, password: Buffer): boolean {
  const found = credentialOf(credentials, user);
  const matches = passwordMatches(found ?? standIns.for(user, 'SCRAM-SHA-256'), password);
  return matches && found !== undefined;
}
