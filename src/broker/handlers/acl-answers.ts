// What the three ACL handlers share when answering: Kafka's answer without an authorizer (SECURITY_DISABLED), each
// entry of a request checked on its own, and
// ACLs turned back into the response's codes — grouped by resource pattern for DescribeAcls, one entry each for
// DeleteAcls. Main thread.
import { type AclBinding, aclBindingCodes } from '../../security/acl-binding.js';
import { SECURITY_DISABLED_MESSAGE } from '../../security/authorizer.js';
import { ErrorCode } from '../../shared/kafka-error-codes.js';
import { attempt, type ErrorFields, type Outcome } from './admin-results.js';

export const SECURITY_DISABLED: Readonly<ErrorFields> = Object.freeze({ errorCode: ErrorCode.SECURITY_DISABLED, errorMessage: SECURITY_DISABLED_MESSAGE });

/** DescribeAcls' resources: ACLs in listing order (so one pattern's ACLs are adjacent), one entry per pattern. */
export function describedResources(acls: readonly AclBinding[]) {
  const resources: Array<{
    resourceType: number;
    resourceName: string;
    patternType: number;
    acls: Array<{ principal: string; host: string; operation: number; permissionType: number }>;
  }> = [];
  for (const acl of acls) {
    const codes = aclBindingCodes(acl);
    const last = resources.at(-1);
    const entry = { principal: codes.principal, host: codes.host, operation: codes.operation, permissionType: codes.permissionType };
    if (last !== undefined && last.resourceType === codes.resourceType && last.resourceName === codes.resourceName && last.patternType === codes.patternType) {
      last.acls.push(entry);
    } else {
      resources.push({ resourceType: codes.resourceType, resourceName: codes.resourceName, patternType: codes.patternType, acls: [entry] });
    }
  }
  return resources;
}

/** One of a DeleteAcls filter's matching ACLs (each removed: no error of its own). */
export function matchingAcl(acl: AclBinding) {
  return { errorCode: ErrorCode.NONE, errorMessage: null, ...aclBindingCodes(acl) };
}

/** Each entry checked on its own (a KafkaError is that entry's answer), in order, and the values of those that passed. */
export async function checkEach<E, T>(entries: readonly E[], check: (entry: E) => T): Promise<{ checked: Outcome<T>[]; valid: T[] }> {
  const checked: Outcome<T>[] = [];
  for (const entry of entries) checked.push(await attempt(() => check(entry)));
  return { checked, valid: checked.flatMap((outcome) => (outcome.ok ? [outcome.value] : [])) };
}
