// SCRAM credentials: derivation against RFC 7677's example keys, defaults (random 32-byte salt, 4096
// iterations), the JSON form round trip (no password in it), and every way a loaded credential is refused.
import { describe, expect, it } from 'vitest';
import {
  checkScramCredential,
  deriveScramCredential,
  parseStoredScramCredential,
  passwordMatches,
  ScramCredentialError,
  toStoredScramCredential,
} from '../../src/security/scram-credentials.js';

const rfcSalt = Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64');

function refusal(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ScramCredentialError);
    return (error as Error).message;
  }
  throw new Error('expected a ScramCredentialError');
}

describe('deriving', () => {
  it("gives RFC 7677's keys for 'pencil' (its proof and signature check out in scram-server.test.ts)", () => {
    const credential = deriveScramCredential('SCRAM-SHA-256', 'pencil', { salt: rfcSalt, iterations: 4096 });
    expect(credential.storedKey.toString('base64')).toBe('WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY=');
    expect(credential.serverKey.toString('base64')).toBe('wfPLwcE6nTWhTAmQ7tl2KeoiWGPlZqQxSrmfPwDl2dU=');
  });

  it.each([
    ['SCRAM-SHA-256', 32],
    ['SCRAM-SHA-512', 64],
  ] as const)('%s: a random 32-byte salt, 4096 iterations, %i-byte keys; two derivations differ', (mechanism, keyBytes) => {
    const one = deriveScramCredential(mechanism, 'secret');
    const two = deriveScramCredential(mechanism, 'secret');
    expect([one.salt.length, one.iterations, one.storedKey.length, one.serverKey.length]).toEqual([32, 4096, keyBytes, keyBytes]);
    expect(one.salt.equals(two.salt)).toBe(false);
    expect(passwordMatches(one, Buffer.from('secret'))).toBe(true);
    expect(passwordMatches(one, Buffer.from('Secret'))).toBe(false);
  });

  it('refuses an empty password, a short salt and iterations out of range', () => {
    expect(refusal(() => deriveScramCredential('SCRAM-SHA-256', ''))).toMatch(/password is empty/);
    expect(refusal(() => deriveScramCredential('SCRAM-SHA-256', 'p', { salt: Buffer.alloc(15) }))).toMatch(/salt of 15 bytes/);
    expect(refusal(() => deriveScramCredential('SCRAM-SHA-256', 'p', { iterations: 4095 }))).toMatch(/4095 iterations/);
    expect(refusal(() => deriveScramCredential('SCRAM-SHA-512', 'p', { iterations: 16385 }))).toMatch(/4096-16384/);
    expect(deriveScramCredential('SCRAM-SHA-512', 'p', { iterations: 16384 }).iterations).toBe(16384);
  });
});

describe('the stored form', () => {
  it('round-trips through JSON and holds only salt, iterations and the two keys', () => {
    const credential = deriveScramCredential('SCRAM-SHA-512', 'hunter2', { iterations: 8192 });
    const json = JSON.stringify(toStoredScramCredential(credential));
    expect(Object.keys(JSON.parse(json)).sort()).toEqual(['iterations', 'mechanism', 'salt', 'serverKey', 'storedKey']);
    expect(json).not.toContain('hunter2');
    expect(parseStoredScramCredential(JSON.parse(json))).toEqual(credential);
  });

  const good = toStoredScramCredential(deriveScramCredential('SCRAM-SHA-256', 'pencil', { salt: rfcSalt }));
  it.each([
    ['not an object', null, /not an object/],
    ['an unknown mechanism', { ...good, mechanism: 'SCRAM-SHA-1' }, /mechanism must be one of/],
    ['iterations as a string', { ...good, iterations: '4096' }, /iterations is not a number/],
    ['too few iterations', { ...good, iterations: 1000 }, /1000 iterations/],
    ['fractional iterations', { ...good, iterations: 4096.5 }, /4096.5 iterations/],
    ['a salt that is not base64', { ...good, salt: 'W22Z*J0SNY7soEsUEjb6gQ==' }, /salt is not a base64/],
    ['a salt too short', { ...good, salt: Buffer.alloc(8).toString('base64') }, /salt of 8 bytes/],
    ['a storedKey of SHA-512 length', { ...good, storedKey: Buffer.alloc(64).toString('base64') }, /storedKey of 64 bytes, expected 32/],
    ['a missing serverKey', { ...good, serverKey: undefined }, /serverKey is not a base64/],
  ])('refuses %s', (_, value, message) => {
    expect(refusal(() => parseStoredScramCredential(value))).toMatch(message);
  });

  it('checkScramCredential passes a good credential through', () => {
    const credential = parseStoredScramCredential(good);
    expect(checkScramCredential(credential)).toBe(credential);
  });
});
