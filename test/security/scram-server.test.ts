// The SCRAM server state machine: RFC 7677's SCRAM-SHA-256 example byte for byte, full SHA-256 and SHA-512
// exchanges with an independent client, wrong passwords and unknown users (answered alike), nonce and channel
// binding checks, user name escapes, refused features, limits, and the exchange ending after done or a failure.
import { describe, expect, it } from 'vitest';
import { SASL_TOKEN_BYTES_MAX } from '../../src/security/sasl-limits.js';
import { deriveScramCredential, type ScramMechanism } from '../../src/security/scram-credentials.js';
import { ScramServer } from '../../src/security/scram-server.js';
import { StandInCredentials } from '../../src/security/stand-in-credentials.js';
import { credentialStore } from './credential-store.js';
import { expectSaslFailure, saslFailure } from './sasl-failure.js';
import { ScramTestClient } from './scram-test-client.js';

const store = credentialStore({ user: 'pencil', alice: 'correct horse', 'a,b=c': 'escaped' });
const algorithmOf = { 'SCRAM-SHA-256': 'sha256', 'SCRAM-SHA-512': 'sha512' } as const;

/** Runs a whole exchange; returns the server's answers, or throws the server's SaslError. */
function exchange(mechanism: ScramMechanism, user: string, password: string, server = new ScramServer(mechanism, store)) {
  const client = new ScramTestClient(algorithmOf[mechanism], user, password, 'fyko+d2lbbFgONRv9qkxdawL');
  const first = server.step(client.first());
  const final = server.step(client.final(first.response));
  return { first, final, client };
}

describe('RFC 7677 §3: the SCRAM-SHA-256 example', () => {
  const credential = deriveScramCredential('SCRAM-SHA-256', 'pencil', { salt: Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64'), iterations: 4096 });
  const lookup = { scram: (user: string) => (user === 'user' ? credential : undefined) };

  it('answers the example messages with the example bytes', () => {
    const server = new ScramServer('SCRAM-SHA-256', lookup, { serverNonce: () => '%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0' });
    const first = server.step(Buffer.from('n,,n=user,r=rOprNGfwEbeRWgbNEkqO'));
    expect(first.response.toString()).toBe('r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096');
    expect(first.done).toBe(false);
    const final = server.step(Buffer.from('c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ='));
    expect(final).toEqual({ response: Buffer.from('v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4='), done: true, principal: 'user' });
  });

  it('refuses the example with one bit of the proof flipped', () => {
    const server = new ScramServer('SCRAM-SHA-256', lookup, { serverNonce: () => '%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0' });
    server.step(Buffer.from('n,,n=user,r=rOprNGfwEbeRWgbNEkqO'));
    const flipped = 'c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVU=';
    const error = expectSaslFailure(() => server.step(Buffer.from(flipped)), 'invalid-credentials');
    expect(error.errorCode).toBe(58);
  });
});

describe.each(['SCRAM-SHA-256', 'SCRAM-SHA-512'] as const)('%s', (mechanism) => {
  it('a full exchange authenticates, and the client can check the server', () => {
    const { first, final, client } = exchange(mechanism, 'user', 'pencil');
    expect(first.response.toString()).toMatch(/^r=fyko\+d2lbbFgONRv9qkxdawL[A-Za-z0-9+/=]{32},s=[A-Za-z0-9+/]{43}=,i=4096$/);
    expect(final.done).toBe(true);
    expect(final.principal).toBe('user');
    expect(client.serverFinalHolds(final.response)).toBe(true);
  });

  it('a wrong password fails with a message that holds no secret', () => {
    const error = expectSaslFailure(
      () => exchange(mechanism, 'user', 'pen'),
      'invalid-credentials',
      new RegExp(`invalid credentials with SASL mechanism ${mechanism}`),
    );
    expect(error.message).not.toMatch(/pencil|pen\b|user|p=/);
  });

  it('an unknown user gets a server-first of the same shape, the same one each time, and the same failure', () => {
    const known = new ScramServer(mechanism, store).step(new ScramTestClient('sha256', 'user', '', 'abc').first());
    const unknown = () => new ScramServer(mechanism, store).step(new ScramTestClient('sha256', 'mallory', '', 'abc').first());
    const shape = (answer: Buffer) => answer.toString().replace(/[A-Za-z0-9+/]/g, 'x');
    expect(shape(unknown().response)).toBe(shape(known.response));
    const salt = (answer: Buffer) => answer.toString().split(',')[1];
    expect(salt(unknown().response)).toBe(salt(unknown().response));
    const other = new ScramServer(mechanism, store).step(new ScramTestClient('sha256', 'trudy', '', 'abc').first());
    expect(salt(other.response)).not.toBe(salt(unknown().response));
    const wrongPassword = saslFailure(() => exchange(mechanism, 'user', 'guess'));
    const unknownUser = saslFailure(() => exchange(mechanism, 'mallory', 'guess'));
    expect([unknownUser.kind, unknownUser.message, unknownUser.errorCode]).toEqual([wrongPassword.kind, wrongPassword.message, wrongPassword.errorCode]);
  });

  it('stand-ins with a shared key answer alike across servers; another key answers otherwise', () => {
    const salt = (standIns: StandInCredentials) =>
      new ScramServer(mechanism, store, { standIns }).step(Buffer.from('n,,n=mallory,r=abc')).response.toString().split(',')[1];
    const key = Buffer.alloc(32, 1);
    expect(salt(new StandInCredentials(key))).toBe(salt(new StandInCredentials(Buffer.from(key))));
    expect(salt(new StandInCredentials(Buffer.alloc(32, 2)))).not.toBe(salt(new StandInCredentials(key)));
  });
});

describe('nonces and channel binding', () => {
  const client = () => new ScramTestClient('sha256', 'user', 'pencil', 'clientnonce');

  it('a client-final with another nonce fails', () => {
    const server = new ScramServer('SCRAM-SHA-256', store);
    const c = client();
    const first = server.step(c.first());
    expectSaslFailure(() => server.step(c.final(first.response, { nonce: 'clientnonceXYZ' })), 'malformed', /nonce does not match/);
  });

  it("a client-final whose nonce ends with the exchange's is accepted, as Kafka accepts librdkafka's (client nonce sent twice)", () => {
    const server = new ScramServer('SCRAM-SHA-256', store);
    const c = client();
    const first = server.step(c.first());
    const exchangeNonce = /r=([^,]*)/.exec(first.response.toString())![1]!;
    const done = server.step(c.final(first.response, { nonce: `clientnonce${exchangeNonce}` }));
    expect([done.done, done.principal]).toEqual([true, 'user']);
  });

  it('a client-final replayed into a new exchange fails (the server nonce differs)', () => {
    const c = client();
    const one = new ScramServer('SCRAM-SHA-256', store);
    const captured = c.final(one.step(c.first()).response);
    expect(one.step(captured).done).toBe(true);
    const two = new ScramServer('SCRAM-SHA-256', store);
    two.step(c.first());
    expectSaslFailure(() => two.step(captured), 'malformed', /nonce does not match/);
  });

  it('c= must be the base64 of the GS2 header the client sent', () => {
    for (const channelBinding of ['eSws', 'cD10bHMtdW5pcXVlLCw=', '', 'biws=', 'b?ws']) {
      const server = new ScramServer('SCRAM-SHA-256', store);
      const c = client();
      const first = server.step(c.first());
      expectSaslFailure(() => server.step(c.final(first.response, { channelBinding })), 'malformed', /c=/);
    }
  });

  it("'y,,' (client could bind, believes the server cannot) is accepted with c=eSws; 'p=' is refused", () => {
    const server = new ScramServer('SCRAM-SHA-256', store);
    const c = new ScramTestClient('sha256', 'user', 'pencil', 'nonce', 'y,,');
    const final = server.step(c.final(server.step(c.first()).response));
    expect(final.done).toBe(true);
    const binding = new ScramServer('SCRAM-SHA-256', store);
    expectSaslFailure(() => binding.step(Buffer.from('p=tls-unique,,n=user,r=abc')), 'unsupported-feature', /channel binding/);
  });
});

describe('user names and the client-first grammar', () => {
  it("'=2C' and '=3D' unescape to ',' and '=' (the lookup and the principal get the real name)", () => {
    const { final } = exchange('SCRAM-SHA-512', 'a,b=c', 'escaped');
    expect(final.principal).toBe('a,b=c');
    expect(store.lookedUp).toContain('a,b=c');
  });

  it.each([
    ['n,,n=a=41,r=abc', 'malformed', /escaped/],
    ['n,,n=a=,r=abc', 'malformed', /escaped/],
    ['n,,n=,r=abc', 'malformed', /empty/],
    ['n,,r=abc,n=user', 'malformed', /'n='/],
    ['n,,n=user', 'malformed', /too few/],
    ['n,,n=user,r=', 'malformed', /nonce/],
    ['n,,n=user,r=a b', 'malformed', /nonce/],
    ['x,,n=user,r=abc', 'malformed', /GS2/],
    ['n,,m=ext,n=user,r=abc', 'unsupported-feature', /m=/],
    ['n,,n=user,r=abc,tokenauth=true', 'unsupported-feature', /tokenauth/],
    ['n,,n=user,r=abc,x=1', 'unsupported-feature', /extensions/],
    ['n,a=alice,n=user,r=abc', 'unsupported-feature', /authorization id/],
    ['n,b=user,n=user,r=abc', 'malformed', /'a='/],
    ['n,,n=us\0er,r=abc', 'malformed', /NUL/],
  ] as const)('%j → %s', (message, kind, pattern) => {
    expectSaslFailure(() => new ScramServer('SCRAM-SHA-256', store).step(Buffer.from(message)), kind, pattern);
  });

  it('an authorization id equal to the user name is accepted', () => {
    const answer = new ScramServer('SCRAM-SHA-256', store).step(Buffer.from('n,a=user,n=user,r=abc'));
    expect(answer.done).toBe(false);
  });

  it.each([
    ['c=biws,r=abc', /too few/],
    ['c=biws,r=abc,p=AAAA', /proof of 3 bytes/],
    [`c=biws,r=abc,x=1,p=${Buffer.alloc(32).toString('base64')}`, /extensions|nonce/],
    [`r=abc,c=biws,p=${Buffer.alloc(32).toString('base64')}`, /'c='/],
    ['c=biws,r=abc,p=not*base64', /base64/],
  ])('client-final %j is refused', (message, pattern) => {
    const server = new ScramServer('SCRAM-SHA-256', store);
    server.step(Buffer.from('n,,n=user,r=abc'));
    expect(saslFailure(() => server.step(Buffer.from(message))).message).toMatch(pattern);
  });
});

describe('limits and the end of an exchange', () => {
  it('refuses tokens over the limit, invalid UTF-8, and a nonce over its limit', () => {
    const server = () => new ScramServer('SCRAM-SHA-256', store);
    expectSaslFailure(() => server().step(Buffer.alloc(SASL_TOKEN_BYTES_MAX + 1, 0x61)), 'malformed', /exceeds/);
    expectSaslFailure(() => server().step(Buffer.from([0x6e, 0x2c, 0x2c, 0xc3, 0x28])), 'malformed', /UTF-8/);
    expectSaslFailure(() => server().step(Buffer.from(`n,,n=user,r=${'x'.repeat(600)}`)), 'malformed', /nonce exceeds/);
    expectSaslFailure(() => server().step(Buffer.from(`n,,n=${'u'.repeat(513)},r=abc`)), 'malformed', /user name exceeds/);
  });

  it('after success or failure every further step is ILLEGAL_SASL_STATE', () => {
    const server = new ScramServer('SCRAM-SHA-256', store);
    exchange('SCRAM-SHA-256', 'user', 'pencil', server);
    expect(expectSaslFailure(() => server.step(Buffer.from('n,,n=user,r=abc')), 'illegal-state').errorCode).toBe(34);
    const failed = new ScramServer('SCRAM-SHA-256', store);
    expectSaslFailure(() => failed.step(Buffer.from('garbage')), 'malformed');
    expectSaslFailure(() => failed.step(Buffer.from('n,,n=user,r=abc')), 'illegal-state');
  });

  it('a credential of the other mechanism is treated as no credential', () => {
    const sha512 = deriveScramCredential('SCRAM-SHA-512', 'pencil');
    const server = new ScramServer('SCRAM-SHA-256', { scram: () => sha512 });
    expectSaslFailure(() => exchange('SCRAM-SHA-256', 'user', 'pencil', server), 'invalid-credentials');
  });
});
