// The broker's Kafka listeners together: one KafkaListener per entry of `listeners` (a TLS server for those whose
// security protocol is SSL, with ssl.keystore/truststore read at start-up and again whenever the files change),
// where each is bound, the address each advertises, and their connection counts summed for /metrics. Runs on the
// main thread.
import type { BrokerConfig, NamedListener } from '../config/broker-config.js';
import { usesSasl, usesTls } from '../config/listener-config.js';
import type { RequestHandler } from './client-connection.js';
import type { ClientWarnings } from './client-warnings.js';
import { ConnectionQuotas } from './connection-quotas.js';
import { type ConnectionCounts, KafkaListener } from './kafka-listener.js';
import type { ResponseMemoryBudget } from './response-memory.js';
import type { TlsMaterial } from './tls-material.js';

export class KafkaListeners {
  private constructor(
    private readonly listeners: ReadonlyArray<{ spec: NamedListener; listener: KafkaListener }>,
    /** Where each listener is bound, in the order of `listeners`. */
    readonly bound: readonly NamedListener[],
    /** What each listener advertises: advertised.listeners' entry for its name, else its bound address. */
    readonly advertised: ReadonlyMap<string, { host: string; port: number }>,
  ) {}

  /** Binds every listener (SSL and SASL_SSL ones serve `tls`, and its reloads); on failure none stays bound. */
  static async start(
    config: BrokerConfig,
    handle: RequestHandler,
    memory: ResponseMemoryBudget,
    warnings: ClientWarnings,
    tls: TlsMaterial | null,
  ): Promise<KafkaListeners> {
    const protocolOf = (spec: NamedListener) => config.listenerProtocols.get(spec.name);
    const quotas = new ConnectionQuotas({
      maxConnections: config.maxConnections,
      maxConnectionsPerIp: config.maxConnectionsPerIp,
      perIpOverrides: config.maxConnectionsPerIpOverrides,
    });
    const listeners = config.listeners.map((spec) => {
      const served = usesTls(protocolOf(spec))
        ? { context: tlsOf(tls, spec).current, clientAuth: config.sslClientAuth, principalRules: config.sslPrincipalMappingRules }
        : null;
      const authenticationTimeoutMs = usesSasl(protocolOf(spec)) ? config.authenticationTimeoutMs : null;
      const options = { ...listenerLimits(config), name: spec.name, host: spec.host, port: spec.port, tls: served, authenticationTimeoutMs };
      return { spec, listener: new KafkaListener(options, handle, memory, warnings, quotas) };
    });
    const bound: NamedListener[] = [];
    try {
      for (const { spec, listener } of listeners) {
        const address = await listener.listen().catch((error: Error) => {
          throw new Error(`cannot listen on ${spec.name}://${spec.host}:${spec.port}: ${error.message}`);
        });
        bound.push({ name: spec.name, ...address });
      }
    } catch (error) {
      await Promise.all(listeners.map(({ listener }) => listener.close()));
      throw error;
    }
    const advertised = new Map(bound.map((b) => [b.name, advertisedAddress(config, b)]));
    const tlsListeners = listeners.filter(({ spec }) => usesTls(protocolOf(spec))).map(({ listener }) => listener);
    tls?.subscribe((next) => {
      for (const listener of tlsListeners) listener.setSecureContext(next);
    });
    return new KafkaListeners(listeners, bound, advertised);
  }

  /** The first listener's bound address: what a client on this host bootstraps from. */
  get primary(): NamedListener {
    return this.bound[0]!;
  }

  /** Connection counts over every listener (for /metrics); unsentBytesMax is the largest of any one connection. */
  connectionCounts(): ConnectionCounts {
    const total: ConnectionCounts = { open: 0, accepted: 0, refused: 0, closed: 0, muted: 0, unsentBytes: 0, unsentBytesMax: 0 };
    for (const { listener } of this.listeners) {
      const counts = listener.connectionCounts();
      for (const key of ['open', 'accepted', 'refused', 'closed', 'muted', 'unsentBytes'] as const) total[key] += counts[key];
      total.unsentBytesMax = Math.max(total.unsentBytesMax, counts.unsentBytesMax);
    }
    return total;
  }

  /** Stops accepting and closes every connection; resolves with how many were open. */
  async close(): Promise<number> {
    const open = await Promise.all(this.listeners.map(({ listener }) => listener.close()));
    return open.reduce((sum, n) => sum + n, 0);
  }
}

/** The broker's TLS material, which a TLS listener needs (the config checks made sure it is there). */
function tlsOf(tls: TlsMaterial | null, spec: NamedListener): TlsMaterial {
  if (tls === null) throw new Error(`listener ${spec.name} uses TLS but no TLS material was read`);
  return tls;
}

function listenerLimits(config: BrokerConfig) {
  return {
    maxFrameBytes: config.maxRequestBytes,
    maxInFlightRequests: config.maxInFlightRequestsPerConnection,
    idleTimeoutMs: config.idleTimeoutMs,
    requestReadTimeoutMs: config.requestReadTimeoutMs,
    unsentBytesMax: config.connectionUnsentBytesMax,
  };
}

/** advertised.listeners' entry for the listener, else where it is bound (the wildcard address as 127.0.0.1). */
function advertisedAddress(config: BrokerConfig, bound: NamedListener): { host: string; port: number } {
  const given = config.advertisedListeners.find((a) => a.name === bound.name);
  if (given !== undefined) return { host: given.host, port: given.port };
  return { host: bound.host === '0.0.0.0' || bound.host === '::' ? '127.0.0.1' : bound.host, port: bound.port };
}
