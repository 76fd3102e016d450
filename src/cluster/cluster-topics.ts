// A cluster's topics as this broker's handlers see them: read from its copy of etcd's state (ClusterStateView)
// and the live brokers (a leader or replica whose broker is not live is reported so), and changed as a TopicAdmin
// under this broker's fence. Main thread.
import type { ClusterTopic, ClusterTopics, PartitionPlacement, PartitionReassignment } from './membership.js';
import { NO_LEADER } from './partition-election.js';
import { TopicAdmin, type TopicAdminInputs } from './topic-admin.js';

export interface ClusterTopicsInputs extends TopicAdminInputs {
  /** Resolves once this broker applied the state up to `revision`. */
  applied(revision: bigint): Promise<void>;
}

export class EtcdClusterTopics extends TopicAdmin implements ClusterTopics {
  constructor(private readonly reads: ClusterTopicsInputs) {
    super(reads);
  }

  topicNames(): string[] {
    const view = this.reads.view();
    return view === null ? [] : [...view.topics.keys()].filter((name) => view.assignments.has(name));
  }

  topic(name: string): ClusterTopic | undefined {
    const view = this.reads.view();
    const topic = view?.topics.get(name)?.value;
    const assignment = view?.assignments.get(name)?.value;
    if (topic === undefined || assignment === undefined) return undefined;
    // Added partitions are recorded in the assignment; the topic record keeps the count it was created with.
    return { topicId: topic.topicId, partitionCount: assignment.replicas.length, configs: topic.configs };
  }

  partition(topic: string, partition: number): PartitionPlacement | undefined {
    const view = this.reads.view();
    const replicas = view?.assignments.get(topic)?.value.replicas[partition];
    if (view === undefined || view === null || replicas === undefined) return undefined;
    const live = this.reads.liveBrokers();
    const state = view.partition(topic, partition)?.value;
    const leader = state !== undefined && live.has(state.leader) ? state.leader : NO_LEADER;
    return {
      leader,
      leaderEpoch: state?.leaderEpoch ?? 0,
      replicas,
      isr: state?.isr ?? [],
      offline: replicas.filter((id) => !live.has(id)),
    };
  }

  reassignments(): PartitionReassignment[] {
    const view = this.reads.view();
    if (view === null) return [];
    const moving: PartitionReassignment[] = [];
    for (const [key, { value }] of view.reassignments) {
      const slash = key.lastIndexOf('/');
      const [topic, partition] = [key.slice(0, slash), Number(key.slice(slash + 1))];
      const current = view.assignments.get(topic)?.value.replicas[partition] ?? value.original;
      // Kafka's replicas of a move: the target, then the original ones leaving. Until the controller's next pass has
      // widened the assignment to that, the current one lacks the replicas being added; the listing never does.
      const replicas = value.target.every((id) => current.includes(id))
        ? current
        : [...value.target, ...value.original.filter((id) => !value.target.includes(id))];
      moving.push({
        topic,
        partition,
        replicas,
        adding: value.target.filter((id) => !value.original.includes(id)),
        removing: value.original.filter((id) => !value.target.includes(id)),
      });
    }
    return moving.sort((a, b) => (a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1));
  }

  applied(revision: bigint): Promise<void> {
    return this.reads.applied(revision);
  }
}
