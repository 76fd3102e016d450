// The standalone ACL store: ACLs survive a reopen, the file is written before the set changes (a failed write
// leaves the file and the set as they were), and a corrupt file stops the start with one line naming it.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ACLS_FILE, AclFile } from '../../src/metadata/acl-file.js';
import type { AclBinding } from '../../src/security/acl-binding.js';
import { writeFileAtomicSync } from '../../src/shared/atomic-file.js';
import { ErrorCode } from '../../src/shared/kafka-error-codes.js';
import { tempDir } from '../helpers/temp-dir.js';

const base: AclBinding = {
  resourceType: 'TOPIC',
  resourceName: 'orders',
  patternType: 'LITERAL',
  principal: 'User:alice',
  host: '*',
  operation: 'READ',
  permissionType: 'ALLOW',
};
const aliceRead = base;
const bobWrite: AclBinding = { ...base, principal: 'User:bob', operation: 'WRITE', patternType: 'PREFIXED', resourceName: 'ord' };
const groupAll: AclBinding = { ...base, resourceType: 'GROUP', resourceName: 'app', operation: 'ALL' };

describe('AclFile', () => {
  it('starts empty without a file, keeps additions and removals across a reopen', async () => {
    const dir = tempDir();
    const store = AclFile.open(dir);
    expect(store.list()).toEqual([]);
    await store.add([bobWrite, aliceRead]);
    await store.add([aliceRead, groupAll]);
    expect(store.list()).toEqual([groupAll, aliceRead, bobWrite]);
    expect([...store.forResource('TOPIC', 'orders')]).toHaveLength(2);

    const reopened = AclFile.open(dir);
    expect(reopened.list()).toEqual(store.list());
    expect(reopened.list()).toHaveLength(3);
    await reopened.remove([bobWrite, { ...bobWrite, host: '10.0.0.1' }]);
    expect(AclFile.open(dir).list()).toEqual([groupAll, aliceRead]);
    expect(JSON.parse(readFileSync(join(dir, ACLS_FILE), 'utf8'))).toEqual({ version: 1, acls: [groupAll, aliceRead] });
  });

  it('writes before it applies: a failed write leaves the file and the set as they were', async () => {
    const dir = tempDir();
    let failing = false;
    const seen: number[] = [];
    const store = AclFile.open(dir, (path, text) => {
      // The set must not show the change while it is being written.
      seen.push(store.list().length);
      if (failing) throw new Error('ENOSPC: no space left on device');
      writeFileAtomicSync(path, text);
    });
    await store.add([aliceRead]);
    await store.add([bobWrite]);
    expect(seen).toEqual([0, 1]);
    const before = readFileSync(join(dir, ACLS_FILE), 'utf8');

    failing = true;
    await expect(store.add([groupAll])).rejects.toMatchObject({ code: ErrorCode.KAFKA_STORAGE_ERROR, message: expect.stringContaining('ENOSPC') });
    await expect(store.remove([aliceRead])).rejects.toMatchObject({ code: ErrorCode.KAFKA_STORAGE_ERROR });
    expect(store.list()).toEqual([aliceRead, bobWrite]);
    expect(readFileSync(join(dir, ACLS_FILE), 'utf8')).toBe(before);
  });

  it('refuses to open a corrupt file with one line naming it', () => {
    const cases: Array<[string, RegExp]> = [
      ['{"version":1,"acls":', /is unreadable/],
      ['{"version":2,"acls":[]}', /is not a Fjord ACL file of version 1/],
      [JSON.stringify({ version: 1, acls: [base, { ...base, operation: 'FLY' }] }), /has a bad ACL at index 1 \(lacks a field or holds an unknown name\)/],
      [JSON.stringify({ version: 1, acls: [{ ...base, resourceType: 'CLUSTER' }] }), /bad ACL at index 0 \(The only valid name for the CLUSTER resource/],
    ];
    for (const [text, reason] of cases) {
      const dir = tempDir();
      const path = join(dir, ACLS_FILE);
      writeFileSync(path, text);
      let message = '';
      try {
        AclFile.open(dir);
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message).toMatch(reason);
      expect(message.startsWith(`ACL file ${path} `)).toBe(true);
      expect(message).not.toContain('\n');
    }
  });
});
