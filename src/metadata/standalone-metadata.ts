// The cluster metadata of a standalone broker (no etcd): cluster id, topics with their ids, partition
// counts and config overrides, and the deletes still pending on disk, kept in one JSON file replaced
// atomically on every change, written first and applied after (metadata-store.ts). Runs on the main thread.
//
// File `fjord-metadata.json` in the metadata dir (default: the first log dir):
//   { "version": 1, "clusterId": "<22 chars>", "topics": { "<name>": { "topicId": "<22 chars>", "partitions": N,
//     "configs": { "<topic config key>": "<value>" } } },
//     "pendingDeletes": { "<name>": { "topicId": "<22 chars>", "partitions": N } },
//     "logDirs": { "<topicId>": { "<partition>": "<absolute log dir>" } } }
// `pendingDeletes` and `logDirs` may be absent (files written before they existed): none pending, none moved.
// `logDirs` holds the partitions moved between log dirs (AlterReplicaLogDirs), by topic id so that a topic
// created again under the same name does not inherit them; a topic's entries go in the write that deletes it.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomicSync } from '../shared/atomic-file.js';
import { ErrorCode, KafkaError } from '../shared/kafka-error-codes.js';
import type { MetadataStore, PendingDelete, TopicRecord } from './metadata-store.js';

export type { TopicRecord } from './metadata-store.js';

export const METADATA_FILE = 'fjord-metadata.json';

/** The file's contents, or null when there is none; an unreadable or foreign file is a start-up error. */
function readMetadataFile(path: string): MetadataFile | null {
  if (!existsSync(path)) return null;
  let parsed: MetadataFile;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8')) as MetadataFile;
  } catch (error) {
    throw new Error(`metadata file ${path} is unreadable (${(error as Error).message}); restore it or move it away to start a new cluster`);
  }
  if (parsed.version !== 1 || typeof parsed.clusterId !== 'string' || typeof parsed.topics !== 'object') {
    throw new Error(`metadata file ${path} is not a Fjord metadata file of version 1`);
  }
  return parsed;
}

/** Replaces a small file atomically (or throws, leaving the old one). The seam fault tests fail. */
export type MetadataFileWriter = (path: string, text: string) => void;

interface MetadataFile {
  version: 1;
  clusterId: string;
  topics: Readonly<Record<string, TopicRecord>>;
  pendingDeletes: Readonly<Record<string, PendingDelete>>;
  logDirs: Readonly<Record<string, Readonly<Record<string, string>>>>;
}

export class StandaloneMetadata implements MetadataStore {
  private constructor(
    private readonly path: string,
    private readonly writeFile: MetadataFileWriter,
    private state: Readonly<MetadataFile>,
  ) {}

  /**
   * Loads the file, or starts a new cluster (fresh id) when there is none. A corrupt file is a start-up error.
   * `clusterId`: the id the cluster already has (a broker of an etcd cluster); a new file takes it, and an existing
   * file holding another id is refused (its data belongs to another cluster).
   */
  static open(dir: string, writeFile: MetadataFileWriter = writeFileAtomicSync, clusterId?: string): StandaloneMetadata {
    const path = join(dir, METADATA_FILE);
    const parsed = readMetadataFile(path);
    if (parsed === null) {
      const fresh: MetadataFile = { version: 1, clusterId: clusterId ?? newClusterId(), topics: {}, pendingDeletes: {}, logDirs: {} };
      const metadata = new StandaloneMetadata(path, writeFile, fresh);
      metadata.commit(fresh);
      return metadata;
    }
    if (clusterId !== undefined && parsed.clusterId !== clusterId) {
      throw new Error(
        `metadata file ${path} belongs to cluster ${parsed.clusterId}, but this broker's cluster has id ${clusterId}; give it the log dirs of a broker of that cluster, or empty ones`,
      );
    }
    return new StandaloneMetadata(path, writeFile, { ...parsed, pendingDeletes: parsed.pendingDeletes ?? {}, logDirs: parsed.logDirs ?? {} });
  }

  /** The cluster id in the metadata file of `dir`, or null when there is no file yet. */
  static clusterIdIn(dir: string): string | null {
    return readMetadataFile(join(dir, METADATA_FILE))?.clusterId ?? null;
  }

  get clusterId(): string {
    return this.state.clusterId;
  }

  topic(name: string): TopicRecord | undefined {
    return this.state.topics[name];
  }

  topicNames(): string[] {
    return Object.keys(this.state.topics);
  }

  pendingDelete(name: string): PendingDelete | undefined {
    return this.state.pendingDeletes[name];
  }

  pendingDeleteNames(): string[] {
    return Object.keys(this.state.pendingDeletes);
  }

  async putTopic(name: string, record: TopicRecord): Promise<void> {
    const { [name]: _ended, ...pendingDeletes } = this.state.pendingDeletes;
    this.commit({ ...this.state, topics: { ...this.state.topics, [name]: record }, pendingDeletes });
  }

  async deleteTopic(name: string): Promise<void> {
    const { [name]: record, ...topics } = this.state.topics;
    if (record === undefined) return;
    const pendingDeletes = { ...this.state.pendingDeletes, [name]: { topicId: record.topicId, partitions: record.partitions } };
    const { [record.topicId]: _moved, ...logDirs } = this.state.logDirs;
    this.commit({ ...this.state, topics, pendingDeletes, logDirs });
  }

  async completeDelete(name: string): Promise<void> {
    if (this.state.pendingDeletes[name] === undefined) return;
    const { [name]: _done, ...pendingDeletes } = this.state.pendingDeletes;
    this.commit({ ...this.state, pendingDeletes });
  }

  logDirOf(topicId: string, partition: number): string | undefined {
    return this.state.logDirs[topicId]?.[String(partition)];
  }

  async putLogDir(topicId: string, partition: number, logDir: string): Promise<void> {
    const placed = { ...this.state.logDirs[topicId], [String(partition)]: logDir };
    this.commit({ ...this.state, logDirs: { ...this.state.logDirs, [topicId]: placed } });
  }

  /** Writes `next`, then makes it the state; on a failed write the state stays as it was. */
  private commit(next: Readonly<MetadataFile>): void {
    try {
      this.writeFile(this.path, `${JSON.stringify(next, null, 2)}\n`);
    } catch (error) {
      throw new KafkaError(ErrorCode.KAFKA_STORAGE_ERROR, `metadata file ${this.path} could not be written (${(error as Error).message}); nothing was changed`);
    }
    this.state = next;
  }
}

/** A Kafka-style cluster id: 16 random bytes, URL-safe base64 without padding (22 characters). */
export function newClusterId(): string {
  return randomBytes(16).toString('base64url');
}

/** A topic id in Kafka's text form: 16 random bytes as URL-safe base64 (never the all-zero id). */
export function newTopicId(): string {
  for (;;) {
    const bytes = randomBytes(16);
    if (bytes.some((b) => b !== 0)) return bytes.toString('base64url');
  }
}
