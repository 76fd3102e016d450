// One ACL (Kafka's AclBinding: a resource pattern and an access control entry), its checks as Kafka's broker and
// AclControlManager refuse a new ACL (each an INVALID_REQUEST with Kafka's message), its identity, order and the
// JSON form both ACL stores keep. Pure; main thread.
//
// Stored form (a file's `acls` array, an etcd value), every field a name, never a code:
//   { "resourceType": "TOPIC", "resourceName": "orders", "patternType": "LITERAL",
//     "principal": "User:alice", "host": "*", "operation": "READ", "permissionType": "ALLOW" }
import { isIP } from 'node:net';
import { ErrorCode, KafkaError } from '../shared/kafka-error-codes.js';
import {
  ACL_OPERATIONS,
  type AclOperation,
  ANY_CODE,
  CLUSTER_RESOURCE_NAME,
  isNameIn,
  nameOfCode,
  PATTERN_TYPES,
  type PatternType,
  PERMISSION_TYPES,
  type PermissionType,
  RESOURCE_TYPES,
  type ResourceType,
  WILDCARD,
} from './acl-codes.js';

export interface AclBinding {
  resourceType: ResourceType;
  resourceName: string;
  patternType: PatternType;
  /** "Type:name": "User:alice", or "User:*" for every user. */
  principal: string;
  /** "*" or the client's IP address as Kafka writes it. */
  host: string;
  operation: AclOperation;
  permissionType: PermissionType;
}

/** An ACL as the wire carries it: Kafka's codes for the four enumerations. */
export interface AclBindingCodes {
  resourceType: number;
  resourceName: string;
  patternType: number;
  principal: string;
  host: string;
  operation: number;
  permissionType: number;
}

const invalid = (message: string) => new KafkaError(ErrorCode.INVALID_REQUEST, message);

/** `code` as a name of `table`, or INVALID_REQUEST in Kafka's words ("Invalid operation ANY"). */
function named<T extends Record<string, number>>(table: T, code: number, what: string): keyof T {
  const name = nameOfCode(table, code);
  if (name !== undefined) return name;
  const known = Object.entries(table)
    .map(([n, c]) => `${n} (${c})`)
    .join(', ');
  throw invalid(`Invalid ${what} ${code === ANY_CODE ? 'ANY' : code === 0 ? 'UNKNOWN' : code}: one of ${known}`);
}

/** Why `principal` is not "Type:name" (both parts non-empty), or null. */
export function principalProblem(principal: string): string | null {
  const colon = principal.indexOf(':');
  if (colon === -1) {
    return `Could not parse principal from \`${principal}\` (no colon is present separating the principal type from the principal name)`;
  }
  if (colon === 0 || colon === principal.length - 1) return `Could not parse principal from \`${principal}\` (expected Type:name, e.g. User:alice)`;
  return null;
}

/** Why `host` is neither "*" nor an IPv4/IPv6 address, or null. */
export function hostProblem(host: string): string | null {
  return host === WILDCARD || isIP(host) !== 0 ? null : `Invalid host \`${host}\`: "*" or an IP address`;
}

/** `binding` checked as a new ACL; INVALID_REQUEST naming the first problem. */
export function checkAclBinding(binding: AclBinding): AclBinding {
  if (binding.resourceName === '') throw invalid('Invalid empty resource name');
  if (binding.resourceType === 'CLUSTER' && binding.resourceName !== CLUSTER_RESOURCE_NAME) {
    throw invalid(`The only valid name for the CLUSTER resource is ${CLUSTER_RESOURCE_NAME}`);
  }
  const problem = principalProblem(binding.principal) ?? hostProblem(binding.host);
  if (problem !== null) throw invalid(problem);
  return binding;
}

/** A CreateAcls entry as a checked AclBinding; INVALID_REQUEST for an unknown, ANY or MATCH code or a bad field. */
export function aclBindingOfCodes(codes: AclBindingCodes): AclBinding {
  return checkAclBinding({
    resourceType: named(RESOURCE_TYPES, codes.resourceType, 'resourceType'),
    resourceName: codes.resourceName,
    patternType: named(PATTERN_TYPES, codes.patternType, 'patternType'),
    principal: codes.principal,
    host: codes.host,
    operation: named(ACL_OPERATIONS, codes.operation, 'operation'),
    permissionType: named(PERMISSION_TYPES, codes.permissionType, 'permissionType'),
  });
}

export function aclBindingCodes(binding: AclBinding): AclBindingCodes {
  return {
    ...binding,
    resourceType: RESOURCE_TYPES[binding.resourceType],
    patternType: PATTERN_TYPES[binding.patternType],
    operation: ACL_OPERATIONS[binding.operation],
    permissionType: PERMISSION_TYPES[binding.permissionType],
  };
}

/** A stored ACL (the JSON form above) checked whole; an Error saying what is wrong otherwise. */
export function parseStoredAcl(value: unknown): AclBinding {
  const v = value as Partial<Record<keyof AclBinding, unknown>> | null;
  if (typeof v !== 'object' || v === null) throw new Error('is not an object');
  const ok =
    isNameIn(RESOURCE_TYPES, v.resourceType) &&
    isNameIn(PATTERN_TYPES, v.patternType) &&
    isNameIn(ACL_OPERATIONS, v.operation) &&
    isNameIn(PERMISSION_TYPES, v.permissionType) &&
    typeof v.resourceName === 'string' &&
    typeof v.principal === 'string' &&
    typeof v.host === 'string';
  if (!ok) throw new Error('lacks a field or holds an unknown name');
  const binding: AclBinding = {
    resourceType: v.resourceType,
    resourceName: v.resourceName,
    patternType: v.patternType,
    principal: v.principal,
    host: v.host,
    operation: v.operation,
    permissionType: v.permissionType,
  } as AclBinding;
  try {
    return checkAclBinding(binding);
  } catch (error) {
    throw new Error((error as Error).message.replace(/^INVALID_REQUEST: /, ''));
  }
}

/** The fields in stored order: an ACL's identity (two equal bindings are one ACL) and its JSON form. */
export function toStoredAcl(binding: AclBinding): AclBinding {
  const { resourceType, resourceName, patternType, principal, host, operation, permissionType } = binding;
  return { resourceType, resourceName, patternType, principal, host, operation, permissionType };
}

/** One string per ACL: equal for equal bindings. */
export const aclIdentity = (binding: AclBinding): string => JSON.stringify(Object.values(toStoredAcl(binding)));

/** Listing order: resource type, pattern type, resource name, principal, host, operation, permission. */
export function compareAcls(a: AclBinding, b: AclBinding): number {
  const keys = (x: AclBinding) => [x.resourceType, x.patternType, x.resourceName, x.principal, x.host, x.operation, x.permissionType];
  const [ka, kb] = [keys(a), keys(b)];
  for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return ka[i]! < kb[i]! ? -1 : 1;
  return 0;
}

/** One ACL in one line, for log lines and messages: `ALLOW User:alice from * READ on TOPIC LITERAL "orders"`. */
export function formatAcl(b: AclBinding): string {
  return `${b.permissionType} ${b.principal} from ${b.host} ${b.operation} on ${b.resourceType} ${b.patternType} "${b.resourceName}"`;
}
