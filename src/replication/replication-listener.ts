// The replication listener (replication.listener): a TCP server for followers. Its connections are the
// Kafka listener's (src/network/: framing with a size bound, responses in order, muting, idle and read
// timeouts, the broker-wide response memory and rate-limited client warnings); only the handler differs.
// The first frame must be a handshake naming this cluster; then each frame is a ReplicaFetch served by
// fetch-serving.ts. A malformed frame or message closes its connection with one log line. Main thread.
import type { SecureContextOptions } from 'node:tls';
import type { ClientWarnings } from '../network/client-warnings.js';
import { CloseConnectionError, type ConnectionInfo } from '../network/client-connection.js';
import { ConnectionQuotas } from '../network/connection-quotas.js';
import { KafkaListener, type ListenerOptions } from '../network/kafka-listener.js';
import type { ResponseFrame } from '../network/response-frame.js';
import type { ResponseMemoryBudget } from '../network/response-memory.js';
import { type FetchServingDeps, serveReplicaFetch } from './fetch-serving.js';
import { parseFollowerMessage, type FollowerMessage } from './messages.js';
import { REPLICATION_CONNECTIONS_MAX, REPLICATION_INFLIGHT_REQUESTS_MAX, REQUEST_FRAME_BYTES_MAX } from './replication-limits.js';
import { encodeFrame, encodeFrameParts, ReplicationProtocolError } from './wire-format.js';

export interface ReplicationListenerOptions {
  host: string;
  port: number;
  nodeId: number;
  clusterId: () => string;
  idleTimeoutMs: number;
  requestReadTimeoutMs: number;
  unsentBytesMax: number;
  /** fjord.replication.security.protocol=SSL: mutual TLS; null: plaintext. */
  tls: ListenerOptions['tls'];
}

export class ReplicationListener {
  private readonly listener: KafkaListener;
  /** The follower node id each connection handshook as. */
  private readonly peers = new WeakMap<ConnectionInfo, number>();

  constructor(
    private readonly options: ReplicationListenerOptions,
    private readonly replicas: FetchServingDeps,
    memory: ResponseMemoryBudget,
    warnings: ClientWarnings,
  ) {
    this.listener = new KafkaListener(
      {
        name: 'REPLICATION',
        host: options.host,
        port: options.port,
        tls: options.tls,
        authenticationTimeoutMs: null,
        maxFrameBytes: REQUEST_FRAME_BYTES_MAX,
        maxFrameBytesName: 'the replication request limit',
        maxInFlightRequests: REPLICATION_INFLIGHT_REQUESTS_MAX,
        idleTimeoutMs: options.idleTimeoutMs,
        requestReadTimeoutMs: options.requestReadTimeoutMs,
        unsentBytesMax: options.unsentBytesMax,
      },
      (frame, connection) => this.handle(frame, connection),
      memory,
      warnings,
      // Its own limit, apart from the Kafka listeners': peers are few, and clients cannot crowd them out.
      new ConnectionQuotas({ maxConnections: REPLICATION_CONNECTIONS_MAX, maxConnectionsPerIp: REPLICATION_CONNECTIONS_MAX, perIpOverrides: new Map() }),
    );
  }

  listen(): Promise<{ host: string; port: number }> {
    return this.listener.listen();
  }

  /** New TLS material for the connections to come. */
  setSecureContext(context: SecureContextOptions): void {
    this.listener.setSecureContext(context);
  }

  connectionCounts() {
    return this.listener.connectionCounts();
  }

  close(): Promise<number> {
    return this.listener.close();
  }

  private handle(frame: Buffer, connection: ConnectionInfo): ResponseFrame | Promise<ResponseFrame> {
    const message = parse(frame);
    const peer = this.peers.get(connection);
    if (message.type === 'handshake') {
      if (peer !== undefined) throw new CloseConnectionError('a second handshake on a replication connection', 'malformed-request');
      const clusterId = this.options.clusterId();
      if (message.clusterId !== clusterId)
        throw new CloseConnectionError(`replication handshake from cluster ${message.clusterId}, not ${clusterId}`, 'malformed-request', {
          nodeId: message.nodeId,
        });
      if (message.nodeId === this.options.nodeId)
        throw new CloseConnectionError(`replication handshake from this broker's own node id ${message.nodeId}`, 'malformed-request');
      this.peers.set(connection, message.nodeId);
      return encodeFrame({ type: 'handshake', correlationId: message.correlationId, clusterId, nodeId: this.options.nodeId });
    }
    if (peer === undefined) throw new CloseConnectionError('a replication fetch before the handshake', 'malformed-request');
    if (message.replicaId !== peer)
      throw new CloseConnectionError(`a fetch for replica ${message.replicaId} on the connection of node ${peer}`, 'malformed-request');
    const { correlationId } = message;
    return serveReplicaFetch(message, connection.responseMemory, this.replicas, (partitions, lend) =>
      encodeFrameParts({ type: 'fetch', correlationId, partitions }, lend),
    );
  }
}

function parse(frame: Buffer): FollowerMessage {
  try {
    return parseFollowerMessage(frame);
  } catch (error) {
    if (error instanceof ReplicationProtocolError) throw new CloseConnectionError(`malformed replication frame: ${error.message}`, 'malformed-request');
    throw error;
  }
}
