// The fjord command tree: `fjord <group> <command> [flags]`, each command's flags and help (commander), and
// running it with failures turned into one line and an exit code (2 usage, 1 failure). Main thread.
import { Command, CommanderError } from 'commander';
import { describeFailure, ExitCode } from './cli-errors.js';
import { registerBroker } from './commands/broker.js';
import { registerAcls } from './commands/acls.js';
import { registerCluster } from './commands/cluster.js';
import { registerConsume } from './commands/consume.js';
import { registerDevCluster } from './commands/dev-cluster.js';
import { registerDumpSegment } from './commands/dump-segment.js';
import { registerGroups } from './commands/groups.js';
import { registerPerf } from './commands/perf.js';
import { registerProduce } from './commands/produce.js';
import { registerTopics } from './commands/topics.js';
import { registerUsers } from './commands/users.js';

export const VERSION = '0.1.0';

export function buildProgram(argv: readonly string[]): Command {
  const program = new Command('fjord')
    .description('Fjord: a Kafka-compatible broker and the tools to work with it (any Kafka-compatible broker)')
    .version(VERSION, '-V, --version')
    .exitOverride()
    .configureOutput({ outputError: () => undefined })
    .showSuggestionAfterError(true)
    .addHelpText('after', '\nEvery command takes --help. Full reference: docs/cli.md');
  registerBroker(program, () => argv.slice(argv.indexOf('start') + 1));
  registerTopics(program);
  registerProduce(program);
  registerConsume(program);
  registerGroups(program);
  registerCluster(program);
  registerUsers(program);
  registerAcls(program);
  registerDumpSegment(program);
  registerPerf(program);
  registerDevCluster(program);
  return program;
}

/** "fjord topics create": the command the arguments name, as far as they name one. */
export function commandPath(program: Command, argv: readonly string[]): string {
  const names = [program.name()];
  let current = program;
  for (const token of argv) {
    if (token.startsWith('-')) break;
    const next = current.commands.find((c) => c.name() === token || c.aliases().includes(token));
    if (next === undefined) break;
    names.push(next.name());
    current = next;
  }
  return names.join(' ');
}

/** Runs the command; resolves with the exit code (the broker command keeps the process alive itself). */
export async function runCli(argv: readonly string[]): Promise<number> {
  const program = buildProgram(argv);
  const command = commandPath(program, argv);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return ExitCode.OK;
  } catch (error) {
    if (error instanceof CommanderError) return commanderExit(error, command);
    const { line, exitCode } = describeFailure(error, command);
    process.stderr.write(`fjord: ${line}\n`);
    return exitCode;
  }
}

function commanderExit(error: CommanderError, command: string): number {
  if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return ExitCode.OK;
  // A group without a command: commander printed its help on stderr.
  if (error.code === 'commander.help' || error.code === 'commander.executeSubCommandAsync') return ExitCode.USAGE;
  const what = error.message
    .replace(/^error: /, '')
    .replace(/\n+/g, ' ')
    .replace(/\.$/, '');
  process.stderr.write(`fjord: ${what}; run "${command} --help" for usage\n`);
  return ExitCode.USAGE;
}
