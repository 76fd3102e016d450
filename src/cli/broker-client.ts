// The --bootstrap-server and --timeout-ms flags every broker-facing fjord command takes, and running a command's
// work with a KafkaClient that is closed afterwards whatever happens. Runs on the main thread.
import { type Command, InvalidArgumentError } from 'commander';
import { DEFAULT_CLIENT_OPTIONS, KafkaClient, parseHostPort } from '../client/kafka-client.js';
import { positive } from './option-parsers.js';

export const DEFAULT_BOOTSTRAP = '127.0.0.1:9092';

export interface ClientFlags {
  bootstrapServer: string;
  timeoutMs: number;
}

function bootstrapList(text: string): string {
  for (const server of text.split(',')) {
    try {
      parseHostPort(server);
    } catch {
      throw new InvalidArgumentError(`expected host:port (several separated by commas), got "${text}"`);
    }
  }
  return text;
}

/**
 * Adds --bootstrap-server (default: $FJORD_BOOTSTRAP_SERVER, else 127.0.0.1:9092) and --timeout-ms, how long the
 * client keeps retrying while leaders or coordinators move or brokers cannot be reached.
 */
export function withBootstrapOption(command: Command): Command {
  return command
    .option(
      '-b, --bootstrap-server <host:port>',
      'broker(s) to connect to, comma-separated (env FJORD_BOOTSTRAP_SERVER)',
      bootstrapList,
      process.env.FJORD_BOOTSTRAP_SERVER || DEFAULT_BOOTSTRAP,
    )
    .option(
      '--timeout-ms <ms>',
      'how long to keep retrying while leaders or coordinators move or brokers cannot be reached',
      positive,
      DEFAULT_CLIENT_OPTIONS.retryTimeoutMs,
    );
}

export async function withClient<T>(flags: ClientFlags, work: (client: KafkaClient) => Promise<T>): Promise<T> {
  const client = new KafkaClient({ bootstrapServers: flags.bootstrapServer.split(','), clientId: 'fjord-cli', retryTimeoutMs: flags.timeoutMs });
  try {
    return await work(client);
  } finally {
    await client.close();
  }
}
