// ACLs through standard APIs: list those a filter matches (DescribeAcls), create some (CreateAcls) and delete those
// filters match (DeleteAcls), at any broker; each works against Apache Kafka too. ACLs and filters are the model of
// src/security (names, not codes). Runs on the caller's main thread.
import { type AclBinding, aclBindingCodes, type AclBindingCodes, aclIdentity, formatAcl, toStoredAcl } from '../security/acl-binding.js';
import { ACL_OPERATIONS, nameOfCode, PATTERN_TYPES, PERMISSION_TYPES, RESOURCE_TYPES } from '../security/acl-codes.js';
import { ACL_FILTER_ANY, type AclFilter, aclFilterCodes } from '../security/acl-filter.js';
import type { KafkaClient } from './kafka-client.js';
import { checkErrorCode } from './kafka-errors.js';

/** An ACL a broker sent back; a code this client does not know is shown as UNKNOWN_<code>. */
function aclOfCodes(codes: AclBindingCodes): AclBinding {
  const name = (table: Record<string, number>, code: number) => nameOfCode(table, code) ?? `UNKNOWN_${code}`;
  return toStoredAcl({
    ...codes,
    resourceType: name(RESOURCE_TYPES, codes.resourceType),
    patternType: name(PATTERN_TYPES, codes.patternType),
    operation: name(ACL_OPERATIONS, codes.operation),
    permissionType: name(PERMISSION_TYPES, codes.permissionType),
  } as AclBinding);
}

/** The ACLs `filter` matches (every ACL by default), in the broker's order. */
export async function describeAcls(client: KafkaClient, filter: AclFilter = ACL_FILTER_ANY): Promise<AclBinding[]> {
  const broker = await client.anyBroker();
  const { body } = await broker.call(29, aclFilterCodes(filter));
  checkErrorCode(body.errorCode, 'describe ACLs', body.errorMessage);
  return body.resources.flatMap((resource) =>
    resource.acls.map((acl) =>
      aclOfCodes({ ...acl, resourceType: resource.resourceType, resourceName: resource.resourceName, patternType: resource.patternType }),
    ),
  );
}

/** Creates `acls` (one that exists already is no error); the first refused one throws, naming it. */
export async function createAcls(client: KafkaClient, acls: readonly AclBinding[]): Promise<void> {
  const broker = await client.anyBroker();
  const creations = acls.map((acl) => {
    const { patternType, ...codes } = aclBindingCodes(acl);
    return { ...codes, resourcePatternType: patternType };
  });
  const { body } = await broker.call(30, { creations });
  for (const [i, result] of body.results.entries()) checkErrorCode(result.errorCode, `create ACL ${formatAcl(acls[i]!)}`, result.errorMessage);
}

/** Deletes every ACL any of `filters` matches; the ACLs deleted, each once. */
export async function deleteAcls(client: KafkaClient, filters: readonly AclFilter[]): Promise<AclBinding[]> {
  const broker = await client.anyBroker();
  const { body } = await broker.call(31, { filters: filters.map(aclFilterCodes) });
  const deleted = new Map<string, AclBinding>();
  for (const result of body.filterResults) {
    checkErrorCode(result.errorCode, 'delete ACLs', result.errorMessage);
    for (const matching of result.matchingAcls) {
      checkErrorCode(matching.errorCode, 'delete an ACL', matching.errorMessage);
      const acl = aclOfCodes(matching);
      deleted.set(aclIdentity(acl), acl);
    }
  }
  return [...deleted.values()];
}
