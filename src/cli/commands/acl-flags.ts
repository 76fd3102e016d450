// The flags of `fjord acls`, modelled on kafka-acls.sh, and what they stand for: the resources named
// (--topic, --group, --cluster, --transactional-id), the ACLs `add` creates (each resource × principal × host ×
// operation) and the filters `list` and `remove` send. Pure apart from flag parsing errors. Runs on the main thread.
import { type Command, InvalidArgumentError } from 'commander';
import { type AclBinding, checkAclBinding, hostProblem, principalProblem } from '../../security/acl-binding.js';
import {
  ACL_OPERATIONS,
  type AclOperation,
  CLUSTER_RESOURCE_NAME,
  nameSpelled,
  type PatternType,
  type PermissionType,
  type ResourceType,
} from '../../security/acl-codes.js';
import type { AclFilter } from '../../security/acl-filter.js';
import { CliError } from '../cli-errors.js';
import { collect } from '../option-parsers.js';

export interface AclFlags {
  topic?: string[];
  group?: string[];
  cluster?: boolean;
  transactionalId?: string[];
  resourcePatternType?: string;
  allowPrincipal?: string[];
  denyPrincipal?: string[];
  allowHost?: string[];
  denyHost?: string[];
  operation?: AclOperation[];
  principal?: string;
}

const PATTERN_CHOICES = ['literal', 'prefixed', 'any', 'match'] as const;

function checked(problemOf: (text: string) => string | null) {
  return (text: string, previous: string[] = []) => {
    const problem = problemOf(text);
    if (problem !== null) throw new InvalidArgumentError(problem);
    return collect(text, previous);
  };
}

function operation(text: string, previous: AclOperation[] = []): AclOperation[] {
  const name = nameSpelled(ACL_OPERATIONS, text);
  if (name === undefined) throw new InvalidArgumentError(`expected one of ${Object.keys(ACL_OPERATIONS).join(', ')}, got "${text}"`);
  return [...previous, name];
}

/** Adds the resource flags, and the principal, host and operation flags unless `principalFilterOnly` (list). */
export function withAclFlags(command: Command, patternDefault: string, principalFilterOnly = false): Command {
  command
    .option('--topic <name>', 'a topic (repeatable; "*" is every topic)', collect)
    .option('--group <id>', 'a consumer group (repeatable; "*" is every group)', collect)
    .option('--cluster', `the cluster (${CLUSTER_RESOURCE_NAME})`)
    .option('--transactional-id <id>', 'a transactional id (repeatable; "*" is every one)', collect)
    .option(
      '--resource-pattern-type <type>',
      `literal or prefixed${patternDefault === 'literal' ? '' : ', or any or match to list'} (default ${patternDefault})`,
    );
  if (principalFilterOnly) return command.option('--principal <principal>', 'only the ACLs of this principal (User:alice)');
  return command
    .option('--allow-principal <principal>', 'a principal to allow, User:alice or User:* (repeatable)', checked(principalProblem))
    .option('--deny-principal <principal>', 'a principal to deny (repeatable)', checked(principalProblem))
    .option('--allow-host <ip>', 'where allowed principals may connect from: an IP or * (repeatable; default *)', checked(hostProblem))
    .option('--deny-host <ip>', 'where denied principals are denied: an IP or * (repeatable; default *)', checked(hostProblem))
    .option('--operation <operation>', `${Object.keys(ACL_OPERATIONS).join(', ')} (repeatable)`, operation);
}

/** The resources named, each as (type, name); none when no resource flag is given. */
export function resourcesOf(flags: AclFlags): Array<{ resourceType: ResourceType; resourceName: string }> {
  return [
    ...(flags.topic ?? []).map((resourceName) => ({ resourceType: 'TOPIC' as const, resourceName })),
    ...(flags.group ?? []).map((resourceName) => ({ resourceType: 'GROUP' as const, resourceName })),
    ...(flags.cluster === true ? [{ resourceType: 'CLUSTER' as const, resourceName: CLUSTER_RESOURCE_NAME }] : []),
    ...(flags.transactionalId ?? []).map((resourceName) => ({ resourceType: 'TRANSACTIONAL_ID' as const, resourceName })),
  ];
}

/** --resource-pattern-type as a pattern (filter) type; `allowFilters` false: literal or prefixed only. */
export function patternTypeOf(flags: AclFlags, fallback: string, allowFilters: boolean): PatternType | 'ANY' | 'MATCH' {
  const text = (flags.resourcePatternType ?? fallback).toLowerCase();
  const choices = allowFilters ? PATTERN_CHOICES : PATTERN_CHOICES.slice(0, 2);
  if (!(choices as readonly string[]).includes(text)) {
    throw new CliError(`--resource-pattern-type must be one of ${choices.join(', ')}, got "${flags.resourcePatternType}"`, 'see "fjord acls --help"');
  }
  return text.toUpperCase() as PatternType | 'ANY' | 'MATCH';
}

/** Each principal × host × operation of one permission (hosts not given: `hostDefault`). */
function entriesOf<H, O>(principals: string[] | undefined, hosts: H[] | undefined, hostDefault: H, operations: O[], permissionType: PermissionType) {
  return (principals ?? []).flatMap((principal) =>
    (hosts ?? [hostDefault]).flatMap((host) => operations.map((op) => ({ principal, host, operation: op, permissionType }))),
  );
}

/** The ACLs `fjord acls add` creates: every resource × allowed and denied principal × host × operation. */
export function aclsToAdd(flags: AclFlags): AclBinding[] {
  const resources = resourcesOf(flags);
  if (resources.length === 0) throw new CliError('no resource named', 'give --topic, --group, --cluster or --transactional-id');
  const patternType = patternTypeOf(flags, 'literal', false) as PatternType;
  const operations = flags.operation ?? ['ALL'];
  const entries = [
    ...entriesOf(flags.allowPrincipal, flags.allowHost, '*', operations, 'ALLOW'),
    ...entriesOf(flags.denyPrincipal, flags.denyHost, '*', operations, 'DENY'),
  ];
  if (entries.length === 0) throw new CliError('no principal named', 'give --allow-principal or --deny-principal (User:alice, or User:* for everyone)');
  return resources.flatMap((resource) =>
    entries.map((entry) => {
      try {
        return checkAclBinding({ ...resource, patternType, ...entry });
      } catch (error) {
        throw new CliError((error as Error).message.replace(/^INVALID_REQUEST: /, ''), 'see "fjord acls add --help"');
      }
    }),
  );
}

/** The filters `fjord acls remove` sends: per resource, the principals, hosts and operations named (else any). */
export function filtersToRemove(flags: AclFlags): AclFilter[] {
  const resources = resourcesOf(flags);
  if (resources.length === 0) throw new CliError('no resource named', 'give --topic, --group, --cluster or --transactional-id of the ACLs to remove');
  const patternType = patternTypeOf(flags, 'literal', true);
  const operations: Array<AclOperation | 'ANY'> = flags.operation ?? ['ANY'];
  const entries = [
    ...entriesOf<string | null, AclOperation | 'ANY'>(flags.allowPrincipal, flags.allowHost, null, operations, 'ALLOW'),
    ...entriesOf<string | null, AclOperation | 'ANY'>(flags.denyPrincipal, flags.denyHost, null, operations, 'DENY'),
  ];
  const anyEntry = { principal: null, host: null, operation: 'ANY' as const, permissionType: 'ANY' as const };
  return resources.flatMap((resource) => (entries.length === 0 ? [anyEntry] : entries).map((entry) => ({ ...resource, patternType, ...entry })));
}

/** The filters `fjord acls list` sends: each resource named (else every resource), of --principal if given. */
export function filtersToList(flags: AclFlags): AclFilter[] {
  const patternType = patternTypeOf(flags, 'any', true);
  const entry = { principal: flags.principal ?? null, host: null, operation: 'ANY' as const, permissionType: 'ANY' as const };
  const resources = resourcesOf(flags);
  if (resources.length === 0) return [{ resourceType: 'ANY', resourceName: null, patternType, ...entry }];
  return resources.map((resource) => ({ ...resource, patternType, ...entry }));
}
