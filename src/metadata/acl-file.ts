// A standalone broker's ACLs (the AclStore of src/security/acl-store.ts): one JSON file in the metadata dir, read
// and checked at start-up, replaced atomically on every change before the in-memory set changes (a failed write
// leaves both as they were). Main thread.
//
// File `fjord-acls.json` in the metadata dir (the first log dir):
//   { "version": 1, "acls": [ { "resourceType": "TOPIC", "resourceName": "orders", "patternType": "LITERAL",
//                               "principal": "User:alice", "host": "*", "operation": "READ",
//                               "permissionType": "ALLOW" }, ... ] }      (acl-binding.ts's stored form, listing order)
// No file: no ACLs yet (it is first written by the first change).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type AclBinding, parseStoredAcl, toStoredAcl } from '../security/acl-binding.js';
import { AclSet, AclSetStore } from '../security/acl-set.js';
import type { AclStore } from '../security/acl-store.js';
import { writeFileAtomicSync } from '../shared/atomic-file.js';
import { ErrorCode, KafkaError } from '../shared/kafka-error-codes.js';

export const ACLS_FILE = 'fjord-acls.json';

/** Replaces the file atomically (or throws, leaving the old one). The seam fault tests fail. */
export type AclFileWriter = (path: string, text: string) => void;

interface AclFileContents {
  version: 1;
  acls: AclBinding[];
}

export class AclFile extends AclSetStore implements AclStore {
  private constructor(
    private readonly path: string,
    private readonly writeFile: AclFileWriter,
    acls: AclSet,
  ) {
    super(acls);
  }

  /** Loads `dir`'s ACL file (none: no ACLs). A file that does not read back whole throws one line naming it. */
  static open(dir: string, writeFile: AclFileWriter = writeFileAtomicSync): AclFile {
    const path = join(dir, ACLS_FILE);
    return new AclFile(path, writeFile, existsSync(path) ? readAclFile(path) : new AclSet());
  }

  async add(acls: readonly AclBinding[]): Promise<void> {
    const fresh = this.absent(acls);
    if (fresh.length === 0) return;
    this.write([...this.acls.list(), ...fresh]);
    for (const acl of fresh) this.acls.add(acl);
  }

  async remove(acls: readonly AclBinding[]): Promise<void> {
    const removed = new AclSet();
    for (const acl of acls) removed.add(acl);
    const kept = this.acls.list().filter((acl) => !removed.has(acl));
    if (kept.length === this.acls.size) return;
    this.write(kept);
    for (const acl of acls) this.acls.delete(acl);
  }

  /** Nothing to release: every change is on disk once it resolved. */
  async close(): Promise<void> {}

  /** Writes the file holding exactly `acls`; throws KAFKA_STORAGE_ERROR. */
  private write(acls: AclBinding[]): void {
    const file: AclFileContents = { version: 1, acls: acls.map(toStoredAcl) };
    try {
      this.writeFile(this.path, `${JSON.stringify(file, null, 2)}\n`);
    } catch (error) {
      throw new KafkaError(ErrorCode.KAFKA_STORAGE_ERROR, `ACL file ${this.path} could not be written (${(error as Error).message}); nothing was changed`);
    }
  }
}

/** The file's ACLs, checked one by one; anything else is an Error naming the file and what is wrong. */
function readAclFile(path: string): AclSet {
  const corrupt = (what: string) => new Error(`ACL file ${path} ${what}; restore it, or move it away to start with no ACLs`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw corrupt(`is unreadable (${(error as Error).message.split('\n')[0]})`);
  }
  const file = parsed as Partial<AclFileContents> | null;
  if (typeof file !== 'object' || file === null || file.version !== 1 || !Array.isArray(file.acls)) {
    throw corrupt('is not a Fjord ACL file of version 1');
  }
  const acls = new AclSet();
  file.acls.forEach((value, index) => {
    try {
      acls.add(parseStoredAcl(value));
    } catch (error) {
      throw corrupt(`has a bad ACL at index ${index} (${(error as Error).message})`);
    }
  });
  return acls;
}
