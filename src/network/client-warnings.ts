// Log lines a client causes (bad frames, malformed requests, unsupported versions and unknown APIs, refused
// and closed connections, read timeouts, failed handlers), at most one per client address and kind (and API,
// for events about one) per interval: the lines in between are counted and their number goes out with the
// next line allowed. Every event is counted by kind for /metrics, logged or not, and events about an API also
// by API key. Time is injectable so tests need no sleeps. Main thread.
import type { Logger } from 'pino';

/** bad-frame: a size prefix out of bounds; malformed-request: a frame the codec cannot read; unknown-api: an API key Fjord does not know; tls-handshake: a TLS handshake that failed (no or a bad client certificate, a protocol error, too slow); authentication: a failed or late SASL authentication, or another request before it. */
export type ClientWarningKind =
  | 'bad-frame'
  | 'malformed-request'
  | 'unsupported-version'
  | 'unknown-api'
  | 'refused'
  | 'closed'
  | 'read-timeout'
  | 'handler-failed'
  | 'tls-handshake'
  | 'authentication';

export const CLIENT_WARNING_KINDS: readonly ClientWarningKind[] = [
  'bad-frame',
  'malformed-request',
  'unsupported-version',
  'unknown-api',
  'refused',
  'closed',
  'read-timeout',
  'handler-failed',
  'tls-handshake',
  'authentication',
];

/** One line per client address and kind per this many milliseconds. */
export const CLIENT_WARNING_INTERVAL_MS = 10_000;
/** (address, kind) pairs remembered at once; beyond it the longest-quiet one is forgotten. */
export const CLIENT_WARNING_SOURCES_MAX = 10_000;
/** Distinct API keys counted per kind (a client may send any int16); events beyond it count under key -1. */
export const CLIENT_WARNING_API_KEYS_MAX = 64;
const OTHER_API_KEY = -1;

interface Source {
  nextLineMs: number;
  suppressed: number;
}

export class ClientWarnings {
  private readonly sources = new Map<string, Source>();
  private readonly counts = new Map<ClientWarningKind, number>();
  /** `${kind} ${apiKey}` → events, for events whose fields name an apiKey. */
  private readonly countsPerApi = new Map<string, { kind: ClientWarningKind; apiKey: number; count: number }>();

  constructor(
    private readonly logger: Logger,
    private readonly intervalMs = CLIENT_WARNING_INTERVAL_MS,
    private readonly sourcesMax = CLIENT_WARNING_SOURCES_MAX,
    private readonly nowMs: () => number = () => performance.now(),
  ) {
    if (!(intervalMs > 0) || !(sourcesMax >= 1)) throw new Error(`client warning limits must be positive, got ${intervalMs} ms, ${sourcesMax} sources`);
  }

  /**
   * Counts one event of `kind` from `address` (a host, without the port) and logs `message` with `fields`
   * unless a line of this kind for this address went out less than the interval ago. A numeric
   * `fields.apiKey` makes the API part of that rate-limit key and counts the event for the API too.
   */
  warn(address: string, kind: ClientWarningKind, fields: Record<string, unknown>, message: string, level: 'warn' | 'error' = 'warn'): void {
    this.counts.set(kind, (this.counts.get(kind) ?? 0) + 1);
    const apiKey = typeof fields.apiKey === 'number' ? fields.apiKey : null;
    if (apiKey !== null) this.countForApi(kind, apiKey);
    const key = apiKey === null ? `${kind} ${address}` : `${kind} ${address} ${apiKey}`;
    const now = this.nowMs();
    const source = this.sources.get(key);
    if (source !== undefined && now < source.nextLineMs) {
      source.suppressed++;
      return;
    }
    const suppressed = source?.suppressed ?? 0;
    this.remember(key, { nextLineMs: now + this.intervalMs, suppressed: 0 });
    this.logger[level]({ client: address, kind, ...fields, ...(suppressed > 0 ? { suppressed } : {}) }, message);
  }

  /** Events counted per kind since start (every kind, 0 when none). */
  countsByKind(): Array<{ kind: ClientWarningKind; count: number }> {
    return CLIENT_WARNING_KINDS.map((kind) => ({ kind, count: this.counts.get(kind) ?? 0 }));
  }

  /** Events counted per kind and API key since start, for the events that named an API. */
  countsByApi(): Array<{ kind: ClientWarningKind; apiKey: number; count: number }> {
    return [...this.countsPerApi.values()].map((c) => ({ ...c }));
  }

  /** Beyond CLIENT_WARNING_API_KEYS_MAX keys, new ones count under OTHER_API_KEY (one more entry per kind at most). */
  private countForApi(kind: ClientWarningKind, asked: number): void {
    const full = this.countsPerApi.size >= CLIENT_WARNING_API_KEYS_MAX && !this.countsPerApi.has(`${kind} ${asked}`);
    const apiKey = full ? OTHER_API_KEY : asked;
    const counted = this.countsPerApi.get(`${kind} ${apiKey}`);
    if (counted === undefined) this.countsPerApi.set(`${kind} ${apiKey}`, { kind, apiKey, count: 1 });
    else counted.count++;
  }

  /** Re-inserting keeps the map in order of last line, so the first key is the longest quiet. */
  private remember(key: string, source: Source): void {
    this.sources.delete(key);
    if (this.sources.size >= this.sourcesMax) this.sources.delete(this.sources.keys().next().value!);
    this.sources.set(key, source);
  }
}

/** The host part of `host:port` (IPv6 hosts keep their colons). */
export function hostOf(remote: string): string {
  const colon = remote.lastIndexOf(':');
  return colon < 0 ? remote : remote.slice(0, colon);
}
