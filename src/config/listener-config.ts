// The broker's Kafka listeners as configured: `listeners` and `advertised.listeners` (NAME://host:port, comma-
// separated), `listener.security.protocol.map` (NAME:PROTOCOL), the address syntax every listener key shares, and
// the checks across them (names unique and mapped, ports free of each other, TLS material where a listener needs
// it), and the admin HTTP listener's http:// or https:// address. Runs on the main thread at start-up.
import { isIPv4 } from 'node:net';

export interface ListenerAddress {
  host: string;
  port: number;
}

/** The admin HTTP listener (fjord.http.listener): https serves TLS with ssl.keystore.location's material. */
export interface HttpListener extends ListenerAddress {
  scheme: 'http' | 'https';
}

/** One Kafka listener: its name (upper case, as Kafka compares them), where it binds or is advertised. */
export interface NamedListener extends ListenerAddress {
  name: string;
}

export const SECURITY_PROTOCOLS = ['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'] as const;
export type SecurityProtocol = (typeof SECURITY_PROTOCOLS)[number];

/** Kafka's default map: each protocol is also a listener name for itself. */
export const DEFAULT_PROTOCOL_MAP: ReadonlyMap<string, SecurityProtocol> = new Map(SECURITY_PROTOCOLS.map((p) => [p, p]));

/** The name the replication listener registers under in etcd (src/cluster); no Kafka listener may take it. */
export const RESERVED_LISTENER_NAMES: readonly string[] = ['REPLICATION'];

const NAME_PATTERN = /^[A-Za-z][A-Za-z0-9_]*$/;

/**
 * scheme://host:port, IPv6 hosts in brackets, an empty host meaning every interface; port 0 (pick a free port) only
 * where a listener binds. `shape` is the form the error message asks for.
 */
export function parseAddress(key: string, text: string, scheme: string, shape: string, bindsPort: boolean): ListenerAddress {
  const { name, host, port } = parseNamed(key, text, shape, bindsPort);
  if (name !== scheme) throw new Error(`${key} must be ${shape}, got "${text}"`);
  return { host, port };
}

const HTTP_SHAPE = 'http://host:port or https://host:port (or empty to turn it off)';

/** fjord.http.listener: http://host:port or https://host:port, port 0 picking a free port. */
export function parseHttpListener(key: string, text: string): HttpListener {
  const scheme = text.startsWith('https://') ? 'https' : 'http';
  return { scheme, ...parseAddress(key, text, scheme, HTTP_SHAPE, true) };
}

/** 127.0.0.0/8, ::1 (also IPv4-mapped) and localhost: only this host can reach an address of these. */
export function isLoopback(host: string): boolean {
  const ipv4 = host.startsWith('::ffff:') ? host.slice('::ffff:'.length) : host;
  if (isIPv4(ipv4)) return ipv4.startsWith('127.');
  return host === '::1' || host.toLowerCase() === 'localhost';
}

/** NAME://host:port, the name any listener name (upper-cased, as Kafka compares them). */
function parseNamed(key: string, text: string, shape: string, bindsPort: boolean): NamedListener {
  const match = /^([A-Za-z][A-Za-z0-9_]*):\/\/(\[[0-9a-fA-F:]+\]|[^:/\s,]*):(\d{1,5})(\/?)$/.exec(text);
  const web = match?.[1] === 'http' || match?.[1] === 'https';
  if (!match || (match[4] === '/' && !web)) throw new Error(`${key} must be ${shape}, got "${text}"`);
  const port = Number(match[3]);
  if (port > 65535 || (!bindsPort && port === 0)) throw new Error(`${key} has an invalid port ${port}`);
  const name = web ? match[1]! : match[1]!.toUpperCase();
  return { name, host: match[2]!.replace(/^\[|\]$/g, '') || '0.0.0.0', port };
}

export function formatAddress(scheme: string, address: ListenerAddress | null): string {
  if (address === null) return '';
  const { host, port } = address;
  return `${scheme}://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

const LIST_SHAPE = 'a comma-separated list of NAME://host:port (e.g. PLAINTEXT://127.0.0.1:9092,SSL://127.0.0.1:9093)';

/** `listeners` / `advertised.listeners`: at least one entry (an empty advertised list is handled by the caller). */
export function parseListenerList(key: string, text: string, bindsPort: boolean): NamedListener[] {
  const items = text
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
  if (items.length === 0) throw new Error(`${key} must be ${LIST_SHAPE}, got "${text}"`);
  const listeners = items.map((item) => parseNamed(key, item, LIST_SHAPE, bindsPort));
  const names = listeners.map((l) => l.name);
  const repeated = names.filter((name, i) => names.indexOf(name) !== i);
  if (repeated.length > 0) throw new Error(`${key} names listener ${repeated[0]} more than once; each name must be listed once`);
  return listeners;
}

export function formatListenerList(listeners: readonly NamedListener[]): string {
  return listeners.map((l) => formatAddress(l.name, l)).join(',');
}

/** `listener.security.protocol.map`: NAME:PROTOCOL pairs, comma-separated. */
export function parseProtocolMap(key: string, text: string): Map<string, SecurityProtocol> {
  const map = new Map<string, SecurityProtocol>();
  for (const pair of text.split(',').map((p) => p.trim())) {
    if (pair === '') continue;
    const [name, protocol, extra] = pair.split(':').map((s) => s.trim());
    const known = (SECURITY_PROTOCOLS as readonly string[]).includes(protocol?.toUpperCase() ?? '');
    if (name === undefined || !NAME_PATTERN.test(name) || !known || extra !== undefined) {
      throw new Error(`${key} must be NAME:PROTOCOL pairs, comma-separated, each protocol one of ${SECURITY_PROTOCOLS.join(', ')}; got "${pair}"`);
    }
    if (map.has(name.toUpperCase())) throw new Error(`${key} maps listener ${name.toUpperCase()} more than once`);
    map.set(name.toUpperCase(), protocol!.toUpperCase() as SecurityProtocol);
  }
  if (map.size === 0) throw new Error(`${key} must map at least one listener name to a security protocol`);
  return map;
}

export function formatProtocolMap(map: ReadonlyMap<string, SecurityProtocol>): string {
  return [...map].map(([name, protocol]) => `${name}:${protocol}`).join(',');
}

/** SSL and SASL_SSL listeners speak TLS. */
export function usesTls(protocol: SecurityProtocol | undefined): boolean {
  return protocol === 'SSL' || protocol === 'SASL_SSL';
}

/** SASL_PLAINTEXT and SASL_SSL listeners require SASL authentication. */
export function usesSasl(protocol: SecurityProtocol | undefined): boolean {
  return protocol === 'SASL_PLAINTEXT' || protocol === 'SASL_SSL';
}

export function isWildcard(host: string): boolean {
  return host === '0.0.0.0' || host === '::';
}

/** What the listener checks read from the broker config. */
export interface ListenerSettings {
  listeners: readonly NamedListener[];
  advertisedListeners: readonly NamedListener[];
  listenerProtocols: ReadonlyMap<string, SecurityProtocol>;
  sslKeystoreLocation: string;
  sslTruststoreLocation: string;
  replicationSecurityProtocol: 'PLAINTEXT' | 'SSL';
  inCluster: boolean;
  httpListener: HttpListener | null;
  httpListenerKey: string;
}

/** One line per problem across the listener keys. */
export function listenerProblems(s: ListenerSettings): string[] {
  const problems: string[] = [];
  for (const listener of s.listeners) {
    const protocol = s.listenerProtocols.get(listener.name);
    if (RESERVED_LISTENER_NAMES.includes(listener.name))
      problems.push(`listeners cannot name a listener ${listener.name}: the replication listener registers under that name`);
    else if (protocol === undefined)
      problems.push(`listener ${listener.name} has no security protocol: add ${listener.name}:<protocol> to listener.security.protocol.map`);
    else if (usesTls(protocol) && s.sslKeystoreLocation === '')
      problems.push(`listener ${listener.name} uses ${protocol}: ssl.keystore.location must name a PEM file with its private key and certificate chain`);
    if (s.inCluster && isWildcard(listener.host) && !s.advertisedListeners.some((a) => a.name === listener.name)) {
      problems.push(
        `listener ${listener.name} binds the wildcard address ${listener.host}: with fjord.etcd.endpoints set, advertised.listeners must name the host other brokers and clients reach this one at`,
      );
    }
  }
  if (s.replicationSecurityProtocol === 'SSL' && (s.sslKeystoreLocation === '' || s.sslTruststoreLocation === '')) {
    problems.push(
      "fjord.replication.security.protocol SSL needs ssl.keystore.location (this broker's key and certificate) and ssl.truststore.location (the CAs that signed its peers')",
    );
  }
  if (s.httpListener?.scheme === 'https' && s.sslKeystoreLocation === '') {
    problems.push(
      `${s.httpListenerKey} ${formatAddress('https', s.httpListener)} serves TLS: ssl.keystore.location must name a PEM file with its private key and certificate chain`,
    );
  }
  problems.push(...portClashes(s));
  for (const advertised of s.advertisedListeners) {
    if (!s.listeners.some((l) => l.name === advertised.name)) problems.push(`advertised.listeners names ${advertised.name}, which is not one of listeners`);
    if (isWildcard(advertised.host))
      problems.push(`advertised.listeners cannot use the wildcard address ${advertised.host}: clients need a host they can connect to`);
  }
  return problems;
}

/** Two listeners (the admin HTTP one included) on one fixed port of overlapping hosts. */
function portClashes(s: ListenerSettings): string[] {
  const bound: Array<{ key: string; address: ListenerAddress }> = s.listeners.map((l) => ({ key: `listener ${l.name}`, address: l }));
  if (s.httpListener !== null) bound.push({ key: s.httpListenerKey, address: s.httpListener });
  const problems: string[] = [];
  bound.forEach((a, i) => {
    for (const b of bound.slice(i + 1)) {
      const hostsOverlap = a.address.host === b.address.host || isWildcard(a.address.host) || isWildcard(b.address.host);
      if (a.address.port !== 0 && a.address.port === b.address.port && hostsOverlap) {
        problems.push(`${a.key} (port ${a.address.port}) and ${b.key} (port ${b.address.port}) cannot share a port`);
      }
    }
  });
  return problems;
}
