// The broker's authorizer (ctx.authorizer): Kafka's Authorizer decision — super users always allowed, then the ACL
// rule of acl-rules.ts over the ACLs of an AclStore — and the ACL listing and changes the *Acls APIs make. "Off"
// (authorizer.class.name empty, the default) allows everything and answers the ACL APIs SECURITY_DISABLED, as
// Kafka does without an authorizer. Main thread.
import { ErrorCode, KafkaError } from '../shared/kafka-error-codes.js';
import type { AclBinding } from './acl-binding.js';
import type { AclOperation, ResourceType } from './acl-codes.js';
import { ACL_FILTER_ANY, type AclFilter, aclFilterMatches } from './acl-filter.js';
import { decide } from './acl-rules.js';
import type { AclStore } from './acl-store.js';

/** The authorizer.class.name values Fjord accepts: Kafka's two ACL authorizers, both served by this one. */
export const AUTHORIZER_CLASS_NAMES = ['org.apache.kafka.metadata.authorizer.StandardAuthorizer', 'kafka.security.authorizer.AclAuthorizer'] as const;

export interface Authorizer {
  /** Whether `principal` ("User:alice") connected from `host` (an IP) may do `operation` on the resource. */
  authorize(principal: string, host: string, operation: AclOperation, resourceType: ResourceType, resourceName: string): boolean;
}

export interface AuthorizerSettings {
  /** super.users: principals allowed everything, compared as written ("User:admin"). */
  superUsers: readonly string[];
  /** allow.everyone.if.no.acl.found: the decision for a resource no ACL covers. */
  allowEveryoneIfNoAclFound: boolean;
}

export const SECURITY_DISABLED_MESSAGE = 'No Authorizer is configured on the broker (authorizer.class.name is empty)';

export class AclAuthorizer implements Authorizer {
  private readonly superUsers: ReadonlySet<string>;

  /** `store` null: the authorizer is off. */
  private constructor(
    private readonly store: AclStore | null,
    private readonly settings: AuthorizerSettings,
  ) {
    this.superUsers = new Set(settings.superUsers);
  }

  /** No authorizer: everything is allowed, the ACL operations throw SECURITY_DISABLED. */
  static off(): AclAuthorizer {
    return new AclAuthorizer(null, { superUsers: [], allowEveryoneIfNoAclFound: true });
  }

  static over(store: AclStore, settings: AuthorizerSettings): AclAuthorizer {
    return new AclAuthorizer(store, settings);
  }

  get enabled(): boolean {
    return this.store !== null;
  }

  authorize(principal: string, host: string, operation: AclOperation, resourceType: ResourceType, resourceName: string): boolean {
    if (this.store === null || this.superUsers.has(principal)) return true;
    return decide(this.store.forResource(resourceType, resourceName), { principal, host, operation }, this.settings.allowEveryoneIfNoAclFound);
  }

  /** The ACLs `filter` matches, in listing order. */
  acls(filter: AclFilter = ACL_FILTER_ANY): AclBinding[] {
    return this.enabledStore().list(filter);
  }

  /** Adds checked ACLs (acl-binding.ts's checkAclBinding); creating one that exists succeeds and changes nothing. */
  async create(acls: readonly AclBinding[]): Promise<void> {
    const store = this.enabledStore();
    if (acls.length > 0) await store.add(acls);
  }

  /** Removes every ACL any filter matches, in one change; per filter the ACLs it matched, as DeleteAcls answers. */
  async delete(filters: readonly AclFilter[]): Promise<AclBinding[][]> {
    const store = this.enabledStore();
    const all = store.list();
    const matched = filters.map((filter) => all.filter((acl) => aclFilterMatches(filter, acl)));
    const removed = [...new Set(matched.flat())];
    if (removed.length > 0) await store.remove(removed);
    return matched;
  }

  async close(): Promise<void> {
    await this.store?.close();
  }

  private enabledStore(): AclStore {
    if (this.store === null) throw new KafkaError(ErrorCode.SECURITY_DISABLED, SECURITY_DISABLED_MESSAGE);
    return this.store;
  }
}
