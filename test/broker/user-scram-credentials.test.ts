// DescribeUserScramCredentials and AlterUserScramCredentials against a real broker process: Kafka's per-user
// answers (RESOURCE_NOT_FOUND, DUPLICATE_RESOURCE, UNSUPPORTED_SASL_MECHANISM, UNACCEPTABLE_CREDENTIAL), a refused
// user changing nothing, the keys derived from the SaltedPassword as from the password, the credentials kept in the
// metadata dir across a restart, and a corrupt credential file stopping the start with one line.
import { pbkdf2Sync, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCRAM_CREDENTIALS_FILE } from '../../src/metadata/scram-credential-file.js';
import { deriveScramCredential, toStoredScramCredential } from '../../src/security/scram-credentials.js';
import { ErrorCode } from '../../src/shared/kafka-error-codes.js';
import { type BrokerProcess, startBrokerProcess } from '../helpers/broker-process.js';
import { tempDir } from '../helpers/temp-dir.js';
import { RawClient } from './raw-client.js';

const SHA256 = 1;
const SHA512 = 2;

let broker: BrokerProcess;
let client: RawClient;
const logDir = tempDir('fjord-scram-');

beforeAll(async () => {
  broker = await startBrokerProcess({}, logDir);
  client = await RawClient.connect('127.0.0.1', broker.port);
}, 30_000);
afterAll(async () => {
  client?.close();
  await broker?.stop();
});

function upsertion(name: string, mechanism: number, iterations = 4096, salt = randomBytes(32), password = `${name}-secret`) {
  const hash = mechanism === SHA512 ? 'sha512' : 'sha256';
  const saltedPassword = pbkdf2Sync(password, salt, iterations, mechanism === SHA512 ? 64 : 32, hash);
  return { name, mechanism, iterations, salt, saltedPassword };
}

const alter = (body: { deletions?: Array<{ name: string; mechanism: number }>; upsertions?: Array<ReturnType<typeof upsertion>> }) =>
  client.call(51, 0, { deletions: body.deletions ?? [], upsertions: body.upsertions ?? [] });
const results = (answer: { results: Array<{ user: string; errorCode: number }> }) => answer.results.map((r) => [r.user, r.errorCode]);
const describeUsers = async (names: string[] | null) => {
  const answer = await client.call(50, 0, { users: names === null ? null : names.map((name) => ({ name })) });
  expect(answer.errorCode).toBe(0);
  return answer.results.map((r) => [r.user, r.errorCode, r.credentialInfos.map((c) => [c.mechanism, c.iterations])]);
};

describe('AlterUserScramCredentials and DescribeUserScramCredentials', () => {
  it('start with no users, then list upserted users and mechanisms in name order', async () => {
    expect(await describeUsers(null)).toEqual([]);
    const answer = await alter({ upsertions: [upsertion('bob', SHA256), upsertion('alice', SHA512, 8192), upsertion('alice', SHA256)] });
    expect(results(answer)).toEqual([
      ['bob', 0],
      ['alice', 0],
    ]);
    const all = [
      [
        'alice',
        0,
        [
          [SHA256, 4096],
          [SHA512, 8192],
        ],
      ],
      ['bob', 0, [[SHA256, 4096]]],
    ];
    expect(await describeUsers(null)).toEqual(all);
    expect(await describeUsers([])).toEqual(all);
  });

  it('answers a named user without credentials RESOURCE_NOT_FOUND and a user named twice DUPLICATE_RESOURCE', async () => {
    expect(await describeUsers(['bob', 'ghost', 'alice', 'bob'])).toEqual([
      ['bob', ErrorCode.DUPLICATE_RESOURCE, []],
      ['ghost', ErrorCode.RESOURCE_NOT_FOUND, []],
      [
        'alice',
        0,
        [
          [SHA256, 4096],
          [SHA512, 8192],
        ],
      ],
    ]);
  });

  it('refuses bad changes per user, and a refused user changes nothing', async () => {
    const answer = await alter({
      deletions: [
        { name: 'ghost', mechanism: SHA256 },
        { name: 'bob', mechanism: SHA256 },
        { name: 'x', mechanism: 9 },
      ],
      upsertions: [
        upsertion('', SHA256),
        upsertion('few', SHA256, 4095),
        upsertion('many', SHA512, 16385),
        upsertion('odd', 3),
        upsertion('twice', SHA256),
        upsertion('twice', SHA256),
        upsertion('bob', SHA256),
        { ...upsertion('short-salt', SHA256), salt: randomBytes(4) },
        { ...upsertion('short-key', SHA512), saltedPassword: randomBytes(32) },
        upsertion('alice', SHA512, 20_000),
        upsertion('alice', SHA256, 16384),
      ],
    });
    expect(results(answer)).toEqual([
      ['ghost', ErrorCode.RESOURCE_NOT_FOUND],
      ['bob', ErrorCode.DUPLICATE_RESOURCE],
      ['x', ErrorCode.UNSUPPORTED_SASL_MECHANISM],
      ['', ErrorCode.UNACCEPTABLE_CREDENTIAL],
      ['few', ErrorCode.UNACCEPTABLE_CREDENTIAL],
      ['many', ErrorCode.UNACCEPTABLE_CREDENTIAL],
      ['odd', ErrorCode.UNSUPPORTED_SASL_MECHANISM],
      ['twice', ErrorCode.DUPLICATE_RESOURCE],
      ['short-salt', ErrorCode.UNACCEPTABLE_CREDENTIAL],
      ['short-key', ErrorCode.UNACCEPTABLE_CREDENTIAL],
      ['alice', ErrorCode.UNACCEPTABLE_CREDENTIAL],
    ]);
    const messages = new Map(answer.results.map((r) => [r.user, r.errorMessage]));
    expect([messages.get('few'), messages.get('many'), messages.get('twice')]).toEqual([
      'Too few iterations',
      'Too many iterations',
      'A user credential cannot be altered twice in the same request',
    ]);
    // alice's valid SCRAM-SHA-256 change went with her refused SCRAM-SHA-512 one; bob kept his credential.
    expect(await describeUsers(null)).toEqual([
      [
        'alice',
        0,
        [
          [SHA256, 4096],
          [SHA512, 8192],
        ],
      ],
      ['bob', 0, [[SHA256, 4096]]],
    ]);
  });

  it('derives the keys a password would give, stores only them, and deletes', async () => {
    const salt = randomBytes(32);
    expect(results(await alter({ upsertions: [upsertion('carol', SHA512, 4096, salt, 'pässword')] }))).toEqual([['carol', 0]]);
    const file = JSON.parse(readFileSync(join(logDir, SCRAM_CREDENTIALS_FILE), 'utf8'));
    expect(file.users.carol).toEqual([toStoredScramCredential(deriveScramCredential('SCRAM-SHA-512', 'pässword', { salt, iterations: 4096 }))]);

    expect(results(await alter({ deletions: [{ name: 'bob', mechanism: SHA256 }] }))).toEqual([['bob', 0]]);
    expect(await describeUsers(['bob'])).toEqual([['bob', ErrorCode.RESOURCE_NOT_FOUND, []]]);
    expect(results(await alter({ deletions: [{ name: 'bob', mechanism: SHA256 }] }))).toEqual([['bob', ErrorCode.RESOURCE_NOT_FOUND]]);
  });

  it('keeps the credentials across a restart, and a corrupt credential file stops the start naming the file', async () => {
    client.close();
    await broker.stop();
    broker = await startBrokerProcess({}, logDir);
    client = await RawClient.connect('127.0.0.1', broker.port);
    expect((await describeUsers(null)).map(([user]) => user)).toEqual(['alice', 'carol']);

    const corruptDir = tempDir('fjord-scram-corrupt-');
    const path = join(corruptDir, SCRAM_CREDENTIALS_FILE);
    writeFileSync(path, '{"version":1,"users":{"eve":[{"mechanism":"SCRAM-SHA-1"}]}}');
    const failed = startBrokerProcess({}, corruptDir);
    await expect(failed).rejects.toThrow(`SCRAM credential file ${path} has a bad credential for user "eve"`);
  }, 60_000);
});
