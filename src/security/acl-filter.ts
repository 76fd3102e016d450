// An ACL filter (Kafka's AclBindingFilter), what DescribeAcls and DeleteAcls send: each field a value or "any",
// and a pattern filter that may MATCH, i.e. select every ACL that would apply to one resource. Decoding from
// Kafka's codes (INVALID_REQUEST for an unknown code) and Kafka's matching rule. Pure; main thread.
import { ErrorCode, KafkaError } from '../shared/kafka-error-codes.js';
import type { AclBinding } from './acl-binding.js';
import {
  ACL_OPERATIONS,
  type AclOperation,
  ANY_CODE,
  MATCH_CODE,
  nameOfCode,
  PATTERN_TYPES,
  type PatternType,
  PERMISSION_TYPES,
  type PermissionType,
  RESOURCE_TYPES,
  type ResourceType,
  WILDCARD,
} from './acl-codes.js';

/** null and 'ANY' match every value. */
export interface AclFilter {
  resourceType: ResourceType | 'ANY';
  resourceName: string | null;
  patternType: PatternType | 'ANY' | 'MATCH';
  principal: string | null;
  host: string | null;
  operation: AclOperation | 'ANY';
  permissionType: PermissionType | 'ANY';
}

/** A filter as the wire carries it (DescribeAcls' request, a DeleteAcls filter). */
export interface AclFilterCodes {
  resourceTypeFilter: number;
  resourceNameFilter: string | null;
  patternTypeFilter: number;
  principalFilter: string | null;
  hostFilter: string | null;
  operation: number;
  permissionType: number;
}

export const ACL_FILTER_ANY: Readonly<AclFilter> = Object.freeze({
  resourceType: 'ANY',
  resourceName: null,
  patternType: 'ANY',
  principal: null,
  host: null,
  operation: 'ANY',
  permissionType: 'ANY',
});

function filterValue<T extends Record<string, number>>(table: T, code: number, what: string, extra: Record<string, number> = {}): keyof T | string {
  if (code === ANY_CODE) return 'ANY';
  for (const [name, value] of Object.entries(extra)) if (value === code) return name;
  const name = nameOfCode(table, code);
  if (name === undefined) throw new KafkaError(ErrorCode.INVALID_REQUEST, `Unknown ${what} ${code} in the ACL filter`);
  return name;
}

/** The wire filter decoded; INVALID_REQUEST for a code Fjord does not know (Kafka's UNKNOWN). */
export function aclFilterOfCodes(codes: AclFilterCodes): AclFilter {
  return {
    resourceType: filterValue(RESOURCE_TYPES, codes.resourceTypeFilter, 'resource type') as AclFilter['resourceType'],
    resourceName: codes.resourceNameFilter,
    patternType: filterValue(PATTERN_TYPES, codes.patternTypeFilter, 'pattern type', { MATCH: MATCH_CODE }) as AclFilter['patternType'],
    principal: codes.principalFilter,
    host: codes.hostFilter,
    operation: filterValue(ACL_OPERATIONS, codes.operation, 'operation') as AclFilter['operation'],
    permissionType: filterValue(PERMISSION_TYPES, codes.permissionType, 'permission type') as AclFilter['permissionType'],
  };
}

export function aclFilterCodes(filter: AclFilter): AclFilterCodes {
  const code = (table: Record<string, number>, name: string) => (name === 'ANY' ? ANY_CODE : name === 'MATCH' ? MATCH_CODE : table[name]!);
  return {
    resourceTypeFilter: code(RESOURCE_TYPES, filter.resourceType),
    resourceNameFilter: filter.resourceName,
    patternTypeFilter: code(PATTERN_TYPES, filter.patternType),
    principalFilter: filter.principal,
    hostFilter: filter.host,
    operation: code(ACL_OPERATIONS, filter.operation),
    permissionType: code(PERMISSION_TYPES, filter.permissionType),
  };
}

/** Kafka's ResourcePatternFilter.matches: MATCH selects the literal ACLs of the name or "*" and the prefixes of it. */
function patternMatches(filter: AclFilter, acl: AclBinding): boolean {
  if (filter.resourceType !== 'ANY' && filter.resourceType !== acl.resourceType) return false;
  if (filter.patternType !== 'ANY' && filter.patternType !== 'MATCH' && filter.patternType !== acl.patternType) return false;
  if (filter.resourceName === null) return true;
  if (filter.patternType !== 'MATCH') return filter.resourceName === acl.resourceName;
  return acl.patternType === 'LITERAL'
    ? filter.resourceName === acl.resourceName || acl.resourceName === WILDCARD
    : filter.resourceName.startsWith(acl.resourceName);
}

/** Kafka's AclBindingFilter.matches: the pattern, then principal, host, operation and permission exactly or any. */
export function aclFilterMatches(filter: AclFilter, acl: AclBinding): boolean {
  return (
    patternMatches(filter, acl) &&
    (filter.principal === null || filter.principal === acl.principal) &&
    (filter.host === null || filter.host === acl.host) &&
    (filter.operation === 'ANY' || filter.operation === acl.operation) &&
    (filter.permissionType === 'ANY' || filter.permissionType === acl.permissionType)
  );
}
