// The contract between a connection and a SASL mechanism's server side, and the credential lookup mechanisms
// verify against. Types only. Main thread.
import type { ScramCredential, ScramMechanism } from './scram-credentials.js';

/** Mechanism names as sent in SaslHandshake (exact, case-sensitive, as Kafka compares them). */
export const SASL_MECHANISM_NAMES = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'] as const;
export type SaslMechanismName = (typeof SASL_MECHANISM_NAMES)[number];

/** The server's answer to one client token. */
export interface SaslStep {
  /** Bytes for the client (SaslAuthenticate authBytes, or a raw token after SaslHandshake v0); may be empty. */
  response: Buffer;
  /** True when the exchange has succeeded: the connection is authenticated as `principal`. */
  done: boolean;
  /** The authenticated user name, set when `done`. */
  principal?: string;
}

/** One exchange of one mechanism: feed it the client's tokens in order. Throws only SaslError. */
export interface SaslMechanism {
  readonly name: SaslMechanismName;
  step(clientBytes: Buffer): SaslStep;
}

/**
 * Where mechanisms find users. Only salted SCRAM credentials are stored: SCRAM verifies proofs against them
 * and PLAIN derives from the password it was sent (with the stored salt and iterations) and compares storedKey.
 * Undefined means no such user (or no credential for that mechanism).
 */
export interface CredentialLookup {
  scram(user: string, mechanism: ScramMechanism): ScramCredential | undefined;
}
