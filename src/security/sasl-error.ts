// SaslError: the one error the SASL code throws for anything a client sent (or failed to prove), with the Kafka
// error code the connection answers with. Main thread. Messages never hold a password, proof or key.
import { ErrorCode } from '../shared/kafka-error-codes.js';

/**
 * - `unsupported-mechanism`: SaslHandshake named a mechanism we do not offer (UNSUPPORTED_SASL_MECHANISM);
 * - `illegal-state`: a token arrived before a mechanism was chosen or after the exchange ended (ILLEGAL_SASL_STATE);
 * - `malformed`: the token is not what the mechanism's grammar allows, or too large (SASL_AUTHENTICATION_FAILED);
 * - `unsupported-feature`: well-formed, but asks for something we refuse: channel binding, SCRAM extensions,
 *   an authorization id other than the user (SASL_AUTHENTICATION_FAILED);
 * - `invalid-credentials`: unknown user or wrong password/proof, one message for both (SASL_AUTHENTICATION_FAILED).
 */
export type SaslErrorKind = 'unsupported-mechanism' | 'illegal-state' | 'malformed' | 'unsupported-feature' | 'invalid-credentials';

const codeOfKind: Record<SaslErrorKind, number> = {
  'unsupported-mechanism': ErrorCode.UNSUPPORTED_SASL_MECHANISM,
  'illegal-state': ErrorCode.ILLEGAL_SASL_STATE,
  malformed: ErrorCode.SASL_AUTHENTICATION_FAILED,
  'unsupported-feature': ErrorCode.SASL_AUTHENTICATION_FAILED,
  'invalid-credentials': ErrorCode.SASL_AUTHENTICATION_FAILED,
};

/** A failed SASL step. `message` is safe to send to the client (SaslAuthenticate's errorMessage) and to log. */
export class SaslError extends Error {
  /** The Kafka error code for SaslHandshake / SaslAuthenticate responses. */
  readonly errorCode: number;

  constructor(
    readonly kind: SaslErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'SaslError';
    this.errorCode = codeOfKind[kind];
  }
}

/** The one answer to an unknown user and to a wrong password, so the two cannot be told apart. */
export function invalidCredentials(mechanism: string): SaslError {
  return new SaslError('invalid-credentials', `Authentication failed: invalid credentials with SASL mechanism ${mechanism}`);
}
