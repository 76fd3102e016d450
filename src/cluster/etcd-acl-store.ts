// A cluster's ACLs (the AclStore of src/security/acl-store.ts) in etcd, one key per ACL under security/acls/
// (etcd-keys.ts): every broker keeps the same AclSet by following that prefix (followed-prefix.ts); an add or a
// removal is one etcd transaction of puts or deletes that resolves once etcd has it and this broker's set shows it
// (read your writes). Main thread.
import type { Logger } from 'pino';
import { type AclBinding, parseStoredAcl, toStoredAcl } from '../security/acl-binding.js';
import { AclSetStore } from '../security/acl-set.js';
import type { AclStore } from '../security/acl-store.js';
import { ACLS_PREFIX, aclKey } from './etcd-keys.js';
import { FollowedPrefix, type PrefixFollower } from './followed-prefix.js';
import type { KeyChange, WatchScope } from './prefix-watch.js';

export class EtcdAclStore extends AclSetStore implements AclStore {
  /** Key → ACL, so a deleted key (which carries no value) finds the ACL it held. */
  private readonly byKey = new Map<string, AclBinding>();
  private readonly follower: PrefixFollower = {
    clear: () => {
      this.acls.clear();
      this.byKey.clear();
    },
    apply: (change) => this.apply(change),
  };
  private followed!: FollowedPrefix;

  private constructor(private readonly logger: Logger) {
    super();
  }

  /** Reads every ACL, then follows changes; resolves once the snapshot is in the set. */
  static async open(etcd: WatchScope, logger: Logger): Promise<EtcdAclStore> {
    const store = new EtcdAclStore(logger);
    store.followed = await FollowedPrefix.open(etcd, ACLS_PREFIX, 'ACLs', store.follower, logger);
    return store;
  }

  async add(acls: readonly AclBinding[]): Promise<void> {
    const fresh = this.absent(acls);
    if (fresh.length === 0) return;
    await this.transaction((ns) => fresh.map((acl) => ns.put(aclKey(acl)).value(JSON.stringify(toStoredAcl(acl)))));
  }

  async remove(acls: readonly AclBinding[]): Promise<void> {
    const present = acls.filter((acl) => this.acls.has(acl));
    if (present.length === 0) return;
    await this.transaction((ns) => present.map((acl) => ns.delete().key(aclKey(acl))));
  }

  /** Stops following etcd (before its client closes); waiting changes resolve. */
  close(): Promise<void> {
    return this.followed.close();
  }

  /** The operations in one transaction (its condition, a key's version > -1, always holds), then read-your-writes. */
  private async transaction(operations: (ns: WatchScope['ns']) => Parameters<ReturnType<WatchScope['ns']['if']>['then']>): Promise<void> {
    const result = await this.followed.write((ns) =>
      ns
        .if(ACLS_PREFIX, 'Version', '>', -1)
        .then(...operations(ns))
        .commit(),
    );
    await this.followed.applied(BigInt(result.header.revision));
  }

  /** One key's change into the set; a value that does not decode, or is not its key's ACL, is logged and ignored. */
  private apply(change: KeyChange): void {
    const previous = this.byKey.get(change.key);
    if (previous !== undefined) {
      this.acls.delete(previous);
      this.byKey.delete(change.key);
    }
    if (change.value === null) return;
    try {
      const acl = parseStoredAcl(JSON.parse(change.value));
      if (aclKey(acl) !== change.key) throw new Error('is not the ACL its key names');
      this.acls.add(acl);
      this.byKey.set(change.key, acl);
    } catch (error) {
      this.logger.warn({ key: change.key, err: (error as Error).message }, 'ignored an ACL in etcd that does not decode');
    }
  }
}
