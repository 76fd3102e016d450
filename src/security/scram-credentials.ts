// SCRAM credentials (RFC 5802 §3, RFC 7677): deriving salt, storedKey and serverKey from a password, their
// stored JSON form, and checking one loaded from a file or etcd. Main thread. The password is never kept.
//
//   SaltedPassword = PBKDF2-HMAC-H(password, salt, iterations)   (H = SHA-256 or SHA-512)
//   StoredKey      = H(HMAC(SaltedPassword, "Client Key"))
//   ServerKey      = HMAC(SaltedPassword, "Server Key")
import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';
import { decodeCanonicalBase64 } from './base64.js';
import {
  SCRAM_ITERATIONS_DEFAULT,
  SCRAM_ITERATIONS_MAX,
  SCRAM_ITERATIONS_MIN,
  SCRAM_SALT_BYTES_DEFAULT,
  SCRAM_SALT_BYTES_MAX,
  SCRAM_SALT_BYTES_MIN,
} from './sasl-limits.js';

export const SCRAM_MECHANISMS = ['SCRAM-SHA-256', 'SCRAM-SHA-512'] as const;
export type ScramMechanism = (typeof SCRAM_MECHANISMS)[number];

const hashes: Record<ScramMechanism, { algorithm: 'sha256' | 'sha512'; bytes: number }> = {
  'SCRAM-SHA-256': { algorithm: 'sha256', bytes: 32 },
  'SCRAM-SHA-512': { algorithm: 'sha512', bytes: 64 },
};

/** What a server keeps for one user and mechanism: enough to verify a proof, not to compute one. */
export interface ScramCredential {
  readonly mechanism: ScramMechanism;
  readonly salt: Buffer;
  readonly iterations: number;
  readonly storedKey: Buffer;
  readonly serverKey: Buffer;
}

/** The JSON form of a ScramCredential (binary fields base64), for a file or an etcd value. */
export interface StoredScramCredential {
  mechanism: ScramMechanism;
  salt: string;
  iterations: number;
  storedKey: string;
  serverKey: string;
}

/** A credential that cannot be derived or loaded: an operator's or a store's problem, not a client's. */
export class ScramCredentialError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ScramCredentialError';
  }
}

/** Kafka's ScramMechanism type numbers, as Describe/AlterUserScramCredentials carry them (0 = UNKNOWN). */
const MECHANISM_TYPES: Record<ScramMechanism, number> = { 'SCRAM-SHA-256': 1, 'SCRAM-SHA-512': 2 };

export function scramMechanismType(mechanism: ScramMechanism): number {
  return MECHANISM_TYPES[mechanism];
}

/** The mechanism of a Kafka type number, or undefined for one Kafka does not know. */
export function scramMechanismOfType(type: number): ScramMechanism | undefined {
  return SCRAM_MECHANISMS.find((mechanism) => MECHANISM_TYPES[mechanism] === type);
}

export function isScramMechanism(name: string): name is ScramMechanism {
  return (SCRAM_MECHANISMS as readonly string[]).includes(name);
}

/** Bytes of the mechanism's hash output: the length of storedKey, serverKey, proofs and signatures. */
export function scramHashBytes(mechanism: ScramMechanism): number {
  return hashes[mechanism].bytes;
}

export function scramHmac(mechanism: ScramMechanism, key: Buffer, data: string | Buffer): Buffer {
  return createHmac(hashes[mechanism].algorithm, key).update(data).digest();
}

export function scramHash(mechanism: ScramMechanism, data: Buffer): Buffer {
  return createHash(hashes[mechanism].algorithm).update(data).digest();
}

/** SaltedPassword = PBKDF2-HMAC-H(password, salt, iterations): what a client computes, and AlterUserScramCredentials carries. */
export function scramSaltedPassword(mechanism: ScramMechanism, password: Buffer, salt: Buffer, iterations: number): Buffer {
  const { algorithm, bytes } = hashes[mechanism];
  return pbkdf2Sync(password, salt, iterations, bytes, algorithm);
}

/** storedKey and serverKey of a SaltedPassword (AlterUserScramCredentials sends one instead of the password). */
export function scramKeysOf(mechanism: ScramMechanism, saltedPassword: Buffer): { storedKey: Buffer; serverKey: Buffer } {
  const storedKey = scramHash(mechanism, scramHmac(mechanism, saltedPassword, 'Client Key'));
  const serverKey = scramHmac(mechanism, saltedPassword, 'Server Key');
  return { storedKey, serverKey };
}

/** storedKey and serverKey of `password` (UTF-8 bytes) under this salt and iteration count. */
function keysOf(mechanism: ScramMechanism, password: Buffer, salt: Buffer, iterations: number): { storedKey: Buffer; serverKey: Buffer } {
  const salted = scramSaltedPassword(mechanism, password, salt, iterations);
  const keys = scramKeysOf(mechanism, salted);
  salted.fill(0);
  return keys;
}

/**
 * A new credential for `password` (a string, or its UTF-8 bytes); salt defaults to SCRAM_SALT_BYTES_DEFAULT
 * random bytes, iterations to SCRAM_ITERATIONS_DEFAULT. Throws ScramCredentialError for an empty password or
 * a salt or iteration count out of range.
 */
export function deriveScramCredential(
  mechanism: ScramMechanism,
  password: string | Buffer,
  options: { salt?: Buffer; iterations?: number } = {},
): ScramCredential {
  const passwordBytes = typeof password === 'string' ? Buffer.from(password, 'utf8') : password;
  if (passwordBytes.length === 0) throw new ScramCredentialError(`${mechanism} credential: the password is empty`);
  const salt = Buffer.from(options.salt ?? randomBytes(SCRAM_SALT_BYTES_DEFAULT));
  const iterations = options.iterations ?? SCRAM_ITERATIONS_DEFAULT;
  checkSaltAndIterations(mechanism, salt, iterations);
  return { mechanism, salt, iterations, ...keysOf(mechanism, passwordBytes, salt, iterations) };
}

/**
 * The credential of a SaltedPassword a client computed (AlterUserScramCredentials' upsertion): its salt and
 * iterations as sent, the keys derived here. Throws ScramCredentialError for a salt, iteration count or
 * SaltedPassword length (the mechanism's hash output) that does not fit.
 */
export function scramCredentialFromSaltedPassword(mechanism: ScramMechanism, saltedPassword: Buffer, salt: Buffer, iterations: number): ScramCredential {
  checkSaltAndIterations(mechanism, salt, iterations);
  const bytes = scramHashBytes(mechanism);
  if (saltedPassword.length !== bytes) {
    throw new ScramCredentialError(`${mechanism} credential: salted password of ${saltedPassword.length} bytes, expected ${bytes}`);
  }
  return { mechanism, salt: Buffer.from(salt), iterations, ...scramKeysOf(mechanism, saltedPassword) };
}

/** Whether `password` (UTF-8 bytes) is the one `credential` was derived from; constant-time compare. */
export function passwordMatches(credential: ScramCredential, password: Buffer): boolean {
  const { storedKey } = keysOf(credential.mechanism, password, credential.salt, credential.iterations);
  return timingSafeEqual(storedKey, credential.storedKey);
}

export function toStoredScramCredential(credential: ScramCredential): StoredScramCredential {
  const { mechanism, salt, iterations, storedKey, serverKey } = credential;
  return { mechanism, salt: salt.toString('base64'), iterations, storedKey: storedKey.toString('base64'), serverKey: serverKey.toString('base64') };
}

function checkSaltAndIterations(mechanism: ScramMechanism, salt: Buffer, iterations: number): void {
  if (salt.length < SCRAM_SALT_BYTES_MIN || salt.length > SCRAM_SALT_BYTES_MAX) {
    throw new ScramCredentialError(`${mechanism} credential: salt of ${salt.length} bytes, expected ${SCRAM_SALT_BYTES_MIN}-${SCRAM_SALT_BYTES_MAX}`);
  }
  if (!Number.isInteger(iterations) || iterations < SCRAM_ITERATIONS_MIN || iterations > SCRAM_ITERATIONS_MAX) {
    throw new ScramCredentialError(`${mechanism} credential: ${iterations} iterations, expected an integer in ${SCRAM_ITERATIONS_MIN}-${SCRAM_ITERATIONS_MAX}`);
  }
}

/** Throws ScramCredentialError unless salt, iterations and key lengths fit the mechanism. */
export function checkScramCredential(credential: ScramCredential): ScramCredential {
  const { mechanism } = credential;
  if (!isScramMechanism(mechanism)) throw new ScramCredentialError(`unknown SCRAM mechanism ${JSON.stringify(mechanism)}`);
  checkSaltAndIterations(mechanism, credential.salt, credential.iterations);
  const bytes = scramHashBytes(mechanism);
  for (const key of ['storedKey', 'serverKey'] as const) {
    if (credential[key].length !== bytes) {
      throw new ScramCredentialError(`${mechanism} credential: ${key} of ${credential[key].length} bytes, expected ${bytes}`);
    }
  }
  return credential;
}

function base64Field(value: Record<string, unknown>, name: string): Buffer {
  const text = value[name];
  const bytes = typeof text === 'string' ? decodeCanonicalBase64(text) : undefined;
  if (bytes === undefined) throw new ScramCredentialError(`SCRAM credential: ${name} is not a base64 string`);
  return bytes;
}

/** A credential read back from its JSON form (e.g. `JSON.parse` of a file), checked; ScramCredentialError if not. */
export function parseStoredScramCredential(value: unknown): ScramCredential {
  if (typeof value !== 'object' || value === null) throw new ScramCredentialError('SCRAM credential: not an object');
  const fields = value as Record<string, unknown>;
  const { mechanism, iterations } = fields;
  if (typeof mechanism !== 'string' || !isScramMechanism(mechanism)) {
    throw new ScramCredentialError(`SCRAM credential: mechanism must be one of ${SCRAM_MECHANISMS.join(', ')}`);
  }
  if (typeof iterations !== 'number') throw new ScramCredentialError('SCRAM credential: iterations is not a number');
  const salt = base64Field(fields, 'salt');
  return checkScramCredential({ mechanism, salt, iterations, storedKey: base64Field(fields, 'storedKey'), serverKey: base64Field(fields, 'serverKey') });
}
