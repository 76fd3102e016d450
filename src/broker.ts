// Starts and stops one Fjord broker process's parts in order: configuration → TLS material (when anything uses TLS)
// → admin HTTP listener (/health answers from here on, /ready says 503) → etcd (cluster id, node id free; only with
// fjord.etcd.endpoints) → metadata → SCRAM credentials (the admin listener checks Basic credentials against them
// from here on) and ACLs (files, or etcd's) → storage engine (workers, recovery) → Kafka listener → replication (only with replication.listener)
// → registration in etcd → ready; stop reverses it (/ready turns 503 first, the broker leaves etcd, the admin
// listener closes last). Used by the command line (src/main.ts) and by applications that embed a broker in their
// tests. Runs on the main thread.
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Logger } from 'pino';
import type { ClusterMembership } from './cluster/cluster-membership.js';
import type { EtcdCredentialStore } from './cluster/etcd-credential-store.js';
import type { StateApplier } from './cluster/state-applier.js';
import { StandaloneMembership } from './cluster/membership.js';
import { createRequestRouter } from './broker/request-router.js';
import { DataWaiters } from './broker/data-waiters.js';
import { GroupRouter } from './broker/group-router.js';
import { ProducerIdAllocator, producerIdFile } from './broker/producer-ids.js';
import { SaslSessions } from './broker/sasl-sessions.js';
import type { BrokerContext } from './broker/broker-context.js';
import { StandaloneLeadership } from './broker/partition-leadership.js';
import { type BrokerConfig, resolveBrokerConfig } from './config/broker-config.js';
import { BROKER_KEY_NAMES } from './config/broker-config-schema.js';
import { formatAddress, usesTls } from './config/listener-config.js';
import type { FreeSpaceProbe } from './engine/log-dirs.js';
import { type EngineConfig, type MoveStepHook, PartitionEngine } from './engine/partition-engine.js';
import { createLogger } from './logger.js';
import { type MetadataFileWriter, newClusterId, StandaloneMetadata } from './metadata/standalone-metadata.js';
import { ScramCredentialFile } from './metadata/scram-credential-file.js';
import { AclFile } from './metadata/acl-file.js';
import { TopicManager } from './metadata/topic-manager.js';
import { ClientWarnings } from './network/client-warnings.js';
import { KafkaListeners } from './network/kafka-listeners.js';
import { TlsMaterial } from './network/tls-material.js';
import { ResponseMemoryBudget } from './network/response-memory.js';
import { authenticationRequired, openToNetworkWithoutCredentials } from './observability/admin-http-auth.js';
import { AdminHttpServer, type BrokerState } from './observability/admin-http-server.js';
import { BrokerMetrics } from './observability/broker-metrics.js';
import { HotPathMeters } from './observability/hot-path-meters.js';
import type { ReplicaManager } from './replication/replica-manager.js';
import { type Replication, replicaManagerFor, startReplication } from './replication/replication-start.js';
import { AclAuthorizer } from './security/authorizer.js';
import type { ScramCredentialStore } from './security/credential-store.js';
import { withTopicOverrides } from './shared/topic-config.js';
import { workerSettingsOf } from './shared/worker-settings.js';

export interface BrokerHandle {
  readonly config: BrokerConfig;
  readonly engine: PartitionEngine;
  readonly topics: TopicManager;
  readonly logger: Logger;
  /** Where the Kafka listener is bound (port 0 in the config becomes the real port). */
  readonly address: { host: string; port: number };
  /** host:port for a client's bootstrap.servers. */
  readonly bootstrap: string;
  /** Where the admin HTTP listener (/metrics, /health, /ready) is bound; null when fjord.http.listener is empty. */
  readonly http: { host: string; port: number } | null;
  /** The replica manager and where the replication listener is bound; null when replication.listener is empty. */
  readonly replication: Replication | null;
  /** Users' SCRAM credentials (ctx.credentials): a file in the metadata dir standalone, etcd in a cluster. */
  readonly credentials: ScramCredentialStore;
  /** The authorizer and its ACLs (ctx.authorizer): off unless authorizer.class.name is set. */
  readonly authorizer: AclAuthorizer;
  /** Milliseconds from launchBroker() to ready. */
  readonly startupMs: number;
  stop(): Promise<void>;
}

export interface LaunchBrokerOptions {
  /** Kafka-style config keys (e.g. { 'log.dirs': '/tmp/x', listeners: 'PLAINTEXT://127.0.0.1:0' }); others take defaults. */
  config?: Record<string, string> | Map<string, string>;
  logger?: Logger;
  /** Tests only: let workers inject disk faults and crashes. */
  faultInjection?: boolean;
  /** Tests only: how the metadata file is written (a fault test makes it fail as a full disk would). */
  metadataFileWriter?: MetadataFileWriter;
  /** Tests only: how a log dir's free space is read (statfs by default), to make a dir look full. */
  freeBytesOf?: FreeSpaceProbe;
  /** Tests only: called after each step of a move between log dirs (a kill test ends the process there). */
  onMoveStep?: MoveStepHook;
}

export async function launchBroker(options: LaunchBrokerOptions = {}): Promise<BrokerHandle> {
  const startedAt = performance.now();
  const source = options.config instanceof Map ? options.config : new Map(Object.entries(options.config ?? {}));
  const config = resolveBrokerConfig(source);
  const logger = options.logger ?? createLogger(config.logLevel, 1, config.logFormat);
  let state: BrokerState = 'starting';
  const meters = new HotPathMeters(config.metrics.topicLabelsMax);
  const metrics = new BrokerMetrics(meters, config.metrics.lagGroupsMax, logger);
  const admin = new AdminHttpServer({ metrics: () => metrics.render(), state: () => state }, logger);
  // Read before the admin listener starts, which may serve it (https); closed after that listener.
  const tls = openTlsMaterial(config, logger);
  let http: { host: string; port: number } | null;
  try {
    http = await listenAdmin(admin, config, tls, logger);
  } catch (error) {
    tls?.close();
    throw error;
  }
  logger.info(
    { nodeId: config.nodeId, logDirs: config.logDirs, workers: config.workers, http: httpUrl(config, http), overrides: overridesOf(config, source) },
    'starting',
  );
  try {
    const broker = await startParts(config, logger, meters, options, { tls, admin });
    metrics.attach(broker.sources);
    state = 'ready';
    const startupMs = performance.now() - startedAt;
    const { address, advertised, listeners } = broker;
    logger.info(
      {
        listener: `${address.host}:${address.port}`,
        listeners: listeners.bound.map((l) => formatAddress(l.name, l)),
        advertised: [...advertised].map(([name, at]) => formatAddress(name, at)),
        http: httpUrl(config, http),
        clusterId: broker.membership.clusterId,
        controllerId: broker.membership.controllerId(),
        brokers: broker.membership.liveBrokerIds().length,
        topics: broker.topics.topicNames().length,
        partitions: broker.engine.partitions().length,
        startupMs: Math.round(startupMs),
      },
      'ready',
    );
    let stopping: Promise<void> | undefined;
    return {
      config,
      engine: broker.engine,
      topics: broker.topics,
      logger,
      address,
      bootstrap: `${address.host.includes(':') ? `[${address.host}]` : address.host}:${address.port}`,
      http,
      replication: broker.replication,
      credentials: broker.credentials,
      authorizer: broker.authorizer,
      startupMs,
      stop: () =>
        (stopping ??= (async () => {
          state = 'stopping';
          const stoppedAt = performance.now();
          logger.info('shutting down: closing the listener, finishing in-flight requests, flushing partitions');
          let flushed: Awaited<ReturnType<typeof broker.stop>>;
          try {
            flushed = await broker.stop();
          } finally {
            await admin.close();
            tls?.close();
          }
          logger.info({ ...flushed, ms: Math.round(performance.now() - stoppedAt) }, 'shutdown complete');
        })()),
    };
  } catch (error) {
    await admin.close();
    tls?.close();
    throw error;
  }
}

/** Binds the admin listener, over TLS for https://, behind Basic authentication as fjord.http.authentication says. */
async function listenAdmin(admin: AdminHttpServer, config: BrokerConfig, tls: TlsMaterial | null, logger: Logger) {
  const listener = config.httpListener;
  if (listener === null) return null;
  const required = authenticationRequired(config.httpAuthentication, listener);
  if (openToNetworkWithoutCredentials(config.httpAuthentication, listener)) {
    logger.warn(
      { http: formatAddress(listener.scheme, listener) },
      'the admin HTTP port is open to the network without credentials (fjord.http.authentication=none)',
    );
  }
  try {
    return await admin.listen(listener, { tls, authentication: required ? { failedDelayMs: config.failedAuthenticationDelayMs } : null });
  } catch (error) {
    throw new Error(`cannot listen on fjord.http.listener ${formatAddress(listener.scheme, listener)}: ${(error as Error).message}`);
  }
}

/** What launchBroker opened before the other parts: the TLS material, and the admin listener that takes the users' credentials once open. */
interface EarlyParts {
  tls: TlsMaterial | null;
  admin: AdminHttpServer;
}

/** etcd membership (in a cluster), metadata, engine, topics, request context, the Kafka listener, registration; stop() reverses them. */
async function startParts(config: BrokerConfig, logger: Logger, meters: HotPathMeters, options: LaunchBrokerOptions, early: EarlyParts) {
  const metadataDir = resolve(config.logDirs[0]!);
  mkdirSync(metadataDir, { recursive: true });
  const cluster = config.cluster.etcdEndpoints.length > 0 ? await connectCluster(config, metadataDir, logger) : null;
  try {
    return await startLocalParts(config, logger, meters, options, metadataDir, cluster, early);
  } catch (error) {
    await cluster?.leave();
    throw error;
  }
}

/** Reaches etcd, agrees on the cluster id (a new cluster takes the id of this broker's metadata file, if it has one). */
async function connectCluster(config: BrokerConfig, metadataDir: string, logger: Logger): Promise<ClusterMembership> {
  // Loaded only in a cluster: the etcd client takes about half a second to load.
  const { ClusterMembership } = await import('./cluster/cluster-membership.js');
  const { etcdEndpoints: endpoints, clusterName, rack, sessionTimeoutMs, etcdConnectTimeoutMs: connectTimeoutMs } = config.cluster;
  const { etcdSslCaLocation, etcdSslCertificateLocation, etcdSslKeyLocation } = config.cluster;
  const first = config.listeners[0]!;
  const advertisedHost = config.advertisedListeners.find((a) => a.name === first.name)?.host ?? first.host;
  const logDirs = config.logDirs.map((dir) => resolve(dir));
  return ClusterMembership.connect(
    {
      endpoints,
      clusterName,
      nodeId: config.nodeId,
      rack,
      logDirs,
      advertisedHost,
      sessionTimeoutMs,
      connectTimeoutMs,
      logDefaults: config.defaultLogConfig,
      leaderRebalance: leaderRebalanceOf(config.cluster),
      tls: { etcdSslCaLocation, etcdSslCertificateLocation, etcdSslKeyLocation },
      logger,
    },
    StandaloneMetadata.clusterIdIn(metadataDir) ?? newClusterId(),
  );
}

/** auto.leader.rebalance.enable and its settings, as the controller takes them; null: off. */
function leaderRebalanceOf(cluster: BrokerConfig['cluster']): { checkIntervalMs: number; imbalancePercentage: number } | null {
  if (!cluster.autoLeaderRebalanceEnable) return null;
  return { checkIntervalMs: cluster.leaderImbalanceCheckIntervalSeconds * 1000, imbalancePercentage: cluster.leaderImbalancePerBrokerPercentage };
}

async function startLocalParts(
  config: BrokerConfig,
  logger: Logger,
  meters: HotPathMeters,
  options: LaunchBrokerOptions,
  metadataDir: string,
  cluster: ClusterMembership | null,
  { tls, admin }: EarlyParts,
) {
  const metadata = StandaloneMetadata.open(metadataDir, options.metadataFileWriter, cluster?.clusterId);
  const credentials = cluster === null ? ScramCredentialFile.open(metadataDir) : await cluster.openCredentialStore();
  admin.useCredentials(credentials);
  let authorizer: AclAuthorizer | null = null;
  try {
    authorizer = await openAuthorizer(config, metadataDir, cluster);
    return await startServingParts({ config, logger, meters, options, metadataDir, cluster, metadata, credentials, authorizer, tls });
  } catch (error) {
    await authorizer?.close();
    await credentials.close();
    throw error;
  }
}

/** Off without authorizer.class.name; else over the ACL file in the metadata dir, or etcd's ACLs in a cluster. */
async function openAuthorizer(config: BrokerConfig, metadataDir: string, cluster: ClusterMembership | null): Promise<AclAuthorizer> {
  if (config.authorizerClassName === '') return AclAuthorizer.off();
  const store = cluster === null ? AclFile.open(metadataDir) : await cluster.openAclStore();
  return AclAuthorizer.over(store, { superUsers: config.superUsers, allowEveryoneIfNoAclFound: config.allowEveryoneIfNoAclFound });
}

/** What startLocalParts has opened when the engine starts: the metadata file, the users' credentials, the ACLs. */
interface OpenedParts {
  config: BrokerConfig;
  logger: Logger;
  meters: HotPathMeters;
  options: LaunchBrokerOptions;
  metadataDir: string;
  cluster: ClusterMembership | null;
  metadata: StandaloneMetadata;
  credentials: ScramCredentialFile | EtcdCredentialStore;
  /** The TLS material of the SSL and SASL_SSL listeners and of TLS replication; null when nothing uses TLS. */
  tls: TlsMaterial | null;
  authorizer: AclAuthorizer;
}

/** Reads the TLS material when a listener, replication or the admin listener uses TLS (a bad file stops the start with one line); re-read as its files change. */
function openTlsMaterial(config: BrokerConfig, logger: Logger): TlsMaterial | null {
  const needed =
    config.replicationSecurityProtocol === 'SSL' ||
    config.httpListener?.scheme === 'https' ||
    config.listeners.some((l) => usesTls(config.listenerProtocols.get(l.name)));
  if (!needed) return null;
  return TlsMaterial.open(
    { keystorePath: config.sslKeystoreLocation, keyPassword: config.sslKeyPassword, truststorePath: config.sslTruststoreLocation },
    (files) => logger.info({ keystore: files.keystorePath, truststore: files.truststorePath || null }, 'TLS material reloaded: new connections use it'),
    (message) => logger.error(`TLS material not reloaded, the listeners keep the one in use: ${message}`),
  );
}

/** The parts after metadata and credentials: engine, topics, request context, listeners, replication, registration. */
async function startServingParts(opened: OpenedParts) {
  const { config, logger, meters, options, metadataDir, cluster, metadata, credentials, authorizer, tls } = opened;
  const engine = await PartitionEngine.start(
    engineConfigOf(config, options.faultInjection ?? false),
    logger,
    (topic) => withTopicOverrides(config.defaultLogConfig, metadata.topic(topic)?.configs ?? {}),
    options.freeBytesOf,
    { placementOf: (topic, partition) => metadata.logDirOf(metadata.topic(topic)?.topicId ?? '', partition), onMoveStep: options.onMoveStep },
  );
  const topics = new TopicManager(metadata, engine, config.defaultLogConfig, logger);
  await topics.reconcileWithEngine(cluster !== null);
  // Filled in once the listeners are bound.
  const advertised = new Map<string, { host: string; port: number }>();
  const membership = cluster ?? new StandaloneMembership({ nodeId: config.nodeId, rack: config.cluster.rack }, advertised, metadata.clusterId);
  const waiters = new DataWaiters(config.maxFetchWaiters);
  const replicas = replicaManagerFor(config, engine, waiters, logger, () => topics.clusterId, cluster === null ? null : (id) => cluster.isLive(id), tls);
  if (replicas !== null && cluster !== null) replicas.onIsrChange = (topic, partition, isr) => cluster.writeIsr(topic, partition, isr);
  const leadership = replicas ?? new StandaloneLeadership();
  const ctx: BrokerContext = {
    nodeId: config.nodeId,
    advertised,
    config,
    membership,
    engine,
    topics,
    leadership,
    replicas,
    waiters,
    groups: new GroupRouter(
      engine,
      topics,
      {
        partitions: config.offsetsTopicPartitions,
        segmentBytes: config.offsetsTopicSegmentBytes,
        replicationFactor: config.offsetsTopicReplicationFactor,
        commitTimeoutMs: config.offsetsCommitTimeoutMs,
      },
      leadership,
      membership.clusterTopics,
      cluster === null ? null : replicas,
      waiters,
    ),
    producerIds: new ProducerIdAllocator(cluster === null ? producerIdFile(metadataDir) : (size) => cluster.reserveProducerIds(size)),
    credentials,
    authorizer,
    sasl: new SaslSessions(credentials, { mechanisms: config.saslEnabledMechanisms, failedAuthenticationDelayMs: config.failedAuthenticationDelayMs }),
    logger,
    meters,
  };
  // Broker-wide, for every listener: the replication listener will hold against the same budget.
  const responseMemory = new ResponseMemoryBudget(config.responseMemoryBytesMax);
  const clientWarnings = new ClientWarnings(logger);
  let listeners: KafkaListeners;
  try {
    listeners = await KafkaListeners.start(config, createRequestRouter(ctx), responseMemory, clientWarnings, tls);
  } catch (error) {
    await replicas?.stop();
    await engine.stop();
    throw error;
  }
  const address = listeners.primary;
  let replication: Replication | null = null;
  try {
    if (replicas !== null) replication = await startReplication(replicas, config, () => topics.clusterId, responseMemory, clientWarnings, logger, tls);
  } catch (error) {
    await listeners.close();
    await engine.stop();
    throw error;
  }
  for (const [name, at] of listeners.advertised) advertised.set(name, at);
  let applier: StateApplier | null = null;
  if (cluster !== null) {
    try {
      await cluster.join(
        [...advertised].map(([name, at]) => ({ name, ...at })),
        replication?.address.port ?? null,
      );
    } catch (error) {
      await replication?.stop();
      await listeners.close();
      await engine.stop();
      throw error;
    }
    applier = await applyClusterState(config.nodeId, cluster, topics, engine, replicas!, logger);
  }
  const stop = async () => {
    if (cluster !== null && applier !== null) await shutDownControlled(cluster, applier, replicas!, logger);
    await credentials.close();
    await authorizer.close();
    // Peers and clients stop being told about this broker first (its registration goes with its lease).
    await cluster?.leave();
    await replication?.stop();
    const connectionsClosed = await listeners.close();
    const fetchWaitersWoken = ctx.waiters.size;
    ctx.waiters.wakeAll();
    // Which dirs got the clean-shutdown marker: the ones still online when the partitions closed.
    const closed = await engine.stop();
    return { ...closed, connectionsClosed, fetchWaitersWoken };
  };
  return {
    engine,
    topics,
    address,
    advertised,
    listeners,
    replication,
    membership,
    credentials,
    authorizer,
    stop,
    sources: {
      nodeId: config.nodeId,
      engine,
      topics,
      groups: ctx.groups,
      fetchWaiters: ctx.waiters,
      listener: listeners,
      responseMemory,
      clientWarnings,
      controllerId: () => membership.controllerId(),
      replication: replicas,
      cluster: membership.clusterTopics,
    },
  };
}

/**
 * Controlled shutdown: roles stop changing, every leadership here ends (clients are sent on, nothing more is
 * appended as leader), then the partitions are handed to other in-sync replicas before the broker leaves.
 */
async function shutDownControlled(cluster: ClusterMembership, applier: StateApplier, replicas: ReplicaManager, logger: Logger): Promise<void> {
  await applier.stop();
  replicas.resignAll();
  const moved = await cluster.handOverLeadership();
  if (moved > 0) logger.info({ partitions: moved }, 'controlled shutdown: partition leadership handed to other in-sync replicas');
}

/** Gives this broker its partitions and replica roles from the cluster state, now and as it changes (state-applier.ts). */
async function applyClusterState(
  nodeId: number,
  cluster: ClusterMembership,
  topics: TopicManager,
  engine: PartitionEngine,
  replicas: ReplicaManager,
  logger: Logger,
): Promise<StateApplier> {
  const { StateApplier } = await import('./cluster/state-applier.js');
  const applier = new StateApplier({
    nodeId,
    view: () => cluster.clusterState,
    replicationAddressOf: (nodeId) => cluster.replicationAddressOf(nodeId),
    subscribe: (onChange) => cluster.subscribe(onChange),
    topics,
    engine,
    replicas,
    logger,
  });
  cluster.trackApplied((revision) => applier.appliedUpTo(revision));
  applier.start();
  // JBOD: the partitions of a failed dir that this broker leads get other leaders from their ISR within seconds.
  engine.onLogDirOffline((logDir) => {
    const failed = new Set(engine.partitions().flatMap((p) => (p.logDir === logDir ? [`${p.topic}/${p.partition}`] : [])));
    for (const key of failed) {
      const slash = key.lastIndexOf('/');
      void replicas.stopReplica(key.slice(0, slash), Number(key.slice(slash + 1)));
    }
    void cluster
      .handOverLeadership((topic, partition) => failed.has(`${topic}/${partition}`))
      .then((moved) => {
        if (moved > 0) logger.warn({ logDir, partitions: moved }, 'log dir failed: the partitions this broker led there were handed to other in-sync replicas');
      });
  });
  return applier;
}

function httpUrl(config: BrokerConfig, address: { host: string; port: number } | null): string | null {
  return address === null || config.httpListener === null ? null : formatAddress(config.httpListener.scheme, address);
}

/** The keys given (file, environment, --set, or the embedding call) with their effective values: what this broker runs with beyond the defaults. */
function overridesOf(config: BrokerConfig, source: Map<string, string>): Record<string, string> {
  const given: Record<string, string> = {};
  for (const [key, value] of Object.entries(config.effective)) if (BROKER_KEY_NAMES.get(key)?.some((name) => source.has(name))) given[key] = value;
  return given;
}

function engineConfigOf(config: BrokerConfig, faultInjection: boolean): EngineConfig {
  const { logDirs, workers: workerCount, ringBytes, maxBacklogRequests } = config;
  return { ...workerSettingsOf(config), logDirs, workerCount, ringBytes, maxBacklogRequests, faultInjection };
}
