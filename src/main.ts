// The broker's command-line entry point: `node dist/src/main.js [--config FILE] [--set key=value …]`.
// Loads the config, starts the broker, stops it cleanly on SIGTERM / SIGINT. Runs on the main thread.
import { parseArgs } from 'node:util';
import { ConfigError, environmentOverrides, readPropertiesFile } from './config/broker-config.js';
import { startBroker } from './broker.js';

const USAGE = `usage: fjord-broker [--config FILE] [--set key=value ...]
  --config FILE      Kafka-style properties file (default: config/server.properties if present)
  --set key=value    override one config key (repeatable); FJORD_<KEY> environment variables work too`;

function fail(message: string, exitCode: number): never {
  process.stderr.write(`fjord: ${message}\n`);
  process.exit(exitCode);
}

function parseCommandLine(argv: string[]): { configFile: string | undefined; overrides: Map<string, string> } {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: { config: { type: 'string' }, set: { type: 'string', multiple: true }, help: { type: 'boolean' } }, strict: true });
  } catch (error) {
    fail(`${(error as Error).message.split('\n')[0]}\n${USAGE}`, 2);
  }
  if (parsed.values.help) {
    process.stdout.write(USAGE + '\n');
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

async function main(): Promise<void> {
  const { configFile, overrides } = parseCommandLine(process.argv.slice(2));
  let fileEntries = new Map<string, string>();
  try {
    fileEntries = configFile !== undefined ? readPropertiesFile(configFile) : new Map();
  } catch (error) {
    fail((error as Error).message, 1);
  }
  const config = new Map([...fileEntries, ...environmentOverrides(process.env), ...overrides]);
  // Signal handlers come first: a SIGTERM that arrives while the broker is still starting (or right after it
  // logged "ready") waits for the start to finish, then shuts down cleanly.
  const starting = startBroker({ config });
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
    fail(`cannot start: ${(error as Error).message}`, 1);
  }
}

void main();
