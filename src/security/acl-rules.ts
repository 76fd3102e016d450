// Kafka's authorization rule over ACLs (StandardAuthorizer's): which ACLs cover a resource, which of those apply
// to a principal, host and operation, and the decision: a matching DENY wins, else a matching ALLOW allows, else
// with no ACL on the resource at all `allow.everyone.if.no.acl.found` decides, else denied. Super users are
// checked by the caller (authorizer.ts). Pure; main thread.
import type { AclBinding } from './acl-binding.js';
import { type AclOperation, WILDCARD, WILDCARD_PRINCIPAL } from './acl-codes.js';

/** An ALLOW of these operations also allows DESCRIBE / DESCRIBE_CONFIGS (a DENY implies nothing). */
const IMPLIES_DESCRIBE: ReadonlySet<AclOperation> = new Set(['DESCRIBE', 'READ', 'WRITE', 'DELETE', 'ALTER']);
const IMPLIES_DESCRIBE_CONFIGS: ReadonlySet<AclOperation> = new Set(['DESCRIBE_CONFIGS', 'ALTER_CONFIGS']);

/** Whether `acl`'s pattern covers the resource named `resourceName` of its type. */
export function resourceMatches(acl: AclBinding, resourceName: string): boolean {
  if (acl.patternType === 'PREFIXED') return resourceName.startsWith(acl.resourceName);
  return acl.resourceName === resourceName || acl.resourceName === WILDCARD;
}

/** Whether `acl`, on the resource already, speaks about this operation (ALL speaks about every one). */
function operationMatches(acl: AclBinding, operation: AclOperation): boolean {
  if (acl.operation === 'ALL' || acl.operation === operation) return true;
  if (acl.permissionType === 'DENY') return false;
  if (operation === 'DESCRIBE') return IMPLIES_DESCRIBE.has(acl.operation);
  if (operation === 'DESCRIBE_CONFIGS') return IMPLIES_DESCRIBE_CONFIGS.has(acl.operation);
  return false;
}

export interface AccessRequest {
  principal: string;
  host: string;
  operation: AclOperation;
}

/**
 * The decision over the ACLs that cover the resource (`resourceAcls`, e.g. AclSet.forResource): a DENY that applies
 * wins over any ALLOW; with no ACL on the resource at all, `allowIfNoAclFound`.
 */
export function decide(resourceAcls: Iterable<AclBinding>, access: AccessRequest, allowIfNoAclFound: boolean): boolean {
  let anyAcl = false;
  let allowed = false;
  for (const acl of resourceAcls) {
    anyAcl = true;
    if (acl.principal !== access.principal && acl.principal !== WILDCARD_PRINCIPAL) continue;
    if (acl.host !== WILDCARD && acl.host !== access.host) continue;
    if (!operationMatches(acl, access.operation)) continue;
    if (acl.permissionType === 'DENY') return false;
    allowed = true;
  }
  return anyAcl ? allowed : allowIfNoAclFound;
}
