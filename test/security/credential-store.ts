// An in-memory CredentialLookup for tests: users' SCRAM credentials derived once at RFC-minimum cost, and a
// log of the names looked up. Test helper only.
import type { CredentialLookup } from '../../src/security/sasl-mechanism.js';
import { deriveScramCredential, type ScramCredential, type ScramMechanism } from '../../src/security/scram-credentials.js';

export interface TestStore extends CredentialLookup {
  readonly lookedUp: string[];
}

/** `users`: name → password; each gets credentials for the given mechanisms (default both). */
export function credentialStore(users: Record<string, string>, mechanisms: ScramMechanism[] = ['SCRAM-SHA-256', 'SCRAM-SHA-512']): TestStore {
  const credentials = new Map<string, ScramCredential>();
  for (const [user, password] of Object.entries(users)) {
    for (const mechanism of mechanisms) credentials.set(`${mechanism}/${user}`, deriveScramCredential(mechanism, password));
  }
  const lookedUp: string[] = [];
  return {
    lookedUp,
    scram(user, mechanism) {
      lookedUp.push(user);
      return credentials.get(`${mechanism}/${user}`);
    },
  };
}
