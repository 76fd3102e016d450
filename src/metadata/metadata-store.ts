// What topic management reads and changes in the cluster metadata, whichever store keeps it: the standalone
// file today (standalone-metadata.ts), etcd once brokers form a cluster. Main thread.
//
// Every change is written first and applied after: a store computes the next state from the current one,
// writes it, and only once the write succeeded makes it the state it answers from. A failed write rejects
// with KAFKA_STORAGE_ERROR and leaves the state exactly as before, so callers never act on a change that
// is not recorded. (A store whose writes are asynchronous, as etcd's are, checks in the same write that the
// state it started from is still current: a transaction comparing the revision.)

export interface TopicRecord {
  topicId: string;
  partitions: number;
  configs: Record<string, string>;
}

/**
 * A deleted topic whose partitions may still be on disk. It is written in the same change that removes the
 * topic, and removed once every partition of it is gone, so neither a crash nor a disk that was offline during
 * the delete brings the topic back: at start-up its partitions are deleted, not adopted.
 */
export interface PendingDelete {
  topicId: string;
  partitions: number;
}

export interface MetadataStore {
  readonly clusterId: string;
  topic(name: string): TopicRecord | undefined;
  topicNames(): string[];
  pendingDelete(name: string): PendingDelete | undefined;
  pendingDeleteNames(): string[];
  /** Creates or replaces a topic; a pending delete of the same name ends in the same write. */
  putTopic(name: string, record: TopicRecord): Promise<void>;
  /** Removes a topic and records its pending delete, in one write. */
  deleteTopic(name: string): Promise<void>;
  /** Forgets a pending delete once none of its partitions is left on any disk. */
  completeDelete(name: string): Promise<void>;
  /**
   * The log dir a partition was last moved to (AlterReplicaLogDirs), or undefined when it never moved: the
   * commit point of a move, read at start-up to tell which of two copies is the partition.
   */
  logDirOf(topicId: string, partition: number): string | undefined;
  /** Records that a partition now lives in `logDir` (a move between log dirs switching over). */
  putLogDir(topicId: string, partition: number, logDir: string): Promise<void>;
}
