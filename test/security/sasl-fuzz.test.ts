// Hostile input (fast-check, seed printed, bounded runs): random bytes, SCRAM-alphabet strings and mutated valid
// messages into every step of every mechanism either get an answer or a SaslError — never another exception.
// Reproduce with FJORD_SEED=<seed>.
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { SaslAuthenticator } from '../../src/security/sasl-authenticator.js';
import { SaslError } from '../../src/security/sasl-error.js';
import { PlainServer } from '../../src/security/sasl-plain.js';
import { ScramServer } from '../../src/security/scram-server.js';
import { seedFor } from '../helpers/test-seed.js';
import { credentialStore } from './credential-store.js';
import { ScramTestClient } from './scram-test-client.js';

const seed = seedFor('sasl fuzz');
const store = credentialStore({ user: 'pencil', 'a,b': 'x' });
const runs = { seed, numRuns: 300 };

/** Runs `step`; an answer or a SaslError passes, anything else fails the property. */
function answersOrRefuses(step: () => unknown): void {
  try {
    step();
  } catch (error) {
    if (!(error instanceof SaslError)) throw error;
  }
}

const randomBytes = fc.uint8Array({ maxLength: 5000 }).map((bytes) => Buffer.from(bytes));
const scramish = fc
  .array(fc.constantFrom('n', 'y', 'p', 'a', 'r', 'c', 's', 'i', 'm', '=', ',', '2C', '3D', 'biws', 'user', 'AAAA', '==', '\0', 'é', 'tokenauth=true'), {
    maxLength: 40,
  })
  .map((parts) => Buffer.from(parts.join('')));
const anyToken = fc.oneof(randomBytes, scramish);

/** A valid message with a few bytes overwritten, cut, or extended. */
function mutated(valid: Buffer) {
  return fc
    .record({ at: fc.nat({ max: valid.length }), bytes: fc.uint8Array({ maxLength: 6 }), cut: fc.boolean() })
    .map(({ at, bytes, cut }) => Buffer.concat([valid.subarray(0, at), Buffer.from(bytes), cut ? Buffer.alloc(0) : valid.subarray(at + bytes.length)]));
}

describe('every step answers or throws SaslError', () => {
  it.each(['SCRAM-SHA-256', 'SCRAM-SHA-512'] as const)('%s client-first', (mechanism) => {
    const valid = Buffer.from('n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL');
    fc.assert(
      fc.property(fc.oneof(anyToken, mutated(valid)), (token) => answersOrRefuses(() => new ScramServer(mechanism, store).step(token))),
      runs,
    );
  });

  it.each(['SCRAM-SHA-256', 'SCRAM-SHA-512'] as const)('%s client-final', (mechanism) => {
    const client = new ScramTestClient(mechanism === 'SCRAM-SHA-256' ? 'sha256' : 'sha512', 'user', 'pencil', 'nonce');
    const serverNonce = () => 'server';
    const valid = client.final(new ScramServer(mechanism, store, { serverNonce }).step(client.first()).response);
    fc.assert(
      fc.property(fc.oneof(anyToken, mutated(valid)), (token) => {
        const server = new ScramServer(mechanism, store, { serverNonce });
        server.step(client.first());
        answersOrRefuses(() => server.step(token));
        answersOrRefuses(() => server.step(token));
      }),
      runs,
    );
  });

  it('PLAIN', () => {
    const valid = Buffer.from('\0user\0pencil');
    fc.assert(
      fc.property(fc.oneof(anyToken, mutated(valid)), (token) => answersOrRefuses(() => new PlainServer(store).step(token))),
      { seed, numRuns: 100 }, // each check derives a key (4096 PBKDF2 iterations)
    );
  });

  it('the authenticator: any mechanism name, then any tokens', () => {
    const name = fc.oneof(fc.constantFrom('PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'), fc.string({ maxLength: 100 }));
    fc.assert(
      fc.property(name, fc.array(anyToken, { maxLength: 3 }), (mechanism, tokens) => {
        const auth = new SaslAuthenticator(store);
        answersOrRefuses(() => auth.start(mechanism));
        for (const token of tokens) answersOrRefuses(() => auth.step(token));
      }),
      { seed, numRuns: 100 },
    );
  });
});
