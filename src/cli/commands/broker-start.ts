// `fjord broker start [--config FILE] [--set key=value …]` (also what `node dist/src/main.js` runs): loads
// the config, starts the broker, stops it cleanly on SIGTERM / SIGINT. Runs on the main thread.
import { parseArgs } from 'node:util';
import { ClusterJoinError } from '../../cluster/membership.js';
import { ConfigError, environmentOverrides, readPropertiesFile } from '../../config/broker-config.js';
import { launchBroker } from '../../broker.js';

export const BROKER_START_USAGE = `usage: fjord broker start [--config FILE] [--set key=value ...]
  Starts a Fjord broker in the foreground (standalone, or a cluster member when fjord.etcd.endpoints is set);
  SIGTERM or Ctrl-C stops it cleanly.
  --config FILE      Kafka-style properties file (default: none; see config/server.properties)
  --set key=value    override one config key (repeatable); FJORD_<KEY> environment variables work too`;

function fail(message: string, exitCode: number): never {
  process.stderr.write(`fjord: ${message}\n`);
  process.exit(exitCode);
}

function parseCommandLine(argv: string[]): { configFile: string | undefined; overrides: Map<string, string> } {
  const options = { config: { type: 'string' }, set: { type: 'string', multiple: true }, help: { type: 'boolean', short: 'h' } } as const;
  let parsed: ReturnType<typeof parseArgs<{ args: string[]; options: typeof options; strict: true }>>;
  try {
    parsed = parseArgs({ args: argv, options, strict: true });
  } catch (error) {
    fail(`${(error as Error).message.split('\n')[0]!.replace(/\. To specify a positional.*$/, '')}; run "fjord broker start --help" for usage`, 2);
  }
  if (parsed.values.help) {
    process.stdout.write(`${BROKER_START_USAGE}\n`);
    process.exit(0);
  }
  const overrides = new Map<string, string>();
  for (const item of parsed.values.set ?? []) {
    const at = item.indexOf('=');
    if (at <= 0) fail(`--set expects key=value, got "${item}"`, 2);
    overrides.set(item.slice(0, at), item.slice(at + 1));
  }
  return { configFile: parsed.values.config, overrides };
}

/** Starts the broker from command-line arguments; the process then lives until a signal stops the broker. */
export async function runBrokerStart(argv: string[]): Promise<void> {
  const { configFile, overrides } = parseCommandLine(argv);
  let fileEntries = new Map<string, string>();
  try {
    fileEntries = configFile !== undefined ? readPropertiesFile(configFile) : new Map();
  } catch (error) {
    fail((error as Error).message, 1);
  }
  const config = new Map([...fileEntries, ...environmentOverrides(process.env), ...overrides]);
  // Signal handlers come first: a SIGTERM that arrives while the broker is still starting (or right after it
  // logged "ready") waits for the start to finish, then shuts down cleanly.
  const starting = launchBroker({ config });
  const shutdown = (signal: string): void => {
    void starting.then(
      (broker) => {
        broker.logger.info({ signal }, 'signal received');
        broker.stop().then(
          () => process.exit(0),
          (error: unknown) => fail(`shutdown failed: ${(error as Error).message}`, 1),
        );
      },
      () => undefined,
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
  try {
    await starting;
  } catch (error) {
    if (error instanceof ConfigError) fail(`bad configuration:\n  ${error.problems.join('\n  ')}`, 1);
    if (error instanceof ClusterJoinError) fail(`cannot join the cluster: ${error.message}`, 1);
    fail(`cannot start: ${(error as Error).message}; check the address and the log dirs in the config`, 1);
  }
}
