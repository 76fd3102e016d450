// An in-memory AclStore for tests of the authorizer: an AclSet, changed at once. Test helper only.
import type { AclBinding } from '../../src/security/acl-binding.js';
import { AclSet } from '../../src/security/acl-set.js';
import type { AclStore } from '../../src/security/acl-store.js';

export function memoryAclStore(initial: readonly AclBinding[] = []): AclStore {
  const acls = new AclSet();
  for (const acl of initial) acls.add(acl);
  return {
    list: (filter) => acls.list(filter),
    forResource: (resourceType, resourceName) => acls.forResource(resourceType, resourceName),
    add: async (added) => {
      for (const acl of added) acls.add(acl);
    },
    remove: async (removed) => {
      for (const acl of removed) acls.delete(acl);
    },
    close: async () => {},
  };
}
