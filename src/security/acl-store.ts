// The ACLs a broker authorizes against, as a store: synchronous reads from memory (the listing DescribeAcls answers,
// the ACLs covering one resource for an authorization) and the changes CreateAcls and DeleteAcls make (each written
// first, applied once written: a failed write leaves the store as it was). Interface only: a standalone broker's
// store is a file in its metadata dir (src/metadata/acl-file.ts), a cluster's lives in etcd
// (src/cluster/etcd-acl-store.ts). Main thread.
import type { AclBinding } from './acl-binding.js';
import type { ResourceType } from './acl-codes.js';
import type { AclFilter } from './acl-filter.js';

export interface AclStore {
  /** The ACLs `filter` matches (every ACL without one), in listing order. */
  list(filter?: AclFilter): AclBinding[];
  /** The ACLs whose pattern covers this resource (literal of its name or "*", prefixes of its name). */
  forResource(resourceType: ResourceType, resourceName: string): Iterable<AclBinding>;
  /** Adds these ACLs (one already there stays one); resolves once written and applied. */
  add(acls: readonly AclBinding[]): Promise<void>;
  /** Removes these ACLs (one not there is no error); resolves once written and applied. */
  remove(acls: readonly AclBinding[]): Promise<void>;
  close(): Promise<void>;
}
