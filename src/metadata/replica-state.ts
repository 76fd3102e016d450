// A partition's leader, replicas and in-sync replicas as this broker reports them. Standalone, every partition
// has one replica (this broker), led and in sync while its log dir is online; a cluster's assignment will
// replace this one function. Used by Metadata answers and the partition-health metrics. Main thread.

export interface ReplicaState {
  leader: number;
  replicas: readonly number[];
  isr: readonly number[];
  offline: readonly number[];
}

export function standaloneReplicaState(nodeId: number, online: boolean): ReplicaState {
  return { leader: online ? nodeId : -1, replicas: [nodeId], isr: online ? [nodeId] : [], offline: online ? [] : [nodeId] };
}
