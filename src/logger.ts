// The broker's pino logger: JSON lines on stdout. Runs on the main thread (workers post their log
// lines to it).
import { pino, type Logger } from 'pino';

export function createLogger(level: string, destination: NodeJS.WritableStream | number = 1): Logger {
  return pino({ level, base: { service: 'fjord' } }, typeof destination === 'number' ? pino.destination({ fd: destination, sync: true }) : destination);
}
