// Kafka's authorization rules over ACLs (AclAuthorizer): super users, DENY over ALLOW, the DESCRIBE and
// DESCRIBE_CONFIGS an ALLOW implies (and a DENY does not), ALL, the "*" resource and principal, prefixed patterns,
// hosts, and allow.everyone.if.no.acl.found both ways; the authorizer off; listing, creating and deleting by filter.
import { describe, expect, it } from 'vitest';
import type { AclBinding } from '../../src/security/acl-binding.js';
import type { AclOperation, ResourceType } from '../../src/security/acl-codes.js';
import { ACL_FILTER_ANY } from '../../src/security/acl-filter.js';
import { AclAuthorizer } from '../../src/security/authorizer.js';
import { ErrorCode } from '../../src/shared/kafka-error-codes.js';
import { memoryAclStore } from './memory-acl-store.js';

/** "ALLOW User:alice READ TOPIC orders" with optional pattern and host: the ACL as a sentence. */
function acl(text: string): AclBinding {
  const [permissionType, principal, operation, resourceType, resourceName, patternType = 'LITERAL', host = '*'] = text.split(' ');
  return { permissionType, principal, operation, resourceType, resourceName, patternType, host } as AclBinding;
}

function authorizer(acls: string[], settings: { superUsers?: string[]; allowEveryoneIfNoAclFound?: boolean } = {}) {
  return AclAuthorizer.over(memoryAclStore(acls.map(acl)), {
    superUsers: settings.superUsers ?? [],
    allowEveryoneIfNoAclFound: settings.allowEveryoneIfNoAclFound ?? false,
  });
}

type Case = [name: string, acls: string[], request: string, allowed: boolean, settings?: { superUsers?: string[]; allowEveryoneIfNoAclFound?: boolean }];

// request: "principal host OPERATION RESOURCE_TYPE name"
const CASES: Case[] = [
  ['an ALLOW of the operation', ['ALLOW User:alice READ TOPIC orders'], 'User:alice 10.0.0.1 READ TOPIC orders', true],
  ['another operation is not allowed', ['ALLOW User:alice READ TOPIC orders'], 'User:alice 10.0.0.1 WRITE TOPIC orders', false],
  ['another principal is not allowed', ['ALLOW User:alice READ TOPIC orders'], 'User:bob 10.0.0.1 READ TOPIC orders', false],
  ['another topic without ACLs: no ACL found, denied', ['ALLOW User:alice READ TOPIC orders'], 'User:alice 10.0.0.1 READ TOPIC other', false],
  [
    'no ACL found, allow.everyone.if.no.acl.found',
    ['ALLOW User:alice READ TOPIC orders'],
    'User:bob 10.0.0.1 READ TOPIC other',
    true,
    { allowEveryoneIfNoAclFound: true },
  ],
  [
    'ACLs on the resource, none for the principal: denied despite allow.everyone',
    ['ALLOW User:alice READ TOPIC orders'],
    'User:bob 10.0.0.1 READ TOPIC orders',
    false,
    { allowEveryoneIfNoAclFound: true },
  ],
  ['no ACLs at all, default: denied', [], 'User:alice 10.0.0.1 READ TOPIC orders', false],
  ['a DENY wins over an ALLOW', ['ALLOW User:alice READ TOPIC orders', 'DENY User:alice READ TOPIC orders'], 'User:alice 10.0.0.1 READ TOPIC orders', false],
  [
    'a DENY of ALL wins over an ALLOW',
    ['ALLOW User:alice READ TOPIC orders', 'DENY User:alice ALL TOPIC orders'],
    'User:alice 10.0.0.1 READ TOPIC orders',
    false,
  ],
  [
    'a DENY for User:* wins over an ALLOW for alice',
    ['ALLOW User:alice READ TOPIC orders', 'DENY User:* READ TOPIC orders'],
    'User:alice 10.0.0.1 READ TOPIC orders',
    false,
  ],
  [
    'a DENY on a prefix wins over a literal ALLOW',
    ['ALLOW User:alice READ TOPIC orders', 'DENY User:alice READ TOPIC ord PREFIXED'],
    'User:alice 10.0.0.1 READ TOPIC orders',
    false,
  ],
  [
    'a DENY from another host does not apply',
    ['ALLOW User:alice READ TOPIC orders', 'DENY User:alice READ TOPIC orders LITERAL 10.0.0.9'],
    'User:alice 10.0.0.1 READ TOPIC orders',
    true,
  ],
  ['ALLOW READ implies DESCRIBE', ['ALLOW User:alice READ TOPIC orders'], 'User:alice 10.0.0.1 DESCRIBE TOPIC orders', true],
  ['ALLOW WRITE implies DESCRIBE', ['ALLOW User:alice WRITE TOPIC orders'], 'User:alice 10.0.0.1 DESCRIBE TOPIC orders', true],
  ['ALLOW DELETE implies DESCRIBE', ['ALLOW User:alice DELETE TOPIC orders'], 'User:alice 10.0.0.1 DESCRIBE TOPIC orders', true],
  ['ALLOW ALTER implies DESCRIBE', ['ALLOW User:alice ALTER TOPIC orders'], 'User:alice 10.0.0.1 DESCRIBE TOPIC orders', true],
  ['ALLOW CREATE does not imply DESCRIBE', ['ALLOW User:alice CREATE TOPIC orders'], 'User:alice 10.0.0.1 DESCRIBE TOPIC orders', false],
  ['ALLOW DESCRIBE does not imply READ', ['ALLOW User:alice DESCRIBE TOPIC orders'], 'User:alice 10.0.0.1 READ TOPIC orders', false],
  ['ALLOW ALTER_CONFIGS implies DESCRIBE_CONFIGS', ['ALLOW User:alice ALTER_CONFIGS TOPIC orders'], 'User:alice 10.0.0.1 DESCRIBE_CONFIGS TOPIC orders', true],
  ['ALLOW ALTER does not imply DESCRIBE_CONFIGS', ['ALLOW User:alice ALTER TOPIC orders'], 'User:alice 10.0.0.1 DESCRIBE_CONFIGS TOPIC orders', false],
  [
    'DENY READ does not deny DESCRIBE',
    ['ALLOW User:alice DESCRIBE TOPIC orders', 'DENY User:alice READ TOPIC orders'],
    'User:alice 10.0.0.1 DESCRIBE TOPIC orders',
    true,
  ],
  ['ALLOW ALL allows every operation', ['ALLOW User:alice ALL CLUSTER kafka-cluster'], 'User:alice 10.0.0.1 CLUSTER_ACTION CLUSTER kafka-cluster', true],
  ['ALLOW ALL allows IDEMPOTENT_WRITE', ['ALLOW User:alice ALL CLUSTER kafka-cluster'], 'User:alice 10.0.0.1 IDEMPOTENT_WRITE CLUSTER kafka-cluster', true],
  ['the literal name * covers every topic', ['ALLOW User:alice READ TOPIC *'], 'User:alice 10.0.0.1 READ TOPIC anything', true],
  ['the literal name * does not cover groups', ['ALLOW User:alice READ TOPIC *'], 'User:alice 10.0.0.1 READ GROUP anything', false],
  ['a prefixed pattern covers names starting with it', ['ALLOW User:alice WRITE TOPIC orders- PREFIXED'], 'User:alice 10.0.0.1 WRITE TOPIC orders-eu', true],
  ['a prefixed pattern covers its own name', ['ALLOW User:alice WRITE TOPIC orders- PREFIXED'], 'User:alice 10.0.0.1 WRITE TOPIC orders-', true],
  ['a prefixed pattern does not cover other names', ['ALLOW User:alice WRITE TOPIC orders- PREFIXED'], 'User:alice 10.0.0.1 WRITE TOPIC order', false],
  ['a literal pattern does not match by prefix', ['ALLOW User:alice WRITE TOPIC orders'], 'User:alice 10.0.0.1 WRITE TOPIC orders-eu', false],
  ['a literal "*" name of a prefixed pattern is only a prefix', ['ALLOW User:alice READ GROUP * PREFIXED'], 'User:alice 10.0.0.1 READ GROUP app', false],
  ['User:* matches every user', ['ALLOW User:* READ GROUP app'], 'User:carol 10.0.0.1 READ GROUP app', true],
  ['an ACL for one host applies from it', ['ALLOW User:alice READ TOPIC orders LITERAL 10.0.0.1'], 'User:alice 10.0.0.1 READ TOPIC orders', true],
  ['an ACL for one host does not apply from another', ['ALLOW User:alice READ TOPIC orders LITERAL 10.0.0.1'], 'User:alice 10.0.0.2 READ TOPIC orders', false],
  ['a super user is allowed without ACLs', [], 'User:admin 10.0.0.1 ALTER CLUSTER kafka-cluster', true, { superUsers: ['User:admin'] }],
  [
    'a super user is allowed despite a DENY',
    ['DENY User:admin ALL TOPIC orders'],
    'User:admin 10.0.0.1 READ TOPIC orders',
    true,
    { superUsers: ['User:admin'] },
  ],
  ['super users are compared whole', [], 'User:admin2 10.0.0.1 READ TOPIC orders', false, { superUsers: ['User:admin'] }],
  ['transactional ids have their own ACLs', ['ALLOW User:alice WRITE TRANSACTIONAL_ID tx-1'], 'User:alice 10.0.0.1 DESCRIBE TRANSACTIONAL_ID tx-1', true],
];

describe('AclAuthorizer.authorize', () => {
  it.each(CASES)('%s', (_name, acls, request, allowed, settings) => {
    const [principal, host, operation, resourceType, resourceName] = request.split(' ') as [string, string, AclOperation, ResourceType, string];
    expect(authorizer(acls, settings).authorize(principal, host, operation, resourceType, resourceName)).toBe(allowed);
  });

  it('allows everything when off, and refuses the ACL operations with SECURITY_DISABLED', async () => {
    const off = AclAuthorizer.off();
    expect(off.enabled).toBe(false);
    expect(off.authorize('User:anyone', '10.0.0.1', 'ALTER', 'CLUSTER', 'kafka-cluster')).toBe(true);
    expect(() => off.acls()).toThrow(expect.objectContaining({ code: ErrorCode.SECURITY_DISABLED }));
    await expect(off.create([acl('ALLOW User:a READ TOPIC t')])).rejects.toMatchObject({ code: ErrorCode.SECURITY_DISABLED });
    await expect(off.delete([ACL_FILTER_ANY])).rejects.toMatchObject({ code: ErrorCode.SECURITY_DISABLED });
  });
});

describe('AclAuthorizer ACLs', () => {
  it('creates each ACL once, lists by filter (MATCH as authorization sees it) and deletes what filters match', async () => {
    const auth = authorizer([]);
    const acls = [
      'ALLOW User:alice READ TOPIC orders',
      'ALLOW User:bob READ TOPIC ord PREFIXED',
      'DENY User:* WRITE TOPIC *',
      'ALLOW User:alice READ GROUP app',
    ].map(acl);
    await auth.create(acls);
    await auth.create([acls[0]!]);
    expect(auth.acls()).toHaveLength(4);
    const match = { ...ACL_FILTER_ANY, resourceType: 'TOPIC' as const, resourceName: 'orders', patternType: 'MATCH' as const };
    expect(auth.acls(match).map((a) => a.principal)).toEqual(['User:*', 'User:alice', 'User:bob']);
    const literal = { ...match, patternType: 'LITERAL' as const };
    expect(auth.acls(literal).map((a) => a.principal)).toEqual(['User:alice']);
    expect(auth.acls({ ...ACL_FILTER_ANY, principal: 'User:alice' }).map((a) => a.resourceType)).toEqual(['GROUP', 'TOPIC']);

    const [topics, alice] = await auth.delete([
      { ...ACL_FILTER_ANY, resourceType: 'TOPIC' },
      { ...ACL_FILTER_ANY, principal: 'User:alice' },
    ]);
    expect(topics).toHaveLength(3);
    expect(alice!.map((a) => a.resourceType)).toEqual(['GROUP', 'TOPIC']);
    expect(auth.acls()).toEqual([]);
  });
});
