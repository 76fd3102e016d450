// A new ACL's checks (INVALID_REQUEST in Kafka's words), filters decoded from Kafka's codes, and the stored form.
import { describe, expect, it } from 'vitest';
import { type AclBindingCodes, aclBindingCodes, aclBindingOfCodes, parseStoredAcl, toStoredAcl } from '../../src/security/acl-binding.js';
import { aclFilterCodes, aclFilterOfCodes } from '../../src/security/acl-filter.js';
import { ErrorCode } from '../../src/shared/kafka-error-codes.js';

const good: AclBindingCodes = { resourceType: 2, resourceName: 'orders', patternType: 3, principal: 'User:alice', host: '*', operation: 3, permissionType: 3 };

describe('aclBindingOfCodes', () => {
  it('names the codes', () => {
    expect(aclBindingOfCodes({ ...good, patternType: 4, host: '::1', operation: 12, permissionType: 2 })).toEqual({
      resourceType: 'TOPIC',
      resourceName: 'orders',
      patternType: 'PREFIXED',
      principal: 'User:alice',
      host: '::1',
      operation: 'IDEMPOTENT_WRITE',
      permissionType: 'DENY',
    });
    expect(aclBindingCodes(aclBindingOfCodes(good))).toEqual(good);
  });

  it.each([
    [{ resourceType: 1 }, 'Invalid resourceType ANY'],
    [{ resourceType: 0 }, 'Invalid resourceType UNKNOWN'],
    [{ resourceType: 6 }, 'Invalid resourceType 6'],
    [{ patternType: 2 }, 'Invalid patternType 2'],
    [{ patternType: 1 }, 'Invalid patternType ANY'],
    [{ operation: 1 }, 'Invalid operation ANY'],
    [{ operation: 13 }, 'Invalid operation 13'],
    [{ permissionType: 1 }, 'Invalid permissionType ANY'],
    [{ resourceName: '' }, 'Invalid empty resource name'],
    [{ resourceType: 4, resourceName: 'cluster' }, 'The only valid name for the CLUSTER resource is kafka-cluster'],
    [{ principal: 'alice' }, 'Could not parse principal from `alice` (no colon is present'],
    [{ principal: 'User:' }, 'Could not parse principal from `User:`'],
    [{ host: 'example.com' }, 'Invalid host `example.com`'],
  ])('refuses %o: %s', (change, message) => {
    expect(() => aclBindingOfCodes({ ...good, ...change })).toThrow(
      expect.objectContaining({ code: ErrorCode.INVALID_REQUEST, message: expect.stringContaining(message) }),
    );
  });
});

describe('ACL filters and the stored form', () => {
  it('decodes ANY and MATCH, refuses unknown codes', () => {
    const codes = {
      resourceTypeFilter: 1,
      resourceNameFilter: null,
      patternTypeFilter: 2,
      principalFilter: null,
      hostFilter: null,
      operation: 1,
      permissionType: 1,
    };
    expect(aclFilterOfCodes(codes)).toMatchObject({ resourceType: 'ANY', patternType: 'MATCH', operation: 'ANY', permissionType: 'ANY' });
    expect(aclFilterCodes(aclFilterOfCodes(codes))).toEqual(codes);
    expect(() => aclFilterOfCodes({ ...codes, resourceTypeFilter: 0 })).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_REQUEST }));
    expect(() => aclFilterOfCodes({ ...codes, operation: 99 })).toThrow(/Unknown operation 99/);
  });

  it('reads back what it stores, and refuses a stored ACL that is not whole', () => {
    const binding = aclBindingOfCodes(good);
    expect(parseStoredAcl(JSON.parse(JSON.stringify(toStoredAcl(binding))))).toEqual(binding);
    expect(() => parseStoredAcl({ ...binding, operation: 'FLY' })).toThrow('lacks a field or holds an unknown name');
    expect(() => parseStoredAcl({ ...binding, principal: 'alice' })).toThrow(/^Could not parse principal/);
  });
});
