// A cluster's SCRAM credentials (the ScramCredentialStore of src/security/credential-store.ts) in etcd, under
// security/scram/<user>/<mechanism> (etcd-keys.ts): every broker keeps the same in-memory map by following that
// prefix (followed-prefix.ts), and a change is a put or delete that resolves once etcd has it and this broker's
// map shows it (read your writes). Main thread.
import type { Logger } from 'pino';
import type { ScramCredentialInfo, ScramCredentialStore } from '../security/credential-store.js';
import { ScramCredentialMap } from '../security/scram-credential-map.js';
import {
  isScramMechanism,
  parseStoredScramCredential,
  type ScramCredential,
  type ScramMechanism,
  toStoredScramCredential,
} from '../security/scram-credentials.js';
import { parseScramCredentialKey, SCRAM_CREDENTIALS_PREFIX, scramCredentialKey } from './etcd-keys.js';
import { FollowedPrefix, type PrefixFollower } from './followed-prefix.js';
import type { KeyChange, WatchScope } from './prefix-watch.js';

export class EtcdCredentialStore implements ScramCredentialStore {
  private readonly credentials = new ScramCredentialMap();
  private readonly follower: PrefixFollower = { clear: () => this.credentials.clear(), apply: (change) => this.apply(change) };
  private followed!: FollowedPrefix;

  private constructor(private readonly logger: Logger) {}

  /** Reads every credential, then follows changes; resolves once the snapshot is in the map. */
  static async open(etcd: WatchScope, logger: Logger): Promise<EtcdCredentialStore> {
    const store = new EtcdCredentialStore(logger);
    store.followed = await FollowedPrefix.open(etcd, SCRAM_CREDENTIALS_PREFIX, 'SCRAM credentials', store.follower, logger);
    return store;
  }

  scram(user: string, mechanism: ScramMechanism): ScramCredential | undefined {
    return this.credentials.scram(user, mechanism);
  }

  users(): Map<string, ScramCredentialInfo[]> {
    return this.credentials.users();
  }

  async upsert(user: string, credential: ScramCredential): Promise<void> {
    const key = scramCredentialKey(user, credential.mechanism);
    const put = await this.followed.write((ns) =>
      ns
        .put(key)
        .value(JSON.stringify(toStoredScramCredential(credential)))
        .exec(),
    );
    await this.followed.applied(BigInt(put.header.revision));
  }

  async remove(user: string, mechanism: ScramMechanism): Promise<boolean> {
    const deleted = await this.followed.write((ns) => ns.delete().key(scramCredentialKey(user, mechanism)).exec());
    if (Number(deleted.deleted) === 0) return false;
    await this.followed.applied(BigInt(deleted.header.revision));
    return true;
  }

  /** Stops following etcd (before its client closes); waiting changes resolve. */
  close(): Promise<void> {
    return this.followed.close();
  }

  /** One key's change into the map; a key or value that does not decode is logged and counts as no credential. */
  private apply(change: KeyChange): void {
    const named = parseScramCredentialKey(change.key);
    if (named === null) {
      this.logger.warn({ key: change.key }, 'ignored an etcd key under security/scram/ that names no user and mechanism');
      return;
    }
    const { user, mechanism } = named;
    if (change.value === null) {
      if (isScramMechanism(mechanism)) this.credentials.delete(user, mechanism);
      return;
    }
    try {
      const credential = parseStoredScramCredential(JSON.parse(change.value));
      if (credential.mechanism !== mechanism) throw new Error(`holds a ${credential.mechanism} credential`);
      this.credentials.set(user, credential);
    } catch (error) {
      this.logger.warn({ key: change.key, err: (error as Error).message }, 'ignored a SCRAM credential in etcd that does not decode');
      if (isScramMechanism(mechanism)) this.credentials.delete(user, mechanism);
    }
  }
}
