// The embedding API: startBroker() runs a real Fjord broker inside the caller's process with defaults made
// for tests and applications — a loopback listener on an ephemeral port, no admin HTTP port unless asked
// for, silent logs unless a level or a logger is given, a fresh temp log dir removed on stop, one partition
// worker and consumer-group timings for tests. Any key given in `config` wins over these defaults. Runs on
// the caller's main thread.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Logger, pino } from 'pino';
import { type BrokerHandle, launchBroker } from '../broker.js';
import type { BrokerConfig, LogFormat } from '../config/broker-config.js';
import { createLogger } from '../logger.js';

/** What an embedded broker runs with unless `config` says otherwise (the command line keeps Kafka's defaults). */
export const EMBEDDED_DEFAULTS: Readonly<Record<string, string>> = {
  listeners: 'PLAINTEXT://127.0.0.1:0',
  'fjord.http.listener': '',
  'fjord.workers': '1',
  // Kafka's own test harnesses do the same: no wait for more members before the first rebalance, short
  // sessions allowed, and a small offsets topic so the first group is ready at once.
  'group.initial.rebalance.delay.ms': '0',
  'group.min.session.timeout.ms': '100',
  'offsets.topic.num.partitions': '1',
};

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';

export interface StartBrokerOptions {
  /** Kafka-style keys, e.g. { 'num.partitions': '3' }; they override EMBEDDED_DEFAULTS. */
  config?: Record<string, string> | Map<string, string>;
  /** Where log lines go; wins over `logLevel`. */
  logger?: Logger;
  /** Log to stdout at this level (default: silent, unless `config` sets fjord.log.level). */
  logLevel?: LogLevel;
  /** Serve /metrics, /health and /ready on an ephemeral 127.0.0.1 port (reported as adminUrl). */
  adminHttp?: boolean;
}

export interface EmbeddedBroker {
  /** host:port for a client's bootstrap servers, e.g. '127.0.0.1:40311'. */
  readonly bootstrap: string;
  readonly host: string;
  readonly port: number;
  /** http://host:port of the admin listener, or null when it is off. */
  readonly adminUrl: string | null;
  /** The broker's log dirs (a temp dir of its own when none was given; removed on stop). */
  readonly logDirs: readonly string[];
  readonly nodeId: number;
  readonly config: BrokerConfig;
  /** Milliseconds from startBroker() to ready. */
  readonly startupMs: number;
  /** Closes the listener, finishes in-flight requests, stops the workers, removes a temp log dir. Idempotent. */
  stop(): Promise<void>;
}

export async function startBroker(options: StartBrokerOptions = {}): Promise<EmbeddedBroker> {
  const given = options.config instanceof Map ? options.config : new Map(Object.entries(options.config ?? {}));
  const config = new Map(Object.entries(EMBEDDED_DEFAULTS));
  if (options.adminHttp) config.set('fjord.http.listener', 'http://127.0.0.1:0');
  const tempLogDir = given.has('log.dirs') || given.has('log.dir') ? null : mkdtempSync(join(tmpdir(), 'fjord-embedded-'));
  if (tempLogDir !== null) config.set('log.dirs', tempLogDir);
  for (const [key, value] of given) config.set(key, value);
  const removeTempLogDir = () => {
    if (tempLogDir !== null) rmSync(tempLogDir, { recursive: true, force: true });
  };
  let handle: BrokerHandle;
  try {
    handle = await launchBroker({ config, logger: loggerFor(options, given) });
  } catch (error) {
    removeTempLogDir();
    throw error;
  }
  let stopping: Promise<void> | undefined;
  const { address, http } = handle;
  return {
    bootstrap: handle.bootstrap,
    host: address.host,
    port: address.port,
    adminUrl: http === null ? null : `http://${http.host.includes(':') ? `[${http.host}]` : http.host}:${http.port}`,
    logDirs: handle.config.logDirs,
    nodeId: handle.config.nodeId,
    config: handle.config,
    startupMs: handle.startupMs,
    stop: () =>
      (stopping ??= (async () => {
        try {
          await handle.stop();
        } finally {
          removeTempLogDir();
        }
      })()),
  };
}

/** The caller's logger, or one at the asked level, or the config's level, or none (silent). */
function loggerFor(options: StartBrokerOptions, given: Map<string, string>): Logger | undefined {
  if (options.logger !== undefined) return options.logger;
  if (options.logLevel === 'silent' || (options.logLevel === undefined && !given.has('fjord.log.level'))) return pino({ level: 'silent' });
  if (options.logLevel !== undefined) return createLogger(options.logLevel, 1, (given.get('fjord.log.format') ?? 'auto') as LogFormat);
  return undefined;
}
