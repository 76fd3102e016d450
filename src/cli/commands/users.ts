// `fjord users create|delete|list`: users' SCRAM credentials (SCRAM-SHA-256, SCRAM-SHA-512) on the brokers, through
// AlterUserScramCredentials and DescribeUserScramCredentials. A password is read from --password-file or the first
// line of stdin, never from the command line (where ps and shell history would show it), and only its salted
// form is sent (src/client/scram-users.ts). Runs on the main thread.
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { KafkaClient } from '../../client/kafka-client.js';
import { deleteScramUser, listScramUsers, upsertScramUser } from '../../client/scram-users.js';
import { PLAIN_PASSWORD_BYTES_MAX, SCRAM_ITERATIONS_DEFAULT } from '../../security/sasl-limits.js';
import { SCRAM_MECHANISMS, type ScramMechanism } from '../../security/scram-credentials.js';
import { type ClientFlags, withBootstrapOption, withClient } from '../broker-client.js';
import { CliError } from '../cli-errors.js';
import { oneOf, positive } from '../option-parsers.js';
import { write } from '../output.js';
import { renderTable } from '../table.js';

interface CreateFlags extends ClientFlags {
  mechanism: ScramMechanism;
  iterations: number;
  passwordFile?: string;
}

interface DeleteFlags extends ClientFlags {
  mechanism: ScramMechanism;
}

export function registerUsers(program: Command): void {
  const users = program.command('users').description("users' SCRAM credentials for SASL authentication");
  withBootstrapOption(
    users
      .command('create')
      .description("create a user's SCRAM credential, or replace it (password: --password-file, else the first line of stdin)")
      .argument('<name>', 'the user name'),
  )
    .requiredOption('-m, --mechanism <mechanism>', SCRAM_MECHANISMS.join(' or '), oneOf(SCRAM_MECHANISMS))
    .option('-i, --iterations <n>', 'PBKDF2 iterations, 4096 to 16384', positive, SCRAM_ITERATIONS_DEFAULT)
    .option('--password-file <path>', 'read the password from the first line of this file')
    .action((name: string, flags: CreateFlags) => withClient(flags, (client) => create(client, name, flags)));
  withBootstrapOption(users.command('delete').description("delete a user's SCRAM credential").argument('<name>', 'the user name'))
    .requiredOption('-m, --mechanism <mechanism>', SCRAM_MECHANISMS.join(' or '), oneOf(SCRAM_MECHANISMS))
    .action((name: string, flags: DeleteFlags) =>
      withClient(flags, async (client) => {
        await deleteScramUser(client, name, flags.mechanism);
        await write(`deleted the ${flags.mechanism} credential of user "${name}"\n`);
      }),
    );
  withBootstrapOption(users.command('list').description('every user with its SCRAM mechanisms and iterations')).action((flags: ClientFlags) =>
    withClient(flags, async (client) => {
      const rows = (await listScramUsers(client)).map((c) => [c.user, c.mechanism ?? 'UNKNOWN', c.iterations]);
      await write(renderTable(['USER', 'MECHANISM', 'ITERATIONS'], rows));
    }),
  );
}

async function create(client: KafkaClient, name: string, flags: CreateFlags): Promise<void> {
  const password = flags.passwordFile === undefined ? await firstLineOfStdin() : firstLineOf(flags.passwordFile);
  await upsertScramUser(client, name, flags.mechanism, password, flags.iterations);
  await write(`set the ${flags.mechanism} credential of user "${name}" (${flags.iterations} iterations)\n`);
}

/** The password: the bytes before the first line end, 1 to PLAIN_PASSWORD_BYTES_MAX of them. */
function passwordOf(bytes: Buffer, from: string): Buffer {
  const end = bytes.indexOf(0x0a);
  let line = end < 0 ? bytes : bytes.subarray(0, end);
  if (line.at(-1) === 0x0d) line = line.subarray(0, -1);
  if (line.length === 0) throw new CliError(`no password in ${from}`, 'give it as the first line of --password-file, or pipe it to stdin');
  if (line.length > PLAIN_PASSWORD_BYTES_MAX) throw new CliError(`the password in ${from} is over ${PLAIN_PASSWORD_BYTES_MAX} bytes`, 'use a shorter one');
  return Buffer.from(line);
}

function firstLineOf(path: string): Buffer {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw new CliError(`cannot read --password-file ${path} (${(error as Error).message})`, 'give a readable file whose first line is the password');
  }
  const password = passwordOf(bytes, path);
  bytes.fill(0);
  return password;
}

/** Reads stdin up to its first line end or its end (stopping once past the limit). */
async function firstLineOfStdin(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of process.stdin) {
    const data = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    chunks.push(data);
    bytes += data.length;
    if (data.includes(0x0a) || bytes > PLAIN_PASSWORD_BYTES_MAX + 2) break;
  }
  process.stdin.destroy();
  const all = Buffer.concat(chunks);
  const password = passwordOf(all, 'stdin');
  all.fill(0);
  return password;
}
