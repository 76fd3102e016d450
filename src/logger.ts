// The broker's pino logger: JSON lines on stdout, or one human-readable line per entry (pino-pretty's
// formatter, run synchronously so nothing is lost when the process exits right after a line). Runs on
// the main thread (workers post their log lines to it).
import { createRequire } from 'node:module';
import { pino, type DestinationStream, type Logger } from 'pino';
import type { LogFormat } from './config/broker-config.js';

/** pino-pretty (and its dependencies) load only when a pretty logger is made: JSON start-up stays lean. */
const loadPretty = (): typeof import('pino-pretty') => createRequire(import.meta.url)('pino-pretty') as typeof import('pino-pretty');

/**
 * `format` 'auto' picks pretty when the destination is a terminal (fd 1 with stdout a TTY), JSON otherwise,
 * so pipes, files and log shippers always get JSON.
 */
export function createLogger(level: string, destination: NodeJS.WritableStream | number = 1, format: LogFormat = 'json'): Logger {
  const sink = typeof destination === 'number' ? pino.destination({ fd: destination, sync: true }) : destination;
  const pretty = format === 'pretty' || (format === 'auto' && isTerminal(destination));
  const options = { level, base: { service: 'fjord' } };
  return pino(options, pretty ? prettyStream(sink, isTerminal(destination)) : sink);
}

function isTerminal(destination: NodeJS.WritableStream | number): boolean {
  return destination === 1 && process.stdout.isTTY === true;
}

/** `[12:00:01.234] INFO: ready {"listener":"127.0.0.1:9092",...}`; colours only on a terminal. */
function prettyStream(sink: NodeJS.WritableStream | DestinationStream, colorize: boolean): DestinationStream {
  const format = loadPretty().prettyFactory({ colorize, singleLine: true, translateTime: 'SYS:yyyy-mm-dd HH:MM:ss.l', ignore: 'pid,hostname,service' });
  return { write: (line: string) => void sink.write(format(line)) };
}
