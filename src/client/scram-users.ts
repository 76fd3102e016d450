// Users' SCRAM credentials through standard APIs: list them (DescribeUserScramCredentials) and create, replace or
// delete one (AlterUserScramCredentials). The password never leaves the caller: a new credential is sent as a random
// salt and its SaltedPassword (PBKDF2, src/security), from which the broker derives the keys it keeps. Runs on the
// caller's main thread.
import { randomBytes } from 'node:crypto';
import { SCRAM_ITERATIONS_DEFAULT, SCRAM_SALT_BYTES_DEFAULT } from '../security/sasl-limits.js';
import { type ScramMechanism, scramMechanismOfType, scramMechanismType, scramSaltedPassword } from '../security/scram-credentials.js';
import type { KafkaClient } from './kafka-client.js';
import { checkErrorCode } from './kafka-errors.js';

/** A RESOURCE_NOT_FOUND user result: no credentials (describe) or not the one named (delete). */
const RESOURCE_NOT_FOUND = 91;

export interface ScramUserCredential {
  user: string;
  /** null for a mechanism number this client does not know. */
  mechanism: ScramMechanism | null;
  iterations: number;
}

/** Every user's credentials (or only `users`', a user without any left out), by user then mechanism. */
export async function listScramUsers(client: KafkaClient, users: readonly string[] | null = null): Promise<ScramUserCredential[]> {
  const broker = await client.anyBroker();
  const { body } = await broker.call(50, { users: users === null ? null : users.map((name) => ({ name })) });
  checkErrorCode(body.errorCode, 'describe SCRAM users', body.errorMessage);
  const listed: ScramUserCredential[] = [];
  for (const result of body.results) {
    if (result.errorCode === RESOURCE_NOT_FOUND) continue;
    checkErrorCode(result.errorCode, `describe SCRAM user "${result.user}"`, result.errorMessage);
    for (const info of result.credentialInfos)
      listed.push({ user: result.user, mechanism: scramMechanismOfType(info.mechanism) ?? null, iterations: info.iterations });
  }
  return listed.sort((a, b) => (a.user === b.user ? (a.mechanism ?? '').localeCompare(b.mechanism ?? '') : a.user < b.user ? -1 : 1));
}

/** Creates or replaces `user`'s credential for `mechanism`; `password` is UTF-8 bytes (zeroed here once used). */
export async function upsertScramUser(
  client: KafkaClient,
  user: string,
  mechanism: ScramMechanism,
  password: Buffer,
  iterations = SCRAM_ITERATIONS_DEFAULT,
): Promise<void> {
  const salt = randomBytes(SCRAM_SALT_BYTES_DEFAULT);
  const saltedPassword = scramSaltedPassword(mechanism, password, salt, iterations);
  password.fill(0);
  try {
    const upsertion = { name: user, mechanism: scramMechanismType(mechanism), iterations, salt, saltedPassword };
    await alter(client, user, { deletions: [], upsertions: [upsertion] }, `set ${mechanism} credential of "${user}"`);
  } finally {
    saltedPassword.fill(0);
  }
}

/** Deletes `user`'s credential for `mechanism` (RESOURCE_NOT_FOUND when it has none). */
export function deleteScramUser(client: KafkaClient, user: string, mechanism: ScramMechanism): Promise<void> {
  const deletion = { name: user, mechanism: scramMechanismType(mechanism) };
  return alter(client, user, { deletions: [deletion], upsertions: [] }, `delete ${mechanism} credential of "${user}"`);
}

type Alteration = {
  deletions: Array<{ name: string; mechanism: number }>;
  upsertions: Array<{ name: string; mechanism: number; iterations: number; salt: Buffer; saltedPassword: Buffer }>;
};

async function alter(client: KafkaClient, user: string, alteration: Alteration, context: string): Promise<void> {
  const broker = await client.anyBroker();
  const { body } = await broker.call(51, alteration);
  const result = body.results.find((r) => r.user === user);
  checkErrorCode(result?.errorCode ?? -1, context, result?.errorMessage ?? null);
}
