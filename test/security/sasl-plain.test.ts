// SASL PLAIN against stored SCRAM credentials: a good password, a wrong one and an unknown user (answered
// alike), the authorization id rule, malformed messages, and that no error message holds the password.
import { describe, expect, it } from 'vitest';
import { PlainServer, parsePlainMessage } from '../../src/security/sasl-plain.js';
import { credentialStore } from './credential-store.js';
import { saslFailure } from './sasl-failure.js';

const store = credentialStore({ alice: 'wonder land', zoë: 'pässwörd' });
const sha512Only = credentialStore({ bob: 'builder' }, ['SCRAM-SHA-512']);

const plain = (authzid: string, user: string, password: string) => Buffer.from(`${authzid}\0${user}\0${password}`);

describe('PLAIN', () => {
  it('a good password authenticates, with an empty authzid or the user name as authzid', () => {
    expect(new PlainServer(store).step(plain('', 'alice', 'wonder land'))).toEqual({ response: Buffer.alloc(0), done: true, principal: 'alice' });
    expect(new PlainServer(store).step(plain('alice', 'alice', 'wonder land')).principal).toBe('alice');
    expect(new PlainServer(store).step(plain('', 'zoë', 'pässwörd')).principal).toBe('zoë');
  });

  it('checks against a SCRAM-SHA-512 credential when the user has no SHA-256 one', () => {
    expect(new PlainServer(sha512Only).step(plain('', 'bob', 'builder')).principal).toBe('bob');
    expect(saslFailure(() => new PlainServer(sha512Only).step(plain('', 'bob', 'b'))).kind).toBe('invalid-credentials');
  });

  it('a wrong password and an unknown user fail alike, and the message holds neither password', () => {
    const wrong = saslFailure(() => new PlainServer(store).step(plain('', 'alice', 'wonderland')));
    const unknown = saslFailure(() => new PlainServer(store).step(plain('', 'mallory', 'wonder land')));
    expect([wrong.kind, wrong.errorCode, wrong.message]).toEqual([
      'invalid-credentials',
      58,
      'Authentication failed: invalid credentials with SASL mechanism PLAIN',
    ]);
    expect([unknown.kind, unknown.errorCode, unknown.message]).toEqual([wrong.kind, wrong.errorCode, wrong.message]);
  });

  it('an authzid other than the user is refused', () => {
    const error = saslFailure(() => new PlainServer(store).step(plain('admin', 'alice', 'wonder land')));
    expect([error.kind, error.errorCode]).toEqual(['unsupported-feature', 58]);
  });

  it.each([
    ['no NUL', Buffer.from('alice wonder land'), /expected \[authzid\] NUL authcid NUL password/],
    ['one NUL', Buffer.from('alice\0wonder land'), /expected/],
    ['three NULs', Buffer.from('\0alice\0wonder\0land'), /expected/],
    ['an empty user', plain('', '', 'pw'), /authcid\) is empty/],
    ['an empty password', plain('', 'alice', ''), /password is empty/],
    ['a user name over the limit', plain('', 'a'.repeat(513), 'pw'), /authcid exceeds 512 bytes/],
    ['a password over the limit', plain('', 'alice', 'p'.repeat(1025)), /password exceeds 1024 bytes/],
    ['a token over the limit', Buffer.alloc(4097, 0x61), /token of 4097 bytes exceeds 4096/],
    ['an invalid UTF-8 user', Buffer.from([0, 0xff, 0x61, 0, 0x62]), /authcid is not valid UTF-8/],
    ['an invalid UTF-8 password', Buffer.from([0, 0x61, 0, 0xc3, 0x28]), /password is not valid UTF-8/],
  ])('%s is malformed', (_, token, message) => {
    const error = saslFailure(() => parsePlainMessage(token));
    expect(error.kind).toBe('malformed');
    expect(error.message).toMatch(message);
  });

  it('no error message repeats the password it was sent', () => {
    for (const token of [plain('', 'alice', 'S3cr3t!'), plain('x', 'alice', 'S3cr3t!'), plain('', 'alice', `S3cr3t!${'!'.repeat(1100)}`)]) {
      expect(saslFailure(() => new PlainServer(store).step(token)).message).not.toContain('S3cr3t');
    }
  });

  it('one message only: a second step is ILLEGAL_SASL_STATE', () => {
    const server = new PlainServer(store);
    server.step(plain('', 'alice', 'wonder land'));
    const error = saslFailure(() => server.step(plain('', 'alice', 'wonder land')));
    expect([error.kind, error.errorCode]).toEqual(['illegal-state', 34]);
  });
});
