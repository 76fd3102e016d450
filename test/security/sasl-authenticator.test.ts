// A connection's SASL authenticator: handshake (start) then tokens (step) for each mechanism, the mechanism
// list and its restriction, Kafka's error codes for an unknown mechanism and out-of-order steps, a failure
// being final, and re-authentication after success (KIP-368).
import { describe, expect, it } from 'vitest';
import { SaslAuthenticator } from '../../src/security/sasl-authenticator.js';
import { credentialStore } from './credential-store.js';
import { saslFailure } from './sasl-failure.js';
import { ScramTestClient } from './scram-test-client.js';

const store = credentialStore({ alice: 'wonder land' });

function scramLogin(auth: SaslAuthenticator, mechanism: 'SCRAM-SHA-256' | 'SCRAM-SHA-512', password: string) {
  auth.start(mechanism);
  const client = new ScramTestClient(mechanism === 'SCRAM-SHA-256' ? 'sha256' : 'sha512', 'alice', password, 'nonce123');
  const first = auth.step(client.first());
  return auth.step(client.final(first.response));
}

describe('SaslAuthenticator', () => {
  it('offers PLAIN, SCRAM-SHA-256 and SCRAM-SHA-512 unless told fewer', () => {
    expect(new SaslAuthenticator(store).mechanisms).toEqual(['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512']);
    expect(new SaslAuthenticator(store, { enabledMechanisms: ['SCRAM-SHA-512'] }).mechanisms).toEqual(['SCRAM-SHA-512']);
  });

  it('authenticates with PLAIN and with each SCRAM mechanism', () => {
    const plain = new SaslAuthenticator(store);
    plain.start('PLAIN');
    expect(plain.step(Buffer.from('\0alice\0wonder land'))).toEqual({ response: Buffer.alloc(0), done: true, principal: 'alice' });
    expect(plain.principal).toBe('alice');
    for (const mechanism of ['SCRAM-SHA-256', 'SCRAM-SHA-512'] as const) {
      const auth = new SaslAuthenticator(store);
      expect(scramLogin(auth, mechanism, 'wonder land')).toMatchObject({ done: true, principal: 'alice' });
      expect(auth.principal).toBe('alice');
    }
  });

  it('an unknown or disabled mechanism is UNSUPPORTED_SASL_MECHANISM and lists what is enabled', () => {
    const error = saslFailure(() => new SaslAuthenticator(store).start('GSSAPI'));
    expect([error.kind, error.errorCode]).toEqual(['unsupported-mechanism', 33]);
    expect(error.message).toMatch(/enabled: PLAIN, SCRAM-SHA-256, SCRAM-SHA-512/);
    expect(saslFailure(() => new SaslAuthenticator(store).start('plain')).kind).toBe('unsupported-mechanism');
    const restricted = new SaslAuthenticator(store, { enabledMechanisms: ['SCRAM-SHA-256'] });
    expect(saslFailure(() => restricted.start('PLAIN')).message).toMatch(/enabled: SCRAM-SHA-256$/);
    expect(saslFailure(() => restricted.start('x'.repeat(10_000))).message.length).toBeLessThan(200);
  });

  it('a token before any handshake, or a handshake mid-exchange, is ILLEGAL_SASL_STATE', () => {
    const auth = new SaslAuthenticator(store);
    expect(saslFailure(() => auth.step(Buffer.from('\0alice\0wonder land'))).errorCode).toBe(34);
    auth.start('SCRAM-SHA-256');
    auth.step(Buffer.from('n,,n=alice,r=abc'));
    expect(saslFailure(() => auth.start('PLAIN')).errorCode).toBe(34);
  });

  it('a failure is final: no new handshake, no more tokens', () => {
    const auth = new SaslAuthenticator(store);
    expect(saslFailure(() => scramLogin(auth, 'SCRAM-SHA-512', 'wrong')).kind).toBe('invalid-credentials');
    expect(auth.principal).toBeUndefined();
    expect(saslFailure(() => auth.start('PLAIN')).kind).toBe('illegal-state');
    expect(saslFailure(() => auth.step(Buffer.from('x'))).kind).toBe('illegal-state');
  });

  it('after success a new handshake starts a re-authentication', () => {
    const auth = new SaslAuthenticator(store);
    scramLogin(auth, 'SCRAM-SHA-256', 'wonder land');
    expect(saslFailure(() => auth.step(Buffer.from('x'))).kind).toBe('illegal-state');
    auth.start('PLAIN');
    expect(auth.principal).toBeUndefined();
    expect(auth.step(Buffer.from('alice\0alice\0wonder land')).principal).toBe('alice');
  });
});
