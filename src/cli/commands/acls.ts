// `fjord acls add|list|remove`: ACLs on the brokers through CreateAcls, DescribeAcls and DeleteAcls, with flags
// modelled on kafka-acls.sh (acl-flags.ts). A broker without an authorizer answers SECURITY_DISABLED. Runs on the
// main thread.
import type { Command } from 'commander';
import { createAcls, deleteAcls, describeAcls } from '../../client/acl-admin.js';
import { type AclBinding, aclIdentity, compareAcls } from '../../security/acl-binding.js';
import { type ClientFlags, withBootstrapOption, withClient } from '../broker-client.js';
import { write } from '../output.js';
import { renderTable } from '../table.js';
import { type AclFlags, aclsToAdd, filtersToList, filtersToRemove, withAclFlags } from './acl-flags.js';

type Flags = AclFlags & ClientFlags;

function aclTable(acls: readonly AclBinding[]): string {
  const rows = acls.map((a) => [a.resourceType, a.patternType, a.resourceName, a.principal, a.host, a.operation, a.permissionType]);
  return renderTable(['RESOURCE_TYPE', 'PATTERN', 'NAME', 'PRINCIPAL', 'HOST', 'OPERATION', 'PERMISSION'], rows);
}

const plural = (n: number) => `${n} ACL${n === 1 ? '' : 's'}`;

export function registerAcls(program: Command): void {
  const acls = program.command('acls').description('ACLs: who may do what on which topics, groups, transactional ids and the cluster');
  withAclFlags(
    withBootstrapOption(acls.command('add').description('create ACLs: each resource x principal x host x operation (default ALL)')),
    'literal',
  ).action((flags: Flags) =>
    withClient(flags, async (client) => {
      const added = aclsToAdd(flags);
      await createAcls(client, added);
      await write(`created ${plural(added.length)}\n${aclTable(added)}`);
    }),
  );
  withAclFlags(withBootstrapOption(acls.command('list').description('the ACLs of the resources named (default: every ACL)')), 'any', true).action(
    (flags: Flags) =>
      withClient(flags, async (client) => {
        const listed = (await Promise.all(filtersToList(flags).map((filter) => describeAcls(client, filter)))).flat();
        await write(aclTable(dedupe(listed)));
      }),
  );
  withAclFlags(
    withBootstrapOption(
      acls.command('remove').description('delete the ACLs of the resources named (only those of the principals, hosts and operations given, if any)'),
    ),
    'literal',
  ).action((flags: Flags) =>
    withClient(flags, async (client) => {
      const removed = await deleteAcls(client, filtersToRemove(flags));
      await write(`deleted ${plural(removed.length)}\n${removed.length > 0 ? aclTable(removed.sort(compareAcls)) : ''}`);
    }),
  );
}

/** ACLs listed by several filters once each, in listing order. */
function dedupe(acls: AclBinding[]): AclBinding[] {
  const seen = new Map(acls.map((acl) => [aclIdentity(acl), acl]));
  return [...seen.values()].sort(compareAcls);
}
