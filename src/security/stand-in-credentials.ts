// Stand-in SCRAM credentials for users that do not exist: derived from a secret key and the user name, so an
// unknown user gets the same salt and iterations on every attempt and a server-first shaped like a real one
// (RFC 5802 §5.1: user existence must not leak). Main thread.
import { createHmac, randomBytes } from 'node:crypto';
import { SCRAM_ITERATIONS_DEFAULT, SCRAM_SALT_BYTES_DEFAULT } from './sasl-limits.js';
import { type ScramCredential, type ScramMechanism, scramHashBytes } from './scram-credentials.js';

/** Key for brokers that pass none: stand-ins are stable for the life of the process. */
const processKey = randomBytes(32);

export class StandInCredentials {
  /** `key`: a secret; brokers sharing it (and restarts keeping it) answer an unknown user alike. */
  constructor(private readonly key: Buffer = processKey) {}

  /** Salt and iterations like a default real credential; keys that no password matches in practice. */
  for(user: string, mechanism: ScramMechanism): ScramCredential {
    const bytes = (label: string, length: number): Buffer =>
      createHmac('sha512', this.key).update(`${label}\0${mechanism}\0${user}`).digest().subarray(0, length);
    const keyBytes = scramHashBytes(mechanism);
    return {
      mechanism,
      salt: bytes('salt', SCRAM_SALT_BYTES_DEFAULT),
      iterations: SCRAM_ITERATIONS_DEFAULT,
      storedKey: bytes('stored-key', keyBytes),
      serverKey: bytes('server-key', keyBytes),
    };
  }
}
