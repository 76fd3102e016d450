// The in-memory side of an AclStore: every ACL once, by resource type, the listing DescribeAcls answers from and
// the candidates an authorization looks at. Both stores (file, etcd) keep one and change it only after their
// write is durable. Main thread.
import { type AclBinding, aclIdentity, compareAcls } from './acl-binding.js';
import type { ResourceType } from './acl-codes.js';
import { type AclFilter, aclFilterMatches } from './acl-filter.js';
import { resourceMatches } from './acl-rules.js';
import type { AclStore } from './acl-store.js';

export class AclSet {
  /** Resource type → identity → ACL. An authorization scans its type's ACLs (a later index may narrow that). */
  private readonly byType = new Map<ResourceType, Map<string, AclBinding>>();

  get size(): number {
    let size = 0;
    for (const acls of this.byType.values()) size += acls.size;
    return size;
  }

  has(acl: AclBinding): boolean {
    return this.byType.get(acl.resourceType)?.has(aclIdentity(acl)) ?? false;
  }

  add(acl: AclBinding): void {
    const acls = this.byType.get(acl.resourceType) ?? new Map<string, AclBinding>();
    acls.set(aclIdentity(acl), acl);
    this.byType.set(acl.resourceType, acls);
  }

  /** False when the set did not hold it. */
  delete(acl: AclBinding): boolean {
    return this.byType.get(acl.resourceType)?.delete(aclIdentity(acl)) ?? false;
  }

  clear(): void {
    this.byType.clear();
  }

  /** The ACLs `filter` matches (all of them without one), in listing order (compareAcls). */
  list(filter?: AclFilter): AclBinding[] {
    const all = [...this.byType.values()].flatMap((acls) => [...acls.values()]);
    return (filter === undefined ? all : all.filter((acl) => aclFilterMatches(filter, acl))).sort(compareAcls);
  }

  /** The ACLs whose pattern covers the resource: literal of its name or "*", or a prefix of its name. */
  *forResource(resourceType: ResourceType, resourceName: string): IterableIterator<AclBinding> {
    for (const acl of this.byType.get(resourceType)?.values() ?? []) if (resourceMatches(acl, resourceName)) yield acl;
  }
}

/** The reading half of an AclStore, from its AclSet; the file and etcd stores add their writes. */
export abstract class AclSetStore implements Pick<AclStore, 'list' | 'forResource'> {
  constructor(protected readonly acls: AclSet = new AclSet()) {}

  list(filter?: AclFilter): AclBinding[] {
    return this.acls.list(filter);
  }

  forResource(resourceType: ResourceType, resourceName: string): Iterable<AclBinding> {
    return this.acls.forResource(resourceType, resourceName);
  }

  /** Of `acls`, those the set does not hold (what an add writes). */
  protected absent(acls: readonly AclBinding[]): AclBinding[] {
    return acls.filter((acl) => !this.acls.has(acl));
  }
}
