// Catching the SaslError a step must throw, for the security tests. Test helper only.
import { expect } from 'vitest';
import { SaslError, type SaslErrorKind } from '../../src/security/sasl-error.js';

/** Runs `run`, which must throw a SaslError (anything else is rethrown), and returns it. */
export function saslFailure(run: () => unknown): SaslError {
  try {
    run();
  } catch (error) {
    if (error instanceof SaslError) return error;
    throw error;
  }
  throw new Error('expected a SaslError');
}

/** `saslFailure`, checking its kind and, when given, its message. */
export function expectSaslFailure(run: () => unknown, kind: SaslErrorKind, message?: RegExp): SaslError {
  const error = saslFailure(run);
  expect(error.kind).toBe(kind);
  if (message) expect(error.message).toMatch(message);
  return error;
}
