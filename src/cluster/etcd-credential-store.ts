// A cluster's SCRAM credentials (the ScramCredentialStore of src/security/credential-store.ts) in etcd, under
// security/scram/<user>/<mechanism> (etcd-keys.ts): every broker keeps the same in-memory map by a snapshot-then-
// watch of that prefix, and a change is a put or delete that resolves once etcd has it and this broker's map shows
// it (read your writes). Main thread.
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
import { ErrorCode, KafkaError } from '../shared/kafka-error-codes.js';
import { ETCD_RETRY_MS } from './etcd-deadline.js';
import { parseScramCredentialKey, SCRAM_CREDENTIALS_PREFIX, scramCredentialKey } from './etcd-keys.js';
import { type KeyChange, type PrefixWatch, type WatchScope, watchPrefix } from './prefix-watch.js';

/** How long a change waits at most for the watch to bring it back here (it is in etcd either way). */
const APPLY_WAIT_MS = 5_000;

export class EtcdCredentialStore implements ScramCredentialStore {
  private readonly credentials = new ScramCredentialMap();
  private watch: PrefixWatch | null = null;
  /** The etcd revision the map reflects: the snapshot's, then each change's as it arrives. */
  private appliedRevision = 0n;
  private readonly waiters = new Set<{ revision: bigint; resolve: () => void }>();
  private closed = false;

  private constructor(
    private readonly etcd: WatchScope,
    private readonly logger: Logger,
  ) {}

  /** Reads every credential, then follows changes; resolves once the snapshot is in the map. */
  static async open(etcd: WatchScope, logger: Logger): Promise<EtcdCredentialStore> {
    const store = new EtcdCredentialStore(etcd, logger);
    store.watch = await store.startWatch();
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
    const put = await this.etcdCall(() =>
      this.etcd.ns
        .put(key)
        .value(JSON.stringify(toStoredScramCredential(credential)))
        .exec(),
    );
    await this.applied(BigInt(put.header.revision));
  }

  async remove(user: string, mechanism: ScramMechanism): Promise<boolean> {
    const deleted = await this.etcdCall(() => this.etcd.ns.delete().key(scramCredentialKey(user, mechanism)).exec());
    if (Number(deleted.deleted) === 0) return false;
    await this.applied(BigInt(deleted.header.revision));
    return true;
  }

  /** Stops following etcd (before its client closes); waiting changes resolve. */
  async close(): Promise<void> {
    this.closed = true;
    for (const waiter of this.waiters) waiter.resolve();
    this.waiters.clear();
    await this.watch?.cancel();
  }

  private async etcdCall<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      throw new KafkaError(
        ErrorCode.REQUEST_TIMED_OUT,
        `etcd did not take the credential change (${(error as Error).message.split('\n')[0]}); nothing was changed`,
      );
    }
  }

  /** Resolves once the map reflects `revision`, or after APPLY_WAIT_MS (a watch being restarted). */
  private applied(revision: bigint): Promise<void> {
    if (this.appliedRevision >= revision || this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      const waiter = {
        revision,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        resolve();
      }, APPLY_WAIT_MS);
      this.waiters.add(waiter);
    });
  }

  private reached(revision: bigint): void {
    this.appliedRevision = revision;
    for (const waiter of this.waiters) {
      if (waiter.revision > revision) continue;
      this.waiters.delete(waiter);
      waiter.resolve();
    }
  }

  private startWatch(): Promise<PrefixWatch> {
    return watchPrefix(this.etcd, SCRAM_CREDENTIALS_PREFIX, {
      onSnapshot: (snapshot, revision) => {
        this.credentials.clear();
        for (const change of snapshot) this.apply(change);
        this.reached(revision);
      },
      onChanges: (changes) => {
        for (const change of changes) this.apply(change);
        this.reached(changes[changes.length - 1]!.modRevision);
      },
      onError: (error) => void this.watchAgain(error),
    });
  }

  /** The watch ended (e.g. its revision was compacted): read the snapshot again, retrying while etcd is away. */
  private async watchAgain(error: Error): Promise<void> {
    this.logger.warn({ err: error.message }, 'the watch of SCRAM credentials in etcd ended; reading them again');
    while (!this.closed) {
      try {
        const watch = await this.startWatch();
        if (this.closed) await watch.cancel();
        else this.watch = watch;
        return;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, ETCD_RETRY_MS));
      }
    }
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
