// Who the brokers of this broker's cluster are, which one is the controller and, in a cluster, where each topic's
// replicas are and how topics are changed, as Metadata, DescribeCluster and the topic admin APIs answer it. A standalone broker (no etcd) is the whole cluster and its own controller (StandaloneMembership);
// with fjord.etcd.endpoints set, ClusterMembership (cluster-membership.ts, loaded only then: the etcd client takes
// half a second to load) answers from etcd. Main thread.

/** A reason this broker cannot join its cluster, in one line; start-up fails with it. */
export class ClusterJoinError extends Error {}

/** A live broker as clients are told about it. */
export interface LiveBroker {
  nodeId: number;
  host: string;
  port: number;
  rack: string | null;
}

/** One partition as the cluster state places it. */
export interface PartitionPlacement {
  /** -1: no leader (offline), or its broker is not live. */
  leader: number;
  leaderEpoch: number;
  replicas: readonly number[];
  isr: readonly number[];
  /** Assigned replicas whose broker is not live. */
  offline: readonly number[];
}

/** A partition being moved: its replicas now, those being added, those to be removed. */
export interface PartitionReassignment {
  topic: string;
  partition: number;
  replicas: readonly number[];
  adding: readonly number[];
  removing: readonly number[];
}

/** A topic as the cluster state records it. */
export interface ClusterTopic {
  topicId: string;
  partitionCount: number;
  configs: Readonly<Record<string, string>>;
}

/** One partition of a topic. */
export interface PartitionRef {
  topic: string;
  partition: number;
}

/** ElectLeaders' election types: the first assigned replica, or (unclean) any live replica of a partition without a live in-sync leader. */
export type ElectionType = 'preferred' | 'unclean';

/**
 * What an election did to one partition: a new leader ('elected'); none needed (the preferred replica leads, or for
 * an unclean election a live in-sync leader does); none possible ('not-available': the preferred replica is not live
 * or not in the ISR; no replica is live); no such partition; or this broker's controller term ended first.
 */
export type ElectionOutcome = 'elected' | 'not-needed' | 'not-available' | 'unknown-partition' | 'not-controller';

export interface LeaderElection extends PartitionRef {
  outcome: ElectionOutcome;
}

/** The refusals of a topic change, in Kafka's terms (the handlers map `kind` to an error code). */
export type TopicChangeResult =
  | { ok: true; revision: bigint }
  | {
      ok: false;
      kind:
        | 'not-controller'
        | 'topic-exists'
        | 'unknown-topic'
        | 'invalid-replication-factor'
        | 'invalid-partitions'
        | 'invalid-replica-assignment'
        | 'no-reassignment';
      message: string;
    };

/** A cluster's topics: where their replicas are (this broker's copy of etcd's state) and how they are changed. */
export interface ClusterTopics {
  topicNames(): string[];
  topic(name: string): ClusterTopic | undefined;
  partition(topic: string, partition: number): PartitionPlacement | undefined;
  createTopic(
    name: string,
    request: { partitionCount: number; replicationFactor: number; configs: Record<string, string>; replicaAssignment?: number[][] },
  ): Promise<TopicChangeResult>;
  deleteTopic(name: string): Promise<TopicChangeResult>;
  createPartitions(name: string, totalCount: number, newAssignment?: number[][]): Promise<TopicChangeResult>;
  setConfigs(name: string, configs: Record<string, string>): Promise<TopicChangeResult>;
  /** Moves a partition to `target` replicas (AlterPartitionReassignments), or with null cancels its move. */
  reassign(topic: string, partition: number, target: number[] | null): Promise<TopicChangeResult>;
  /** The reassignments under way (ListPartitionReassignments). */
  reassignments(): PartitionReassignment[];
  /** Resolves once this broker has applied the cluster state up to `revision` (its partitions, roles and topic copies). */
  applied(revision: bigint): Promise<void>;
}

export interface Membership {
  /** The id every broker of the cluster answers clients with. */
  readonly clusterId: string;
  /** The live brokers, by node id, each at its address on the named listener (brokers without that listener left out). */
  liveBrokers(listenerName: string): LiveBroker[];
  /** The node ids of the live brokers, ascending. */
  liveBrokerIds(): number[];
  /** The controller's node id, -1 while there is none. */
  controllerId(): number;
  /** The cluster's topics; null on a standalone broker, whose own topics (TopicManager) are the answer. */
  readonly clusterTopics: ClusterTopics | null;
  /**
   * Whether this broker may still acknowledge an acks=all write: in a cluster, only while its etcd lease is surely
   * alive (before it can expire and its partitions be given to another broker). Always true standalone.
   */
  mayAcknowledge(): boolean;
  /**
   * Leader elections (ElectLeaders) for existing partitions: in a cluster the controller runs them, and a broker
   * that is not the controller answers null. A standalone broker leads each of its partitions as their only replica,
   * the preferred one, live and in sync: nothing to elect.
   */
  electLeaders(type: ElectionType, partitions: readonly PartitionRef[]): Promise<LeaderElection[]> | null;
}

/** A standalone broker: itself, at its advertised addresses (filled in once its listeners are bound). */
export class StandaloneMembership implements Membership {
  constructor(
    private readonly self: { nodeId: number; rack: string | null },
    private readonly advertised: ReadonlyMap<string, { host: string; port: number }>,
    readonly clusterId: string,
  ) {}

  liveBrokers(listenerName: string): LiveBroker[] {
    const address = this.advertised.get(listenerName);
    return address === undefined ? [] : [{ nodeId: this.self.nodeId, host: address.host, port: address.port, rack: this.self.rack }];
  }

  liveBrokerIds(): number[] {
    return [this.self.nodeId];
  }

  controllerId(): number {
    return this.self.nodeId;
  }

  readonly clusterTopics = null;

  mayAcknowledge(): boolean {
    return true;
  }

  electLeaders(_type: ElectionType, partitions: readonly PartitionRef[]): Promise<LeaderElection[]> {
    return Promise.resolve(partitions.map(({ topic, partition }) => ({ topic, partition, outcome: 'not-needed' as const })));
  }
}
