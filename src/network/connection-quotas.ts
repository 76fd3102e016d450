// The broker-wide connection limits every Kafka listener shares, counted from the TCP connection (before any TLS
// handshake or SASL exchange): `max.connections` in all, `max.connections.per.ip` from one address (with
// `max.connections.per.ip.overrides` per host), as Kafka's ConnectionQuotas counts them. Runs on the main thread.

/** Why a connection was refused, for its log line. */
export type ConnectionRefusal = { key: 'max.connections' | 'max.connections.per.ip'; limit: number };

export interface ConnectionQuotaSettings {
  maxConnections: number;
  maxConnectionsPerIp: number;
  /** Per address (an IP as the socket reports it, IPv4-mapped IPv6 addresses as plain IPv4): its own limit. */
  perIpOverrides: ReadonlyMap<string, number>;
}

export class ConnectionQuotas {
  private total = 0;
  private readonly byAddress = new Map<string, number>();

  constructor(private readonly settings: ConnectionQuotaSettings) {}

  /** Counts a new connection from `address`, or says which limit refuses it (and counts nothing). */
  admit(address: string): ConnectionRefusal | null {
    const ip = normalizedIp(address);
    if (this.total >= this.settings.maxConnections) return { key: 'max.connections', limit: this.settings.maxConnections };
    const limit = this.settings.perIpOverrides.get(ip) ?? this.settings.maxConnectionsPerIp;
    const open = this.byAddress.get(ip) ?? 0;
    if (open >= limit) return { key: 'max.connections.per.ip', limit };
    this.total++;
    this.byAddress.set(ip, open + 1);
    return null;
  }

  /** A connection admitted from `address` has closed. */
  release(address: string): void {
    const ip = normalizedIp(address);
    const open = this.byAddress.get(ip) ?? 0;
    if (open <= 0) return;
    this.total--;
    if (open === 1) this.byAddress.delete(ip);
    else this.byAddress.set(ip, open - 1);
  }

  /** Connections counted now (all listeners). */
  get open(): number {
    return this.total;
  }
}

/** ::ffff:10.0.0.1 (an IPv4 client of a dual-stack socket) is 10.0.0.1. */
function normalizedIp(address: string): string {
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

/** `max.connections.per.ip.overrides`: host:count pairs, comma-separated (an IPv6 host in brackets, [::1]:10). */
export function parsePerIpOverrides(key: string, text: string): Map<string, number> {
  const overrides = new Map<string, number>();
  for (const item of text.split(',').map((s) => s.trim())) {
    if (item === '') continue;
    const match = /^(\[[0-9a-fA-F:.]+\]|[^:\s[\]]+):(\d{1,10})$/.exec(item);
    const count = Number(match?.[2]);
    if (!match || count > 2 ** 31 - 1) throw new Error(`${key} must be host:count pairs, comma-separated (e.g. 10.0.0.7:50,[::1]:10), got "${item}"`);
    overrides.set(match[1]!.replace(/^\[|\]$/g, ''), count);
  }
  return overrides;
}

export function formatPerIpOverrides(overrides: ReadonlyMap<string, number>): string {
  return [...overrides].map(([host, count]) => `${host.includes(':') ? `[${host}]` : host}:${count}`).join(',');
}
