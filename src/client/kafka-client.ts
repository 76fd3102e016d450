// Fjord's small Kafka client: bootstrap servers → Metadata → one connection per broker, requests routed to a
// partition's leader, a group's coordinator or the controller. Speaks only standard APIs at negotiated
// versions, so it works against any Kafka-compatible broker. Runs on the caller's main thread.
import { ZERO_UUID } from '../protocol/codec/reader.js';
import { BrokerConnection, type ConnectionOptions } from './broker-connection.js';
import { type ClusterMetadata, type TopicInfo, toClusterMetadata } from './cluster-metadata.js';
import { checkErrorCode, KafkaResponseError } from './kafka-errors.js';
import { withRetries } from './retry.js';

export interface ClientOptions {
  /** host:port of one or more brokers to learn the cluster from. */
  bootstrapServers: readonly string[];
  clientId?: string;
  connectTimeoutMs?: number;
  requestTimeoutMs?: number;
}

export const DEFAULT_CLIENT_OPTIONS = { clientId: 'fjord-cli', connectTimeoutMs: 5_000, requestTimeoutMs: 30_000 } as const;

const ErrorCodes = { UNKNOWN_TOPIC_OR_PARTITION: 3, LEADER_NOT_AVAILABLE: 5 } as const;

/** "host:port", "[v6]:port" → parts; throws on anything else. */
export function parseHostPort(text: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:\s]+)):(\d{1,5})$/.exec(text.trim());
  const port = Number(match?.[3]);
  if (match === null || port < 1 || port > 65535) throw new RangeError(`"${text}" is not host:port`);
  return { host: match[1] ?? match[2]!, port };
}

export class KafkaClient {
  private readonly connections = new Map<string, Promise<BrokerConnection>>();
  private readonly connectionOptions: ConnectionOptions;
  private cluster: ClusterMetadata = { clusterId: null, controllerId: -1, brokers: new Map(), topics: new Map() };

  constructor(readonly options: ClientOptions) {
    if (options.bootstrapServers.length === 0) throw new RangeError('no bootstrap servers');
    for (const server of options.bootstrapServers) parseHostPort(server);
    this.connectionOptions = {
      clientId: options.clientId ?? DEFAULT_CLIENT_OPTIONS.clientId,
      connectTimeoutMs: options.connectTimeoutMs ?? DEFAULT_CLIENT_OPTIONS.connectTimeoutMs,
      requestTimeoutMs: options.requestTimeoutMs ?? DEFAULT_CLIENT_OPTIONS.requestTimeoutMs,
    };
  }

  /** The last Metadata answer (brokers and the topics asked for so far). */
  get metadataCache(): ClusterMetadata {
    return this.cluster;
  }

  /** A connection to any live broker: an open one if there is one, else the bootstrap servers in order. */
  async anyBroker(): Promise<BrokerConnection> {
    for (const pending of this.connections.values()) {
      const connection = await pending.catch(() => null);
      if (connection !== null && !connection.closed) return connection;
    }
    let lastError: unknown;
    for (const server of this.options.bootstrapServers) {
      try {
        return await this.connect(server);
      } catch (error) {
        lastError = error;
      }
    }
    throw lastError;
  }

  /** The connection to broker `nodeId` as Metadata names it. */
  async broker(nodeId: number): Promise<BrokerConnection> {
    let info = this.cluster.brokers.get(nodeId);
    if (info === undefined) info = (await this.metadata([])).brokers.get(nodeId);
    if (info === undefined) throw new KafkaResponseError(8, `broker ${nodeId} is not in the cluster's metadata`);
    return this.connect(`${info.host.includes(':') ? `[${info.host}]` : info.host}:${info.port}`);
  }

  /** Connections to every broker of the cluster. */
  async allBrokers(): Promise<BrokerConnection[]> {
    const cluster = await this.metadata([]);
    return Promise.all([...cluster.brokers.keys()].map((nodeId) => this.broker(nodeId)));
  }

  /** The controller (admin requests), or any broker when the cluster names none. */
  async controller(): Promise<BrokerConnection> {
    const cluster = await this.metadata([]);
    return cluster.brokers.has(cluster.controllerId) ? this.broker(cluster.controllerId) : this.anyBroker();
  }

  /** Metadata for `topics` (null = every topic; [] = brokers only); refreshes the cache. */
  async metadata(topics: readonly string[] | null, allowAutoTopicCreation = false): Promise<ClusterMetadata> {
    const connection = await this.anyBroker();
    const { body } = await connection.call(3, {
      topics: topics === null ? null : topics.map((name) => ({ topicId: ZERO_UUID, name })),
      allowAutoTopicCreation,
    });
    const fresh = toClusterMetadata(body);
    const merged = topics === null ? fresh.topics : new Map([...this.cluster.topics, ...fresh.topics]);
    this.cluster = { ...fresh, topics: merged };
    return { ...fresh };
  }

  /**
   * A topic with a leader for every partition, refreshed from the broker. Unknown topics fail with
   * UNKNOWN_TOPIC_OR_PARTITION unless `autoCreate` asks the broker to create it (then the answer is retried
   * while the new topic's partitions come up).
   */
  async topic(name: string, autoCreate = false): Promise<TopicInfo> {
    return withRetries(async (attempt) => {
      const topic = (await this.metadata([name], autoCreate)).topics.get(name);
      if (topic === undefined) throw new KafkaResponseError(ErrorCodes.UNKNOWN_TOPIC_OR_PARTITION, `topic "${name}"`, null, false);
      if (topic.errorCode === ErrorCodes.UNKNOWN_TOPIC_OR_PARTITION && (!autoCreate || attempt > 3)) {
        throw new KafkaResponseError(topic.errorCode, `topic "${name}"`, null, false);
      }
      checkErrorCode(topic.errorCode, `topic "${name}"`);
      const leaderless = topic.partitions.find((p) => p.errorCode !== 0 || p.leader < 0);
      if (leaderless !== undefined) throw new KafkaResponseError(leaderless.errorCode || ErrorCodes.LEADER_NOT_AVAILABLE, `${name}-${leaderless.partition}`);
      return topic;
    });
  }

  /** The connection to the leader of topic-partition, from the cached metadata (refreshed when missing). */
  async leader(topic: string, partition: number): Promise<BrokerConnection> {
    let info = this.cluster.topics.get(topic)?.partitions.find((p) => p.partition === partition);
    if (info === undefined || info.leader < 0) info = (await this.topic(topic)).partitions.find((p) => p.partition === partition);
    if (info === undefined) throw new KafkaResponseError(ErrorCodes.UNKNOWN_TOPIC_OR_PARTITION, `${topic}-${partition}`, 'no such partition', false);
    return this.broker(info.leader);
  }

  /** The coordinator of a consumer group (FindCoordinator, retried while the coordinator loads). */
  async coordinator(groupId: string): Promise<BrokerConnection> {
    const nodeId = await withRetries(async () => {
      const connection = await this.anyBroker();
      const { version, body } = await connection.call(10, { key: groupId, keyType: 0, coordinatorKeys: [groupId] });
      if (version >= 4) {
        const entry = body.coordinators.find((c) => c.key === groupId) ?? body.coordinators[0];
        checkErrorCode(entry?.errorCode ?? 15, `coordinator of group "${groupId}"`, entry?.errorMessage ?? null);
        return rememberBroker(this.cluster, entry!);
      }
      checkErrorCode(body.errorCode, `coordinator of group "${groupId}"`, body.errorMessage);
      return rememberBroker(this.cluster, body);
    });
    return this.broker(nodeId);
  }

  /** Closes every connection. */
  async close(): Promise<void> {
    const all = [...this.connections.values()];
    this.connections.clear();
    await Promise.all(all.map(async (pending) => (await pending.catch(() => null))?.close()));
  }

  private connect(address: string): Promise<BrokerConnection> {
    const existing = this.connections.get(address);
    if (existing !== undefined) {
      return existing.then(
        (connection) => (connection.closed ? this.reconnect(address) : connection),
        () => this.reconnect(address),
      );
    }
    return this.reconnect(address);
  }

  private reconnect(address: string): Promise<BrokerConnection> {
    const { host, port } = parseHostPort(address);
    const pending = BrokerConnection.open(host, port, this.connectionOptions);
    this.connections.set(address, pending);
    pending.catch(() => {
      if (this.connections.get(address) === pending) this.connections.delete(address);
    });
    return pending;
  }
}

function rememberBroker(cluster: ClusterMetadata, found: { nodeId: number; host: string; port: number }): number {
  if (!cluster.brokers.has(found.nodeId)) cluster.brokers.set(found.nodeId, { nodeId: found.nodeId, host: found.host, port: found.port, rack: null });
  return found.nodeId;
}
