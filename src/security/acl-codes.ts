// The names and Kafka wire codes of the ACL model: resource types, resource pattern types, operations and
// permission types (Kafka's ResourceType, PatternType, AclOperation, AclPermissionType). Pure; main thread.
//
// Code tables (Kafka's numbers; 0 is UNKNOWN everywhere, 1 is ANY, which only a filter may hold):
//   resource type   1 ANY  2 TOPIC  3 GROUP  4 CLUSTER  5 TRANSACTIONAL_ID  (6 DELEGATION_TOKEN, 7 USER: not served)
//   pattern type    1 ANY  2 MATCH  3 LITERAL  4 PREFIXED
//   operation       1 ANY  2 ALL  3 READ  4 WRITE  5 CREATE  6 DELETE  7 ALTER  8 DESCRIBE  9 CLUSTER_ACTION
//                   10 DESCRIBE_CONFIGS  11 ALTER_CONFIGS  12 IDEMPOTENT_WRITE  (13, 14 token operations: not served)
//   permission      1 ANY  2 DENY  3 ALLOW

export const RESOURCE_TYPES = { TOPIC: 2, GROUP: 3, CLUSTER: 4, TRANSACTIONAL_ID: 5 } as const;
export const PATTERN_TYPES = { LITERAL: 3, PREFIXED: 4 } as const;
export const ACL_OPERATIONS = {
  ALL: 2,
  READ: 3,
  WRITE: 4,
  CREATE: 5,
  DELETE: 6,
  ALTER: 7,
  DESCRIBE: 8,
  CLUSTER_ACTION: 9,
  DESCRIBE_CONFIGS: 10,
  ALTER_CONFIGS: 11,
  IDEMPOTENT_WRITE: 12,
} as const;
export const PERMISSION_TYPES = { DENY: 2, ALLOW: 3 } as const;

/** A filter's "any value" (code 1), and MATCH (code 2), a pattern filter that matches as authorization would. */
export const ANY_CODE = 1;
export const MATCH_CODE = 2;

export type ResourceType = keyof typeof RESOURCE_TYPES;
export type PatternType = keyof typeof PATTERN_TYPES;
export type AclOperation = keyof typeof ACL_OPERATIONS;
export type PermissionType = keyof typeof PERMISSION_TYPES;

/** The literal name of the one CLUSTER resource, as Kafka names it. */
export const CLUSTER_RESOURCE_NAME = 'kafka-cluster';
/** A literal resource name matching every resource of its type; also the host matching every host. */
export const WILDCARD = '*';
/** The principal every principal of type User matches. */
export const WILDCARD_PRINCIPAL = 'User:*';

/** The name of `code` in `table`, or undefined for a code the table does not hold. */
export function nameOfCode<T extends Record<string, number>>(table: T, code: number): keyof T | undefined {
  for (const [name, value] of Object.entries(table)) if (value === code) return name as keyof T;
  return undefined;
}

/** The name in `table` that `text` spells, ignoring case, "_" and "-" (read, DescribeConfigs, describe-configs), or undefined. */
export function nameSpelled<T extends Record<string, number>>(table: T, text: string): keyof T | undefined {
  const squash = (name: string) => name.toUpperCase().replaceAll(/[_-]/g, '');
  return Object.keys(table).find((name) => squash(name) === squash(text.trim())) as keyof T | undefined;
}

export function isNameIn<T extends Record<string, number>>(table: T, name: unknown): name is keyof T {
  return typeof name === 'string' && Object.hasOwn(table, name);
}
