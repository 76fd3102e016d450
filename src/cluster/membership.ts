// Who the brokers of this broker's cluster are and which one is the controller, as Metadata and DescribeCluster
// answer it. A standalone broker (no etcd) is the whole cluster and its own controller (StandaloneMembership);
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

export interface Membership {
  /** The id every broker of the cluster answers clients with. */
  readonly clusterId: string;
  /** The live brokers, by node id. */
  liveBrokers(): LiveBroker[];
  /** The controller's node id, -1 while there is none. */
  controllerId(): number;
}

/** A standalone broker: itself, at its advertised address (filled in once its listener is bound). */
export class StandaloneMembership implements Membership {
  constructor(
    private readonly self: { nodeId: number; rack: string | null },
    private readonly advertised: Readonly<{ host: string; port: number }>,
    readonly clusterId: string,
  ) {}

  liveBrokers(): LiveBroker[] {
    return [{ nodeId: this.self.nodeId, host: this.advertised.host, port: this.advertised.port, rack: this.self.rack }];
  }

  controllerId(): number {
    return this.self.nodeId;
  }
}
