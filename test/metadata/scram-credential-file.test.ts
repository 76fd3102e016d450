// The standalone SCRAM credential store: credentials survive a reopen, the file is written before the map changes
// (a failed write leaves the file and the map as they were), only the salted form is stored, and a corrupt file
// stops the start with one line naming it.
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SCRAM_CREDENTIALS_FILE, ScramCredentialFile } from '../../src/metadata/scram-credential-file.js';
import { deriveScramCredential, toStoredScramCredential } from '../../src/security/scram-credentials.js';
import { writeFileAtomicSync } from '../../src/shared/atomic-file.js';
import { ErrorCode, KafkaError } from '../../src/shared/kafka-error-codes.js';
import { tempDir } from '../helpers/temp-dir.js';

const alice256 = deriveScramCredential('SCRAM-SHA-256', 'alice-secret');
const alice512 = deriveScramCredential('SCRAM-SHA-512', 'alice-secret', { iterations: 8192 });
const bob256 = deriveScramCredential('SCRAM-SHA-256', 'bob-secret');

describe('ScramCredentialFile', () => {
  it('starts empty without a file, keeps upserts and removals across a reopen, and stores only the salted form', async () => {
    const dir = tempDir();
    const store = ScramCredentialFile.open(dir);
    expect(store.users()).toEqual(new Map());
    await store.upsert('bob', bob256);
    await store.upsert('alice', alice512);
    await store.upsert('alice', alice256);
    expect(store.scram('alice', 'SCRAM-SHA-512')).toEqual(alice512);
    expect(await store.remove('bob', 'SCRAM-SHA-512')).toBe(false);

    const reopened = ScramCredentialFile.open(dir);
    expect(reopened.scram('alice', 'SCRAM-SHA-256')).toEqual(alice256);
    expect(reopened.users()).toEqual(
      new Map([
        [
          'alice',
          [
            { mechanism: 'SCRAM-SHA-256', iterations: 4096 },
            { mechanism: 'SCRAM-SHA-512', iterations: 8192 },
          ],
        ],
        ['bob', [{ mechanism: 'SCRAM-SHA-256', iterations: 4096 }]],
      ]),
    );
    expect(await reopened.remove('bob', 'SCRAM-SHA-256')).toBe(true);
    expect(ScramCredentialFile.open(dir).scram('bob', 'SCRAM-SHA-256')).toBeUndefined();

    const path = join(dir, SCRAM_CREDENTIALS_FILE);
    const text = readFileSync(path, 'utf8');
    expect(text).not.toContain('alice-secret');
    expect(JSON.parse(text)).toEqual({ version: 1, users: { alice: [toStoredScramCredential(alice256), toStoredScramCredential(alice512)] } });
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it('writes before it applies: a failed write leaves the file and the map as they were', async () => {
    const dir = tempDir();
    let failing = false;
    const seen: string[] = [];
    const store = ScramCredentialFile.open(dir, (path, text) => {
      // The map must not show the change while it is being written.
      seen.push(String(store.scram('bob', 'SCRAM-SHA-256') !== undefined));
      if (failing) throw new Error('ENOSPC: no space left on device');
      writeFileAtomicSync(path, text);
    });
    await store.upsert('alice', alice256);
    await store.upsert('bob', bob256);
    expect(seen).toEqual(['false', 'false']);
    const before = readFileSync(join(dir, SCRAM_CREDENTIALS_FILE), 'utf8');

    failing = true;
    const upsert = store.upsert('carol', alice512);
    await expect(upsert).rejects.toBeInstanceOf(KafkaError);
    await expect(upsert).rejects.toMatchObject({ code: ErrorCode.KAFKA_STORAGE_ERROR, message: expect.stringContaining('ENOSPC') });
    await expect(store.remove('alice', 'SCRAM-SHA-256')).rejects.toMatchObject({ code: ErrorCode.KAFKA_STORAGE_ERROR });
    expect(store.scram('carol', 'SCRAM-SHA-512')).toBeUndefined();
    expect(store.scram('alice', 'SCRAM-SHA-256')).toEqual(alice256);
    expect(readFileSync(join(dir, SCRAM_CREDENTIALS_FILE), 'utf8')).toBe(before);

    failing = false;
    await store.upsert('carol', alice512);
    expect(ScramCredentialFile.open(dir).scram('carol', 'SCRAM-SHA-512')).toEqual(alice512);
  });

  it('refuses to open a corrupt file with one line naming it', () => {
    const cases: Array<[string, RegExp]> = [
      ['{"version":1,"users":', /is unreadable/],
      ['{"version":2,"users":{}}', /is not a Fjord credential file of version 1/],
      [
        JSON.stringify({ version: 1, users: { alice: [{ ...toStoredScramCredential(alice256), storedKey: 'AAAA' }] } }),
        /bad credential for user "alice".*storedKey/,
      ],
      [JSON.stringify({ version: 1, users: { alice: [toStoredScramCredential(alice256), toStoredScramCredential(alice256)] } }), /lists SCRAM-SHA-256 twice/],
      [JSON.stringify({ version: 1, users: { '': [] } }), /bad entry for user ""/],
    ];
    for (const [text, reason] of cases) {
      const dir = tempDir();
      const path = join(dir, SCRAM_CREDENTIALS_FILE);
      writeFileSync(path, text);
      let message = '';
      try {
        ScramCredentialFile.open(dir);
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message).toMatch(reason);
      expect(message.startsWith(`SCRAM credential file ${path} `)).toBe(true);
      expect(message).not.toContain('\n');
    }
  });
});
