// Everything a request handler may use, in one object built at start-up: identity and advertised
// address, the cluster's brokers and controller, the storage engine, topics, partition leadership, the long-poll
// waiters, the group router, producer ids, the users' SCRAM credentials, the authorizer and its ACLs, config,
// logger and the request path's meters.
// Runs on the main thread.
import type { Logger } from 'pino';
import type { Membership } from '../cluster/membership.js';
import type { BrokerConfig } from '../config/broker-config.js';
import type { PartitionEngine } from '../engine/partition-engine.js';
import type { TopicManager } from '../metadata/topic-manager.js';
import type { AclAuthorizer } from '../security/authorizer.js';
import type { ScramCredentialStore } from '../security/credential-store.js';
import type { HotPathMeters } from '../observability/hot-path-meters.js';
import type { DataWaiters } from './data-waiters.js';
import type { GroupRouter } from './group-router.js';
import type { CommitWaits, PartitionLeadership } from './partition-leadership.js';
import type { ProducerIdAllocator } from './producer-ids.js';
import type { SaslSessions } from './sasl-sessions.js';

export interface BrokerContext {
  readonly nodeId: number;
  /** Where clients reach this broker, per listener name. */
  readonly advertised: ReadonlyMap<string, { host: string; port: number }>;
  readonly config: BrokerConfig;
  /** The cluster id, the live brokers and the controller: this broker alone when standalone, etcd's view otherwise. */
  readonly membership: Membership;
  readonly engine: PartitionEngine;
  readonly topics: TopicManager;
  /** Which partitions this broker leads, at which epoch (standalone: all, at epoch 0). */
  readonly leadership: PartitionLeadership;
  /** The replica manager's ISR and commit waits for acks=all; null without replication (every ISR is this broker). */
  readonly replicas: CommitWaits | null;
  readonly waiters: DataWaiters;
  readonly groups: GroupRouter;
  readonly producerIds: ProducerIdAllocator;
  /** Users' SCRAM credentials: SASL looks them up, the *UserScramCredentials APIs list and change them (a file standalone, etcd in a cluster). */
  readonly credentials: ScramCredentialStore;
  /** The authorizer (off unless authorizer.class.name is set) and its ACLs: the *Acls APIs list and change them (a file standalone, etcd in a cluster). */
  readonly authorizer: AclAuthorizer;
  readonly logger: Logger;
  /** Counters for /metrics: traffic per topic, requests per API, produce requests waiting. */
  readonly meters: HotPathMeters;
  /** The SASL exchanges of connections on SASL listeners (SaslHandshake, SaslAuthenticate, v0's raw tokens). */
  readonly sasl: SaslSessions;
}
