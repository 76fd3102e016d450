// This broker's membership of an etcd cluster, built from the library in this folder: it agrees on the cluster
// id, registers the broker with a lease (and again whenever the lease is lost while the broker runs on), keeps
// the live brokers and the controller current (watches that end are started again), campaigns for controller
// on and on, and on leave resigns, revokes the lease (peers see the broker gone at once) and closes. Main thread.
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import { newTopicId } from '../metadata/standalone-metadata.js';
import { type LogConfig, withTopicOverrides } from '../shared/topic-config.js';
import { DuplicateBrokerError, LiveBrokers, type RegisteredBroker, registerBroker } from './broker-registry.js';
import { ClusterStateView } from './cluster-state-view.js';
import { EtcdClusterTopics } from './cluster-topics.js';
import { writeLeaderIsr } from './leader-isr-write.js';
import { Controller, type LeaderRebalanceSettings } from './controller.js';
import { campaignForController, ControllerObserver, type ControllerTerm } from './controller-election.js';
import { type ClusterEtcd, openClusterEtcd } from './etcd-client.js';
import { EtcdAclStore } from './etcd-acl-store.js';
import { EtcdCredentialStore } from './etcd-credential-store.js';
import type { EtcdTlsFiles } from './etcd-tls.js';
import { type BrokerListener, type BrokerRegistration, brokerKey, CLUSTER_ID_KEY, decodeBrokerRegistration } from './etcd-keys.js';
import { LeaseGuard } from './lease-guard.js';
import { handOverLeadership } from './leadership-handover.js';
import { reserveProducerIdBlock } from './producer-id-blocks.js';
import { ETCD_RETRY_MS, type EtcdDeadline, retryUntil, withinTimeout } from './etcd-deadline.js';
import { ClusterJoinError, type LiveBroker, type Membership, type ElectionType, type LeaderElection, type PartitionRef } from './membership.js';

export interface ClusterMembershipOptions extends EtcdDeadline {
  clusterName: string;
  nodeId: number;
  rack: string | null;
  /** Resolved paths: with the host, they tell this broker's own earlier registration from another broker's. */
  logDirs: string[];
  /** The first listener's advertised host: peers fetch replicas at it (the Kafka listeners come with join()). */
  advertisedHost: string;
  /** The lease TTL (rounded up to whole seconds): how long a broker that stopped renewing it stays live. */
  sessionTimeoutMs: number;
  /** The broker's log defaults: a topic's unclean.leader.election.enable is its override, else this. */
  logDefaults: Readonly<LogConfig>;
  /** The controller's automatic leader rebalancing while this broker holds the office; null: off. */
  leaderRebalance: LeaderRebalanceSettings | null;
  /** CA, client certificate and key for https:// endpoints (default: none, Node's default CAs). */
  tls?: EtcdTlsFiles;
  logger: Logger;
}

/** The registration's listener peers fetch replicas from (replication.listener's port, at the advertised host). */
const REPLICATION_LISTENER_NAME = 'REPLICATION';
/** Pause before trying again after a failed registration, campaign or watch. */
const RETRY_MS = ETCD_RETRY_MS;
/** How often start-up looks whether this broker's previous registration (a process killed moments ago) expired. */
const EXPIRY_POLL_MS = 250;

/** The etcd client, or a one-line ClusterJoinError (an unreadable or invalid TLS file). */
function openEtcdOrRefuse(options: ClusterMembershipOptions): ClusterEtcd {
  try {
    return openClusterEtcd({ endpoints: options.endpoints, clusterName: options.clusterName, tls: options.tls });
  } catch (error) {
    throw new ClusterJoinError((error as Error).message);
  }
}

export class ClusterMembership implements Membership {
  private live: LiveBrokers | null = null;
  private observer: ControllerObserver | null = null;
  private controllerNode: number | null = null;
  private lease: LeaseGuard | null = null;
  private registeredBroker: RegisteredBroker | null = null;
  private candidate: { withdraw(): Promise<void> } | null = null;
  private term: ControllerTerm | null = null;
  private state: ClusterStateView | null = null;
  private controllerRole: Controller | null = null;
  /**
   * From whichever watch is current: 'changed' when a broker comes or goes or a topic or assignment changes (the
   * controller's cue); 'state' for those and every partition state change too (the local replicas' cue).
   */
  private readonly changes = new EventEmitter();
  /** The cluster's topics as handlers read and change them (under this broker's registration). */
  readonly clusterTopics: EtcdClusterTopics;
  private appliedUpTo: (revision: bigint) => Promise<void> = (revision) => this.state?.waitForRevision(revision) ?? Promise.resolve();
  private listeners: readonly BrokerListener[] = [];
  private replicationPort: number | null = null;
  private leaving = false;
  private readonly sleepers = new Set<() => void>();

  private constructor(
    private readonly etcd: ClusterEtcd,
    readonly clusterId: string,
    private readonly options: ClusterMembershipOptions,
  ) {
    this.clusterTopics = new EtcdClusterTopics({
      ns: etcd.ns,
      fence: () => this.registeredBroker?.fence ?? null,
      // A registration found gone is a lost lease: the lease's own 'lost' event registers the broker again.
      onFenced: () => {},
      liveBrokers: () => this.live?.brokers ?? new Map(),
      view: () => this.state,
      newTopicId,
      logger: options.logger,
      applied: (revision) => this.appliedUpTo(revision),
    });
  }

  /**
   * Reaches etcd (retrying until connectTimeoutMs), agrees on the cluster id (`proposedClusterId` is written if
   * etcd has none yet; the one in etcd wins) and checks that no other live broker holds this node id.
   */
  static async connect(options: ClusterMembershipOptions, proposedClusterId: string): Promise<ClusterMembership> {
    const etcd = openEtcdOrRefuse(options);
    try {
      const clusterId = await retryUntil(options, () => agreeOnClusterId(etcd, proposedClusterId));
      await waitForNodeIdFree(etcd, options);
      return new ClusterMembership(etcd, clusterId, options);
    } catch (error) {
      etcd.close();
      throw error;
    }
  }

  /** Registers (the Kafka listeners as advertised, and the replication port at advertisedHost), then follows the live brokers and the controller, and campaigns. */
  async join(listeners: readonly BrokerListener[], replicationPort: number | null = null): Promise<void> {
    this.listeners = listeners;
    this.replicationPort = replicationPort;
    await withinTimeout(this.options, 'register this broker', async () => {
      await this.register();
      this.live = await this.watchBrokers();
      this.state = await this.watchState();
      this.observer = await this.observeController();
    });
    this.campaign();
  }

  liveBrokers(listenerName: string): LiveBroker[] {
    const brokers: LiveBroker[] = [];
    for (const registration of this.live?.brokers.values() ?? []) {
      const listener = registration.listeners.find((l) => l.name === listenerName);
      if (listener !== undefined) brokers.push({ nodeId: registration.nodeId, host: listener.host, port: listener.port, rack: registration.rack });
    }
    return brokers.sort((a, b) => a.nodeId - b.nodeId);
  }

  liveBrokerIds(): number[] {
    return [...(this.live?.brokers.keys() ?? [])].sort((a, b) => a - b);
  }

  /** The cluster's SCRAM credentials, read from etcd (within the connect timeout) and followed until closed. */
  openCredentialStore(): Promise<EtcdCredentialStore> {
    return withinTimeout(this.options, 'read the SCRAM credentials', () => EtcdCredentialStore.open(this.etcd, this.options.logger));
  }

  /** The cluster's ACLs, read from etcd (within the connect timeout) and followed until closed. */
  openAclStore(): Promise<EtcdAclStore> {
    return withinTimeout(this.options, 'read the ACLs', () => EtcdAclStore.open(this.etcd, this.options.logger));
  }

  /** As a partition's leader, writes its next ISR to etcd (leader-isr-write.ts): the replica manager's onIsrChange. */
  writeIsr(topic: string, partition: number, nextIsr: readonly number[]): Promise<void> {
    if (this.state === null) return Promise.reject(new Error('not joined to the cluster yet'));
    return writeLeaderIsr(this.etcd.ns, this.state, this.registeredBroker?.fence ?? null, this.options.nodeId, topic, partition, nextIsr);
  }

  /** Reserves a block of `size` producer ids for this broker to hand out (producer-id-blocks.ts); resolves with the first. */
  reserveProducerIds(size: number): Promise<number> {
    return reserveProducerIdBlock(this.etcd.ns, this.registeredBroker?.fence ?? null, size);
  }

  isLive(nodeId: number): boolean {
    return this.live?.brokers.has(nodeId) ?? false;
  }

  /** Where a live broker serves replica fetches (its registration's REPLICATION listener), or null. */
  replicationAddressOf(nodeId: number): { host: string; port: number } | null {
    const listener = this.live?.brokers.get(nodeId)?.listeners.find((l) => l.name === REPLICATION_LISTENER_NAME);
    return listener === undefined ? null : { host: listener.host, port: listener.port };
  }

  controllerId(): number {
    return this.controllerNode ?? -1;
  }

  /** Only while the lease is surely alive: before etcd can expire it and the controller move this broker's partitions. */
  mayAcknowledge(): boolean {
    return this.registeredBroker !== null && (this.lease?.isSurelyAlive() ?? false);
  }

  /** Leader elections by this broker's controller; null when this broker is not the controller. */
  electLeaders(type: ElectionType, partitions: readonly PartitionRef[]): Promise<LeaderElection[]> | null {
    return this.controllerRole?.electLeaders(type, partitions) ?? null;
  }

  /** Calls `onChange` on every change of the cluster state or the live brokers, and when a watch is replaced; returns the unsubscribe. */
  subscribe(onChange: () => void): () => void {
    this.changes.on('state', onChange);
    return () => this.changes.off('state', onChange);
  }

  /** What `clusterTopics.applied(revision)` waits for: the local replicas' progress through the state (state-applier.ts). */
  trackApplied(appliedUpTo: (revision: bigint) => Promise<void>): void {
    this.appliedUpTo = appliedUpTo;
  }

  /** This broker's registration (its fence guards the writes only a registered broker may make), null while it is not registered. */
  get registered(): RegisteredBroker | null {
    return this.registeredBroker;
  }

  /**
   * Hands the partitions this broker leads (those `wanted` selects) to other live in-sync replicas
   * (leadership-handover.ts), within the etcd timeout; resolves with how many moved (0 when etcd is out of reach).
   */
  async handOverLeadership(wanted: (topic: string, partition: number) => boolean = () => true): Promise<number> {
    const view = this.state;
    if (view === null || this.leaving) return 0;
    const { nodeId, logger } = this.options;
    const live = new Set([...(this.live?.brokers.keys() ?? [])].filter((id) => id !== nodeId));
    const inputs = { ns: this.etcd.ns, view, fence: this.registeredBroker?.fence ?? null, nodeId, live, logger };
    try {
      return await withinTimeout(this.options, 'hand over partition leadership', () => handOverLeadership(inputs, wanted));
    } catch (error) {
      logger.warn({ err: (error as Error).message }, 'could not hand over partition leadership; other brokers take it when this one is gone');
      return 0;
    }
  }

  /** Steps down as controller (or withdraws the candidacy), revokes the lease, stops watching, closes the client. */
  async leave(): Promise<void> {
    if (this.leaving) return;
    this.leaving = true;
    for (const wake of this.sleepers) wake();
    const { logger } = this.options;
    try {
      await withinTimeout(this.options, 'take leave of etcd', async () => {
        this.controllerRole?.stop();
        await Promise.all([this.term?.resign() ?? this.candidate?.withdraw(), this.lease?.revoke()]);
        await Promise.all([this.live?.close(), this.state?.close(), this.observer?.close()]);
      });
    } catch (error) {
      logger.warn({ err: (error as Error).message }, 'leaving the cluster: etcd did not answer; peers see this broker gone when its lease expires');
    } finally {
      this.etcd.close();
    }
  }

  private get ttlSeconds(): number {
    return Math.ceil(this.options.sessionTimeoutMs / 1000);
  }

  private registration(): BrokerRegistration {
    const { nodeId, rack, logDirs, advertisedHost } = this.options;
    const listeners = [...this.listeners];
    if (this.replicationPort !== null) listeners.push({ name: REPLICATION_LISTENER_NAME, host: advertisedHost, port: this.replicationPort });
    return { nodeId, listeners, rack, logDirs };
  }

  /** A new lease, and brokers/<nodeId> bound to it; a refused registration gives the lease back. */
  private async register(): Promise<void> {
    const lease = await LeaseGuard.grant(this.etcd.ns, this.ttlSeconds);
    try {
      this.registeredBroker = await registerBroker(this.etcd.ns, lease, this.registration());
    } catch (error) {
      await lease.revoke().catch(() => undefined);
      if (error instanceof DuplicateBrokerError) throw new ClusterJoinError(`node.id ${this.options.nodeId} is registered by another live broker in etcd`);
      throw error;
    }
    if (this.leaving) {
      // leave() ran while this registration was on its way: give it back too.
      await lease.revoke().catch(() => undefined);
      return;
    }
    this.lease = lease;
    lease.once('lost', (reason) => this.onLeaseLost(lease, reason));
  }

  /** The lease expired or could not be renewed (a frozen process, etcd out of reach): register again until it works. */
  private onLeaseLost(lease: LeaseGuard, reason: Error): void {
    if (this.leaving || lease !== this.lease) return;
    this.registeredBroker = null;
    this.options.logger.warn({ err: reason.message }, 'etcd lease lost: this broker is out of the live brokers until it registers again');
    void this.registerAgain(lease.leaseId);
  }

  private async registerAgain(lostLeaseId: string): Promise<void> {
    const { logger } = this.options;
    for (let failures = 0; !this.leaving; failures++) {
      try {
        // The client gives a lease up when it cannot renew it; etcd may still hold it (and the old registration).
        await this.etcd.client.leaseClient.leaseRevoke({ ID: lostLeaseId }).catch(() => undefined);
        await this.register();
        logger.info({ nodeId: this.options.nodeId, failures }, 'registered in etcd again');
        return;
      } catch (error) {
        logRetry(logger, failures, error as Error, 'registering again failed; retrying every 500 ms');
        await this.sleep(RETRY_MS);
      }
    }
  }

  private async watchBrokers(): Promise<LiveBrokers> {
    const { logger } = this.options;
    const live = await LiveBrokers.watch(this.etcd);
    live.on('added', (broker) => logger.info({ nodeId: broker.nodeId, listeners: broker.listeners, rack: broker.rack }, 'broker joined the cluster'));
    live.on('removed', (nodeId) => logger.info({ nodeId }, 'broker left the cluster'));
    live.on('added', () => this.announce(true)).on('removed', () => this.announce(true));
    live.on('invalid', (error) => logger.warn({ err: error.message }, 'ignored a broker registration in etcd that does not decode'));
    live.once('error', (error) => void this.rewatchBrokers(live, error));
    return live;
  }

  /** The broker watch ended: read the brokers again and watch from there (the old map answers meanwhile). */
  private async rewatchBrokers(ended: LiveBrokers, error: Error): Promise<void> {
    this.options.logger.warn({ err: error.message }, 'the watch of live brokers ended; watching again');
    await ended.close().catch(() => undefined);
    for (let failures = 0; !this.leaving; failures++) {
      try {
        const live = await this.watchBrokers();
        if (this.leaving) await live.close();
        else {
          this.live = live;
          this.announce(true);
        }
        return;
      } catch (retryError) {
        logRetry(this.options.logger, failures, retryError as Error, 'watching live brokers failed; retrying');
        await this.sleep(RETRY_MS);
      }
    }
  }

  /** The cluster state (topics, assignments, partition states), watched; a watch that ends is started again. */
  private async watchState(): Promise<ClusterStateView> {
    const view = await ClusterStateView.watch(this.etcd);
    // A partition's ISR change matters to the controller while that partition is being reassigned (it completes then).
    view.on('change', (change) => this.announce(change.kind !== 'partition' || view.reassignments.has(`${change.topic}/${change.partition}`)));
    view.once('error', (error) => void this.rewatchState(view, error));
    return view;
  }

  private async rewatchState(ended: ClusterStateView, error: Error): Promise<void> {
    this.options.logger.warn({ err: error.message }, 'the watch of the cluster state ended; watching again');
    await ended.close().catch(() => undefined);
    for (let failures = 0; !this.leaving; failures++) {
      try {
        const view = await this.watchState();
        if (this.leaving) await view.close();
        else {
          this.state = view;
          this.announce(true);
        }
        return;
      } catch (retryError) {
        logRetry(this.options.logger, failures, retryError as Error, 'watching the cluster state failed; retrying');
        await this.sleep(RETRY_MS);
      }
    }
  }

  /** Tells the controller (`forController`: brokers, topics or assignments changed) and the local replicas (always). */
  private announce(forController: boolean): void {
    if (forController) this.changes.emit('changed');
    this.changes.emit('state');
  }

  /** The cluster state as this broker last saw it; null before join(). */
  get clusterState(): ClusterStateView | null {
    return this.state;
  }

  /** This broker's controller duties while it holds a term; null otherwise. */
  get controller(): Controller | null {
    return this.controllerRole;
  }

  /** Takes up the controller's duties for `term`; they end with it. */
  private takeOffice(term: ControllerTerm): void {
    const { logger, logDefaults, leaderRebalance } = this.options;
    const controller = new Controller(
      this.etcd.ns,
      term,
      {
        liveBrokers: () => this.live?.brokers ?? new Map(),
        view: () => this.state!,
        subscribe: (onChange) => {
          this.changes.on('changed', onChange);
          return () => this.changes.off('changed', onChange);
        },
      },
      {
        uncleanLeaderElection: (topic) => withTopicOverrides(logDefaults, this.state?.topics.get(topic)?.value.configs ?? {}).uncleanLeaderElectionEnable,
        newTopicId,
        leaderRebalance,
        logger,
      },
    );
    this.controllerRole = controller;
    term.once('lost', () => {
      if (this.controllerRole === controller) this.controllerRole = null;
    });
    controller.start();
  }

  private async observeController(): Promise<ControllerObserver> {
    const observer = await ControllerObserver.observe(this.etcd);
    this.setController(observer.controllerId);
    observer.on('change', (controllerId) => this.setController(controllerId));
    observer.once('error', (error) => void this.reobserveController(observer, error));
    return observer;
  }

  private async reobserveController(ended: ControllerObserver, error: Error): Promise<void> {
    this.options.logger.warn({ err: error.message }, 'the controller observer ended; observing again');
    await ended.close().catch(() => undefined);
    for (let failures = 0; !this.leaving; failures++) {
      try {
        const observer = await this.observeController();
        if (this.leaving) await observer.close();
        else this.observer = observer;
        return;
      } catch (retryError) {
        logRetry(this.options.logger, failures, retryError as Error, 'observing the controller failed; retrying');
        await this.sleep(RETRY_MS);
      }
    }
  }

  private setController(controllerId: number | null): void {
    if (controllerId === this.controllerNode) return;
    this.controllerNode = controllerId;
    this.options.logger.info({ controllerId: controllerId ?? -1 }, 'controller changed');
  }

  /** Campaigns for controller; after a term ends or a campaign fails, campaigns again. */
  private campaign(failures = 0): void {
    if (this.leaving) return;
    const { logger, nodeId } = this.options;
    const candidate = campaignForController(this.etcd, nodeId, this.ttlSeconds);
    this.candidate = candidate;
    // The campaign's lease may still be in etcd (the client gives a lease up when it cannot renew it): revoke it,
    // so its key does not keep naming this broker the controller until it expires.
    const again = (next: number) => {
      void candidate.withdraw().catch(() => undefined);
      void this.sleep(RETRY_MS).then(() => this.campaign(next));
    };
    candidate.elected.then(
      (term) => {
        if (this.leaving) return void term.resign().catch(() => undefined);
        this.term = term;
        logger.info({ nodeId }, 'this broker is the controller');
        this.takeOffice(term);
        term.once('lost', (reason) => {
          this.term = null;
          if (this.leaving) return;
          logger.warn({ err: reason.message }, 'this broker is no longer the controller; campaigning again');
          again(0);
        });
      },
      (error: Error) => {
        if (this.leaving) return;
        logRetry(logger, failures, error, 'the controller campaign failed; campaigning again');
        again(failures + 1);
      },
    );
  }

  /** Waits ms, or less if the broker starts leaving. */
  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.sleepers.add(wake);
    });
  }
}

/** The first failure of a run of retries is a warning; the rest (every RETRY_MS while etcd is away) are debug lines. */
function logRetry(logger: Logger, failures: number, error: Error, msg: string): void {
  if (failures === 0) logger.warn({ err: error.message }, msg);
  else logger.debug({ err: error.message, failures }, msg);
}

/** The cluster id in etcd; the first broker to start writes `proposed` (create-if-absent). */
async function agreeOnClusterId(etcd: ClusterEtcd, proposed: string): Promise<string> {
  const { ns } = etcd;
  const result = await ns.if(CLUSTER_ID_KEY, 'Create', '==', 0).then(ns.put(CLUSTER_ID_KEY).value(proposed)).else(ns.get(CLUSTER_ID_KEY)).commit();
  if (result.succeeded) return proposed;
  const stored = result.responses[0]?.response_range?.kvs[0]?.value.toString() ?? '';
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(stored)) throw new ClusterJoinError(`etcd key ${etcd.root}${CLUSTER_ID_KEY} holds no valid cluster id ("${stored}")`);
  return stored;
}

/**
 * Refuses a node id a live broker holds, unless the holder is this very broker's previous process (same host and
 * log dirs: killed moments ago, its lease not expired yet), whose registration it waits out.
 */
async function waitForNodeIdFree(etcd: ClusterEtcd, options: ClusterMembershipOptions): Promise<void> {
  const key = brokerKey(options.nodeId);
  const deadline = Date.now() + options.sessionTimeoutMs + 2_000;
  let waiting = false;
  for (;;) {
    const value = await retryUntil(options, () => etcd.ns.get(key).string());
    if (value === null) return;
    const holder = decodeBrokerRegistration(key, value);
    const listener = holder.listeners[0];
    const address = listener === undefined ? '' : `${listener.host}:${listener.port}`;
    const previousSelf = holder.listeners.some((l) => l.host === options.advertisedHost) && sameDirs(holder.logDirs, options.logDirs);
    if (!previousSelf || Date.now() > deadline) {
      throw new ClusterJoinError(
        `node.id ${options.nodeId} is held by a live broker at ${address || 'no address'} in etcd cluster "${options.clusterName}"; give this broker another node.id`,
      );
    }
    if (!waiting) options.logger.info({ nodeId: options.nodeId }, "waiting for this broker's previous registration in etcd to expire");
    waiting = true;
    await new Promise((resolve) => setTimeout(resolve, EXPIRY_POLL_MS));
  }
}

function sameDirs(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && [...a].sort().join('\n') === [...b].sort().join('\n');
}
