// A standalone broker's SCRAM credentials (the ScramCredentialStore of src/security/credential-store.ts): one JSON
// file in the metadata dir, read and checked at start-up, replaced atomically on every change before the in-memory
// map changes (a failed write leaves both as they were). Main thread.
//
// File `fjord-scram-credentials.json` in the metadata dir (the first log dir), mode 0600:
//   { "version": 1, "users": { "<user>": [ { "mechanism": "SCRAM-SHA-256", "salt": "<base64>", "iterations": 4096,
//                                            "storedKey": "<base64>", "serverKey": "<base64>" }, ... ] } }
// Only the salted form is kept (scram-credentials.ts's StoredScramCredential): never a password or SaltedPassword.
// No file: no users yet (it is first written by the first change).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ScramCredentialInfo, ScramCredentialStore } from '../security/credential-store.js';
import { ScramCredentialMap } from '../security/scram-credential-map.js';
import {
  parseStoredScramCredential,
  type ScramCredential,
  type ScramMechanism,
  type StoredScramCredential,
  toStoredScramCredential,
} from '../security/scram-credentials.js';
import { writeFileAtomicSync } from '../shared/atomic-file.js';
import { ErrorCode, KafkaError } from '../shared/kafka-error-codes.js';

export const SCRAM_CREDENTIALS_FILE = 'fjord-scram-credentials.json';
/** Owner read/write only: storedKey and serverKey allow an offline guess at a password. */
const FILE_MODE = 0o600;

/** Replaces the file atomically (or throws, leaving the old one). The seam fault tests fail. */
export type CredentialFileWriter = (path: string, text: string) => void;

interface CredentialFile {
  version: 1;
  users: Record<string, StoredScramCredential[]>;
}

export class ScramCredentialFile implements ScramCredentialStore {
  private constructor(
    private readonly path: string,
    private readonly writeFile: CredentialFileWriter,
    private readonly credentials: ScramCredentialMap,
  ) {}

  /** Loads `dir`'s credential file (none: no users). A file that does not read back whole throws one line naming it. */
  static open(dir: string, writeFile: CredentialFileWriter = (path, text) => writeFileAtomicSync(path, text, FILE_MODE)): ScramCredentialFile {
    const path = join(dir, SCRAM_CREDENTIALS_FILE);
    return new ScramCredentialFile(path, writeFile, existsSync(path) ? readCredentialFile(path) : new ScramCredentialMap());
  }

  scram(user: string, mechanism: ScramMechanism): ScramCredential | undefined {
    return this.credentials.scram(user, mechanism);
  }

  users(): Map<string, ScramCredentialInfo[]> {
    return this.credentials.users();
  }

  async upsert(user: string, credential: ScramCredential): Promise<void> {
    this.write(user, credential.mechanism, credential);
    this.credentials.set(user, credential);
  }

  async remove(user: string, mechanism: ScramMechanism): Promise<boolean> {
    if (this.credentials.scram(user, mechanism) === undefined) return false;
    this.write(user, mechanism, null);
    return this.credentials.delete(user, mechanism);
  }

  /** Nothing to release: every change is on disk once it resolved. */
  async close(): Promise<void> {}

  /** Writes the file as it will be once `user`'s `mechanism` is `next` (null: removed); throws KAFKA_STORAGE_ERROR. */
  private write(user: string, mechanism: ScramMechanism, next: ScramCredential | null): void {
    const users: Record<string, StoredScramCredential[]> = {};
    const add = (name: string, credential: ScramCredential) => {
      users[name] = [...(users[name] ?? []), toStoredScramCredential(credential)];
    };
    for (const [name, credential] of this.credentials.entries()) if (name !== user || credential.mechanism !== mechanism) add(name, credential);
    if (next !== null) add(user, next);
    const file: CredentialFile = { version: 1, users };
    try {
      this.writeFile(this.path, `${JSON.stringify(file, null, 2)}\n`);
    } catch (error) {
      throw new KafkaError(
        ErrorCode.KAFKA_STORAGE_ERROR,
        `SCRAM credential file ${this.path} could not be written (${(error as Error).message}); nothing was changed`,
      );
    }
  }
}

/** The file's credentials, checked one by one; anything else is an Error naming the file and what is wrong. */
function readCredentialFile(path: string): ScramCredentialMap {
  const corrupt = (what: string) => new Error(`SCRAM credential file ${path} ${what}; restore it, or move it away to start with no users`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw corrupt(`is unreadable (${(error as Error).message.split('\n')[0]})`);
  }
  const file = parsed as Partial<CredentialFile> | null;
  if (typeof file !== 'object' || file === null || file.version !== 1 || typeof file.users !== 'object' || file.users === null) {
    throw corrupt('is not a Fjord credential file of version 1');
  }
  const credentials = new ScramCredentialMap();
  for (const [user, stored] of Object.entries(file.users)) {
    if (user === '' || !Array.isArray(stored)) throw corrupt(`has a bad entry for user ${JSON.stringify(user)}`);
    for (const value of stored) {
      let credential: ScramCredential;
      try {
        credential = parseStoredScramCredential(value);
      } catch (error) {
        throw corrupt(`has a bad credential for user ${JSON.stringify(user)} (${(error as Error).message})`);
      }
      if (credentials.scram(user, credential.mechanism) !== undefined) throw corrupt(`lists ${credential.mechanism} twice for user ${JSON.stringify(user)}`);
      credentials.set(user, credential);
    }
  }
  return credentials;
}
