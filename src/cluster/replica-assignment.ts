// Chooses the replicas of new partitions the way Kafka does: leaders round-robin over the brokers from a random
// start, followers at a shift from the leader that grows by one each time the partitions wrap around the
// brokers, so leaders and follower pairs spread evenly. With racks, the brokers are first listed alternating
// between racks and each partition's replicas take distinct racks while it can. Pure; the controller calls it.

export interface AssignableBroker {
  nodeId: number;
  rack: string | null;
}

export interface AssignmentChoice {
  partitionCount: number;
  replicationFactor: number;
  /** The first new partition's index (adding partitions continues the pattern). Default 0. */
  firstPartition?: number;
  /** Where the leaders start and the followers' first shift; random when absent (Kafka picks them at random). */
  startIndex?: number;
  replicaShift?: number;
  random?: () => number;
}

/** The request cannot be met: Kafka answers INVALID_REPLICATION_FACTOR / INVALID_PARTITIONS / INVALID_REPLICA_ASSIGNMENT. */
export class AssignmentError extends Error {
  constructor(
    readonly kind: 'replication-factor' | 'partitions' | 'racks',
    message: string,
  ) {
    super(message);
  }
}

/** replicas[i] lists partition (firstPartition + i)'s replicas, preferred leader first. */
export function assignReplicas(brokers: AssignableBroker[], choice: AssignmentChoice): number[][] {
  const { partitionCount, replicationFactor } = choice;
  if (!Number.isInteger(partitionCount) || partitionCount < 1)
    throw new AssignmentError('partitions', `partition count must be at least 1, got ${partitionCount}`);
  if (!Number.isInteger(replicationFactor) || replicationFactor < 1) {
    throw new AssignmentError('replication-factor', `replication factor must be at least 1, got ${replicationFactor}`);
  }
  if (replicationFactor > brokers.length) {
    throw new AssignmentError('replication-factor', `replication factor ${replicationFactor} is larger than the ${brokers.length} live brokers`);
  }
  const withRack = brokers.filter((b) => b.rack !== null).length;
  if (withRack !== 0 && withRack !== brokers.length) throw new AssignmentError('racks', 'some brokers have broker.rack set and some do not');
  const arranged = withRack === 0 ? brokers.map((b) => b.nodeId).sort((a, b) => a - b) : rackAlternated(brokers);
  const random = choice.random ?? Math.random;
  const pick = (given: number | undefined) => given ?? Math.floor(random() * arranged.length);
  const start = { startIndex: pick(choice.startIndex), replicaShift: pick(choice.replicaShift), firstPartition: choice.firstPartition ?? 0 };
  if (withRack === 0) return spread(arranged, partitionCount, replicationFactor, start, null);
  return spread(arranged, partitionCount, replicationFactor, start, new Map(brokers.map((b) => [b.nodeId, b.rack!])));
}

/** Brokers listed one rack after another in turn (racks and the brokers in each sorted), e.g. a1 b1 c1 a2 b2 c2. */
export function rackAlternated(brokers: AssignableBroker[]): number[] {
  const byRack = new Map<string, number[]>();
  for (const b of brokers) byRack.set(b.rack!, [...(byRack.get(b.rack!) ?? []), b.nodeId]);
  const racks = [...byRack.keys()].sort().map((rack) => byRack.get(rack)!.sort((a, b) => a - b));
  const arranged: number[] = [];
  for (let round = 0; arranged.length < brokers.length; round++) {
    for (const ids of racks) if (round < ids.length) arranged.push(ids[round]!);
  }
  return arranged;
}

interface Start {
  startIndex: number;
  replicaShift: number;
  firstPartition: number;
}

function spread(arranged: number[], partitionCount: number, replicationFactor: number, start: Start, rackOf: Map<number, string> | null): number[][] {
  const n = arranged.length;
  const rackCount = rackOf === null ? 1 : new Set(rackOf.values()).size;
  // Added partitions continue the pattern: the shift has grown once per wrap before the first of them.
  let shift = start.replicaShift + (start.firstPartition > 0 ? Math.floor((start.firstPartition - 1) / n) : 0);
  const result: number[][] = [];
  for (let partition = start.firstPartition; partition < start.firstPartition + partitionCount; partition++) {
    if (partition > 0 && partition % n === 0) shift += 1;
    const first = (partition + start.startIndex) % n;
    result.push(
      rackOf === null
        ? followersShifted(arranged, first, shift, replicationFactor)
        : followersAcrossRacks(arranged, first, shift * rackCount, replicationFactor, rackOf, rackCount),
    );
  }
  return result;
}

/** The j-th follower's index: a shift of 1..n-1 from the leader, so it never lands on the leader. */
function followerIndex(first: number, shift: number, j: number, n: number): number {
  return (first + 1 + ((shift + j) % (n - 1))) % n;
}

function followersShifted(arranged: number[], first: number, shift: number, replicationFactor: number): number[] {
  const replicas = [arranged[first]!];
  for (let j = 0; j < replicationFactor - 1; j++) replicas.push(arranged[followerIndex(first, shift, j, arranged.length)]!);
  return replicas;
}

/** Followers walk the same shifted sequence, skipping a broker whose rack already has a replica until every rack has one. */
function followersAcrossRacks(
  arranged: number[],
  first: number,
  shift: number,
  replicationFactor: number,
  rackOf: Map<number, string>,
  rackCount: number,
): number[] {
  const leader = arranged[first]!;
  const replicas = [leader];
  const racksUsed = new Set([rackOf.get(leader)!]);
  const brokersUsed = new Set([leader]);
  let k = 0;
  while (replicas.length < replicationFactor) {
    const broker = arranged[followerIndex(first, shift, k, arranged.length)]!;
    k += 1;
    const rack = rackOf.get(broker)!;
    if (racksUsed.has(rack) && racksUsed.size < rackCount) continue;
    if (brokersUsed.has(broker) && brokersUsed.size < arranged.length) continue;
    replicas.push(broker);
    racksUsed.add(rack);
    brokersUsed.add(broker);
  }
  return replicas;
}
