// The broker's Prometheus metrics (prom-client): counters read from the request path's meters, and
// gauges computed once per scrape from the engine's stats (rings, workers, log dirs), the metadata
// (offline and under-replicated partitions), the group coordinators (lag, bounded), the Kafka
// listener (connections, muted ones, unsent bytes), the response memory budget and the client warnings.
// Nothing here runs on the request path. Runs on the main thread.
import type { Logger } from 'pino';
import { collectDefaultMetrics, Counter, Gauge, Registry, type Metric } from 'prom-client';
import { partitionKey } from '../engine/log-dirs.js';
import type { EngineStats, PartitionEngine } from '../engine/partition-engine.js';
import type { TopicManager } from '../metadata/topic-manager.js';
import type { ClientWarningKind, ClientWarnings } from '../network/client-warnings.js';
import type { ConnectionCounts } from '../network/kafka-listener.js';
import type { ResponseMemoryBudget } from '../network/response-memory.js';
import { consumerLag, type GroupOffsetsSource, type LagReport, NO_LAG } from './consumer-lag.js';
import { type HotPathMeters, LATENCY_BUCKETS_SECONDS, type RequestMeters } from './hot-path-meters.js';
import { type PartitionHealth, partitionHealth } from './partition-health.js';

/** What the scrape-time gauges read; attached once the engine and the listener exist. */
export interface MetricSources {
  nodeId: number;
  engine: PartitionEngine;
  topics: TopicManager;
  groups: GroupOffsetsSource;
  /** Long-polling fetches waiting for data. */
  fetchWaiters: { readonly size: number };
  /** The Kafka listeners, counted together. */
  listener: { connectionCounts(): ConnectionCounts };
  responseMemory: ResponseMemoryBudget;
  clientWarnings: ClientWarnings;
  /** The controller's node id as this broker sees it (its own: the controller; -1: none). */
  controllerId: () => number;
  /** The replica manager when replication is on: its replicated leaderships and ISR changes. */
  replication: ReplicationStats | null;
  /** The cluster's topics in a cluster (null standalone): the controller reports its offline partitions. */
  cluster: ClusterPlacementStats | null;
}

/** What /metrics reads of the replica manager (src/replication/replica-manager.ts). */
export interface ReplicationStats {
  readonly isrChanges: { readonly shrinks: number; readonly expands: number };
  leaderships(): Iterable<{ topic: string; partition: number; replicas: readonly number[]; isr: readonly number[]; maxFollowerLag: number }>;
}

/** What /metrics reads of the cluster state (membership.clusterTopics): partitions without a live leader. */
export interface ClusterPlacementStats {
  topicNames(): string[];
  topic(name: string): { partitionCount: number } | undefined;
  partition(topic: string, partition: number): { leader: number } | undefined;
}

interface Snapshot {
  engine: EngineStats | null;
  health: PartitionHealth;
  controller: boolean;
  replicatedLeaders: number;
  replicaLagMax: number;
  /** Partitions of the cluster with no live leader, as the controller counts them (null: not the controller, or standalone). */
  clusterOffline: number | null;
  isrChanges: { shrinks: number; expands: number };
  lag: LagReport;
  connections: ConnectionCounts;
  topics: number;
  fetchWaiting: number;
  memory: { heldBytes: number; limitBytes: number; shortPartitions: number };
  warnings: Array<{ kind: ClientWarningKind; count: number }>;
  warningsByApi: Array<{ kind: ClientWarningKind; apiKey: number; count: number }>;
}

const EMPTY_SNAPSHOT: Snapshot = {
  engine: null,
  health: { partitions: 0, offline: 0, underReplicated: 0 },
  controller: false,
  replicatedLeaders: 0,
  replicaLagMax: 0,
  clusterOffline: null,
  isrChanges: { shrinks: 0, expands: 0 },
  lag: NO_LAG,
  connections: { open: 0, accepted: 0, refused: 0, closed: 0, muted: 0, unsentBytes: 0, unsentBytesMax: 0 },
  topics: 0,
  fetchWaiting: 0,
  memory: { heldBytes: 0, limitBytes: 0, shortPartitions: 0 },
  warnings: [],
  warningsByApi: [],
};

type Labels = Record<string, string | number>;
type Fill = (set: (labels: Labels, value: number) => void) => void;

/** Process metrics (CPU, memory, event loop delay, GC) are per process: one registry, however many brokers run in it. */
let processRegistry: Registry | null = null;

export class BrokerMetrics {
  private readonly registry = new Registry();
  private sources: MetricSources | null = null;
  private snapshot: Snapshot = EMPTY_SNAPSHOT;
  private refreshing: Promise<void> | null = null;

  constructor(
    private readonly meters: HotPathMeters,
    private readonly lagGroupsMax: number,
    private readonly logger: Logger,
  ) {
    if (processRegistry === null) {
      processRegistry = new Registry();
      collectDefaultMetrics({ register: processRegistry });
    }
    this.defineTraffic();
    this.defineRequests();
    this.defineWorkers();
    this.defineStorage();
    this.defineGroups();
    this.defineConnections();
  }

  attach(sources: MetricSources): void {
    this.sources = sources;
  }

  /** The Prometheus text exposition; concurrent scrapes share one collection. */
  async render(): Promise<{ contentType: string; body: string }> {
    this.refreshing ??= this.refresh().finally(() => {
      this.refreshing = null;
    });
    await this.refreshing;
    const body = await Registry.merge([processRegistry!, this.registry]).metrics();
    return { contentType: this.registry.contentType, body };
  }

  private async refresh(): Promise<void> {
    const sources = this.sources;
    if (sources === null) return;
    const engine = await sources.engine.stats();
    this.meters.forgetTopicsExcept((topic) => sources.topics.topic(topic) !== undefined);
    const led = new Map<string, { replicas: readonly number[]; isr: readonly number[] }>();
    let replicaLagMax = 0;
    for (const l of sources.replication?.leaderships() ?? []) {
      led.set(partitionKey(l.topic, l.partition), { replicas: l.replicas, isr: l.isr });
      replicaLagMax = Math.max(replicaLagMax, l.maxFollowerLag);
    }
    const controller = sources.controllerId() === sources.nodeId;
    this.snapshot = {
      engine,
      health: partitionHealth(sources.nodeId, sources.topics, sources.engine, (topic, partition) => led.get(partitionKey(topic, partition))),
      controller,
      replicatedLeaders: led.size,
      replicaLagMax,
      clusterOffline: controller && sources.cluster !== null ? offlinePartitionsOf(sources.cluster) : null,
      isrChanges: { ...(sources.replication?.isrChanges ?? { shrinks: 0, expands: 0 }) },
      lag: await this.lagOf(sources, engine),
      connections: sources.listener.connectionCounts(),
      topics: sources.topics.topicNames().length,
      fetchWaiting: sources.fetchWaiters.size,
      memory: {
        heldBytes: sources.responseMemory.heldBytes,
        limitBytes: sources.responseMemory.limitBytes,
        shortPartitions: sources.responseMemory.shortPartitions,
      },
      warnings: sources.clientWarnings.countsByKind(),
      warningsByApi: sources.clientWarnings.countsByApi(),
    };
  }

  private async lagOf(sources: MetricSources, engine: EngineStats): Promise<LagReport> {
    const ends = new Map<string, number>();
    for (const p of engine.workers.flatMap((w) => w.partitions)) if (p.online) ends.set(partitionKey(p.topic, p.partition), p.highWatermark);
    try {
      return await consumerLag(sources.groups, ends, this.lagGroupsMax);
    } catch (error) {
      // A coordinator's worker restarting is a normal, short event: this scrape goes without lag.
      this.logger.warn({ reason: (error as Error).message }, 'consumer group lag not collected for this scrape');
      return NO_LAG;
    }
  }

  private gauge(name: string, help: string, labelNames: string[], fill: Fill): void {
    const gauge: Gauge = new Gauge({
      name,
      help,
      labelNames,
      registers: [this.registry],
      collect: () => {
        gauge.reset();
        fill((labels, value) => gauge.set(labels, value));
      },
    });
  }

  /** A counter whose value lives elsewhere (a meter, a worker): copied in at scrape time. */
  private counter(name: string, help: string, labelNames: string[], fill: Fill): void {
    const counter: Counter = new Counter({
      name,
      help,
      labelNames,
      registers: [this.registry],
      collect: () => {
        counter.reset();
        fill((labels, value) => counter.inc(labels, value));
      },
    });
  }

  private defineTraffic(): void {
    const traffic = (name: string, help: string, field: 'bytesIn' | 'messagesIn' | 'bytesOut' | 'messagesOut'): void =>
      this.counter(name, help, ['topic'], (set) => {
        for (const t of this.meters.topicTraffic()) set({ topic: t.label }, t[field]);
      });
    traffic('fjord_topic_bytes_in_total', 'Record batch bytes appended by Produce requests, per topic (as the producer sent them).', 'bytesIn');
    traffic('fjord_topic_messages_in_total', 'Records appended by Produce requests, per topic (the records-count field of each batch header).', 'messagesIn');
    traffic('fjord_topic_bytes_out_total', 'Record batch bytes returned by Fetch requests, per topic.', 'bytesOut');
    traffic(
      'fjord_topic_messages_out_total',
      'Records in the batches returned by Fetch requests, per topic (whole batches: a fetch from the middle of a batch counts all of it).',
      'messagesOut',
    );
    this.gauge(
      'fjord_purgatory_requests',
      'Requests parked until something happens: produce = Produce requests waiting for their appends to be acknowledged; fetch = long-polling Fetch requests waiting for data.',
      ['operation'],
      (set) => {
        set({ operation: 'produce' }, this.meters.produceWaiting);
        set({ operation: 'fetch' }, this.snapshot.fetchWaiting);
      },
    );
  }

  private defineRequests(): void {
    const requests = this.meters.requests;
    this.counter('fjord_requests_total', 'Kafka requests received, per API (including those refused for their version).', ['api'], (set) => {
      for (const { apiKey, api } of requests.seen()) set({ api }, requests.received[apiKey]!);
    });
    this.registry.registerMetric(new RequestLatencyHistogram(requests) as unknown as Metric);
  }

  private defineWorkers(): void {
    const eachWorker =
      (read: (w: EngineStats['workers'][number]) => number): Fill =>
      (set) => {
        for (const w of this.snapshot.engine?.workers ?? []) set({ worker: w.workerId }, read(w));
      };
    this.gauge(
      'fjord_worker_ring_used_bytes',
      "Bytes waiting in a worker's data-path ring: request (main thread -> worker) or completion (worker -> main thread).",
      ['worker', 'ring'],
      (set) => {
        for (const w of this.snapshot.engine?.workers ?? []) {
          set({ worker: w.workerId, ring: 'request' }, w.ringRequestBytes);
          set({ worker: w.workerId, ring: 'completion' }, w.ringCompletionBytes);
        }
      },
    );
    this.gauge(
      'fjord_worker_ring_capacity_bytes',
      "Capacity of each of a worker's two data-path rings (fjord.ring.bytes).",
      ['worker'],
      eachWorker((w) => w.ringCapacityBytes),
    );
    this.gauge(
      'fjord_worker_fetch_arena_lent_bytes',
      "Bytes of a worker's fetch arena lent to fetches in flight and to fetched records not yet written to their sockets.",
      ['worker'],
      eachWorker((w) => w.arenaLentBytes),
    );
    this.gauge(
      'fjord_worker_inflight_requests',
      'Appends and fetches sent to a worker and not yet completed.',
      ['worker'],
      eachWorker((w) => w.inFlight),
    );
    this.gauge(
      'fjord_worker_partitions',
      'Partitions a worker owns.',
      ['worker'],
      eachWorker((w) => w.partitions.length),
    );
    this.counter(
      'fjord_worker_frames_handled_total',
      "Data-path frames (appends and fetches) a worker has handled; its rate is the worker's load. Starts again from 0 when a worker restarts.",
      ['worker'],
      eachWorker((w) => w.framesHandled),
    );
    this.counter(
      'fjord_worker_busy_seconds_total',
      "Seconds a worker thread's event loop was busy (not waiting for frames or timers); its rate is the worker's busy share, 0 to 1. Starts again from 0 when a worker restarts.",
      ['worker'],
      eachWorker((w) => w.busyMs / 1000),
    );
    this.counter('fjord_worker_restarts_total', 'Partition workers restarted after dying.', [], (set) => set({}, this.snapshot.engine?.workerRestarts ?? 0));
    this.counter(
      'fjord_main_thread_busy_seconds_total',
      "Time the main thread's event loop spent running code (network, codec, routing); its rate is the main thread's busy share.",
      [],
      (set) => {
        set({}, performance.eventLoopUtilization().active / 1000);
      },
    );
  }

  private defineStorage(): void {
    const eachDir =
      (read: (d: EngineStats['logDirs'][number]) => number): Fill =>
      (set) => {
        for (const d of this.snapshot.engine?.logDirs ?? []) set({ dir: d.path }, read(d));
      };
    this.gauge(
      'fjord_log_dir_size_bytes',
      'Bytes of partition logs in a log dir (segments of its online partitions).',
      ['dir'],
      eachDir((d) => d.sizeBytes),
    );
    this.gauge(
      'fjord_log_dir_partitions',
      'Partitions placed in a log dir.',
      ['dir'],
      eachDir((d) => d.partitionCount),
    );
    this.gauge(
      'fjord_log_dir_online',
      '1 while a log dir serves, 0 once it went offline (I/O error, read-only, full).',
      ['dir'],
      eachDir((d) => (d.online ? 1 : 0)),
    );
    this.gauge('fjord_log_dirs_offline', 'Log dirs offline.', [], (set) => set({}, (this.snapshot.engine?.logDirs ?? []).filter((d) => !d.online).length));
    this.gauge('fjord_topics', 'Topics, internal ones included.', [], (set) => set({}, this.snapshot.topics));
    this.gauge('fjord_partitions', 'Partitions of every topic, internal ones included.', [], (set) => set({}, this.snapshot.health.partitions));
    this.gauge(
      'fjord_partitions_offline',
      'Partitions with no leader (every replica offline); they answer KAFKA_STORAGE_ERROR or LEADER_NOT_AVAILABLE.',
      [],
      (set) => set({}, this.snapshot.health.offline),
    );
    this.gauge(
      'fjord_partitions_under_replicated',
      'Partitions this broker leads whose in-sync replicas are fewer than their replicas (0 on a standalone broker: one replica each).',
      [],
      (set) => {
        set({}, this.snapshot.health.underReplicated);
      },
    );
    this.gauge('fjord_controller_active', '1 while this broker is the cluster controller (a standalone broker is its own), else 0.', [], (set) =>
      set({}, this.snapshot.controller ? 1 : 0),
    );
    this.gauge('fjord_replicated_partition_leaders', 'Partitions this broker leads with replicas on other brokers (replication on).', [], (set) =>
      set({}, this.snapshot.replicatedLeaders),
    );
    this.gauge(
      'fjord_replica_lag_max_messages',
      'Messages the furthest-behind follower of any partition this broker leads lacks (Kafka MaxLag, seen from the leader).',
      [],
      (set) => set({}, this.snapshot.replicaLagMax),
    );
    this.gauge(
      'fjord_cluster_partitions_offline',
      "Partitions of the whole cluster with no live leader, counted by the controller; 0 on every other broker (Kafka's OfflinePartitionsCount).",
      [],
      (set) => set({}, this.snapshot.clusterOffline ?? 0),
    );
    this.counter('fjord_isr_shrinks_total', 'ISR shrinks applied by this broker as leader (a follower left the ISR).', [], (set) =>
      set({}, this.snapshot.isrChanges.shrinks),
    );
    this.counter('fjord_isr_expands_total', 'ISR expansions applied by this broker as leader (a follower caught up and rejoined).', [], (set) =>
      set({}, this.snapshot.isrChanges.expands),
    );
  }

  private defineGroups(): void {
    this.gauge('fjord_consumer_groups', 'Consumer groups known to the coordinators, per state.', ['state'], (set) => {
      const byState = new Map<string, number>();
      for (const g of this.snapshot.lag.groups) byState.set(g.state, (byState.get(g.state) ?? 0) + 1);
      for (const [state, count] of byState) set({ state }, count);
    });
    this.gauge(
      'fjord_consumer_group_lag',
      'Messages a group has not consumed on a partition: high watermark minus committed offset (computed per scrape, for at most fjord.metrics.lag.groups.max groups).',
      ['group', 'topic', 'partition'],
      (set) => {
        for (const row of this.snapshot.lag.rows) set({ group: row.group, topic: row.topic, partition: row.partition }, row.lag);
      },
    );
    this.gauge(
      'fjord_consumer_group_committed_offset',
      "A group's committed offset on a partition (same groups as fjord_consumer_group_lag).",
      ['group', 'topic', 'partition'],
      (set) => {
        for (const row of this.snapshot.lag.rows) set({ group: row.group, topic: row.topic, partition: row.partition }, row.committedOffset);
      },
    );
    this.gauge('fjord_consumer_groups_lag_omitted', 'Consumer groups whose lag this scrape did not compute (beyond fjord.metrics.lag.groups.max).', [], (set) =>
      set({}, this.snapshot.lag.groupsOmitted),
    );
  }

  private defineConnections(): void {
    const c = (): ConnectionCounts => this.snapshot.connections;
    this.gauge('fjord_connections_open', 'Client connections open on the Kafka listener.', [], (set) => set({}, c().open));
    this.counter('fjord_connections_accepted_total', 'Client connections accepted.', [], (set) => set({}, c().accepted));
    this.counter('fjord_connections_refused_total', 'Client connections refused because max.connections were open.', [], (set) => set({}, c().refused));
    this.counter('fjord_connections_closed_total', 'Client connections closed (by either side).', [], (set) => set({}, c().closed));
    this.gauge(
      'fjord_connections_muted',
      'Connections reading no request until their responses are written (too many requests in flight, or unsent bytes above fjord.connection.unsent.bytes.max).',
      [],
      (set) => set({}, c().muted),
    );
    this.gauge('fjord_connections_unsent_bytes', 'Response bytes not yet handed to the kernel, over all connections.', [], (set) => set({}, c().unsentBytes));
    this.gauge('fjord_connection_unsent_bytes_max', 'Response bytes not yet handed to the kernel on the connection with the most.', [], (set) =>
      set({}, c().unsentBytesMax),
    );
    this.counter(
      'fjord_client_warnings_total',
      'Events caused by clients, per kind, whether their log line went out or was suppressed by the rate limit.',
      ['kind'],
      (set) => {
        for (const { kind, count } of this.snapshot.warnings) set({ kind }, count);
      },
    );
    this.counter(
      'fjord_client_unsupported_requests_total',
      'Requests that closed their connection for an API version Fjord does not serve (kind unsupported-version) or an API key it does not know (unknown-api), per API key (-1: keys beyond the first 64 seen).',
      ['kind', 'api_key'],
      (set) => {
        for (const { kind, apiKey, count } of this.snapshot.warningsByApi) set({ kind, api_key: String(apiKey) }, count);
      },
    );
    const memory = (): Snapshot['memory'] => this.snapshot.memory;
    this.gauge(
      'fjord_response_memory_used_bytes',
      'Response bytes held in memory: records read for fetches not yet encoded, response frames not yet sent.',
      [],
      (set) => set({}, memory().heldBytes),
    );
    this.gauge('fjord_response_memory_limit_bytes', 'The budget for them (fjord.response.memory.bytes.max).', [], (set) => set({}, memory().limitBytes));
    this.counter(
      'fjord_fetch_partitions_short_total',
      'Fetched partitions answered with fewer records than they had (or none), because the response memory had no room for them.',
      [],
      (set) => set({}, memory().shortPartitions),
    );
  }
}

/**
 * fjord_request_duration_seconds: a histogram whose buckets the request path fills in typed arrays
 * (hot-path-meters.ts). prom-client's own Histogram builds a label object and a hash per observation, so
 * this metric hands the registry the same shape prom-client's histograms produce (bucket, sum and count
 * samples), read from those arrays at scrape time.
 */
class RequestLatencyHistogram {
  readonly name = 'fjord_request_duration_seconds';
  readonly help =
    'Time from a request being decoded to its response being encoded, per API. Includes waiting: Fetch long polls (max_wait_ms), JoinGroup/SyncGroup rebalances, fsync when the flush policy asks for it.';
  readonly type = 'histogram';
  readonly aggregator = 'sum';

  constructor(private readonly requests: RequestMeters) {}

  async get(): Promise<{ name: string; help: string; type: string; aggregator: string; values: Array<{ metricName: string; labels: Labels; value: number }> }> {
    const r = this.requests;
    const values: Array<{ metricName: string; labels: Labels; value: number }> = [];
    for (const { apiKey, api } of r.seen()) {
      let cumulative = 0;
      for (let b = 0; b < r.slotsPerApi; b++) {
        cumulative += r.buckets[apiKey * r.slotsPerApi + b]!;
        values.push({
          metricName: `${this.name}_bucket`,
          labels: { api, le: b < LATENCY_BUCKETS_SECONDS.length ? LATENCY_BUCKETS_SECONDS[b]! : '+Inf' },
          value: cumulative,
        });
      }
      values.push({ metricName: `${this.name}_sum`, labels: { api }, value: r.secondsSum[apiKey]! });
      values.push({ metricName: `${this.name}_count`, labels: { api }, value: r.answered[apiKey]! });
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  reset(): void {
    // The counts belong to the request path's meters; nothing to reset here.
  }
}

function offlinePartitionsOf(cluster: ClusterPlacementStats): number {
  let offline = 0;
  for (const topic of cluster.topicNames()) {
    const count = cluster.topic(topic)?.partitionCount ?? 0;
    for (let p = 0; p < count; p++) if ((cluster.partition(topic, p)?.leader ?? -1) < 0) offline++;
  }
  return offline;
}
