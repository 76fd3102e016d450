// Fjord's small Kafka client: bootstrap servers → Metadata → one connection per broker, requests routed to a
// partition's leader, a group's coordinator or the controller. Speaks only standard APIs at negotiated
// versions, so it works against any Kafka-compatible broker. Rides through a broker's death: a broken connection
// is dropped, the next lookup asks another broker, and lookups retry (retry.ts). Runs on the caller's main thread.
import { ZERO_UUID } from '../protocol/codec/reader.js';
import { BrokerConnection, type ConnectionOptions } from './broker-connection.js';
import { type ClusterMetadata, type TopicInfo, toClusterMetadata } from './cluster-metadata.js';
import { BrokerUnreachableError, checkErrorCode, KafkaResponseError } from './kafka-errors.js';
import { DEFAULT_RETRY, isRetriableError, type RetryPolicy, withRetries } from './retry.js';

export interface ClientOptions {
  /** host:port of one or more brokers to learn the cluster from. */
  bootstrapServers: readonly string[];
  clientId?: string;
  connectTimeoutMs?: number;
  requestTimeoutMs?: number;
  /** How long lookups (Metadata, FindCoordinator, leaders) and consumers keep retrying (Kafka's default.api.timeout.ms). */
  retryTimeoutMs?: number;
}

export const DEFAULT_CLIENT_OPTIONS = {
  clientId: 'fjord-cli',
  connectTimeoutMs: 5_000,
  requestTimeoutMs: 30_000,
  retryTimeoutMs: DEFAULT_RETRY.timeoutMs,
} as const;

const ErrorCodes = { UNKNOWN_TOPIC_OR_PARTITION: 3, LEADER_NOT_AVAILABLE: 5, BROKER_NOT_AVAILABLE: 8 } as const;

/** "host:port", "[v6]:port" → parts; throws on anything else. */
export function parseHostPort(text: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:\s]+)):(\d{1,5})$/.exec(text.trim());
  const port = Number(match?.[3]);
  if (match === null || port < 1 || port > 65535) throw new RangeError(`"${text}" is not host:port`);
  return { host: match[1] ?? match[2]!, port };
}

function addressOf(broker: { host: string; port: number }): string {
  return `${broker.host.includes(':') ? `[${broker.host}]` : broker.host}:${broker.port}`;
}

export class KafkaClient {
  /** How lookups retry, and the backoff every retrying part of the client uses. */
  readonly retryPolicy: RetryPolicy;
  private readonly connections = new Map<string, Promise<BrokerConnection>>();
  /** address → when a connection to it last failed; such addresses are tried last. */
  private readonly failedAtMs = new Map<string, number>();
  /** Whether any broker was ever reached: until then an unreachable bootstrap list is a wrong address, not a failover. */
  private everConnected = false;
  /** A broker could not be reached: the next leader lookup asks Metadata again instead of trusting the cache. */
  private metadataStale = false;
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
    this.retryPolicy = { ...DEFAULT_RETRY, timeoutMs: options.retryTimeoutMs ?? DEFAULT_CLIENT_OPTIONS.retryTimeoutMs };
  }

  /** The last Metadata answer (brokers and the topics asked for so far). */
  get metadataCache(): ClusterMetadata {
    return this.cluster;
  }

  /**
   * A connection to any live broker: an open one if there is one, else the bootstrap servers and the brokers
   * Metadata named, those that failed least recently first. When none can be reached, the last failure is thrown:
   * retriable once the cluster had been reached (its brokers may be restarting), final before (a wrong address).
   */
  async anyBroker(): Promise<BrokerConnection> {
    for (const pending of this.connections.values()) {
      const connection = await pending.catch(() => null);
      if (connection !== null && !connection.closed) return connection;
    }
    let lastError: unknown;
    for (const address of this.candidateAddresses()) {
      try {
        return await this.connect(address);
      } catch (error) {
        lastError = error;
      }
    }
    if (!this.everConnected && lastError instanceof BrokerUnreachableError) throw new BrokerUnreachableError(lastError.address, lastError.reason, false);
    throw lastError;
  }

  /** The connection to broker `nodeId` as Metadata names it. */
  async broker(nodeId: number): Promise<BrokerConnection> {
    let info = this.cluster.brokers.get(nodeId);
    if (info === undefined) info = (await this.metadata([])).brokers.get(nodeId);
    // Retriable: a dead leader leaves the broker list before its partitions are given new leaders.
    if (info === undefined) throw new KafkaResponseError(ErrorCodes.BROKER_NOT_AVAILABLE, `broker ${nodeId} is not in the cluster's metadata`, null, true);
    return this.connect(addressOf(info));
  }

  /** Connections to every broker of the cluster. */
  async allBrokers(): Promise<BrokerConnection[]> {
    const cluster = await this.metadata([]);
    return Promise.all([...cluster.brokers.keys()].map((nodeId) => this.broker(nodeId)));
  }

  /** The controller (admin requests), or any broker when the cluster names none; retried while it cannot be reached. */
  async controller(): Promise<BrokerConnection> {
    return withRetries(async () => {
      const cluster = await this.metadataOnce([]);
      return cluster.brokers.has(cluster.controllerId) ? this.broker(cluster.controllerId) : this.anyBroker();
    }, this.retryPolicy);
  }

  /** Metadata for `topics` (null = every topic; [] = brokers only) from any live broker; refreshes the cache. */
  async metadata(topics: readonly string[] | null, allowAutoTopicCreation = false): Promise<ClusterMetadata> {
    return withRetries(() => this.metadataOnce(topics, allowAutoTopicCreation), this.retryPolicy);
  }

  /** One Metadata request (callers that retry on their own terms). */
  private async metadataOnce(topics: readonly string[] | null, allowAutoTopicCreation = false): Promise<ClusterMetadata> {
    const connection = await this.anyBroker();
    const { body } = await connection.call(3, {
      topics: topics === null ? null : topics.map((name) => ({ topicId: ZERO_UUID, name })),
      allowAutoTopicCreation,
    });
    const fresh = toClusterMetadata(body);
    this.metadataStale = false;
    const merged = topics === null ? fresh.topics : new Map([...this.cluster.topics, ...fresh.topics]);
    this.cluster = { ...fresh, topics: merged };
    return { ...fresh };
  }

  /**
   * One Metadata request for a topic's leaders after a leader moved or could not be reached. When no broker
   * answers, nothing changes: the caller's next attempt fails and says so (or succeeds once a broker is back).
   */
  async refreshMetadata(topic: string, allowAutoTopicCreation = false): Promise<void> {
    try {
      await this.metadataOnce([topic], allowAutoTopicCreation);
    } catch (error) {
      if (!isRetriableError(error)) throw error;
    }
  }

  /**
   * A topic with a leader for every partition, refreshed from the broker. Unknown topics fail with
   * UNKNOWN_TOPIC_OR_PARTITION unless `autoCreate` asks the broker to create it (then the answer is retried
   * while the new topic's partitions come up). Retried while partitions have no leader or brokers cannot be
   * reached, for `policy.timeoutMs`.
   */
  async topic(name: string, autoCreate = false, policy: RetryPolicy = this.retryPolicy): Promise<TopicInfo> {
    return withRetries(async (attempt) => {
      const topic = (await this.metadataOnce([name], autoCreate)).topics.get(name);
      if (topic === undefined) throw new KafkaResponseError(ErrorCodes.UNKNOWN_TOPIC_OR_PARTITION, `topic "${name}"`, null, false);
      if (topic.errorCode === ErrorCodes.UNKNOWN_TOPIC_OR_PARTITION && (!autoCreate || attempt > 3)) {
        throw new KafkaResponseError(topic.errorCode, `topic "${name}"`, null, false);
      }
      checkErrorCode(topic.errorCode, `topic "${name}"`);
      const leaderless = topic.partitions.find((p) => p.errorCode !== 0 || p.leader < 0);
      if (leaderless !== undefined) throw new KafkaResponseError(leaderless.errorCode || ErrorCodes.LEADER_NOT_AVAILABLE, `${name}-${leaderless.partition}`);
      return topic;
    }, policy);
  }

  /** The leader's node id of topic-partition in the cached metadata; -1 when unknown or not elected yet. */
  leaderId(topic: string, partition: number): number {
    return this.cluster.topics.get(topic)?.partitions.find((p) => p.partition === partition)?.leader ?? -1;
  }

  /**
   * The connection to the leader of topic-partition, from the cached metadata (asked again when missing, or when a
   * broker could not be reached since: the leader may have moved). A partition without a leader is a retriable
   * LEADER_NOT_AVAILABLE for the caller's retries; other partitions of the topic do not matter.
   */
  async leader(topic: string, partition: number): Promise<BrokerConnection> {
    let info = this.cluster.topics.get(topic)?.partitions.find((p) => p.partition === partition);
    if (info === undefined || info.leader < 0 || this.metadataStale) {
      const fresh = (await this.metadataOnce([topic])).topics.get(topic);
      if (fresh === undefined || fresh.errorCode === ErrorCodes.UNKNOWN_TOPIC_OR_PARTITION) {
        throw new KafkaResponseError(ErrorCodes.UNKNOWN_TOPIC_OR_PARTITION, `topic "${topic}"`, null, false);
      }
      checkErrorCode(fresh.errorCode, `topic "${topic}"`);
      info = fresh.partitions.find((p) => p.partition === partition);
    }
    if (info === undefined) throw new KafkaResponseError(ErrorCodes.UNKNOWN_TOPIC_OR_PARTITION, `${topic}-${partition}`, 'no such partition', false);
    if (info.leader < 0) throw new KafkaResponseError(info.errorCode || ErrorCodes.LEADER_NOT_AVAILABLE, `${topic}-${partition}`);
    return this.broker(info.leader);
  }

  /**
   * The coordinator of a consumer group: FindCoordinator through any live broker, then a connection to it; retried
   * while the coordinator loads, moves or cannot be reached (a dead one is named until its lease expires).
   */
  async coordinator(groupId: string, policy: RetryPolicy = this.retryPolicy): Promise<BrokerConnection> {
    return withRetries(async () => {
      const connection = await this.anyBroker();
      const { version, body } = await connection.call(10, { key: groupId, keyType: 0, coordinatorKeys: [groupId] });
      if (version >= 4) {
        const entry = body.coordinators.find((c) => c.key === groupId) ?? body.coordinators[0];
        checkErrorCode(entry?.errorCode ?? 15, `coordinator of group "${groupId}"`, entry?.errorMessage ?? null);
        return this.broker(rememberBroker(this.cluster, entry!));
      }
      checkErrorCode(body.errorCode, `coordinator of group "${groupId}"`, body.errorMessage);
      return this.broker(rememberBroker(this.cluster, body));
    }, policy);
  }

  /** Closes every connection. */
  async close(): Promise<void> {
    const all = [...this.connections.values()];
    this.connections.clear();
    await Promise.all(all.map(async (pending) => (await pending.catch(() => null))?.close()));
  }

  /** Bootstrap servers and every broker Metadata named, in that order, those that failed least recently first. */
  private candidateAddresses(): string[] {
    const all = [...new Set([...this.options.bootstrapServers.map((s) => s.trim()), ...[...this.cluster.brokers.values()].map(addressOf)])];
    return all.sort((a, b) => (this.failedAtMs.get(a) ?? 0) - (this.failedAtMs.get(b) ?? 0));
  }

  /** The open connection to `address`, or a new one when there is none or it broke (then metadata is stale). */
  private async connect(address: string): Promise<BrokerConnection> {
    const existing = this.connections.get(address);
    if (existing === undefined) return this.reconnect(address);
    const connection = await existing;
    if (!connection.closed) return connection;
    this.metadataStale = true;
    // Another caller may have replaced the broken connection meanwhile: use theirs.
    return this.connections.get(address) === existing ? this.reconnect(address) : this.connect(address);
  }

  private reconnect(address: string): Promise<BrokerConnection> {
    const { host, port } = parseHostPort(address);
    const pending = BrokerConnection.open(host, port, this.connectionOptions);
    this.connections.set(address, pending);
    pending.then(
      () => {
        this.everConnected = true;
        this.failedAtMs.delete(address);
      },
      () => {
        this.metadataStale = true;
        this.failedAtMs.set(address, Date.now());
        if (this.connections.get(address) === pending) this.connections.delete(address);
      },
    );
    return pending;
  }
}

function rememberBroker(cluster: ClusterMetadata, found: { nodeId: number; host: string; port: number }): number {
  if (!cluster.brokers.has(found.nodeId)) cluster.brokers.set(found.nodeId, { nodeId: found.nodeId, host: found.host, port: found.port, rack: null });
  return found.nodeId;
}
