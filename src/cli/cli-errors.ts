// How the fjord command fails: one line on stderr, "fjord: <what was wrong>; <what to do>", exit code 2 for
// a usage error (bad flag or argument) and 1 for anything that went wrong while doing the work. Maps the
// client's errors (unreachable broker, Kafka error codes by name, timeouts) to such lines. Main thread.
import { BrokerUnreachableError, KafkaResponseError, RequestTimeoutError, UnsupportedApiError } from '../client/kafka-errors.js';
import { OffsetOutOfRangeError } from '../client/start-position.js';

export const ExitCode = { OK: 0, FAILURE: 1, USAGE: 2 } as const;

/** A failure the command explains itself: what was wrong, and what to do about it. */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    readonly what: string,
    readonly todo: string,
    readonly exitCode: number = ExitCode.FAILURE,
  ) {
    super(`${what}; ${todo}`);
  }
}

/** A bad flag or argument value (exit code 2). */
export function usageError(what: string, command: string): CliError {
  return new CliError(what, `run "${command} --help" for usage`, ExitCode.USAGE);
}

/** What to do about a Kafka error code, when there is something specific to say. */
const HINTS: Record<number, string> = {
  3: 'list topics with "fjord topics list", or create it with "fjord topics create NAME"',
  17: 'topic names are letters, digits, ".", "_" and "-", up to 249 characters',
  36: 'pick another name, or look at it with "fjord topics describe NAME"',
  37: 'a topic can only grow: give more partitions than it has now',
  38: 'a single broker holds one replica: use --replication-factor 1',
  40: 'see "fjord topics describe NAME" for the keys and values a topic takes',
  24: 'a group id is 1 to 249 characters',
  25: 'the group has live members; stop its consumers first',
  68: 'the group still has members; stop its consumers first',
  69: 'list groups with "fjord groups list"',
  10: "send smaller messages, or raise the topic's max.message.bytes",
  91: 'list users and their mechanisms with "fjord users list"',
  93: 'give --iterations from 4096 to 16384 and a user name of 1 to 512 bytes',
  54: 'the broker has no authorizer: set authorizer.class.name (docs/security.md#acls)',
};

/** The one line (without "fjord: ") and exit code for any error a command throws. */
export function describeFailure(error: unknown, command: string): { line: string; exitCode: number } {
  if (error instanceof CliError) return { line: error.message, exitCode: error.exitCode };
  if (error instanceof BrokerUnreachableError) {
    return {
      line: `${error.message}; check that a broker is running there ("fjord broker start") or pass --bootstrap-server host:port`,
      exitCode: ExitCode.FAILURE,
    };
  }
  if (error instanceof KafkaResponseError) {
    const todo = HINTS[error.code] ?? (error.retriable ? 'the condition is usually brief: try again' : `see docs/cli.md, or run "${command} --help"`);
    return { line: `${error.message}; ${todo}`, exitCode: ExitCode.FAILURE };
  }
  if (error instanceof RequestTimeoutError) return { line: `${error.message}; the broker may be overloaded: try again`, exitCode: ExitCode.FAILURE };
  if (error instanceof UnsupportedApiError) return { line: `${error.message}; use a broker that serves it (Kafka 2.4 or later)`, exitCode: ExitCode.FAILURE };
  if (error instanceof OffsetOutOfRangeError)
    return { line: `${error.message}; pick an offset in that range, or use --from-beginning`, exitCode: ExitCode.FAILURE };
  if (error instanceof RangeError) return { line: `${error.message}; run "${command} --help" for usage`, exitCode: ExitCode.USAGE };
  const message = error instanceof Error ? error.message : String(error);
  return { line: `${message}; this is unexpected: please report it with the command you ran`, exitCode: ExitCode.FAILURE };
}
